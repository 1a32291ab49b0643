package io.cephaloproxy.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Squid's access log through the agent (runtime.properties {@code accessLog.decisions=true}): Squid
 * writes it to a pipe the agent owns (its stdout; every SMP worker writes there too, one line per
 * write), the agent counts each request by the fields the compiler's logformat puts first and
 * writes the rest of the line, the format the user chose, to the container's stdout.
 *
 * <p>A line starts with {@code cp1 DECISION RULE WOULD_DENY RESULT STATUS BYTES MILLIS } (Squid's
 * {@code %{cp_decision}note %{cp_rule}note %{would_deny}note %Ss %>Hs %<st %tr}). A line without
 * that prefix, or with a rule name this agent does not know, is counted as {@code rule="unknown"},
 * forwarded whole, and reported once on stderr; it never stops the log.
 */
public final class AccessLog {
  static final String TAG = "cp1";
  static final String JSON_TAG = "cpj1";
  static final int PREFIX_FIELDS = 8;
  static final String UNKNOWN = "unknown";

  /** The rule names a generated squid.conf logs (the compiler's AccessSection.RULES). */
  static final Set<String> RULES =
      Set.of(
          "manager",
          "client",
          "auth",
          "unsafe-port",
          "connect-port",
          "denied-domain",
          "not-allowed-domain",
          "denied-destination",
          "blocked-destination",
          "extra-config",
          "allow");

