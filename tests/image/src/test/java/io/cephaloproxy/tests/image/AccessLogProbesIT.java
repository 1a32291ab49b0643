package io.cephaloproxy.tests.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Probes and metrics scrapes do not fill the access log (issue 16 §4): the kubelet's readiness
 * probe (/ready) and Prometheus (/metrics) make the agent read Squid's cache manager on 127.0.0.1,
 * which the compiled {@code access_log ... !cp_probes} keeps out, while a proxied request still
 * logs. The image under Docker with the config the compiler writes today.
 */
class AccessLogProbesIT extends OriginSuite {
  static final String BASIC =
      "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata: {name: probes}\nspec: {}\n";

  static long lines(String container) {
    return Docker.logs(container).out().lines().filter(l -> !l.isBlank()).count();
  }

  @Test
  void sixtySecondsOfProbingAddNoAccessLogLineWhileAProxiedRequestDoes() throws Exception {
    try (SquidPod pod = SquidPod.compile("probes", BASIC)) {
      pod.network = net.network;
      pod.up();
      assertThat(pod.compiled.squidConf())
          .contains("access_log stdio:/dev/stdout cp_access !cp_probes");
      HttpClient direct = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      int health = pod.healthPort();
      SquidPod.sleep(1000); // the readiness wait's own requests are written by now
      long before = lines(pod.container);
      int ready = 0;
      int metrics = 0;
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < end) {
        // the chart's probes every 5-10 s and a scrape every 15-30 s, here far more often
        if (ImageIT.status(direct, "http://127.0.0.1:" + health + "/ready") == 200) {
          ready++;
        }
        String m = ImageIT.body(direct, health, "/metrics");
        if (m.startsWith("200 ") && m.contains("squid_cachemgr_up 1")) {
          metrics++;
        }
        ImageIT.status(direct, "http://127.0.0.1:" + health + "/health");
        SquidPod.sleep(500);
      }
      SquidPod.sleep(1000);
      long after = lines(pod.container);
      System.out.printf(
          "60 s of probing: %d /ready 200, %d /metrics with squid_cachemgr_up 1; access log %d -> %d lines%n",
          ready, metrics, before, after);
      assertThat(ready).as("/ready answered 200 (each a cache manager request)").isGreaterThan(20);
      assertThat(metrics).as("/metrics read the cache manager").isGreaterThan(20);
      assertThat(after - before)
          .as(
              "access-log lines added by 60 s of probes and scrapes:\n%s",
              Docker.logs(pod.container).out())
          .isZero();

      HttpResponse<String> r =
          TestNet.get(net.client(pod.proxyPort(), "origin-ca"), "http://origin/after-probes");
      assertThat(r.statusCode()).isEqualTo(200);
      ImageIT.awaitLog(pod.container, "GET http://origin/after-probes");
      assertThat(lines(pod.container)).as("the proxied request is logged").isEqualTo(after + 1);
    }
  }
}
