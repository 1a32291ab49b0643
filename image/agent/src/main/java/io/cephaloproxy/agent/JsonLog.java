package io.cephaloproxy.agent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The JSON decision log ({@code logging.format: JSON}): Squid writes, after the decision prefix
 * (tag {@code cpj1}), a fixed list of URL-encoded fields ({@code %#} codes, so none holds a space)
 * and the agent writes one JSON object per request: keys always present and in this order, {@code
 * null} where Squid has no value ("-"), numbers as numbers, the query string dropped from {@code
 * path}, non-ASCII escaped ({@code \\uXXXX}). docs/agent.md documents every field.
 */
public final class JsonLog {
  /** Squid's fields after the prefix, in order (the compiler's LoggingSection writes them). */
  static final String[] FIELDS = {
    "time",
    "client",
    "user",
    "method",
    "scheme",
    "host",
    "port",
    "path",
    "status",
    "bytes",
    "duration_ms",
    "result",
    "sni",
    "bump_mode",
    "server",
    "hierarchy",
    "mime",
    "user_agent"
  };

  private JsonLog() {}

  /** The JSON object of a line's fields, or null when they are not the expected list. */
  static String render(AccessLog.Prefix p, String rest) {
    String[] v = rest.split(" ", -1);
    if (v.length != FIELDS.length) {
      return null;
    }
    StringBuilder b = new StringBuilder(256).append('{');
    for (int i = 0; i < FIELDS.length; i++) {
      String name = FIELDS[i];
      String raw = v[i];
      if (i > 0) {
        b.append(',');
      }
      b.append('"').append(name).append("\":");
      switch (name) {
        case "port", "status", "bytes", "duration_ms" -> {
          if (!raw.matches("[0-9]{1,15}")) {
            if (!raw.equals("-")) {
              return null;
            }
            b.append("null");
          } else {
            b.append(Long.parseLong(raw));
          }
        }
        case "time" -> string(b, raw);
        default -> {
          String value = raw.equals("-") ? null : decode(raw);
          if (value == null && !raw.equals("-")) {
            return null;
          }
          if (name.equals("path") && value != null) {
            int q = value.indexOf('?');
            value = q >= 0 ? value.substring(0, q) : value;
          }
          string(b, value);
        }
      }
      if (name.equals("result")) {
        b.append(",\"decision\":");
        string(b, p.decision());
        b.append(",\"rule\":");
        string(b, p.rule().equals("none") ? null : p.rule());
        b.append(",\"would_deny\":");
        string(b, p.wouldDeny().equals("-") ? null : p.wouldDeny());
      }
    }
    return b.append('}').toString();
  }

  /** Squid's URL encoding ({@code %#}) undone, as UTF-8; null for a broken escape. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(c & 0xff);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A JSON string (or null), ASCII only. */
  static void string(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
