package io.cephaloproxy.agent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The denied requests of the last {@link #RETAINED_SECONDS}, for the operator's summary Event
 * ({@code GET /denials} on the health port): counts per decision ({@code deny}, or {@code
 * would_deny} in Audit mode) and rule, and the hosts denied most, in buckets of {@link
 * #BUCKET_SECONDS} stamped with their start (seconds since the epoch).
 *
 * <p>Window-stamped, never reset by a read: a reader asks for the complete buckets of {@code [from,
 * to)} and remembers {@code to} for its next read, so two readers (two operator replicas, a person
 * with curl) never take counts from each other. Only denials are kept: with none, nothing is
 * allocated.
 *
 * <p>Bounded: at most {@link #HOSTS_PER_BUCKET} distinct hosts per bucket (denials of further hosts
 * are counted for their rule but not by host), host names cut to {@link #MAX_HOST} characters and
 * anything but letters, digits and {@code .-_:[]} shown as '?', buckets older than {@link
 * #RETAINED_SECONDS} dropped. The top hosts are therefore exact within a bucket until it has seen
 * that many hosts, and a lower bound after.
 */
public final class Denials {
  static final long BUCKET_SECONDS = 10;
  static final long RETAINED_SECONDS = 3600;
  static final int HOSTS_PER_BUCKET = 32;
  static final int MAX_HOST = 100;

  /** Hosts listed per rule in an answer. */
  static final int TOP_HOSTS = 5;

  private record Key(String decision, String rule) {}

  private static final class Count {
    long requests;
    final Map<String, Long> hosts = new HashMap<>();
  }

  private static final class Bucket {
    final Map<Key, Count> counts = new HashMap<>();
    int hosts;
  }

  private final LongSupplier clockMillis;
  private final TreeMap<Long, Bucket> buckets = new TreeMap<>();

  public Denials() {
    this(System::currentTimeMillis);
  }

  /** With another clock (tests, also the operator's). */
  public Denials(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
  }

  /** The start of the bucket that holds the second {@code epochSecond}. */
  static long bucketStart(long epochSecond) {
    return Math.floorDiv(epochSecond, BUCKET_SECONDS) * BUCKET_SECONDS;
  }

  /** Counts one denied request; {@code host} is the request's host bytes {@code [from, to)}. */
  synchronized void record(String decision, String rule, byte[] b, int from, int to) {
    record(decision, rule, host(b, from, to));
  }

  synchronized void record(String decision, String rule, String host) {
    long now = Math.floorDiv(clockMillis.getAsLong(), 1000);
    long start = bucketStart(now);
    Bucket bucket = buckets.get(start);
    if (bucket == null) {
      bucket = new Bucket();
      buckets.put(start, bucket);
      // drop what is older than the retention (at most once per new bucket)
      buckets.headMap(start - RETAINED_SECONDS, false).clear();
    }
    Count c = bucket.counts.computeIfAbsent(new Key(decision, rule), k -> new Count());
    c.requests++;
    if (host == null) {
      return;
    }
    Long n = c.hosts.get(host);
    if (n != null) {
      c.hosts.put(host, n + 1);
    } else if (bucket.hosts < HOSTS_PER_BUCKET) {
      c.hosts.put(host, 1L);
      bucket.hosts++;
    }
  }

  /** The host as shown: null for "-" or empty; cut and with unusual characters as '?'. */
  static String host(byte[] b, int from, int to) {
    if (to <= from || (to - from == 1 && b[from] == '-')) {
      return null;
    }
    int len = Math.min(to - from, MAX_HOST);
    byte[] out = new byte[len];
    for (int i = 0; i < len; i++) {
      byte c = b[from + i];
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '-'
              || c == '_'
              || c == ':'
              || c == '['
              || c == ']';
      out[i] = ok ? (byte) Character.toLowerCase(c) : (byte) '?';
    }
    return new String(out, StandardCharsets.US_ASCII);
  }

  static String host(String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return host(b, 0, b.length);
  }

  /** One line of an answer: a decision and rule, its count and its top hosts. */
  record Summary(String decision, String rule, long requests, List<Map.Entry<String, Long>> top) {}

  /**
   * The complete buckets that start in {@code [from, to)}, summed per decision and rule. {@code to}
   * is capped at the start of the current bucket (which is not complete yet).
   */
  synchronized List<Summary> between(long from, long to) {
    long now = Math.floorDiv(clockMillis.getAsLong(), 1000);
    long end = Math.min(to, bucketStart(now));
    Map<Key, Count> sum =
        new TreeMap<>(Comparator.comparing(Key::decision).thenComparing(Key::rule));
    if (end > from) {
      for (Bucket b : buckets.subMap(from, true, end, false).values()) {
        b.counts.forEach(
            (k, c) -> {
              Count s = sum.computeIfAbsent(k, x -> new Count());
              s.requests += c.requests;
              c.hosts.forEach((h, n) -> s.hosts.merge(h, n, Long::sum));
            });
      }
    }
    List<Summary> out = new ArrayList<>();
    sum.forEach(
        (k, c) -> {
          List<Map.Entry<String, Long>> top =
              c.hosts.entrySet().stream()
                  .sorted(
                      Map.Entry.<String, Long>comparingByValue()
                          .reversed()
                          .thenComparing(Map.Entry.comparingByKey()))
                  .limit(TOP_HOSTS)
                  .map(e -> Map.entry(e.getKey(), e.getValue()))
                  .toList();
          out.add(new Summary(k.decision(), k.rule(), c.requests, top));
        });
    return out;
  }

  /** Buckets held (tests: bounded by the retention). */
  synchronized int buckets() {
    return buckets.size();
  }

  /**
   * The answer of {@code GET /denials?from=F&to=T} (seconds since the epoch; both rounded down to a
   * bucket start; without them the last {@link #DEFAULT_WINDOW_SECONDS}): one JSON object,
   *
   * <pre>{"bucketSeconds":10,"from":F,"to":T,"now":N,"mode":"enforce","denials":[
   *   {"decision":"deny","rule":"not-allowed-domain","requests":30,
   *    "hosts":[{"host":"example.org","requests":20}]}]}</pre>
   *
   * where {@code to} is what the reader asks for next time as {@code from}.
   *
   * @throws IllegalArgumentException (one line, for a 400) on a query it cannot read
   */
  public String answer(String query, String mode) {
    long now = Math.floorDiv(clockMillis.getAsLong(), 1000);
    long current = bucketStart(now);
    Long from = null;
    Long to = null;
    if (query != null && !query.isEmpty()) {
      for (String kv : query.split("&")) {
        int eq = kv.indexOf('=');
        String k = eq < 0 ? kv : kv.substring(0, eq);
        String v = eq < 0 ? "" : kv.substring(eq + 1);
        switch (k) {
          case "from" -> from = seconds("from", v);
          case "to" -> to = seconds("to", v);
          default ->
              throw new IllegalArgumentException(
                  "unknown query parameter '"
                      + AccessLog.bounded(k)
                      + "': use from and to (seconds since the epoch)");
        }
      }
    }
    long t = bucketStart(to == null ? current : Math.min(to, current));
    long f = bucketStart(from == null ? t - DEFAULT_WINDOW_SECONDS : from);
    if (f > t) {
      throw new IllegalArgumentException("from (" + f + ") is after to (" + t + ")");
    }
    StringBuilder b = new StringBuilder(256);
    b.append("{\"bucketSeconds\":").append(BUCKET_SECONDS);
    b.append(",\"from\":").append(f).append(",\"to\":").append(t);
    b.append(",\"now\":").append(now).append(",\"mode\":");
    JsonLog.string(b, mode);
    b.append(",\"denials\":[");
    boolean first = true;
    for (Summary s : between(f, t)) {
      b.append(first ? "" : ",").append("{\"decision\":");
      first = false;
      JsonLog.string(b, s.decision());
      b.append(",\"rule\":");
      JsonLog.string(b, s.rule());
      b.append(",\"requests\":").append(s.requests()).append(",\"hosts\":[");
      for (int i = 0; i < s.top().size(); i++) {
        b.append(i == 0 ? "" : ",").append("{\"host\":");
        JsonLog.string(b, s.top().get(i).getKey());
        b.append(",\"requests\":").append(s.top().get(i).getValue()).append('}');
      }
      b.append("]}");
    }
    return b.append("]}\n").toString();
  }

  static final long DEFAULT_WINDOW_SECONDS = 300;

  private static long seconds(String name, String v) {
    if (!v.matches("[0-9]{1,12}")) {
      throw new IllegalArgumentException(
          name + "='" + AccessLog.bounded(v) + "' is not a number of seconds since the epoch");
    }
    return Long.parseLong(v);
  }
}
