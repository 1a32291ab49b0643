package io.cephaloproxy.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The operator's client settings against a deliberately slow HTTP server. The wiring with a real
 * API server (endpoints, metrics, reconciles) is in tests/apiserver: ReconcilerScenarios.
 */
class OperatorRuntimeTest {
  @Test
  void theOperatorsClientWaitsOnASlowRequestButGivesUpOnASlowLeaseRequest() throws Exception {
    // an API server that answers every request after 11 s
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/",
        ex -> {
          try {
            Thread.sleep(11_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body =
              ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"namespace\":\"ops\"}}")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try (var client =
        OperatorRuntime.client(
            new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .withRequestRetryBackoffLimit(0)
                .build())) {
      assertThat(client.configMaps().inNamespace("ops").withName("c").get().getMetadata().getName())
          .isEqualTo("c");
      long t0 = System.nanoTime();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  client.leases().inNamespace("ops").withName("cephaloproxy-operator-leader").get())
          .isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(11));
    } finally {
      server.stop(0);
    }
  }
}
