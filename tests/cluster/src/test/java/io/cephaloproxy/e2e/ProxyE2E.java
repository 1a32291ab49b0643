package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Wrk;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * CephaloProxy end to end on the real node: the chart installs the operator into a namespace that
 * enforces Pod Security "restricted", SquidProxy resources become running proxies, and a client on
 * the pod network sends traffic through their Services to an origin in the cluster. The methods run
 * in order and share the installation; the last one uninstalls it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxyE2E {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  static final String RELEASE = "cephaloproxy";

  /**
   * How long a request load goes on after what a test waits for (the rollout done, the bad config
   * reported): the new pods serve, or the old ones keep serving, for that long under it.
   */
  static final Duration LOAD_TAIL = Duration.ofSeconds(10);

  Path workDir;
  Origin origin;
  String operatorNs;
  String ns;
  String exampleNs;
  OperatorRelease release;
  PodNetworkClient client;

  /** Seconds since the suite started, for the [timing] lines that say where its time goes. */
  final long suiteStart = System.nanoTime();

  void timing(String what) {
    System.out.printf(
        "[timing] ProxyE2E +%.1f s: %s%n", (System.nanoTime() - suiteStart) / 1e9, what);
  }

  @BeforeAll
  void setUp() throws IOException {
    Cluster.client();
    workDir = Files.createTempDirectory("proxy-e2e");
    origin = Origin.deploy(workDir);
    timing("origin deployed");
    operatorNs = Cluster.restrictedNamespace("cephaloproxy-system");
    ns = Cluster.restrictedNamespace("e2e-proxy");
    client = PodNetworkClient.create("proxy-e2e", 200);
    timing("client created");
    release = OperatorRelease.install(RELEASE, operatorNs, Map.of());
    timing("operator installed");
  }

  @AfterAll
  void tearDown() {
    timing("tests done");
    if (client != null) {
      client.close();
    }
    if (release != null) {
      release.uninstallIfPresent();
    }
    if (origin != null) {
      origin.close();
    }
    // all at once, their pods stopped without a graceful drain (nothing after this needs one)
    Cluster.deleteNamespaces(
        Duration.ofSeconds(120),
        ns,
        exampleNs,
        origin == null ? null : origin.namespace,
        operatorNs);
    timing("torn down");
  }

  /** An allowlist proxy for the origin's first name only. */
  String allowlistProxy(String name, int replicas, String... domains) {
    return """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: %s
        spec:
          replicas: %d
          access:
            allowedDomains: [%s]
        """
        .formatted(name, replicas, String.join(", ", domains));
  }

  @Test
  @Order(1)
  void operatorRunsUnderRestrictedPodSecurityWithTheChartsRbac() {
    Pod pod =
        Cluster.client()
            .pods()
            .inNamespace(operatorNs)
            .withLabel("app.kubernetes.io/instance", RELEASE)
            .list()
            .getItems()
            .get(0);
    assertThat(pod.getStatus().getContainerStatuses())
        .allSatisfy(
            c -> {
              assertThat(c.getReady()).isTrue();
              assertThat(c.getRestartCount()).isZero();
            });
    // The chart's own ServiceAccount, bound by the chart's RBAC (not an admin account).
    assertThat(pod.getSpec().getServiceAccountName()).isNotIn("default", null);
    assertThat(
            Cluster.client()
                .rbac()
                .clusterRoleBindings()
                .withLabel("app.kubernetes.io/instance", RELEASE)
                .list()
                .getItems())
        .anySatisfy(
            b ->
                assertThat(b.getSubjects())
                    .anySatisfy(
                        s ->
                            assertThat(s.getName())
                                .isEqualTo(pod.getSpec().getServiceAccountName())));
  }

  /**
   * Every file of examples/, as a user applies it, admitted under Pod Security "restricted" and
   * seen Progressing before Ready with its endpoint and all its pods Ready. {@code basic} (the
   * quickstart's example, whose apply to Ready docs/benchmarks.md quotes) goes first and alone; the
   * others then run at the same time, as many as the node's free CPU (allocatable less what its
   * pods request) holds: each waits for room for its pods' requests and gives it back when its pods
   * are gone, so none waits Pending for a CPU another example still holds (one after another this
   * test took 237 s on the node, mostly each example's pods draining before the next).
   */
  @Test
  @Order(2)
  void everyExampleIsAdmittedUnderRestrictedAndGoesFromProgressingToReady() throws Exception {
    exampleNs = Cluster.restrictedNamespace("e2e-examples");
    Map<String, String> failures = new java.util.concurrent.ConcurrentSkipListMap<>();
    long start = System.nanoTime();
    try {
      List<Path> files = new java.util.ArrayList<>(Examples.files());
      // the quickstart's example first and alone, then the smallest requests first
      files.sort(
          java.util.Comparator.comparing((Path f) -> !example(f).equals("basic"))
              .thenComparing(f -> cpuMillis(Examples.squidProxy(load(f, exampleNs)))));
      for (Path file : files) {
        Examples.prerequisites(example(file), exampleNs, workDir, origin.ca);
      }
      int freeCpu = freeCpuMillis();
      System.out.printf(
          "examples: %d m CPU free on the node for %d examples%n", freeCpu, files.size());
      assertThat(freeCpu).as("free CPU for the examples (m)").isGreaterThanOrEqualTo(500);
      java.util.concurrent.Semaphore cpu = new java.util.concurrent.Semaphore(freeCpu, true);
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(files.size());
      try {
        List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
        for (Path file : files) {
          String example = example(file);
          List<HasMetadata> items = load(file, exampleNs);
          int cost = Math.min(freeCpu, cpuMillis(Examples.squidProxy(items)));
          cpu.acquire(cost);
          java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
          java.util.concurrent.Future<?> f =
              pool.submit(
                  () -> {
                    try {
                      applyExampleAndAwaitReady(items, example, exampleNs, ready::countDown);
                    } catch (AssertionError | RuntimeException e) {
                      failures.put(example, String.valueOf(e.getMessage()));
                      SquidProxies.api().inNamespace(exampleNs).withName(name(items)).delete();
                    } finally {
                      ready.countDown();
                      cpu.release(cost);
                    }
                  });
          running.add(f);
          if (example.equals("basic")) {
            // alone until Ready (its pods drain while the others start)
            ready.await();
          }
        }
        for (java.util.concurrent.Future<?> f : running) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
    } finally {
      Figures.record(
          "examples: all applied, Ready and gone, seconds", (System.nanoTime() - start) / 1e9);
      Cluster.deleteNamespace(exampleNs, READY_TIMEOUT);
      Cluster.client()
          .persistentVolumes()
          .withLabel("app.kubernetes.io/part-of", "cephaloproxy-e2e")
          .delete();
    }
    assertThat(failures).as("examples that did not become Ready").isEmpty();
  }

  static String example(Path file) {
    return file.getFileName().toString().replace(".yaml", "");
  }

  /** The example's objects; for {@code workers}, with a CPU request this node can give. */
  static List<HasMetadata> load(Path file, String exampleNs) {
    try {
      List<HasMetadata> items = Examples.load(file, exampleNs);
      if (example(file).equals("workers")) {
        // The example asks for 2 CPUs; this node has 2 in all, part of them requested by the
        // operator and the cluster DNS: ask for less so the pod can be scheduled here.
        @SuppressWarnings("unchecked")
        Map<String, Object> requests =
            (Map<String, Object>)
                ((Map<String, Object>)
                        ((Map<String, Object>)
                                Examples.squidProxy(items).getAdditionalProperties().get("spec"))
                            .get("resources"))
                    .get("requests");
        requests.put("cpu", "500m");
      }
      return items;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String name(List<HasMetadata> items) {
    return Examples.squidProxy(items).getMetadata().getName();
  }

  /**
   * The CPU (millicores) the SquidProxy's pods request: spec.replicas (default 1) times
   * spec.resources.requests.cpu (default 100m, the operator's DefaultResources.CPU).
   */
  @SuppressWarnings("unchecked")
  static int cpuMillis(GenericKubernetesResource proxy) {
    Map<String, Object> spec =
        (Map<String, Object>) proxy.getAdditionalProperties().getOrDefault("spec", Map.of());
    int replicas = ((Number) spec.getOrDefault("replicas", 1)).intValue();
    Object cpu =
        ((Map<String, Object>)
                ((Map<String, Object>) spec.getOrDefault("resources", Map.of()))
                    .getOrDefault("requests", Map.of()))
            .getOrDefault("cpu", "100m");
    return replicas * millis(new io.fabric8.kubernetes.api.model.Quantity(String.valueOf(cpu)));
  }

  static int millis(io.fabric8.kubernetes.api.model.Quantity q) {
    return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(q)
        .multiply(java.math.BigDecimal.valueOf(1000))
        .intValue();
  }

  /** The node's allocatable CPU less the requests of the pods on it that have not ended (m). */
  static int freeCpuMillis() {
    var node = Cluster.client().nodes().list().getItems().get(0);
    int free = millis(node.getStatus().getAllocatable().get("cpu"));
    for (Pod p : Cluster.client().pods().inAnyNamespace().list().getItems()) {
      if (!node.getMetadata().getName().equals(p.getSpec().getNodeName())
          || List.of("Succeeded", "Failed").contains(p.getStatus().getPhase())) {
        continue;
      }
      int containers = 0;
      for (var c : p.getSpec().getContainers()) {
        containers += requestMillis(c);
      }
      int init = 0;
      for (var c : p.getSpec().getInitContainers()) {
        init = Math.max(init, requestMillis(c));
      }
      free -= Math.max(containers, init);
    }
    return free;
  }

  static int requestMillis(io.fabric8.kubernetes.api.model.Container c) {
    if (c.getResources() == null || c.getResources().getRequests() == null) {
      return 0;
    }
    var q = c.getResources().getRequests().get("cpu");
    return q == null ? 0 : millis(q);
  }

  /**
   * Applies the example, asserts it went Progressing then Ready with its endpoint and every pod
   * Ready (then calls {@code whenReady}), deletes it and waits until its pods are gone.
   */
  void applyExampleAndAwaitReady(
      List<HasMetadata> items, String example, String exampleNs, Runnable whenReady) {
    String name = name(items);
    try (StatusRecorder recorder = new StatusRecorder(exampleNs, name)) {
      long start = System.nanoTime();
      Examples.apply(items, exampleNs);
      GenericKubernetesResource ready = SquidProxies.awaitReady(exampleNs, name, READY_TIMEOUT);
      double seconds = (System.nanoTime() - start) / 1e9;
      Figures.record("apply to Ready seconds: " + example, seconds);
      int replicas = ((Number) SquidProxies.status(ready).get("replicas")).intValue();
      assertThat(SquidProxies.readyPods(exampleNs, name))
          .as(example + ": ready pods")
          .hasSize(replicas);
      assertThat(SquidProxies.endpoint(ready))
          .as(example)
          .startsWith(name + "." + exampleNs + ".svc:");
      Cluster.await(
          example + ": Ready recorded",
          Duration.ofSeconds(5),
          () -> recorder.firstIndex("Ready", "True") >= 0);
      assertThat(recorder.firstIndex("Progressing", "True"))
          .as(example + " went through Progressing: " + recorder.states())
          .isBetween(0, recorder.firstIndex("Ready", "True"));
    }
    whenReady.run();
    SquidProxies.api().inNamespace(exampleNs).withName(name).delete();
    Cluster.await(
        example + ": pods gone", READY_TIMEOUT, () -> SquidProxies.pods(exampleNs, name).isEmpty());
    if (example.equals("disk-cache")) {
      assertThat(
              Cluster.client()
                  .persistentVolumeClaims()
                  .inNamespace(exampleNs)
                  .withName(name + "-cache")
                  .get())
          .as("the persistent cache volume outlives its SquidProxy")
          .isNotNull();
    }
  }

  @Test
  @Order(3)
  void allowedDomainGets200AndOtherDomainGets403ThroughTheService() {
    SquidProxies.apply(ns, allowlistProxy("allowlist", 1, origin.host()));
    String endpoint =
        SquidProxies.endpoint(SquidProxies.awaitReady(ns, "allowlist", READY_TIMEOUT));

    PodNetworkClient.Response allowed = client.get(endpoint, "http://" + origin.host() + "/hello");
    assertThat(allowed.status()).as(allowed.toString()).isEqualTo(200);
    assertThat(allowed.body()).contains("saw " + origin.host() + " /hello");

    PodNetworkClient.Response denied =
        client.get(endpoint, "http://" + origin.otherHost() + "/hello");
    assertThat(denied.status()).as(denied.toString()).isEqualTo(403);
    assertThat(denied.body()).doesNotContain("origin ");
  }

  @Test
  @Order(4)
  void throughputThroughTheServiceAndDirectlyToThePod() {
    GenericKubernetesResource proxy = SquidProxies.awaitReady(ns, "allowlist", READY_TIMEOUT);
    String port = SquidProxies.endpoint(proxy).replaceFirst(".*:", "");
    String serviceIp =
        Cluster.client()
            .services()
            .inNamespace(ns)
            .withName(SquidProxies.endpoint(proxy).split("\\.")[0])
            .get()
            .getSpec()
            .getClusterIP();
    String podIp = SquidProxies.readyPods(ns, "allowlist").get(0).getStatus().getPodIP();
    String url = "http://" + origin.host() + "/bytes/1024";
    // a proxy request names the whole URL on the request line; wrk connects to the proxy
    Path script = Wrk.script(workDir, "wrk-proxy", url, null);
    Wrk.Result viaService = wrk(serviceIp + ":" + port, script);
    Wrk.Result direct = wrk(podIp + ":" + port, script);
    Figures.record(
        "throughput req/s through the Service (1 pod, 1 KiB responses)",
        viaService.requestsPerSecond());
    Figures.record(
        "throughput req/s directly to the pod (1 KiB responses)", direct.requestsPerSecond());
    for (Wrk.Result r : List.of(viaService, direct)) {
      assertThat(r.requests()).as(r.output()).isGreaterThan(100);
      assertThat(r.errors()).as(r.output()).isZero();
    }
  }

  @Test
  @Order(5)
  void auditModeLetsTheRequestThroughAndLogsWhatItWouldHaveDenied() {
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: audit
        spec:
          access:
            mode: Audit
            allowedDomains: [%s]
        """
            .formatted(origin.host()));
    String endpoint = SquidProxies.endpoint(SquidProxies.awaitReady(ns, "audit", READY_TIMEOUT));

    PodNetworkClient.Response r = client.get(endpoint, "http://" + origin.otherHost() + "/audited");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body()).contains("saw " + origin.otherHost() + " /audited");
    Cluster.await(
        "the would-deny line in the proxy's log",
        Duration.ofSeconds(20),
        () ->
            SquidProxies.logs(ns, "audit")
                .lines()
                .anyMatch(l -> l.contains(origin.otherHost()) && l.toLowerCase().contains("would")),
        () -> SquidProxies.logs(ns, "audit"));
  }

  @Test
  @Order(6)
  void sslBumpShowsTheProxysCaAsIssuer() throws IOException {
    CertFiles.Pair bumpCa = CertFiles.ca(workDir, "bump-ca", "CephaloProxy E2E bump CA");
    Cluster.client()
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("bump-ca")
                .addToLabels("cephaloproxy.io/usable-by-proxies", "true")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(
                    Map.of(
                        "tls.crt",
                        Origin.base64(bumpCa.cert()),
                        "tls.key",
                        Origin.base64(bumpCa.key())))
                .build())
        .create();
    Cluster.client()
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("origin-ca")
                .addToLabels("cephaloproxy.io/usable-by-proxies", "true")
                .endMetadata()
                .withData(Map.of("ca.crt", Origin.base64(origin.ca.cert())))
                .build())
        .create();
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: bump
        spec:
          access:
            allowedDomains: [%s]
          sslBump:
            enabled: true
            caSecret: {name: bump-ca}
          trustedCA:
            secret: {name: origin-ca, key: ca.crt}
        """
            .formatted(origin.host()));
    String endpoint = SquidProxies.endpoint(SquidProxies.awaitReady(ns, "bump", READY_TIMEOUT));

    PodNetworkClient.Response r =
        client.get(
            endpoint,
            "https://" + origin.host() + "/secret",
            "-v",
            "--cacert",
            bumpCa.cert().toString());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body()).contains("saw " + origin.host() + " /secret");
    assertThat(r.curlErrors()).containsPattern("issuer: CN ?= ?CephaloProxy E2E bump CA");
  }

  @Test
  @Order(7)
  void allowlistChangeRollsOutUnderLoadWithoutAFailedRequest() {
    SquidProxies.apply(ns, allowlistProxy("rollout", 2, origin.host()));
    GenericKubernetesResource before = SquidProxies.awaitReady(ns, "rollout", READY_TIMEOUT);
    String endpoint = SquidProxies.endpoint(before);
    Object hashBefore = SquidProxies.status(before).get("configHash");
    PodNetworkClient.Response denied = client.get(endpoint, "http://" + origin.otherHost() + "/");
    assertThat(denied.status()).as(denied.toString()).isEqualTo(403);

    // a stream long enough for any rollout (at most 2000 requests at 50/s), ended when the rollout
    // is over: the old pods gone, the new ones ready, and LOAD_TAIL more served by them
    PodNetworkClient.Load load =
        client.startLoad(endpoint, "http://" + origin.host() + "/load", 50, 2000);
    Cluster.sleep(Duration.ofSeconds(3));
    long start = System.nanoTime();
    SquidProxies.apply(ns, allowlistProxy("rollout", 2, origin.host(), origin.otherHost()));
    Cluster.await(
        "rollout of the new allowlist",
        READY_TIMEOUT,
        () -> {
          GenericKubernetesResource r = SquidProxies.get(ns, "rollout");
          return SquidProxies.ready(r)
              && !hashBefore.equals(SquidProxies.status(r).get("configHash"))
              && SquidProxies.readyPods(ns, "rollout").size() == 2
              && SquidProxies.pods(ns, "rollout").size() == 2;
        },
        () -> SquidProxies.status(SquidProxies.get(ns, "rollout")) + " " + Diagnostics.pods(ns));
    double rolloutSeconds = (System.nanoTime() - start) / 1e9;
    Cluster.sleep(LOAD_TAIL);

    // fails if the stream ended by itself before the rollout was over
    PodNetworkClient.Outcome outcome = load.stop();
    Figures.record("rollout under load: requests", outcome.requests());
    Figures.record("rollout under load: failed", outcome.failures().size());
    Figures.record("rollout under load: rollout seconds", rolloutSeconds);
    assertThat(outcome.requests())
        .as("requests from 3 s before the change to %s after the rollout", LOAD_TAIL)
        .isGreaterThan(100);
    assertThat(outcome.failures()).as("failed requests during the rollout").isEmpty();
    assertThat(client.get(endpoint, "http://" + origin.otherHost() + "/").status())
        .as("the new rule after the rollout")
        .isEqualTo(200);
  }

  @Test
  @Order(8)
  void invalidRawConfigIsReportedAndTheOldPodsKeepServing() {
    String good = allowlistProxy("rollout", 2, origin.host(), origin.otherHost());
    String endpoint = SquidProxies.endpoint(SquidProxies.awaitReady(ns, "rollout", READY_TIMEOUT));
    List<String> podsBefore =
        SquidProxies.readyPods(ns, "rollout").stream().map(p -> p.getMetadata().getName()).toList();

    // ended LOAD_TAIL after the operator reported the bad config (a rollout of it would start
    // at once), at most 1500 requests at 50/s
    PodNetworkClient.Load load =
        client.startLoad(endpoint, "http://" + origin.host() + "/bad-change", 50, 1500);
    SquidProxies.apply(ns, good + "  extraConfig: |\n    cache_mem 64 elephants\n");
    Cluster.await(
        "ConfigValid=False with Squid's message",
        READY_TIMEOUT,
        () ->
            SquidProxies.condition(SquidProxies.get(ns, "rollout"), "ConfigValid")
                .filter(c -> "False".equals(c.get("status")))
                .map(c -> String.valueOf(c.get("message")).contains("elephants"))
                .orElse(false),
        () -> String.valueOf(SquidProxies.status(SquidProxies.get(ns, "rollout"))));
    Cluster.sleep(LOAD_TAIL);
    PodNetworkClient.Outcome outcome = load.stop();
    Figures.record("invalid config under load: requests", outcome.requests());
    assertThat(outcome.requests()).isGreaterThan(100);
    assertThat(outcome.failures()).as("failed requests while the bad config was applied").isEmpty();
    assertThat(SquidProxies.readyPods(ns, "rollout"))
        .extracting(p -> p.getMetadata().getName())
        .as("the old pods still serve")
        .containsAll(podsBefore);

    SquidProxies.apply(ns, good);
    SquidProxies.awaitReady(ns, "rollout", READY_TIMEOUT);
    assertThat(SquidProxies.conditionIs(SquidProxies.get(ns, "rollout"), "ConfigValid", "True"))
        .isTrue();
    assertThat(client.get(endpoint, "http://" + origin.host() + "/fixed").status()).isEqualTo(200);
  }

  @Test
  @Order(9)
  void aDeletedPodIsReplacedAndStatusFollows() {
    Pod victim = SquidProxies.readyPods(ns, "rollout").get(0);
    Cluster.client().pods().resource(victim).delete();
    Cluster.await(
        "status readyReplicas below 2",
        Duration.ofSeconds(30),
        () ->
            ((Number)
                            SquidProxies.status(SquidProxies.get(ns, "rollout"))
                                .getOrDefault("readyReplicas", 0))
                        .intValue()
                    < 2
                || !SquidProxies.pods(ns, "rollout").contains(victim));
    Cluster.await(
        "a replacement pod Ready",
        READY_TIMEOUT,
        () ->
            SquidProxies.readyPods(ns, "rollout").size() == 2
                && SquidProxies.readyPods(ns, "rollout").stream()
                    .noneMatch(p -> p.getMetadata().getUid().equals(victim.getMetadata().getUid())),
        () -> Diagnostics.pods(ns));
    Cluster.await(
        "status readyReplicas 2 and Ready",
        READY_TIMEOUT,
        () -> {
          GenericKubernetesResource r = SquidProxies.get(ns, "rollout");
          return SquidProxies.ready(r)
              && Integer.valueOf(2).equals(SquidProxies.status(r).get("readyReplicas"));
        });
  }

  @Test
  @Order(10)
  void aKilledSquidProcessRestartsTheContainer() {
    Pod pod = SquidProxies.readyPods(ns, "allowlist").get(0);
    String container = pod.getSpec().getContainers().get(0).getName();
    int restarts = pod.getStatus().getContainerStatuses().get(0).getRestartCount();
    long squid =
        NodeProcesses.pids(pod, container).stream()
            .filter(pid -> NodeProcesses.comm(pid).startsWith("squid"))
            .filter(pid -> !NodeProcesses.comm(NodeProcesses.parent(pid)).startsWith("squid"))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no squid process in " + pod.getMetadata().getName()));
    NodeProcesses.kill(squid);
    Cluster.await(
        "container " + container + " restarted and Ready",
        READY_TIMEOUT,
        () -> {
          Pod now = Cluster.client().pods().resource(pod).get();
          return now.getStatus().getContainerStatuses().get(0).getRestartCount() > restarts
              && Boolean.TRUE.equals(now.getStatus().getContainerStatuses().get(0).getReady());
        },
        () -> Diagnostics.pods(ns));
    String endpoint =
        SquidProxies.endpoint(SquidProxies.awaitReady(ns, "allowlist", READY_TIMEOUT));
    assertThat(client.get(endpoint, "http://" + origin.host() + "/after-kill").status())
        .isEqualTo(200);
  }

  @Test
  @Order(11)
  void deletingTheSquidProxyRemovesEverythingItCreated() {
    SquidProxies.api().inNamespace(ns).withName("allowlist").delete();
    Cluster.await(
        "the allowlist proxy's objects garbage-collected",
        READY_TIMEOUT,
        () ->
            Cluster.client()
                    .apps()
                    .deployments()
                    .inNamespace(ns)
                    .withLabel(SquidProxies.INSTANCE_LABEL, "allowlist")
                    .list()
                    .getItems()
                    .isEmpty()
                && Cluster.client()
                    .services()
                    .inNamespace(ns)
                    .withLabel(SquidProxies.INSTANCE_LABEL, "allowlist")
                    .list()
                    .getItems()
                    .isEmpty()
                && Cluster.client()
                    .configMaps()
                    .inNamespace(ns)
                    .withLabel(SquidProxies.INSTANCE_LABEL, "allowlist")
                    .list()
                    .getItems()
                    .isEmpty()
                && SquidProxies.pods(ns, "allowlist").isEmpty());
  }

  /**
   * Issue 12 §3: a proxy published on a NodePort. Clients outside the cluster reach it at the
   * node's address; Squid must see their own address (externalTrafficPolicy Local), not a node
   * address inside the default private client ranges. One outside client is in allowedClientCIDRs
   * (200), one is not (403 from Squid). The Service carries no health port.
   */
  @Test
  @Order(12)
  void nodePortClientsKeepTheirAddressSoOutsidersGet403() {
    String allowedNode = "203.0.113.1";
    String deniedNode = "198.51.100.1";
    try (PodNetworkClient allowedClient =
            PodNetworkClient.outside("np-allowed", "203.0.113.2", allowedNode);
        PodNetworkClient deniedClient =
            PodNetworkClient.outside("np-denied", "198.51.100.2", deniedNode)) {
      SquidProxies.apply(
          ns,
          """
          apiVersion: cephaloproxy.io/v1alpha1
          kind: SquidProxy
          metadata:
            name: exposed
          spec:
            service: {type: NodePort}
            access:
              allowedClientCIDRs: [203.0.113.0/30]
              # the origin is a pod behind a Service: reachable whatever the default denies are
              allowedDestinationCIDRs: [10.244.0.0/24, 10.96.0.0/16]
          """);
      SquidProxies.awaitReady(ns, "exposed", READY_TIMEOUT);
      io.fabric8.kubernetes.api.model.Service svc =
          Cluster.client().services().inNamespace(ns).withName("exposed").get();
      assertThat(svc.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
      assertThat(svc.getSpec().getPorts())
          .as("Service ports (the health port stays on the pods)")
          .extracting(p -> p.getName())
          .containsExactly("proxy");
      int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
      String url = "http://" + origin.host() + "/outside";

      PodNetworkClient.Response allowed = allowedClient.get(allowedNode + ":" + nodePort, url);
      assertThat(allowed.status()).as(allowed.toString()).isEqualTo(200);
      PodNetworkClient.Response denied = deniedClient.get(deniedNode + ":" + nodePort, url);
      assertThat(denied.status()).as(denied.toString()).isEqualTo(403);
      assertThat(denied.body()).doesNotContain("saw ");
      // Squid logged the outsiders' own addresses
      Cluster.await(
          "the access log shows both outside clients",
          Duration.ofSeconds(20),
          () -> {
            String log = SquidProxies.logs(ns, "exposed");
            return log.contains("203.0.113.2") && log.contains("198.51.100.2");
          });
      assertThat(SquidProxies.logs(ns, "exposed"))
          .containsPattern("198\\.51\\.100\\.2 TCP_DENIED/403")
          .doesNotContain("10.244.0.1 ");

      // What the operator prevents: the same pods behind a NodePort Service with the default
      // externalTrafficPolicy Cluster. kube-proxy SNATs the outsider to the node's bridge address
      // 10.244.0.1, inside the default private client ranges, so Squid would serve it.
      Cluster.client()
          .services()
          .inNamespace(ns)
          .resource(
              new io.fabric8.kubernetes.api.model.ServiceBuilder()
                  .withNewMetadata()
                  .withName("exposed-cluster-policy")
                  .endMetadata()
                  .withNewSpec()
                  .withType("NodePort")
                  .withExternalTrafficPolicy("Cluster")
                  .withSelector(svc.getSpec().getSelector())
                  .addNewPort()
                  .withPort(3128)
                  .withTargetPort(new io.fabric8.kubernetes.api.model.IntOrString("proxy"))
                  .endPort()
                  .endSpec()
                  .build())
          .create();
      int clusterPolicyPort =
          Cluster.client()
              .services()
              .inNamespace(ns)
              .withName("exposed-cluster-policy")
              .get()
              .getSpec()
              .getPorts()
              .get(0)
              .getNodePort();
      java.util.regex.Pattern seen =
          java.util.regex.Pattern.compile("(\\S+) TCP_\\w+/\\d+ \\d+ GET \\S+/cluster-policy");
      String[] client = new String[1];
      Cluster.await(
          "the outsider's request through the Cluster-policy Service in the access log",
          Duration.ofSeconds(30),
          () -> {
            deniedClient.get(
                deniedNode + ":" + clusterPolicyPort,
                "http://" + origin.host() + "/cluster-policy");
            var m = seen.matcher(SquidProxies.logs(ns, "exposed"));
            client[0] = m.find() ? m.group(1) : null;
            return client[0] != null;
          });
      assertThat(client[0])
          .as("the address Squid sees behind externalTrafficPolicy Cluster")
          .isNotEqualTo("198.51.100.2")
          .startsWith("10.");
    } finally {
      Cluster.client().services().inNamespace(ns).withName("exposed-cluster-policy").delete();
      SquidProxies.api().inNamespace(ns).withName("exposed").delete();
    }
  }

  /**
   * Issue 16: the Degraded reasons only a kubelet produces, on the node, each with its Warning
   * Event counted rather than repeated. "crashing" asks Squid for a UDP address the pod does not
   * have (squid -k parse accepts it, Squid then stops with "FATAL: Could not create a DNS socket"),
   * so the run container keeps exiting and the kubelet backs off: CrashLoop. "unpullable" names a
   * tag the registry does not have: ImagePullFailed. Each restart or pull retry turns Degraded
   * again; the Events stay one per proxy and message (the pull failure has two: the pull error and
   * the back-off).
   */
  @Test
  @Order(13)
  void crashLoopAndImagePullFailureAreDegradedWithOneWarningEventEach() {
    Release r = Release.current();
    String missingTag =
        r.registry()
            + "/"
            + r.repositoryPath(r.squidImage()).replaceAll("@.*$", "")
            + ":no-such-tag";
    try (StatusRecorder crashing = new StatusRecorder(ns, "crashing");
        StatusRecorder unpullable = new StatusRecorder(ns, "unpullable")) {
      SquidProxies.apply(
          ns,
          """
          apiVersion: cephaloproxy.io/v1alpha1
          kind: SquidProxy
          metadata: {name: crashing}
          spec:
            extraConfig: "udp_incoming_address 192.0.2.1"
          """);
      SquidProxies.apply(
          ns,
          """
          apiVersion: cephaloproxy.io/v1alpha1
          kind: SquidProxy
          metadata: {name: unpullable}
          spec:
            image: %s
          """
              .formatted(missingTag));
      Map<String, Object> crash = awaitDegraded("crashing", "CrashLoop");
      assertThat(String.valueOf(crash.get("message")))
          .contains("container run of pod crashing-")
          .contains("keeps crashing")
          .contains("squid exited on its own with exit code 1")
          .as("what to do: the log to read and the usual culprit")
          .containsPattern(
              "; read why in its log, kubectl -n " + ns + " logs crashing-\\S+ -c run --previous,")
          .contains("spec.extraConfig");
      Map<String, Object> pull = awaitDegraded("unpullable", "ImagePullFailed");
      String pulling = String.valueOf(pull.get("message"));
      System.out.println(
          "node: CrashLoop: " + crash.get("message") + "\nImagePullFailed: " + pulling);
      assertThat(pulling)
          .contains("cannot pull image " + missingTag)
          .as("what to do: the image field")
          .contains("spec.image (unset: the operator's default, the chart's squidImage value)");
      if (pulling.contains(": not found")) {
        assertThat(pulling)
            .contains("the registry has no such image: fix the repository, tag or digest");
      }
      // the kubelet restarts the container after 10 s, then 20 s: two more crashes
      Cluster.await(
          "the Squid container of crashing restarted twice",
          Duration.ofSeconds(120),
          () ->
              SquidProxies.pods(ns, "crashing").stream()
                  .flatMap(p -> p.getStatus().getContainerStatuses().stream())
                  .anyMatch(c -> c.getRestartCount() >= 2),
          () -> Diagnostics.pods(ns));
      // each restart runs Squid for a moment before it crashes again; whether the operator sees
      // that moment depends on timing, so wait (through the kubelet's growing back-off) until
      // Degraded has turned CrashLoop twice, which the single Event below must then cover
      Cluster.await(
          "Degraded of crashing turned CrashLoop twice",
          Duration.ofSeconds(150),
          () -> crashing.turnedTo("Degraded", "CrashLoop") >= 2,
          () -> Diagnostics.pods(ns));
      awaitDegraded("crashing", "CrashLoop");
      List<io.fabric8.kubernetes.api.model.Event> events =
          Cluster.client().v1().events().inNamespace(ns).list().getItems().stream()
              .filter(e -> "SquidProxy".equals(e.getInvolvedObject().getKind()))
              .filter(e -> "Warning".equals(e.getType()))
              .filter(
                  e -> List.of("crashing", "unpullable").contains(e.getInvolvedObject().getName()))
              .toList();
      Map<String, List<Integer>> counts = new java.util.TreeMap<>();
      for (var e : events) {
        counts
            .computeIfAbsent(
                e.getInvolvedObject().getName() + "/" + e.getReason(),
                k -> new java.util.ArrayList<>())
            .add(e.getCount());
      }
      System.out.printf(
          "node: Degraded turned CrashLoop %d times, ImagePullFailed %d times; Warning Events"
              + " (counts) %s%n",
          crashing.turnedTo("Degraded", "CrashLoop"),
          unpullable.turnedTo("Degraded", "ImagePullFailed"),
          counts);
      assertThat(crashing.turnedTo("Degraded", "CrashLoop"))
          .as("times crashing turned Degraded=CrashLoop")
          .isGreaterThanOrEqualTo(2);
      assertThat(counts.get("crashing/CrashLoop")).as("CrashLoop Events of crashing").hasSize(1);
      assertThat(counts.get("unpullable/ImagePullFailed"))
          .as("ImagePullFailed Events of unpullable (pull error, back-off)")
          .hasSizeBetween(1, 2);
      assertThat(counts.keySet())
          .as("Warning Events of crashing and unpullable")
          .containsOnly("crashing/CrashLoop", "unpullable/ImagePullFailed");
    } finally {
      SquidProxies.api().inNamespace(ns).withName("crashing").delete();
      SquidProxies.api().inNamespace(ns).withName("unpullable").delete();
    }
  }

  private List<io.fabric8.kubernetes.api.model.ContainerStatus> ephemeralStatuses(String pod) {
    return Cluster.client()
        .pods()
        .inNamespace(ns)
        .withName(pod)
        .get()
        .getStatus()
        .getEphemeralContainerStatuses();
  }

  private Map<String, Object> awaitDegraded(String name, String reason) {
    Cluster.await(
        name + ": Degraded=True " + reason,
        Duration.ofSeconds(120),
        () ->
            SquidProxies.condition(SquidProxies.get(ns, name), "Degraded")
                .filter(c -> "True".equals(c.get("status")) && reason.equals(c.get("reason")))
                .isPresent(),
        () -> SquidProxies.status(SquidProxies.get(ns, name)) + "; " + Diagnostics.pods(ns));
    return SquidProxies.condition(SquidProxies.get(ns, name), "Degraded").orElseThrow();
  }

  /**
   * Issue 12 §4 on the real node: a client on the pod network cannot use a default proxy to reach
   * the cluster's internals. The kube-apiserver's ClusterIP and the origin's ClusterIP (the Service
   * network, read from the ServiceCIDR API), the origin pod's address (the node's {@code podCIDRs})
   * and the loopback spellings {@code 2130706433}, {@code [::ffff:127.0.0.1]} and {@code localhost}
   * get 403, while the origin outside the cluster's networks gets 200; {@code
   * access.clusterNetworks: Allow} opens the Service and the pod for that proxy only.
   */
  @Test
  @Order(14)
  void clusterInternalAddressesAreDeniedByDefault() {
    String denies = "internal-denied";
    String allows = "internal-allowed";
    try {
      for (String[] p :
          new String[][] {{denies, "{}"}, {allows, "{access: {clusterNetworks: Allow}}"}}) {
        SquidProxies.apply(
            ns,
            """
            apiVersion: cephaloproxy.io/v1alpha1
            kind: SquidProxy
            metadata:
              name: %s
            spec: %s
            """
                .formatted(p[0], p[1]));
      }
      String denying = SquidProxies.endpoint(SquidProxies.awaitReady(ns, denies, READY_TIMEOUT));
      String allowing = SquidProxies.endpoint(SquidProxies.awaitReady(ns, allows, READY_TIMEOUT));
      String apiServer = Cluster.clusterIp("default", "kubernetes");
      String originIp = Cluster.clusterIp(origin.namespace, "origin-clusterip");
      String podIp =
          Cluster.client()
              .pods()
              .inNamespace(origin.namespace)
              .withLabel("app", "origin")
              .list()
              .getItems()
              .get(0)
              .getStatus()
              .getPodIP();
      List<String> podCidrs =
          Cluster.client().nodes().list().getItems().stream()
              .flatMap(
                  n ->
                      n.getSpec().getPodCIDRs() == null
                          ? java.util.stream.Stream.<String>empty()
                          : n.getSpec().getPodCIDRs().stream())
              .toList();
      boolean podNetworkKnown = podCidrs.stream().anyMatch(c -> inIpv4Cidr(podIp, c));
      List<String> denied =
          new java.util.ArrayList<>(
              List.of(
                  "http://" + apiServer + ":443/version",
                  "http://" + originIp + "/internal",
                  "http://2130706433:8080/",
                  "http://[::ffff:127.0.0.1]:8080/",
                  "http://localhost:8080/"));
      if (podNetworkKnown) {
        denied.add("http://" + podIp + "/pod");
      }
      for (String url : denied) {
        PodNetworkClient.Response r = client.get(denying, url);
        assertThat(r.status()).as("%s through a default proxy: %s", url, r).isEqualTo(403);
        assertThat(r.body()).doesNotContain("saw ");
      }
      PodNetworkClient.Response outside =
          client.get(denying, "http://" + origin.host() + "/outside");
      assertThat(outside.status())
          .as(
              "the origin outside the cluster (%s) through a default proxy: %s",
              Origin.OUTSIDE_ADDRESS, outside)
          .isEqualTo(200);
      for (String url : List.of("http://" + originIp + "/internal", "http://" + podIp + "/pod")) {
        PodNetworkClient.Response opened = client.get(allowing, url);
        assertThat(opened.status())
            .as("%s with clusterNetworks: Allow: %s", url, opened)
            .isEqualTo(200);
        assertThat(opened.body()).contains("saw ");
      }

      String operatorLog =
          Cluster.client()
              .pods()
              .inNamespace(operatorNs)
              .withLabel("app.kubernetes.io/instance", RELEASE)
              .list()
              .getItems()
              .stream()
              .map(
                  p ->
                      Cluster.client()
                          .pods()
                          .inNamespace(operatorNs)
                          .withName(p.getMetadata().getName())
                          .getLog())
              .reduce("", String::concat);
      assertThat(operatorLog)
          .contains("cluster networks denied by default:")
          .contains("(Service networks from ServiceCIDRs)");
      System.out.printf(
          "cluster networks on the node: kube-apiserver %s and Service %s denied; nodes' podCIDRs %s,"
              + " origin pod %s %s%n",
          apiServer,
          originIp,
          podCidrs,
          podIp,
          podNetworkKnown ? "denied" : "not in them (not denied)");
      assertThat(podNetworkKnown)
          .as(
              "the origin pod's address %s lies in a node's podCIDRs %s (the node's"
                  + " kube-controller-manager must run with --allocate-node-cidrs and a --cluster-cidr"
                  + " holding the CNI range, scripts/cluster/up.sh)",
              podIp, podCidrs)
          .isTrue();
    } finally {
      SquidProxies.api().inNamespace(ns).withName(denies).delete();
      SquidProxies.api().inNamespace(ns).withName(allows).delete();
    }
  }

  /** Whether the IPv4 address lies in the IPv4 CIDR (false for IPv6 CIDRs). */
  static boolean inIpv4Cidr(String address, String cidr) {
    String[] parts = cidr.split("/");
    if (parts[0].contains(":") || address.contains(":")) {
      return false;
    }
    int bits = Integer.parseInt(parts[1]);
    long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
    return (ipv4(address) & mask) == (ipv4(parts[0]) & mask);
  }

  private static long ipv4(String dotted) {
    long v = 0;
    for (String octet : dotted.split("\\.")) {
      v = (v << 8) | Integer.parseInt(octet);
    }
    return v;
  }

  /**
   * Issue 16 §4: the kubectl debug recipe of docs/troubleshooting.md §6, read from the page, runs
   * on the node under Pod Security "restricted": an ephemeral container with {@code
   * --profile=restricted} and the recipe's non-root {@code --custom} file joins a proxy pod, and
   * the commands the page says to type inside it (typed on a terminal that script(1) provides) list
   * the mounted configuration, print runtime.properties, read the health port's metrics and Squid's
   * cache manager on localhost. Without the custom file the kubelet refuses the root image.
   */
  @Test
  @Order(15)
  void theKubectlDebugRecipeOfTheTroubleshootingPageWorksUnderRestricted() throws IOException {
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: debugged}
        spec: {}
        """);
    SquidProxies.awaitReady(ns, "debugged", READY_TIMEOUT);
    String pod = SquidProxies.readyPods(ns, "debugged").get(0).getMetadata().getName();
    List<DocsE2E.Block> blocks = DocsE2E.blocks();
    DocsE2E.Block recipe =
        blocks.stream()
            .filter(b -> b.page().equals("docs/troubleshooting.md"))
            .filter(b -> b.text().contains("kubectl -n demo debug"))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("troubleshooting.md has no kubectl debug recipe"));
    DocsE2E.Block inside =
        blocks.stream()
            .filter(b -> b.page().equals("docs/troubleshooting.md"))
            .filter(b -> b.text().contains("/proc/1/root/etc/cephaloproxy"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("troubleshooting.md has no commands for inside"));
    String script =
        recipe
            .text()
            .replace("\\\n", " ")
            .replaceAll("\\bdemo\\b", ns)
            .replace("<pod>", pod)
            .replace("busybox:1.36", Cluster.DEBUG_IMAGE);
    assertThat(script).as("the recipe as run").contains(" debug -it " + pod + " ");
    // typed at a terminal, as the page says: script(1) gives kubectl a pty, on which the page's
    // commands and then exit arrive. Without a terminal, kubectl debug -i with the commands on its
    // stdin returns as soon as the input ends, before the output comes back (measured on the
    // node: exit 0, nothing printed, the output only in the container's log), as the page warns.
    script =
        script.replaceAll(
            "(?m)^(kubectl .* debug -it .*)$",
            "script -qec \"$1\" /dev/null <<'INSIDE'\n"
                + java.util.regex.Matcher.quoteReplacement(inside.text())
                + "exit\nINSIDE");
    Path dir = Files.createTempDirectory(workDir, "debug");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("kubectl"), Path.of(Cluster.kubectlCli()));
    Path file = dir.resolve("recipe.sh");
    Files.writeString(file, "set -eu\ncd '" + dir + "'\n" + script);
    System.out.println("kubectl debug recipe as run:\n" + script);
    io.cephaloproxy.testsupport.Cmd.Result run =
        io.cephaloproxy.testsupport.Cmd.run(
            Duration.ofMinutes(3),
            "env",
            "PATH=" + bin + ":" + System.getenv("PATH"),
            "KUBECONFIG=" + Cluster.KUBECONFIG,
            "bash",
            file.toString());
    System.out.println("recipe output:\n" + run.out() + "\nstderr:\n" + run.err());
    assertThat(run.exit()).as("the recipe's exit code; stderr: %s", run.err()).isZero();
    assertThat(run.out())
        .as("ls /proc/1/root/etc/cephaloproxy/")
        .contains("squid.conf")
        .contains("runtime.properties");
    assertThat(run.out()).as("runtime.properties").contains("squid.port=3128");
    assertThat(run.out()).as("the health port's metrics").contains("# HELP");
    assertThat(run.out()).as("Squid's cache manager").contains("Squid Object Cache");
    Pod debugged = Cluster.client().pods().inNamespace(ns).withName(pod).get();
    assertThat(debugged.getSpec().getEphemeralContainers())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getImage()).isEqualTo(Cluster.DEBUG_IMAGE);
              assertThat(c.getTargetContainerName()).isEqualTo("run");
              assertThat(c.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
              assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
              assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            });
    // what the page warns about: the same image without the custom UID is refused
    String pod2 = SquidProxies.readyPods(ns, "debugged").get(0).getMetadata().getName();
    io.cephaloproxy.testsupport.Cmd.Result root =
        io.cephaloproxy.testsupport.Cmd.run(
            Duration.ofMinutes(2),
            "env",
            "KUBECONFIG=" + Cluster.KUBECONFIG,
            Cluster.kubectlCli(),
            "-n",
            ns,
            "debug",
            pod2,
            "--image=" + Cluster.DEBUG_IMAGE,
            "--target=run",
            "--profile=restricted",
            "--container=as-root",
            "--",
            "sh",
            "-c",
            "true");
    assertThat(root.exit()).as("kubectl debug without --custom: %s", root.err()).isZero();
    Cluster.await(
        "the kubelet refuses the root debug container",
        Duration.ofSeconds(60),
        () ->
            ephemeralStatuses(pod2).stream()
                .filter(c -> c.getName().equals("as-root"))
                .anyMatch(
                    c ->
                        c.getState().getWaiting() != null
                            && String.valueOf(c.getState().getWaiting().getMessage())
                                .contains("image will run as root")),
        () -> String.valueOf(ephemeralStatuses(pod2)));
    SquidProxies.api().inNamespace(ns).withName("debugged").delete();
  }

  @Test
  @Order(100)
  void helmUninstallLeavesNothingOfTheOperator() {
    for (String name : new String[] {"audit", "bump", "rollout"}) {
      SquidProxies.api().inNamespace(ns).withName(name).delete();
    }
    release.uninstall();
    Cluster.await(
        "nothing of release " + RELEASE + " left",
        Duration.ofSeconds(90),
        () ->
            Cluster.client().pods().inNamespace(operatorNs).list().getItems().isEmpty()
                && Cluster.client()
                    .apps()
                    .deployments()
                    .inNamespace(operatorNs)
                    .list()
                    .getItems()
                    .isEmpty()
                && Cluster.client()
                    .serviceAccounts()
                    .inNamespace(operatorNs)
                    .withLabel("app.kubernetes.io/instance", RELEASE)
                    .list()
                    .getItems()
                    .isEmpty()
                && Cluster.client()
                    .rbac()
                    .clusterRoles()
                    .withLabel("app.kubernetes.io/instance", RELEASE)
                    .list()
                    .getItems()
                    .isEmpty()
                && Cluster.client()
                    .rbac()
                    .clusterRoleBindings()
                    .withLabel("app.kubernetes.io/instance", RELEASE)
                    .list()
                    .getItems()
                    .isEmpty()
                && Cluster.client()
                    .secrets()
                    .inNamespace(operatorNs)
                    .withLabel("owner", "helm")
                    .list()
                    .getItems()
                    .isEmpty(),
        () -> Diagnostics.pods(operatorNs));
  }

  /** 10 s of wrk (2 threads, 16 connections, wrk's 2 s timeout) from the pod-network client. */
  private Wrk.Result wrk(String proxy, Path script) {
    return Wrk.run(
        client.netns, proxy, script, 2, 16, Duration.ofSeconds(10), Duration.ofSeconds(2));
  }
}
