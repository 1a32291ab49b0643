package io.cephaloproxy.tests.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.MonitoringQueries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 §1 with the image under Docker: the agent counts every request Squid's workers log by
 * the rule that decided it and serves the counts on /metrics, and the container log holds Squid's
 * native format without the decision prefix. With {@code workers: 2} (two Squid kids writing to the
 * agent's one pipe, 16 concurrent clients) every request is counted exactly once, and the denied
 * ones are on /denials by rule and host (issue 17 §5).
 */
class DecisionMetricsIT extends OriginSuite {
  static final String SPEC =
      """
      apiVersion: cephaloproxy.io/v1alpha1
      kind: SquidProxy
      metadata: {name: decisions}
      spec:
        workers: 2
        access:
          allowedDomains: [origin]
          deniedDomains: [denied.example]
      """;

  static long counter(String metrics, String decision, String rule) {
    return io.cephaloproxy.testsupport.MonitoringQueries.requests(
        metrics, decision, rule, "enforce");
  }

  /** All requests counted, whatever their decision and rule. */
  static long total(String metrics) {
    return metrics
        .lines()
        .filter(l -> l.startsWith("cephaloproxy_requests_total{"))
        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void everyRequestOfBothWorkersIsCountedByItsRule() throws Exception {
    try (SquidPod pod = SquidPod.compile("decisions", SPEC)) {
      pod.network = net.network;
      pod.up();
      // expected count per URL and the rule that decides it
      Map<String, Integer> plan = new LinkedHashMap<>();
      plan.put("http://origin/allowed", 120);
      plan.put("http://denied.example/x", 60);
      plan.put("http://other.example/y", 40);
      plan.put("http://origin:25/smtp", 20);
      HttpClient proxy = net.client(pod.proxyPort(), "origin-ca");
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<Integer>> answers = new ArrayList<>();
      try {
        plan.forEach(
            (url, n) -> {
              for (int i = 0; i < n; i++) {
                String u = url + (url.endsWith("/smtp") ? "" : "?i=" + i);
                answers.add(
                    pool.submit(
                        () ->
                            proxy
                                .send(
                                    HttpRequest.newBuilder(URI.create(u))
                                        .timeout(Duration.ofSeconds(20))
                                        .build(),
                                    HttpResponse.BodyHandlers.discarding())
                                .statusCode()));
              }
            });
        int ok = 0;
        int denied = 0;
        for (Future<Integer> f : answers) {
          int s = f.get();
          ok += s == 200 ? 1 : 0;
          denied += s == 403 ? 1 : 0;
        }
        assertThat(ok).isEqualTo(120);
        assertThat(denied).isEqualTo(120);
      } finally {
        pool.shutdownNow();
      }
      HttpClient direct = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String[] metrics = {""};
      // Squid logs a request when it ends, which may be after its client saw the reply
      long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      do {
        SquidPod.sleep(200);
        metrics[0] = ImageIT.body(direct, pod.healthPort(), "/metrics");
      } while (total(metrics[0]) < 240 && System.nanoTime() < end);
      String m = metrics[0];
      System.out.println(
          m.lines().filter(l -> l.startsWith("cephaloproxy_requests_total")).toList());
      assertThat(counter(m, "allow", "allow")).as(m).isEqualTo(120);
      assertThat(counter(m, "deny", "denied-domain")).as(m).isEqualTo(60);
      assertThat(counter(m, "deny", "not-allowed-domain")).as(m).isEqualTo(40);
      assertThat(counter(m, "deny", "unsafe-port")).as(m).isEqualTo(20);
      assertThat(m)
          .doesNotContain("rule=\"unknown\"")
          .contains("cephaloproxy_request_duration_seconds_count{decision=\"allow\"} 120\n")
          .contains("cephaloproxy_response_size_bytes_count{decision=\"deny\"} 120")
          .contains(
              "cephaloproxy_responses_total{code=\"2xx\"} 120\n",
              "cephaloproxy_responses_total{code=\"4xx\"} 120\n",
              "cephaloproxy_responses_total{code=\"5xx\"} 0\n");
      // issue 17 §4: every pod metric the chart's alerts and dashboard query is one this pod
      // exposes
      assertThat(MonitoringQueries.metrics()).contains("squid_up", "cephaloproxy_requests_total");
      assertThat(MonitoringQueries.missing(m, false))
          .as("metrics the chart's alerts and dashboard query that the pod does not expose")
          .isEmpty();

      // issue 17 §5: the denied requests of both workers by rule and host on /denials, once their
      // 10-second bucket is complete (what the operator's summary Event is made of)
      String denials;
      long until = System.nanoTime() + Duration.ofSeconds(25).toNanos();
      do {
        SquidPod.sleep(500);
        denials = ImageIT.body(direct, pod.healthPort(), "/denials");
      } while (!denials.contains("\"rule\":\"unsafe-port\"") && System.nanoTime() < until);
      System.out.println(denials);
      assertThat(denials)
          .contains("\"mode\":\"enforce\"")
          .contains(
              "{\"decision\":\"deny\",\"rule\":\"denied-domain\",\"requests\":60,"
                  + "\"hosts\":[{\"host\":\"denied.example\",\"requests\":60}]}",
              "{\"decision\":\"deny\",\"rule\":\"not-allowed-domain\",\"requests\":40,"
                  + "\"hosts\":[{\"host\":\"other.example\",\"requests\":40}]}",
              "{\"decision\":\"deny\",\"rule\":\"unsafe-port\",\"requests\":20,"
                  + "\"hosts\":[{\"host\":\"origin\",\"requests\":20}]}")
          .doesNotContain("\"allow\"");

      // the container log: one line per request in Squid's native format, no decision prefix
      List<String> lines =
          Docker.logs(pod.container)
              .out()
              .lines()
              .filter(l -> l.contains(" http://origin") || l.contains(".example/"))
              .toList();
      assertThat(lines).hasSize(240);
      assertThat(lines)
          .allMatch(l -> l.matches("^[0-9]+\\.[0-9]{3} +[0-9]+ [0-9a-f.:]+ [A-Z_]+/[0-9]{3} .*"));
    }
  }
}
