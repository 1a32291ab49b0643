package io.cephaloproxy.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code cache_peer} line with {@code login=user:pass}, kept out of the ConfigMap. */
public final class UpstreamInclude {
  private UpstreamInclude() {}

  /**
   * The line to write ("" for no upstream), reading {@code username}/{@code password} from the
   * credentials dir.
   */
  public static String line(String cachePeer, Path credentials) throws StepFailure {
    if (cachePeer.contains("\n") || cachePeer.contains("\r")) {
      throw new StepFailure("upstream.cachePeer must be a single line");
    }
    if (credentials == null) {
      return cachePeer.isEmpty() ? "" : cachePeer + "\n";
    }
    if (cachePeer.isEmpty()) {
      throw new StepFailure("upstream.credentials is set but upstream.cachePeer is empty");
    }
    if (cachePeer.matches(".*\\blogin=.*")) {
      throw new StepFailure(
          "upstream.cachePeer already has a login= option; credentials come from " + credentials);
    }
    String user = secret(credentials.resolve("username"));
    String pass = secret(credentials.resolve("password"));
    return cachePeer + " login=" + percentEncode(user) + ":" + percentEncode(pass) + "\n";
  }

  private static String secret(Path file) throws StepFailure {
    String v;
    try {
      v = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StepFailure(
          "cannot read upstream credential "
              + file
              + ": "
              + e
              + " (the Secret needs keys username and password)");
    }
    // a trailing newline from `echo ... > file` is not part of the value
    if (v.endsWith("\n")) {
      v = v.substring(0, v.length() - 1);
      if (v.endsWith("\r")) {
        v = v.substring(0, v.length() - 1);
      }
    }
    if (v.isEmpty()) {
      throw new StepFailure("upstream credential " + file + " is empty");
    }
    // Spaces and any other printable character are percent-encoded into login= (Squid decodes
    // them); control characters (a line break inside the value, NUL) are almost certainly a
    // mistake in the Secret and NUL would cut Squid's string short.
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (Character.isISOControl(c)) {
        throw new StepFailure(
            "upstream credential "
                + file
                + " contains a control character (U+"
                + String.format("%04X", (int) c)
                + " at index "
                + i
                + "); remove it from the Secret");
      }
    }
    return v;
  }

  /** RFC 3986: everything but unreserved characters becomes %XX of its UTF-8 bytes. */
  public static String percentEncode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
