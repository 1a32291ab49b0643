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
 * <p>A line starts with {@code cp2 DECISION RULE WOULD_DENY RESULT STATUS BYTES MILLIS HOST }
 * (Squid's {@code %{cp_decision}note %{cp_rule}note %{would_deny}note %Ss %>Hs %<st %tr %#>rd}),
 * or, as configs compiled before the host was added have it, {@code cp1} and the same without HOST.
 * Denied requests (and in Audit mode those that would be) are also kept by rule and host for a
 * while ({@link Denials}, {@code /denials}). A line without that prefix, or with a rule name this
 * agent does not know, is counted as {@code rule="unknown"}, forwarded whole, and reported once on
 * stderr; it never stops the log.
 */
public final class AccessLog {
  static final String TAG = "cp1";
  static final String JSON_TAG = "cpj1";

  /** The tags of the prefix with the request's host as a ninth field (the compiler's since 0.x). */
  static final String TAG_WITH_HOST = "cp2";

  static final String JSON_TAG_WITH_HOST = "cpj2";

  static final int PREFIX_FIELDS = 8;
  static final int PREFIX_FIELDS_WITH_HOST = 9;
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

  /** The decisions counted, in the order of the count arrays' first index. */
  static final String[] DECISIONS = {"allow", "deny", "would_deny", "none", UNKNOWN};

  private static final int ALLOW = 0;
  private static final int DENY = 1;
  private static final int WOULD_DENY = 2;
  private static final int NONE = 3;
  private static final int UNKNOWN_DECISION = 4;

  /** The rules counted, in the order of the count arrays' second index: RULES, none, unknown. */
  static final String[] RULE_NAMES;

  /** {@link #RULE_NAMES} as ASCII bytes, for the byte-level parse of {@link #pump}. */
  private static final byte[][] RULE_BYTES;

  private static final int RULE_NONE;
  private static final int RULE_UNKNOWN;
  private static final int RULE_ALLOW;

  static {
    java.util.List<String> names = new java.util.ArrayList<>(new java.util.TreeSet<>(RULES));
    names.add("none");
    names.add(UNKNOWN);
    RULE_NAMES = names.toArray(String[]::new);
    RULE_BYTES = new byte[RULE_NAMES.length][];
    for (int i = 0; i < RULE_NAMES.length; i++) {
      RULE_BYTES[i] = RULE_NAMES[i].getBytes(StandardCharsets.US_ASCII);
    }
    RULE_NONE = names.indexOf("none");
    RULE_UNKNOWN = names.indexOf(UNKNOWN);
    RULE_ALLOW = names.indexOf("allow");
  }

  private static final byte[] TAG_SPACE = (TAG + " ").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TAG_WITH_HOST_SPACE =
      (TAG_WITH_HOST + " ").getBytes(StandardCharsets.US_ASCII);

  private final String mode;

  /** Requests by decision and rule (indexes into DECISIONS and RULE_NAMES). */
  private final long[][] requests = new long[DECISIONS.length][RULE_NAMES.length];

  /** Per decision, created at its first request. */
  private final Histogram[] durations = new Histogram[DECISIONS.length];

  private final Histogram[] sizes = new Histogram[DECISIONS.length];

  /** The status classes of {@link #responses}: none (0, "-", not a 3-digit code), 1xx to 5xx. */
  static final String[] CODE_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

  /** Requests by the status code Squid sent ({@code %>Hs}), by class. */
  private final long[] responses = new long[CODE_CLASSES.length];

  /** Where the prefix's fields end in the line {@link #pump} parses (reused: one pump thread). */
  private final int[] ends = new int[PREFIX_FIELDS_WITH_HOST];

  /** The denied requests by rule and host, for {@code /denials}. */
  private final Denials denials;

  private boolean reportedMalformed;
  private boolean reportedUnknownRule;

  /**
   * @param mode the proxy's access mode (runtime.properties {@code accessLog.mode}): enforce, audit
   *     or custom
   */
  public AccessLog(String mode) {
    this(mode, new Denials());
  }

  /** With the denials kept in {@code denials} (tests). */
  public AccessLog(String mode, Denials denials) {
    this.mode = mode == null || mode.isBlank() ? "enforce" : mode;
    this.denials = denials;
  }

  /** The proxy's access mode as counted: enforce, audit or custom. */
  public String mode() {
    return mode;
  }

  /** The denied requests kept for {@code /denials}. */
  public Denials denials() {
    return denials;
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

    /** The request's host (URL-encoded by Squid), "-" when the prefix has none. */
    String host() {
      return fields.length > PREFIX_FIELDS ? fields[PREFIX_FIELDS] : "-";
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
    int first = line.indexOf(' ');
    String tag = first < 0 ? "" : line.substring(0, first);
    int count;
    if (tag.equals(TAG) || tag.equals(JSON_TAG)) {
      count = PREFIX_FIELDS;
    } else if (tag.equals(TAG_WITH_HOST) || tag.equals(JSON_TAG_WITH_HOST)) {
      count = PREFIX_FIELDS_WITH_HOST;
    } else {
      return null;
    }
    String[] f = new String[count];
    int pos = 0;
    for (int i = 0; i < count; i++) {
      int sp = line.indexOf(' ', pos);
      if (sp < 0 || sp == pos) {
        return null;
      }
      f[i] = line.substring(pos, sp);
      pos = sp + 1;
    }
    return new Prefix(f, pos, tag.equals(JSON_TAG) || tag.equals(JSON_TAG_WITH_HOST));
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
      requests[UNKNOWN_DECISION][RULE_UNKNOWN]++;
      if (!reportedMalformed) {
        reportedMalformed = true;
        Log.info(
            "access log: a line without a valid decision prefix was counted as rule=\"unknown\""
                + " and forwarded as is (reported once): "
                + bounded(line));
      }
      return line;
    }
    int rule = ruleIndex(d.rule());
    if (rule == RULE_UNKNOWN) {
      reportUnknownRule(d.rule());
    }
    int decision = decisionIndex(d.decision());
    count(decision, rule, d.bytes(), d.seconds());
    if (decision == DENY || decision == WOULD_DENY) {
      String host = JsonLog.decode(p.host());
      denials.record(
          DECISIONS[decision], RULE_NAMES[rule], host == null ? null : Denials.host(host));
    }
    byte[] status = p.fields()[5].getBytes(StandardCharsets.ISO_8859_1);
    responses[codeClass(status, 0, status.length)]++;
    return out;
  }

  private void reportUnknownRule(String rule) {
    if (!reportedUnknownRule) {
      reportedUnknownRule = true;
      Log.info(
          "access log: unknown rule name counted as rule=\"unknown\" (reported once): "
              + bounded(rule));
    }
  }

  private static int decisionIndex(String decision) {
    for (int i = 0; i < DECISIONS.length; i++) {
      if (DECISIONS[i].equals(decision)) {
        return i;
      }
    }
    return UNKNOWN_DECISION;
  }

  private static int ruleIndex(String rule) {
    for (int i = 0; i < RULE_NAMES.length; i++) {
      if (RULE_NAMES[i].equals(rule)) {
        return i;
      }
    }
    return RULE_UNKNOWN;
  }

  private void count(int decision, int rule, long bytes, double seconds) {
    requests[decision][rule]++;
    if (durations[decision] == null) {
      durations[decision] = new Histogram(DURATION_BUCKETS);
      sizes[decision] = new Histogram(SIZE_BUCKETS);
    }
    durations[decision].observe(seconds);
    sizes[decision].observe(bytes);
  }

  /** Counts in an unparsed (over-long) line. */
  synchronized void countUnparsed() {
    requests[UNKNOWN_DECISION][RULE_UNKNOWN]++;
  }

  private String key(int decision, int rule) {
    return "decision="
        + Metrics.labelValue(DECISIONS[decision])
        + ",rule="
        + Metrics.labelValue(RULE_NAMES[rule])
        + ",mode="
        + Metrics.labelValue(mode);
  }

  /** The counters and histograms, appended to a scrape. */
  public void metrics(Metrics m) {
    Map<String, Long> counts = new TreeMap<>();
    Map<String, Histogram> byDuration = new TreeMap<>();
    Map<String, Histogram> bySize = new TreeMap<>();
    long[] codes;
    synchronized (this) {
      codes = responses.clone();
      for (int d = 0; d < DECISIONS.length; d++) {
        for (int r = 0; r < RULE_NAMES.length; r++) {
          // the allow series exists from the start, so a rate over it is 0 rather than absent
          if (requests[d][r] > 0 || (d == ALLOW && r == RULE_ALLOW)) {
            counts.put(key(d, r), requests[d][r]);
          }
        }

        if (durations[d] != null) {
          byDuration.put(DECISIONS[d], durations[d].copy());
          bySize.put(DECISIONS[d], sizes[d].copy());
        }
      }
    }
    counts.forEach(
        (labels, v) ->
            m.metric(
                "cephaloproxy_requests_total",
                "counter",
                "Requests by decision (allow, deny, would_deny in Audit mode), the rule that decided"
                    + " (or would have denied) and the proxy's access mode, from the access log",
                labels,
                v));
    byDuration.forEach(
        (decision, h) ->
            m.histogram(
                "cephaloproxy_request_duration_seconds",
                "Time Squid spent on a request (access log %tr), by decision",
                "decision=" + Metrics.labelValue(decision),
                h.bounds,
                h.counts,
                h.sum));
    for (int c = 0; c < CODE_CLASSES.length; c++) {
      // 2xx and 5xx always, so a ratio of 5xx to all is 0 rather than absent
      if (codes[c] > 0 || c == 2 || c == 5) {
        m.metric(
            "cephaloproxy_responses_total",
            "counter",
            "Requests by the class of the status code Squid sent the client (access log %>Hs):"
                + " 1xx to 5xx, none when it sent none",
            "code=" + Metrics.labelValue(CODE_CLASSES[c]),
            codes[c]);
      }
    }
    bySize.forEach(
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
   * Between reads the pump waits until, at the rate the last read showed, about this much would be
   * waiting in the pipe (a quarter of its 64 KiB), so that one read and one write carry many lines
   * instead of one each.
   */
  static final long BATCH_BYTES = 16 * 1024;

  /** The longest such wait: how much later than Squid wrote it a line may reach the log. */
  static final long BATCH_MAX_NANOS = 20_000_000;

  /**
   * Reads Squid's access log from {@code in} until it ends: counts each line and writes the part to
   * forward, with its newline, to {@code out}, flushed after each read's lines.
   *
   * <p>The usual line (text format, a known rule) is parsed and counted on its bytes, without
   * making a String; a JSON line, or anything unusual, goes through {@link #handle}. Between reads
   * the pump lets lines gather ({@link #batchWait}), so a log line reaches the container log at
   * most 20 ms later than Squid wrote it.
   */
  public void pump(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[64 * 1024];
    byte[] line = new byte[8 * 1024];
    int len = 0;
    boolean overflow = false;
    long lastRead = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      long now = System.nanoTime();
      int from = 0;
      synchronized (this) {
        for (int i = 0; i < n; i++) {
          if (buf[i] != '\n') {
            continue;
          }
          int piece = i - from;
          if (overflow) {
            out.write(buf, from, piece + 1);
            requests[UNKNOWN_DECISION][RULE_UNKNOWN]++;
            overflow = false;
          } else if (len == 0) {
            // the whole line is in this read: parse it where it is
            forward(buf, from, piece, out);
          } else {
            if (len + piece > line.length) {
              line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, len + piece));
            }
            System.arraycopy(buf, from, line, len, piece);
            len += piece;
            forward(line, 0, len, out);
          }
          len = 0;
          from = i + 1;
        }
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
      out.flush();
      long wait = batchWait(n, now - lastRead);
      if (lastRead != 0 && wait >= 1_000_000) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      lastRead = now;
    }
    synchronized (this) {
      if (len > 0) {
        forward(line, 0, len, out);
      } else if (overflow) {
        out.write('\n');
        requests[UNKNOWN_DECISION][RULE_UNKNOWN]++;
      }
    }
    out.flush();
  }

  /**
   * How long to wait before the next read, in ns, after a read of {@code n} bytes that came {@code
   * sinceLast} ns after the one before: until {@link #BATCH_BYTES} would be waiting at that rate,
   * at most {@link #BATCH_MAX_NANOS}; 0 after a read of that much or more. The pipe then fills to
   * at most a quarter unless the rate quadruples within one wait.
   */
  static long batchWait(long n, long sinceLast) {
    if (n >= BATCH_BYTES || n <= 0) {
      return 0;
    }
    long elapsed = Math.min(Math.max(sinceLast, 0), 1_000_000_000L);
    return Math.min(BATCH_MAX_NANOS, elapsed * BATCH_BYTES / n);
  }

  /**
   * Counts the line {@code b[off, off + len)} (no newline) and writes what to forward of it. Called
   * with the monitor held.
   */
  private void forward(byte[] b, int off, int len, OutputStream out) throws IOException {
    int rest = countTextLine(b, off, len);
    if (rest >= 0) {
      out.write(b, rest, off + len - rest);
      out.write('\n');
      return;
    }
    String raw = new String(b, off, len, StandardCharsets.ISO_8859_1);
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

  /**
   * The usual line, on its bytes: a text-format line ({@code cp1} or {@code cp2}) whose rule names
   * are known and whose numbers parse is counted, and where the part to forward begins is returned;
   * anything else returns -1, uncounted, for {@link #handle} (the same result, by way of Strings).
   */
  private int countTextLine(byte[] b, int off, int len) {
    int end = off + len;
    int pos = off;
    int fields;
    if (startsWith(b, off, end, TAG_WITH_HOST_SPACE)) {
      fields = PREFIX_FIELDS_WITH_HOST;
    } else if (startsWith(b, off, end, TAG_SPACE)) {
      fields = PREFIX_FIELDS;
    } else {
      return -1;
    }
    for (int i = 0; i < fields; i++) {
      int sp = pos;
      while (sp < end && b[sp] != ' ') {
        sp++;
      }
      if (sp == end || sp == pos) {
        return -1;
      }
      ends[i] = sp;
      pos = sp + 1;
    }
    long bytes = number(b, ends[5] + 1, ends[6]);
    long millis = number(b, ends[6] + 1, ends[7]);
    if (bytes < 0 || millis < 0) {
      return -1;
    }
    int rule = dashOrRule(b, ends[1] + 1, ends[2]);
    int wouldDeny = dashOrRule(b, ends[2] + 1, ends[3]);
    if (rule == RULE_UNKNOWN || wouldDeny == RULE_UNKNOWN) {
      return -1;
    }
    int decision;
    int noteStart = ends[0] + 1;
    if (equals(b, noteStart, ends[1], DECISION_BYTES[ALLOW])) {
      decision = ALLOW;
    } else if (equals(b, noteStart, ends[1], DECISION_BYTES[DENY])) {
      decision = DENY;
    } else {
      // no note: Squid's result code decides, as Prefix.decision()
      int resultStart = ends[3] + 1;
      decision =
          contains(b, resultStart, ends[4], DENIED)
              ? DENY
              : startsWith(b, resultStart, ends[4], NONE_BYTES) ? NONE : ALLOW;
    }
    if (rule < 0) {
      rule = RULE_NONE;
    }
    if (decision == ALLOW && wouldDeny >= 0) {
      decision = WOULD_DENY;
      rule = wouldDeny;
    }
    count(decision, rule, bytes, millis / 1000.0);
    if (decision == DENY || decision == WOULD_DENY) {
      if (fields == PREFIX_FIELDS_WITH_HOST) {
        // Squid URL-encodes the host (%#): an unusual one takes the String path
        denials.record(DECISIONS[decision], RULE_NAMES[rule], hostOf(b, ends[7] + 1, ends[8]));
      } else {
        denials.record(DECISIONS[decision], RULE_NAMES[rule], null);
      }
    }
    responses[codeClass(b, ends[4] + 1, ends[5])]++;
    return pos;
  }

  private static final byte[][] DECISION_BYTES = {
    "allow".getBytes(StandardCharsets.US_ASCII), "deny".getBytes(StandardCharsets.US_ASCII)
  };
  private static final byte[] DENIED = "DENIED".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NONE_BYTES = "NONE".getBytes(StandardCharsets.US_ASCII);

  /** -1 for "-", the index of a known rule name, else {@link #RULE_UNKNOWN}. */
  private static int dashOrRule(byte[] b, int from, int to) {
    if (to - from == 1 && b[from] == '-') {
      return -1;
    }
    for (int i = 0; i < RULE_BYTES.length; i++) {
      // "none" and "unknown" are counted names, not names a generated rule logs
      if (i != RULE_NONE && i != RULE_UNKNOWN && equals(b, from, to, RULE_BYTES[i])) {
        return i;
      }
    }
    return RULE_UNKNOWN;
  }

  /** The host field {@code b[from, to)} as {@link Denials} keeps it, URL-decoded. */
  private static String hostOf(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '%') {
        String decoded =
            JsonLog.decode(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
        return decoded == null ? null : Denials.host(decoded);
      }
    }
    return Denials.host(b, from, to);
  }

  /** The index in {@link #CODE_CLASSES} of the status code {@code b[from, to)}. */
  private static int codeClass(byte[] b, int from, int to) {
    if (to - from != 3) {
      return 0;
    }
    int first = b[from] - '0';
    for (int i = from + 1; i < to; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return 0;
      }
    }
    return first >= 1 && first <= 5 ? first : 0;
  }

  /** A non-negative decimal of at most 18 digits, 0 for "-", else -1. */
  private static long number(byte[] b, int from, int to) {
    if (to - from == 1 && b[from] == '-') {
      return 0;
    }
    if (to - from > 18) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static boolean equals(byte[] b, int from, int to, byte[] word) {
    return to - from == word.length && java.util.Arrays.equals(b, from, to, word, 0, word.length);
  }

  private static boolean startsWith(byte[] b, int from, int to, byte[] word) {
    return to - from >= word.length
        && java.util.Arrays.equals(b, from, from + word.length, word, 0, word.length);
  }

  private static boolean contains(byte[] b, int from, int to, byte[] word) {
    for (int i = from; i + word.length <= to; i++) {
      if (startsWith(b, i, to, word)) {
        return true;
      }
    }
    return false;
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

    Histogram copy() {
      Histogram h = new Histogram(bounds);
      System.arraycopy(counts, 0, h.counts, 0, counts.length);
      h.sum = sum;
      return h;
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
