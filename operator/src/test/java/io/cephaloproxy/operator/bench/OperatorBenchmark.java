package io.cephaloproxy.operator.bench;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.testing.Examples;
import io.cephaloproxy.operator.testing.SsaCapableDispatcher;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Operator benchmark against the Fabric8 mock API server: N SquidProxy resources, the operator as a
 * separate process (the shaded jar, `run`, as in the image), measured from outside. Prints: time
 * until every proxy converged (ConfigMap, Deployment and Service exist and status.configHash equals
 * the pod template's hash), API requests per resource, writes during a steady-state resync (an
 * operator restart re-reconciles everything), operator RSS.
 *
 * <p>Usage: OperatorBenchmark JAR N [N...]
 */
public final class OperatorBenchmark {
  static final String BENCH_UA = "cephaloproxy-bench";
  static final int NAMESPACES = 10;

  public static void main(String[] args) throws Exception {
    // the mock server logs every request at INFO; that costs more than the operator's work
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
        .setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    Path jar = Path.of(args[0]);
    for (int i = 1; i < args.length; i++) {
      run(jar, Integer.parseInt(args[i]));
    }
  }

  static void run(Path jar, int n) throws Exception {
    SsaCapableDispatcher dispatcher = new SsaCapableDispatcher();
    dispatcher.ignoreUserAgent(BENCH_UA);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            dispatcher,
            false);
    server.init();
    server.expectCustomResource(
        CustomResourceDefinitionContext.fromCustomResourceType(SquidProxy.class));
    String url = "http://127.0.0.1:" + server.getPort();
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl(url)
                    .withUserAgent(BENCH_UA)
                    .withRequestRetryBackoffLimit(3)
                    .build())
            .build()) {
      for (int ns = 0; ns < NAMESPACES; ns++) {
        client
            .resource(
                new NamespaceBuilder()
                    .withNewMetadata()
                    .withName("bench-" + ns)
                    .endMetadata()
                    .build())
            .create();
      }
      Path kubeconfig = Files.createTempFile("bench-kubeconfig", ".yaml");
      Files.writeString(
          kubeconfig,
          """
          apiVersion: v1
          kind: Config
          clusters: [{name: mock, cluster: {server: "%s"}}]
          users: [{name: bench, user: {token: bench}}]
          contexts: [{name: mock, context: {cluster: mock, user: bench}}]
          current-context: mock
          """
              .formatted(url));
      int httpPort = freePort();
      Process operator = startOperator(jar, kubeconfig, httpPort);
      awaitReady(httpPort, operator);
      dispatcher.resetCounters();

      SquidProxy template = Examples.proxy("basic.yaml");
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        SquidProxy p = Serialization.clone(template);
        p.getMetadata().setName("proxy-" + i);
        p.getMetadata().setNamespace("bench-" + (i % NAMESPACES));
        client.resource(p).create();
      }
      long created = System.nanoTime();
      awaitConverged(client, n, operator);
      long converged = System.nanoTime();
      List<String> requests = dispatcher.requests();
      long writes = dispatcher.writes();
      long rss = rssKiB(operator.pid());
      long hwm = hwmKiB(operator.pid());

      // steady-state resync: a new operator process re-reconciles every proxy; nothing changed
      operator.destroy();
      operator.waitFor();
      dispatcher.resetCounters();
      operator = startOperator(jar, kubeconfig, httpPort);
      awaitReady(httpPort, operator);
      long resyncStart = System.nanoTime();
      awaitReconciled(httpPort, n, operator);
      long resyncDone = System.nanoTime();
      Thread.sleep(2000);
      List<String> resyncWrites = dispatcher.writeRequests();
      long rssAfterResync = rssKiB(operator.pid());
      operator.destroy();
      operator.waitFor();

      Map<String, Long> byVerb =
          requests.stream()
              .collect(
                  Collectors.groupingBy(
                      r -> r.substring(0, r.indexOf(' ')),
                      java.util.TreeMap::new,
                      Collectors.counting()));
      System.out.printf(
          "operator-benchmark N=%d: created in %.1f s, all converged %.1f s after the first create%n",
          n, (created - start) / 1e9, (converged - start) / 1e9);
      System.out.printf(
          "operator-benchmark N=%d: API requests by the operator until converged: %d (%.2f per resource; by verb %s), writes %d (%.2f per resource)%n",
          n, requests.size(), requests.size() / (double) n, byVerb, writes, writes / (double) n);
      System.out.printf(
          "operator-benchmark N=%d: steady-state resync (operator restart, %d reconciles in %.1f s): %d writes%s%n",
          n,
          n,
          (resyncDone - resyncStart) / 1e9,
          resyncWrites.size(),
          resyncWrites.isEmpty()
              ? ""
              : " " + resyncWrites.subList(0, Math.min(5, resyncWrites.size())));
      System.out.printf(
          "operator-benchmark N=%d: operator RSS %d MiB after convergence (peak %d MiB), %d MiB after the resync%n",
          n, rss / 1024, hwm / 1024, rssAfterResync / 1024);
      Files.deleteIfExists(kubeconfig);
    } finally {
      server.destroy();
    }
  }

  static Process startOperator(Path jar, Path kubeconfig, int httpPort) throws IOException {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // default: what the image bakes in, with the heap a 384 MiB container limit would give
    cmd.addAll(
        List.of(
            System.getProperty(
                    "bench.jvm",
                    "-XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1 -XX:-UsePerfData")
                .split(" ")));
    cmd.addAll(List.of("-jar", jar.toString(), "run"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("HTTP_PORT", Integer.toString(httpPort));
    pb.environment().put("SERVER_SIDE_APPLY", "false");
    // plain http to the mock: no h2c upgrade attempts (the JDK client and the mock disagree on it)
    pb.environment().put("KUBERNETES_HTTP2_DISABLE", "true");
    pb.environment().put("LOG_LEVEL", "WARN");
    pb.environment().remove("KUBERNETES_SERVICE_HOST");
    pb.redirectErrorStream(true);
    pb.redirectOutput(
        ProcessBuilder.Redirect.appendTo(
            Path.of(System.getProperty("java.io.tmpdir"), "cephaloproxy-bench-operator.log")
                .toFile()));
    return pb.start();
  }

  static void awaitReady(int port, Process p) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < 600; i++) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "operator exited with " + p.exitValue() + "; see /tmp/cephaloproxy-bench-operator.log");
      }
      try {
        var r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("operator not ready after 60 s");
  }

  static void awaitConverged(KubernetesClient client, int n, Process p) throws Exception {
    for (int i = 0; i < 6000; i++) {
      if (!p.isAlive()) {
        throw new IllegalStateException("operator exited");
      }
      Map<String, String> hashes =
          client
              .apps()
              .deployments()
              .inAnyNamespace()
              .withLabel(Labels.MANAGED_BY, Labels.MANAGER)
              .list()
              .getItems()
              .stream()
              .collect(
                  Collectors.toMap(
                      d -> d.getMetadata().getNamespace() + "/" + d.getMetadata().getName(),
                      OperatorBenchmark::hash));
      long services =
          client
              .services()
              .inAnyNamespace()
              .withLabel(Labels.MANAGED_BY, Labels.MANAGER)
              .list()
              .getItems()
              .size();
      long configMaps =
          client
              .configMaps()
              .inAnyNamespace()
              .withLabel(Labels.MANAGED_BY, Labels.MANAGER)
              .list()
              .getItems()
              .size();
      long done =
          client.resources(SquidProxy.class).inAnyNamespace().list().getItems().stream()
              .filter(
                  s ->
                      s.getStatus() != null
                          && s.getStatus().getConfigHash() != null
                          && Objects.equals(
                              s.getStatus().getConfigHash(),
                              hashes.get(
                                  s.getMetadata().getNamespace()
                                      + "/"
                                      + s.getMetadata().getName())))
              .count();
      if (done == n && services == n && configMaps == n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("not converged after 10 minutes");
  }

  static String hash(Deployment d) {
    return d.getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(Labels.CONFIG_HASH_ANNOTATION);
  }

  /** Waits until the operator's /metrics count n successful reconciles. */
  static void awaitReconciled(int port, int n, Process p) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < 6000; i++) {
      if (!p.isAlive()) {
        throw new IllegalStateException("operator exited");
      }
      var r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      double total =
          r.body()
              .lines()
              .filter(l -> l.startsWith("operator_sdk_reconciliations_success_total"))
              .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
              .sum();
      if (total >= n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("resync did not finish after 10 minutes");
  }

  static long rssKiB(long pid) throws IOException {
    return statusField(pid, "VmRSS:");
  }

  static long hwmKiB(long pid) throws IOException {
    return statusField(pid, "VmHWM:");
  }

  static long statusField(long pid, String field) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (l.startsWith(field)) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
