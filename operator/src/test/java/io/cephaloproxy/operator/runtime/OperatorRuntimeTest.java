package io.cephaloproxy.operator.runtime;

import static io.cephaloproxy.operator.testing.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.testing.Examples;
import io.cephaloproxy.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The process wiring against the mock server: HTTP endpoints, metrics, leader election. */
class OperatorRuntimeTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void endpointsReportReadinessAndMetricsWithoutPerResourceTags() throws Exception {
    try (MockCluster cluster = new MockCluster()) {
      OperatorRuntime runtime =
          new OperatorRuntime(OperatorSettings.fromEnvironment(Map.of()), cluster.client, false);
      try (HttpEndpoints http =
          new HttpEndpoints(0, runtime::live, runtime::ready, runtime::scrape)) {
        assertThat(get(http.port(), "/readyz").statusCode()).as("not started yet").isEqualTo(503);
        assertThat(get(http.port(), "/healthz").statusCode()).isEqualTo(200);
        runtime.start();
        await("ready", WAIT, () -> runtime.ready());
        assertThat(get(http.port(), "/readyz").statusCode()).isEqualTo(200);
        SquidProxy p = Examples.proxy("basic.yaml");
        p.getMetadata().setName("m1");
        p.getMetadata().setNamespace("ns");
        cluster.client.resource(p).create();
        await("a reconcile", WAIT, () -> runtime.reconciler().reconciles() > 0);
        await(
            "reconcile metrics",
            WAIT,
            () -> runtime.scrape().contains("operator_sdk_reconciliations_success_total"));
        String metrics = get(http.port(), "/metrics").body();
        assertThat(metrics)
            .contains("operator_sdk_reconciliations_started_total")
            .contains("jvm_memory_used_bytes");
        assertThat(metrics).as("no per-resource series").doesNotContain("name=\"m1\"");
      } finally {
        runtime.close();
      }
    }
  }

  @Test
  void leaderElectionTakesTheLeaseThenReconciles() {
    try (MockCluster cluster = new MockCluster()) {
      OperatorRuntime runtime =
          new OperatorRuntime(
              OperatorSettings.fromEnvironment(
                  Map.of(
                      "LEADER_ELECTION",
                      "true",
                      "LEADER_ELECTION_NAMESPACE",
                      "ops",
                      "POD_NAME",
                      "operator-0")),
              cluster.client,
              false);
      try {
        runtime.start();
        await(
            "the lease",
            WAIT,
            () -> {
              Lease l =
                  cluster
                      .client
                      .leases()
                      .inNamespace("ops")
                      .withName("cephaloproxy-operator-leader")
                      .get();
              return l != null && "operator-0".equals(l.getSpec().getHolderIdentity());
            });
        SquidProxy p = Examples.proxy("basic.yaml");
        p.getMetadata().setName("led");
        p.getMetadata().setNamespace("ns");
        cluster.client.resource(p).create();
        await(
            "the leader reconciles",
            WAIT,
            () ->
                cluster.client.apps().deployments().inNamespace("ns").withName("led").get()
                    != null);
      } finally {
        runtime.close();
      }
    }
  }

  @Test
  void watchesOnlyTheListedNamespaces() throws InterruptedException {
    try (MockCluster cluster = new MockCluster()) {
      OperatorRuntime runtime =
          new OperatorRuntime(
              OperatorSettings.fromEnvironment(Map.of("WATCH_NAMESPACES", "team-a")),
              cluster.client,
              false);
      try {
        runtime.start();
        for (String ns : new String[] {"team-b", "team-a"}) {
          SquidProxy p = Examples.proxy("basic.yaml");
          p.getMetadata().setName("w");
          p.getMetadata().setNamespace(ns);
          cluster.client.resource(p).create();
        }
        await(
            "team-a reconciled",
            WAIT,
            () ->
                cluster.client.apps().deployments().inNamespace("team-a").withName("w").get()
                    != null);
        Thread.sleep(
            2000); // team-b's proxy was created first: had it been watched, it would be done by now
        assertThat(cluster.client.apps().deployments().inNamespace("team-b").withName("w").get())
            .isNull();
      } finally {
        runtime.close();
      }
    }
  }

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
