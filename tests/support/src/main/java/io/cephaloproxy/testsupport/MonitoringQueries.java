package io.cephaloproxy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics the chart's alerts (templates/monitoring.yaml) and Grafana dashboard
 * (files/grafana-dashboard.json) query (issue 17 §4), so that the suites that scrape a real pod
 * (tests/image) and a real operator (tests/apiserver) can check that each one is exposed.
 */
public final class MonitoringQueries {
  /** The chart files whose queries are checked. */
  public static final List<String> FILES =
      List.of(
          "helm/cephaloproxy-operator/templates/monitoring.yaml",
          "helm/cephaloproxy-operator/files/grafana-dashboard.json");

  private static final Pattern METRIC =
      Pattern.compile("\\b(?:squid|cephaloproxy|operator_sdk|jvm|process)_[a-z0-9_]+\\b");

  private MonitoringQueries() {}

  /**
   * The value of {@code cephaloproxy_requests_total{decision,rule,mode}} in a pod's exposition, 0
   * when the series is absent.
   */
  public static long requests(String exposition, String decision, String rule, String mode) {
    Matcher m =
        Pattern.compile(
                "(?m)^cephaloproxy_requests_total\\{decision=\""
                    + Pattern.quote(decision)
                    + "\",rule=\""
                    + Pattern.quote(rule)
                    + "\",mode=\""
                    + Pattern.quote(mode)
                    + "\"} ([0-9]+)$")
            .matcher(exposition);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Every metric name in the files' queries (a histogram's as its _bucket, _sum or _count). */
  public static Set<String> metrics() {
    Set<String> names = new TreeSet<>();
    for (String f : FILES) {
      Path p = RepoRoot.get().resolve(f);
      try {
        Matcher m = METRIC.matcher(Files.readString(p));
        while (m.find()) {
          names.add(m.group());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return names;
  }

  /** True for a metric of the operator's /metrics, false for one of a Squid pod's. */
  public static boolean ofOperator(String metric) {
    return metric.startsWith("cephaloproxy_operator_")
        || metric.startsWith("operator_sdk_")
        || metric.startsWith("jvm_")
        || metric.startsWith("process_");
  }

  /** The queried metrics of one side that have no sample in {@code exposition}. */
  public static Set<String> missing(String exposition, boolean operator) {
    Set<String> missing = new TreeSet<>();
    for (String name : metrics()) {
      if (ofOperator(name) != operator) {
        continue;
      }
      Pattern sample = Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]");
      if (!sample.matcher(exposition).find()) {
        missing.add(name);
      }
    }
    return missing;
  }
}
