package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Metrics from cache manager pages captured from Squid 5.7 (src/test/resources/cachemgr-5.7). */
class MetricsTest {
  static final Pattern SAMPLE =
      Pattern.compile(
          "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*})? (-?[0-9.eE+-]+|NaN)$");

  /**
   * Every line is a HELP, a TYPE or a sample; every sample's name was declared with a TYPE before
   * it; a counter's name ends in {@code _total} and only a counter's does; no name counts kilobytes
   * (issue 17 §3: bytes and seconds).
   */
  static void assertValidExposition(String text) {
    Set<String> typed = new HashSet<>();
    Set<String> helped = new HashSet<>();
    Set<String> histograms = new HashSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP ")) {
        helped.add(line.split(" ")[2]);
      } else if (line.startsWith("# TYPE ")) {
        String[] f = line.split(" ");
        assertThat(f).hasSize(4);
        assertThat(f[3]).isIn("counter", "gauge", "histogram");
        assertThat(f[2].endsWith("_total"))
            .as(f[2] + " is a " + f[3] + ": counters and only counters end in _total")
            .isEqualTo(f[3].equals("counter"));
        assertThat(f[2]).as("units in bytes").doesNotContain("kbytes");
        assertThat(typed.add(f[2])).as("TYPE once for " + f[2]).isTrue();
        if (f[3].equals("histogram")) {
          histograms.add(f[2]);
        }
      } else {
        Matcher m = SAMPLE.matcher(line);
        assertThat(m.matches()).as("sample line: " + line).isTrue();
        // a histogram's samples are NAME_bucket{...,le="..."}, NAME_sum and NAME_count
        String name = m.group(1).replaceFirst("_(bucket|sum|count)$", "");
        if (!histograms.contains(name)) {
          name = m.group(1);
        } else if (m.group(1).endsWith("_bucket")) {
          assertThat(line).as("bucket with le: " + line).containsPattern("le=\"[^\"]+\"}");
        }
        assertThat(typed).as("TYPE before " + line).contains(name);
        assertThat(helped).contains(name);
      }
    }
  }

  @Test
  void countersPageBecomesPrometheusCounters() throws Exception {
    Map<String, Double> c = Metrics.parseCounters(Fixtures.resource("/cachemgr-5.7/counters.txt"));
    assertThat(c)
        .containsEntry("client_http.requests", 10.0)
        .containsEntry("client_http.errors", 6.0)
        .containsEntry("client_http.kbytes_out", 32.0)
        .containsEntry("server.all.requests", 3.0)
        .containsEntry("cpu_time", 0.239520);
    String text = new Metrics().counters(c).text();
    assertValidExposition(text);
    assertThat(text)
        .contains(
            "# TYPE squid_client_http_requests_total counter\nsquid_client_http_requests_total 10\n",
            "squid_client_http_hits_total 0\n",
            "# TYPE squid_client_http_in_bytes_total counter\nsquid_client_http_in_bytes_total 1024\n",
            "squid_client_http_out_bytes_total 32768\n",
            "squid_client_http_hit_out_bytes_total 0\n",
            "squid_server_all_in_bytes_total 10240\n",
            "squid_icp_q_sent_bytes_total 0\n",
            "# TYPE squid_cd_memory_bytes gauge\nsquid_cd_memory_bytes 0\n",
            "# TYPE squid_cpu_seconds_total counter\nsquid_cpu_seconds_total 0.23952\n")
        .doesNotContain("sample_time")
        .doesNotContain("wall_time");
  }

  @Test
  void infoPageGivesClientsUptimeAndServiceTimes() throws Exception {
    Metrics.Info info = Metrics.parseInfo(Fixtures.resource("/cachemgr-5.7/info.txt"));
    assertThat(info.version()).isEqualTo("5.7");
    assertThat(info.service()).isEqualTo("sq1");
    assertThat(info.gauges())
        .containsEntry("squid_clients", 1.0)
        .containsEntry("squid_uptime_seconds", 6.134)
        .containsEntry("squid_max_resident_bytes", 108656.0 * 1024)
        .containsEntry("squid_file_descriptors_in_use", 15.0)
        .containsEntry("squid_storage_mem_bytes", 220.0 * 1024)
        .containsEntry("squid_http_requests_received_total", 11.0);
    assertThat(info.serviceTimes())
        .containsKeys(
            "http_requests_all",
            "cache_misses",
            "cache_hits",
            "near_hits",
            "not_modified_replies",
            "dns_lookups",
            "icp_queries")
        .hasSize(7);
    assertThat(info.hitRatios()).containsKeys("hits_of_all_requests", "hits_of_bytes_sent");
    String text = new Metrics().info(info).text();
    assertValidExposition(text);
    assertThat(text)
        .contains(
            "squid_info{version=\"5.7\",service=\"sq1\"} 1\n",
            "squid_clients 1\n",
            "squid_uptime_seconds 6.134\n",
            "# TYPE squid_http_requests_received_total counter\nsquid_http_requests_received_total 11\n",
            "squid_median_service_time_seconds{kind=\"http_requests_all\",window=\"5m\"} 0\n");
  }

  @Test
  void serviceTimesAndRatiosAreRead() {
    String info =
        """
                Squid Object Cache: Version 6.13
                Service Name: proxy-a
                Cache information for squid:
                \tHits as % of all requests:\t5min: 42.5%, 60min: 12.0%
                Median Service Times (seconds)  5 min    60 min:
                \tHTTP Requests (All):   0.01235  0.00919
                \tCache Hits:            0.00000  0.00179
                Resource usage for squid:
                \tUP Time:\t3600.5 seconds
                """;
    Metrics.Info i = Metrics.parseInfo(info);
    assertThat(i.serviceTimes().get("http_requests_all")).containsExactly(0.01235, 0.00919);
    assertThat(i.hitRatios().get("hits_of_all_requests")).containsExactly(0.425, 0.12);
    assertThat(i.gauges()).containsEntry("squid_uptime_seconds", 3600.5);
    assertThat(i.version()).isEqualTo("6.13");
  }

  @Test
  void labelValuesAreEscaped() {
    String text =
        new Metrics()
            .metric("x_info", "gauge", "h", "v=" + Metrics.labelValue("a\"b\\c\nd"), 1)
            .text();
    assertThat(text).contains("x_info{v=\"a\\\"b\\\\c\\nd\"} 1");
  }
}
