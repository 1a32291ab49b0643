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
    // an API server that answers after 11 s (beyond Fabric8's default 10 s request timeout), and a
    // Lease request only after 30 s: the lease timeout (10 s) gives up long before that answer, so
    // a loaded machine (JIT, GC, other builds) cannot blur the two
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/",
        ex -> {
          try {
            Thread.sleep(ex.getRequestURI().getPath().contains("/leases/") ? 30_000 : 11_000);
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
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .as(
              "the lease request gave up at its %d ms timeout",
              OperatorRuntime.LEASE_REQUEST_TIMEOUT_MILLIS)
          .isLessThan(Duration.ofSeconds(20));
    } finally {
      server.stop(0);
    }
  }

  /** 50 reconciles at once still run at once; once idle, the threads go (and their stacks). */
  @Test
  void reconcileThreadsRunFiftyAtOnceAndExitWhenIdle() throws Exception {
    var pool = OperatorRuntime.idleExiting("reconciler", 50, 1);
    try {
      var started = new java.util.concurrent.CountDownLatch(50);
      var release = new java.util.concurrent.CountDownLatch(1);
      for (int i = 0; i < 100; i++) {
        pool.execute(
            () -> {
              started.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
      }
      assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS))
          .as("50 tasks running at once")
          .isTrue();
      assertThat(pool.getPoolSize()).isEqualTo(50);
      assertThat(pool.getQueue()).hasSize(50);
      release.countDown();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> pool.getCompletedTaskCount() == 100 && pool.getPoolSize() == 0);
    } finally {
      pool.shutdownNow();
    }
  }
}
