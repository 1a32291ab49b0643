package io.cephaloproxy.agent;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus text exposition (format 0.0.4) from Squid's cache manager pages and process facts. */
public final class Metrics {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private final StringBuilder out = new StringBuilder();
  private final java.util.Set<String> declared = new java.util.HashSet<>();

  /** {@code name = number} lines of the {@code counters} page, in order. */
  public static Map<String, Double> parseCounters(String text) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String line : text.split("\r?\n")) {
      int eq = line.indexOf(" = ");
      if (eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq).trim();
      String value = line.substring(eq + 3).trim().split("\\s+")[0];
      try {
        m.put(key, Double.parseDouble(value));
      } catch (NumberFormatException ignored) {
        // not a number: not a counter
      }
    }
    return m;
  }

  /** Facts from the {@code info} page. */
  public record Info(
      String version,
      String service,
      Map<String, Double> gauges,
      Map<String, double[]> serviceTimes,
      Map<String, double[]> hitRatios) {}

  private static final Pattern VERSION = Pattern.compile("Squid Object Cache: Version (\\S+)");
  private static final Pattern SERVICE = Pattern.compile("(?m)^Service Name: (\\S+)");
  private static final Pattern SERVICE_TIME =
      Pattern.compile("(?m)^\\s+([A-Za-z][A-Za-z ()-]*?):\\s+([0-9.]+)\\s+([0-9.]+)\\s*$");
  private static final Pattern HIT_RATIO =
      Pattern.compile("(?m)^\\s+(.+?) as % of (.+?):\\s+5min: (-?[0-9.]+)%, 60min: (-?[0-9.]+)%");

  /**
   * {@code info} line label → (metric name, multiplier to base units, help). All gauges but the one
   * whose name ends in {@code _total}. Squid's CPU time is the counters page's {@code
   * squid_cpu_seconds_total}.
   */
  private static final Object[][] INFO_GAUGES = {
    {
      "Number of clients accessing cache",
      "squid_clients",
      1.0,
      "Clients that sent requests recently (info: Number of clients accessing cache)"
    },
    {"UP Time", "squid_uptime_seconds", 1.0, "Seconds since Squid started (info: UP Time)"},
    {
      "Maximum Resident Size",
      "squid_max_resident_bytes",
      1024.0,
      "Peak resident memory of Squid (info: Maximum Resident Size)"
    },
    {
      "Storage Swap size",
      "squid_storage_swap_bytes",
      1024.0,
      "Bytes in the disk cache (info: Storage Swap size)"
    },
    {
      "Storage Mem size",
      "squid_storage_mem_bytes",
      1024.0,
      "Bytes in the memory cache (info: Storage Mem size)"
    },
    {
      "Maximum number of file descriptors",
      "squid_file_descriptors_max",
      1.0,
      "File descriptor limit"
    },
    {
      "Number of file desc currently in use",
      "squid_file_descriptors_in_use",
      1.0,
      "File descriptors in use"
    },
    {
      "Number of HTTP requests received",
      "squid_http_requests_received_total",
      1.0,
      "HTTP requests received since start (info: Number of HTTP requests received)"
    },
    {
      "Average HTTP requests per minute since start",
      "squid_http_requests_per_minute",
      1.0,
      "Average HTTP requests per minute since start"
    },
  };

  public static Info parseInfo(String text) {
    Matcher v = VERSION.matcher(text);
    Matcher s = SERVICE.matcher(text);
    Map<String, Double> gauges = new LinkedHashMap<>();
    for (String line : text.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String label = line.substring(0, colon).trim();
      String rest = line.substring(colon + 1).trim();
      for (Object[] g : INFO_GAUGES) {
        if (g[0].equals(label)) {
          String num = rest.split("\\s+")[0];
          try {
            gauges.put((String) g[1], Double.parseDouble(num) * (Double) g[2]);
          } catch (NumberFormatException ignored) {
            // a version of Squid that prints it differently: skip
          }
        }
      }
    }
    Map<String, double[]> times = new LinkedHashMap<>();
    int mst = text.indexOf("Median Service Times");
    if (mst >= 0) {
      String section = text.substring(mst);
      int next = nextSection(section);
      Matcher m = SERVICE_TIME.matcher(section.substring(0, next));
      while (m.find()) {
        times.put(
            label(m.group(1)),
            new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))});
      }
    }
    Map<String, double[]> ratios = new LinkedHashMap<>();
    Matcher h = HIT_RATIO.matcher(text);
    while (h.find()) {
      String kind = label(h.group(1) + " of " + h.group(2));
      ratios.put(
          kind,
          new double[] {
            Double.parseDouble(h.group(3)) / 100.0, Double.parseDouble(h.group(4)) / 100.0
          });
    }
    return new Info(
        v.find() ? v.group(1) : "unknown",
        s.find() ? s.group(1) : "unknown",
        gauges,
        times,
        ratios);
  }

  private static int nextSection(String section) {
    String[] lines = section.split("\n", -1);
    int pos = lines[0].length() + 1;
    for (int i = 1; i < lines.length; i++) {
      if (!lines[i].isEmpty() && !Character.isWhitespace(lines[i].charAt(0))) {
        return pos;
      }
      pos += lines[i].length() + 1;
    }
    return section.length();
  }

  /** "HTTP Requests (All)" → "http_requests_all". */
  static String label(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
  }

  /** A counters page entry as a metric: its name, type and the factor to base units. */
  record CounterMetric(String name, String type, double scale) {}

  /**
   * The metric for a Squid counter key, in bytes and seconds: "client_http.requests" →
   * "squid_client_http_requests_total"; a count of kilobytes "client_http.kbytes_in" →
   * "squid_client_http_in_bytes_total" (× 1024); "cpu_time" → "squid_cpu_seconds_total"; the cache
   * digest's memory sizes in KB ("cd.memory") are gauges "squid_cd_memory_bytes".
   */
  static CounterMetric counterMetric(String key) {
    if (key.equals("cpu_time")) {
      return new CounterMetric("squid_cpu_seconds_total", "counter", 1);
    }
    if (key.equals("cd.memory") || key.equals("cd.local_memory")) {
      return new CounterMetric("squid_" + sanitize(key) + "_bytes", "gauge", 1024);
    }
    if (key.contains("kbytes")) {
      String base = key.replace("kbytes_", "").replace("_kbytes", "").replace("kbytes", "");
      return new CounterMetric("squid_" + sanitize(base) + "_bytes_total", "counter", 1024);
    }
    return new CounterMetric("squid_" + sanitize(key) + "_total", "counter", 1);
  }

  private static String sanitize(String key) {
    return key.replaceAll("[^a-zA-Z0-9_]", "_").replaceAll("_+$", "");
  }

  // --- writer ------------------------------------------------------------------------------

  public Metrics metric(String name, String type, String help, double value) {
    return metric(name, type, help, "", value);
  }

  /** Adds a sample; HELP and TYPE are written once per name, before its first sample. */
  public Metrics metric(String name, String type, String help, String labels, double value) {
    declare(name, type, help);
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{').append(labels).append('}');
    }
    out.append(' ').append(format(value)).append('\n');
    return this;
  }

  /** HELP and TYPE, once per name, before its first sample. */
  private void declare(String name, String type, String help) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name " + name);
    }
    if (declared.add(name)) {
      out.append("# HELP ")
          .append(name)
          .append(' ')
          .append(help.replace("\\", "\\\\").replace("\n", "\\n"))
          .append('\n');
      out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
  }

  /**
   * A histogram: {@code counts} per bucket of {@code bounds} plus a last +Inf bucket (not
   * cumulative; written cumulatively), {@code _sum} and {@code _count}.
   */
  public Metrics histogram(
      String name, String help, String labels, double[] bounds, long[] counts, double sum) {
    declare(name, "histogram", help);
    String sep = labels.isEmpty() ? "" : labels + ",";
    long acc = 0;
    for (int i = 0; i <= bounds.length; i++) {
      acc += counts[i];
      String le = i < bounds.length ? format(bounds[i]) : "+Inf";
      out.append(name)
          .append("_bucket{")
          .append(sep)
          .append("le=\"")
          .append(le)
          .append("\"} ")
          .append(acc)
          .append('\n');
    }
    String braces = labels.isEmpty() ? "" : "{" + labels + "}";
    out.append(name).append("_sum").append(braces).append(' ').append(format(sum)).append('\n');
    out.append(name).append("_count").append(braces).append(' ').append(acc).append('\n');
    return this;
  }

  static String labelValue(String v) {
    return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** Every counter of the {@code counters} page except the sample's own timestamps. */
  public Metrics counters(Map<String, Double> counters) {
    counters.forEach(
        (k, v) -> {
          if (!k.equals("sample_time") && !k.equals("wall_time")) {
            CounterMetric c = counterMetric(k);
            metric(
                c.name(),
                c.type(),
                "Squid cache manager counter "
                    + k
                    + (c.scale() == 1024 ? " (Squid counts KB; here in bytes)" : ""),
                v * c.scale());
          }
        });
    return this;
  }

  public Metrics info(Info info) {
    metric(
        "squid_info",
        "gauge",
        "Squid version and service name",
        "version=" + labelValue(info.version()) + ",service=" + labelValue(info.service()),
        1);
    for (Object[] g : INFO_GAUGES) {
      String name = (String) g[1];
      Double v = info.gauges().get(name);
      if (v != null) {
        metric(name, name.endsWith("_total") ? "counter" : "gauge", (String) g[3], v);
      }
    }
    info.serviceTimes()
        .forEach(
            (k, v) -> {
              metric(
                  "squid_median_service_time_seconds",
                  "gauge",
                  "Median service time by request kind over 5 and 60 minutes (info)",
                  "kind=" + labelValue(k) + ",window=\"5m\"",
                  v[0]);
              metric(
                  "squid_median_service_time_seconds",
                  "gauge",
                  "Median service time by request kind over 5 and 60 minutes (info)",
                  "kind=" + labelValue(k) + ",window=\"60m\"",
                  v[1]);
            });
    info.hitRatios()
        .forEach(
            (k, v) -> {
              metric(
                  "squid_hit_ratio",
                  "gauge",
                  "Cache hit ratios over 5 and 60 minutes, 0..1 (info)",
                  "kind=" + labelValue(k) + ",window=\"5m\"",
                  v[0]);
              metric(
                  "squid_hit_ratio",
                  "gauge",
                  "Cache hit ratios over 5 and 60 minutes, 0..1 (info)",
                  "kind=" + labelValue(k) + ",window=\"60m\"",
                  v[1]);
            });
    return this;
  }

  public String text() {
    return out.toString();
  }
}