  /** Request duration buckets, seconds. */
  static final double[] DURATION_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300
  };

  /** Reply size buckets, bytes. */
  static final double[] SIZE_BUCKETS = {
    256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456
  };

  /** Longest line kept whole for counting; a longer one is forwarded in pieces and not parsed. */
  static final int MAX_LINE = 256 * 1024;

  /** One request's decision as counted. */
  record Decision(String decision, String rule, long bytes, double seconds) {}

  private final String mode;
  private final Map<String, long[]> requests = new TreeMap<>();
  private final Map<String, Histogram> durations = new TreeMap<>();
  private final Map<String, Histogram> sizes = new TreeMap<>();
  private boolean reportedMalformed;
  private boolean reportedUnknownRule;

  /**
   * @param mode the proxy's access mode (runtime.properties {@code accessLog.mode}): enforce, audit
   *     or custom
   */
  public AccessLog(String mode) {
    this.mode = mode == null || mode.isBlank() ? "enforce" : mode;
    // the allow series exists from the start, so a rate over it is 0 rather than absent
    requests.put(key("allow", "allow"), new long[1]);
  }

  /**
   * The decision prefix of a line: its {@link #PREFIX_FIELDS} fields, where the rest begins, and
   * whether the rest is {@link JsonLog}'s fields (tag {@code cpj1}) or the user's text ({@code
   * cp1}); null when the line has none.
   */
  record Prefix(String[] fields, int offset, boolean json) {
    String decisionNote() {
      return fields[1];
    }

    /** The rule that decided, "none" when no generated rule did. */
    String rule() {
      return fields[2].equals("-") ? "none" : fields[2];
    }

    String wouldDeny() {
      return fields[3];
    }

    String result() {
      return fields[4];
    }

    /**
     * What Squid did: the decision note (allow, deny) or, without one (extraConfig, no generated
     * rule), deny for TCP_DENIED*, none for NONE_NONE (nothing was served: a connection closed
     * before its request, a request Squid could not parse), else allow.
     */
    String decision() {
      String note = decisionNote();
      if (note.equals("allow") || note.equals("deny")) {
        return note;
      }
      return result().contains("DENIED") ? "deny" : result().startsWith("NONE") ? "none" : "allow";
    }
  }

  static Prefix split(String line) {
    String[] f = new String[PREFIX_FIELDS];
    int pos = 0;
    for (int i = 0; i < PREFIX_FIELDS; i++) {
      int sp = line.indexOf(' ', pos);
      if (sp < 0 || sp == pos) {
        return null;
      }
      f[i] = line.substring(pos, sp);
      pos = sp + 1;
    }
    if (!f[0].equals(TAG) && !f[0].equals(JSON_TAG)) {
      return null;
    }
    return new Prefix(f, pos, f[0].equals(JSON_TAG));
  }

  /**
   * Parses the decision prefix of one line (without its newline).
   *
   * @return the decision, and in {@code offset[0]} where the part to forward begins (0 when the
   *     line has no prefix); null for a line without a (valid) prefix
   */
  static Decision parse(String line, int[] offset) {
    offset[0] = 0;
    Prefix p = split(line);
    if (p == null) {
      return null;
    }
    String[] f = p.fields();
    long bytes;
    long millis;
    try {
      bytes = f[6].equals("-") ? 0 : Long.parseLong(f[6]);
      millis = f[7].equals("-") ? 0 : Long.parseLong(f[7]);
    } catch (NumberFormatException e) {
      return null;
    }
    offset[0] = p.offset();
    String decision = p.decision();
    String rule = p.rule();
    if (decision.equals("allow") && !p.wouldDeny().equals("-")) {
      decision = "would_deny";
      rule = p.wouldDeny();
    }
    return new Decision(decision, rule, Math.max(0, bytes), Math.max(0, millis) / 1000.0);
  }

  /** What the agent forwards of one line: the line without its decision prefix. */
  public static String forwarded(String line) {
    return render(line, split(line));
  }

  /** The text to forward for a line: the rest after the prefix, the JSON object, or the line. */
  private static String render(String line, Prefix p) {
    if (p == null) {
      return line;
    }
    if (p.json()) {
      String json = JsonLog.render(p, line.substring(p.offset()));
      return json != null ? json : line;
    }
    return line.substring(p.offset());
  }

  /**
   * Counts one line (its bytes as ISO-8859-1 characters, no newline) and returns what to forward,
   * in the same encoding: the user's text after the prefix, or the JSON object (ASCII).
   */
  public synchronized String handle(String line) {
    int[] offset = new int[1];
    Decision d = parse(line, offset);
    Prefix p = d == null ? null : split(line);
    String out = null;
    if (p != null) {
      out = p.json() ? JsonLog.render(p, line.substring(p.offset())) : line.substring(p.offset());
    }
    if (out == null) {
      // no prefix, or JSON fields that do not parse: forwarded whole
      inc(key(UNKNOWN, UNKNOWN));
      if (!reportedMalformed) {
        reportedMalformed = true;
        Log.info(
            "access log: a line without a valid decision prefix was counted as rule=\"unknown\""
                + " and forwarded as is (reported once): "
                + bounded(line));
      }
      return line;
    }
    String rule = d.rule();
    if (!rule.equals("none") && !RULES.contains(rule)) {
      if (!reportedUnknownRule) {
        reportedUnknownRule = true;
        Log.info(
            "access log: unknown rule name counted as rule=\"unknown\" (reported once): "
                + bounded(rule));
      }
      rule = UNKNOWN;
    }
    inc(key(d.decision(), rule));
    durations
        .computeIfAbsent(d.decision(), k -> new Histogram(DURATION_BUCKETS))
        .observe(d.seconds());
    sizes.computeIfAbsent(d.decision(), k -> new Histogram(SIZE_BUCKETS)).observe(d.bytes());
    return out;
  }

  /** Counts in an unparsed (over-long) line. */
  synchronized void countUnparsed() {
    inc(key(UNKNOWN, UNKNOWN));
  }

  private String key(String decision, String rule) {
    return "decision="
        + Metrics.labelValue(decision)
        + ",rule="
        + Metrics.labelValue(rule)
        + ",mode="
        + Metrics.labelValue(mode);
  }

  private void inc(String key) {
    requests.computeIfAbsent(key, k -> new long[1])[0]++;
  }

  /** The counters and histograms, appended to a scrape. */
  public synchronized void metrics(Metrics m) {
    requests.forEach(
        (labels, v) ->
            m.metric(
                "cephaloproxy_requests_total",
                "counter",
                "Requests by decision (allow, deny, would_deny in Audit mode), the rule that decided"
                    + " (or would have denied) and the proxy's access mode, from the access log",
                labels,
                v[0]));
    durations.forEach(
        (decision, h) ->
            m.histogram(
                "cephaloproxy_request_duration_seconds",
                "Time Squid spent on a request (access log %tr), by decision",
                "decision=" + Metrics.labelValue(decision),
                h.bounds,
                h.counts,
                h.sum));
    sizes.forEach(
        (decision, h) ->
            m.histogram(
                "cephaloproxy_response_size_bytes",
                "Bytes Squid sent to the client for a request, headers included (access log %<st),"
                    + " by decision",
                "decision=" + Metrics.labelValue(decision),
                h.bounds,
                h.counts,
                h.sum));
  }

  /**
   * Reads Squid's access log from {@code in} until it ends: counts each line and writes the part to
   * forward, with its newline, to {@code out} (flushed whenever no more input is waiting).
   */
  public void pump(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[64 * 1024];
    byte[] line = new byte[8 * 1024];
    int len = 0;
    boolean overflow = false;
    int n;
    while ((n = in.read(buf)) > 0) {
      int from = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] != '\n') {
          continue;
        }
        int piece = i - from;
        if (overflow) {
          out.write(buf, from, piece + 1);
          countUnparsed();
          overflow = false;
        } else {
          if (len + piece > line.length) {
            line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, len + piece));
          }
          System.arraycopy(buf, from, line, len, piece);
          len += piece;
          forward(line, len, out);
        }
        len = 0;
        from = i + 1;
      }
      int rest = n - from;
      if (rest > 0) {
        if (overflow || len + rest > MAX_LINE) {
          if (!overflow) {
            out.write(line, 0, len);
            overflow = true;
            len = 0;
          }
          out.write(buf, from, rest);
        } else {
          if (len + rest > line.length) {
            line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, len + rest));
          }
          System.arraycopy(buf, from, line, len, rest);
          len += rest;
        }
      }
      if (in.available() == 0) {
        out.flush();
      }
    }
    if (len > 0) {
      forward(line, len, out);
    } else if (overflow) {
      out.write('\n');
      countUnparsed();
    }
    out.flush();
  }

  private void forward(byte[] line, int len, OutputStream out) throws IOException {
    String raw = new String(line, 0, len, StandardCharsets.ISO_8859_1);
    String text;
    try {
      text = handle(raw);
    } catch (RuntimeException e) {
      // never lose a line because counting failed
      text = raw;
      Log.error("access log: counting failed: " + e);
    }
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.write('\n');
  }

  /** At most 200 characters of {@code s}, control characters shown as '?'. */
  static String bounded(String s) {
    String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
    return t.replaceAll("[\\p{Cntrl}]", "?");
  }

  /** A histogram: counts per bucket (not cumulative; the last one is +Inf) and the sum. */
  static final class Histogram {
    final double[] bounds;
    final long[] counts;
    double sum;

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.counts = new long[bounds.length + 1];
    }

    void observe(double v) {
      int i = 0;
      while (i < bounds.length && v > bounds[i]) {
        i++;
      }
      counts[i]++;
      sum += v;
    }
  }
}
