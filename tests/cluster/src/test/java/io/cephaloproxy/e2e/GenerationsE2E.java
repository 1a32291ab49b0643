package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 11 on the node: a rejected change never reaches a pod that serves traffic, not even after
 * its container restarts. Pods mount only immutable config generations, and a new generation goes
 * into the pod template only after a check pod of the proxy's image accepted it. So while a change
 * is rejected, a Squid killed with SIGKILL restarts with the last good config, a scale-up starts
 * pods of the last good config, and a broken CA Secret never reaches the serving pods.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GenerationsE2E {
  static final Duration TIMEOUT = Duration.ofSeconds(120);
  static final String RELEASE = "cephaloproxy-gens";
  static final Path KUBELET_PODS = Path.of("/var/lib/cephaloproxy-node/kubelet/pods");

  Path workDir;
  Origin origin;
  String operatorNs;
  String ns;
  OperatorRelease release;
  PodNetworkClient client;

  @BeforeAll
  void setUp() throws IOException {
    Cluster.client();
    workDir = Files.createTempDirectory("generations-e2e");
    operatorNs = Cluster.restrictedNamespace("cephaloproxy-gens");
    ns = Cluster.restrictedNamespace("e2e-gens");
    // the operator's pod and the origin's start side by side
    CompletableFuture<OperatorRelease> installed =
        CompletableFuture.supplyAsync(() -> OperatorRelease.install(RELEASE, operatorNs, Map.of()));
    try {
      origin = Steps.time("deploy the origin", () -> Origin.deploy(workDir));
      client = PodNetworkClient.create("gens-e2e", 207);
    } catch (RuntimeException | Error e) {
      // keep the release (if it installed) for tearDown, and this failure as the one reported
      release = installed.exceptionally(x -> null).join();
      throw e;
    }
    try {
      release = installed.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  @AfterAll
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (origin != null) {
      origin.close();
    }
    if (release != null) {
      release.uninstallIfPresent();
    }
    Cluster.deleteNamespaces(TIMEOUT, ns, origin == null ? null : origin.namespace, operatorNs);
  }

  /**
   * Requests for a stream at 50/s that a test ends with {@link PodNetworkClient.Load#stop} once
   * what it covers is done: more than that can take (stop fails if the stream ended first).
   */
  static final int UNTIL_STOPPED = 50 * 300;

  String proxy(int replicas, String extraConfig) {
    return """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: gen
        spec:
          replicas: %d
          access:
            allowedDomains: [%s]
        """
            .formatted(replicas, origin.host())
        + (extraConfig == null ? "" : "  extraConfig: \"" + extraConfig + "\"\n");
  }

  @Test
  @Order(1)
  void aRejectedChangeNeverReachesServingPodsNorRestartedOrNewOnes() {
    SquidProxies.apply(ns, proxy(2, null));
    GenericKubernetesResource good = SquidProxies.awaitReady(ns, "gen", TIMEOUT);
    String endpoint = SquidProxies.endpoint(good);
    String port = endpoint.replaceFirst(".*:", "");
    String goodHash = String.valueOf(SquidProxies.status(good).get("configHash"));
    List<Pod> serving = SquidProxies.readyPods(ns, "gen");
    assertThat(serving).hasSize(2);
    Map<String, String> filesBefore = mountedFiles(serving.get(0));
    assertThat(filesBefore.keySet()).anyMatch(f -> f.endsWith("/squid.conf"));

    PodNetworkClient.Load load =
        client.startLoad(endpoint, "http://" + origin.host() + "/rejected", 50, UNTIL_STOPPED);
    long start = System.nanoTime();
    SquidProxies.apply(ns, proxy(2, "no_such_directive on"));
    Cluster.await(
        "ConfigValid=False SquidRejectedConfig with Squid's message",
        TIMEOUT,
        () ->
            SquidProxies.condition(SquidProxies.get(ns, "gen"), "ConfigValid")
                .filter(c -> "False".equals(c.get("status")))
                .filter(c -> "SquidRejectedConfig".equals(c.get("reason")))
                .map(c -> String.valueOf(c.get("message")).contains("no_such_directive"))
                .orElse(false),
        () -> String.valueOf(SquidProxies.status(SquidProxies.get(ns, "gen"))));
    Figures.record(
        "rejected change to ConfigValid=False seconds (check pod)",
        (System.nanoTime() - start) / 1e9);
    Map<String, Object> status = SquidProxies.status(SquidProxies.get(ns, "gen"));
    assertThat(status.get("servingConfigHash")).as("status " + status).isEqualTo(goodHash);
    assertThat(status.get("desiredConfigHash")).as("status " + status).isNotEqualTo(goodHash);
    assertThat(templateHash()).as("the Deployment's pod template").isEqualTo(goodHash);
    Cluster.await(
        "the check pod deleted",
        Duration.ofSeconds(30),
        () ->
            Cluster.client().pods().inNamespace(ns).list().getItems().stream()
                .noneMatch(p -> p.getMetadata().getName().startsWith("gen-check-")));

    // the traffic covered the change, its check pod's whole life and the rejection
    PodNetworkClient.Outcome rejected = load.stop();
    Figures.record("rejected change under load: requests", rejected.requests());
    Figures.record("rejected change under load: failed", rejected.failures().size());
    assertThat(rejected.failures()).as("failed requests while the change was rejected").isEmpty();

    // the exact failure of issue 11: a Squid that dies restarts from the files the pod mounts
    load = client.startLoad(endpoint, "http://" + origin.host() + "/killed", 50, UNTIL_STOPPED);
    Pod victim = serving.get(0);
    int restarts = runContainer(victim).getRestartCount();
    NodeProcesses.kill(squidPid(victim));
    Cluster.await(
        "the killed Squid's container restarted and Ready",
        TIMEOUT,
        () -> {
          Pod now = Cluster.client().pods().resource(victim).get();
          return runContainer(now).getRestartCount() > restarts
              && Boolean.TRUE.equals(runContainer(now).getReady());
        },
        () -> Diagnostics.pods(ns));
    Pod restarted = Cluster.client().pods().resource(victim).get();
    assertThat(mountedFiles(restarted))
        .as("the files the restarted pod mounts, byte for byte")
        .isEqualTo(filesBefore);
    PodNetworkClient.Response direct =
        client.get(
            restarted.getStatus().getPodIP() + ":" + port,
            "http://" + origin.host() + "/after-kill");
    assertThat(direct.status()).as(direct.toString()).isEqualTo(200);

    // a scale-up while the change is rejected starts a pod of the last good config
    SquidProxies.apply(ns, proxy(3, "no_such_directive on"));
    Cluster.await(
        "3 ready pods",
        TIMEOUT,
        () -> SquidProxies.readyPods(ns, "gen").size() == 3,
        () -> Diagnostics.pods(ns));
    Pod added =
        SquidProxies.readyPods(ns, "gen").stream()
            .filter(p -> serving.stream().noneMatch(s -> s.getMetadata().getUid().equals(uid(p))))
            .findFirst()
            .orElseThrow();
    assertThat(added.getMetadata().getAnnotations())
        .containsEntry("cephaloproxy.io/config-hash", goodHash);
    assertThat(mountedFiles(added)).as("the new pod's files").isEqualTo(filesBefore);
    PodNetworkClient.Response fromAdded =
        client.get(
            added.getStatus().getPodIP() + ":" + port, "http://" + origin.host() + "/scaled");
    assertThat(fromAdded.status()).as(fromAdded.toString()).isEqualTo(200);
    assertThat(templateHash()).isEqualTo(goodHash);

    // SIGKILL refuses the connections kube-proxy sends to the killed pod until its readiness probe
    // takes it out of the Service: those fail, and so may the one request the stream (one curl,
    // one request at a time) had in flight inside the killed Squid, which gets no reply at all
    // (the traffic covered the kill, the restart and the scale-up to the added pod serving)
    PodNetworkClient.Outcome outcome = load.stop();
    Figures.record("kill -9 and scale-up under load: requests", outcome.requests());
    Figures.record(
        "kill -9 and scale-up under load: refused by the killed pod", outcome.failures().size());
    // the request in flight had its connection accepted, then cut: no reply, or a reset while
    // curl read the reply (both were seen in CI runs)
    List<String> inFlight =
        outcome.failures().stream()
            .filter(
                f ->
                    f.contains("Empty reply from server")
                        || f.contains("Recv failure: Connection reset by peer"))
            .toList();
    assertThat(inFlight).as("requests cut off inside the killed Squid").hasSizeLessThanOrEqualTo(1);
    assertThat(outcome.failures())
        .as("failed requests after kill -9")
        .filteredOn(f -> !inFlight.contains(f))
        .allMatch(f -> f.startsWith("000 ") && f.contains("Couldn't connect to server"));
    assertThat(outcome.failures()).as("failed requests after kill -9").hasSizeLessThanOrEqualTo(50);

    // fixed: a new generation rolls out
    SquidProxies.apply(ns, proxy(2, "client_lifetime 1 hour"));
    awaitRolledOut("the fixed change rolled out", "gen", 2, h -> !goodHash.equals(h));
    assertThat(client.get(endpoint, "http://" + origin.host() + "/fixed").status()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void aBrokenCaRotationNeverReachesServingPodsAndAGoodOneRollsOut() throws IOException {
    CertFiles.Pair first = CertFiles.ca(workDir, "first-ca", "CephaloProxy E2E first CA");
    CertFiles.Pair other = CertFiles.ca(workDir, "other-ca", "CephaloProxy E2E other CA");
    CertFiles.Pair second = CertFiles.ca(workDir, "second-ca", "CephaloProxy E2E second CA");
    caSecret(first.cert(), first.key());
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
        .createOr(e -> e.update());
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
    GenericKubernetesResource ready = SquidProxies.awaitReady(ns, "bump", TIMEOUT);
    String endpoint = SquidProxies.endpoint(ready);
    String goodHash = String.valueOf(SquidProxies.status(ready).get("configHash"));
    Pod serving = SquidProxies.readyPods(ns, "bump").get(0);
    Map<String, String> filesBefore = mountedFiles(serving);
    assertIssuer(endpoint, first, "CephaloProxy E2E first CA");

    // the first CA's certificate with another key: the init step's CA check refuses it
    caSecret(first.cert(), other.key());
    Cluster.await(
        "ConfigValid=False for the mismatched CA pair",
        TIMEOUT,
        () ->
            SquidProxies.condition(SquidProxies.get(ns, "bump"), "ConfigValid")
                .filter(c -> "False".equals(c.get("status")))
                .map(c -> String.valueOf(c.get("message")).contains("does not belong"))
                .orElse(false),
        () -> String.valueOf(SquidProxies.status(SquidProxies.get(ns, "bump"))));
    assertThat(templateHash("bump")).isEqualTo(goodHash);
    assertThat(SquidProxies.readyPods(ns, "bump"))
        .extracting(p -> p.getMetadata().getUid())
        .containsExactly(uid(serving));
    assertThat(mountedFiles(serving)).as("the serving pod's files").isEqualTo(filesBefore);
    assertIssuer(endpoint, first, "CephaloProxy E2E first CA");

    // a valid new CA: rolled out, and the new pods issue certificates from it
    caSecret(second.cert(), second.key());
    Cluster.await(
        "the new CA rolled out",
        TIMEOUT,
        () -> {
          GenericKubernetesResource r = SquidProxies.get(ns, "bump");
          return SquidProxies.ready(r)
              && SquidProxies.conditionIs(r, "ConfigValid", "True")
              && !goodHash.equals(SquidProxies.status(r).get("servingConfigHash"))
              && SquidProxies.pods(ns, "bump").size() == 1;
        },
        () -> SquidProxies.status(SquidProxies.get(ns, "bump")) + " " + Diagnostics.pods(ns));
    assertIssuer(endpoint, second, "CephaloProxy E2E second CA");
  }

  /**
   * A referenced list ConfigMap edited to content the validator rejects: ConfigValid=False naming
   * the ConfigMap and key, the serving pod keeps its generation; edited to valid content: a new
   * generation (with its own copy of the list) is checked and rolled out. 0 failed requests at 50
   * req/s throughout.
   */
  @Test
  @Order(3)
  void anEditedListConfigMapIsValidatedBeforeItRollsOut() {
    listConfigMap(origin.host() + "\n");
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: listed
        spec:
          replicas: 1
          access:
            allowedDomainsFrom: {name: lists, key: domains.txt}
        """);
    GenericKubernetesResource good = SquidProxies.awaitReady(ns, "listed", TIMEOUT);
    String endpoint = SquidProxies.endpoint(good);
    String goodHash = String.valueOf(SquidProxies.status(good).get("configHash"));
    PodNetworkClient.Load load =
        client.startLoad(endpoint, "http://" + origin.host() + "/listed", 50, UNTIL_STOPPED);
    listConfigMap(origin.host() + "\nnot a domain!\n");
    Cluster.await(
        "ConfigValid=False naming the ConfigMap and key",
        TIMEOUT,
        () ->
            SquidProxies.condition(SquidProxies.get(ns, "listed"), "ConfigValid")
                .filter(c -> "False".equals(c.get("status")))
                .map(String::valueOf)
                .map(c -> c.contains("lists") && c.contains("domains.txt"))
                .orElse(false),
        () -> String.valueOf(SquidProxies.status(SquidProxies.get(ns, "listed"))));
    assertThat(templateHash("listed")).as("the pod template while rejected").isEqualTo(goodHash);
    long start = System.nanoTime();
    listConfigMap(origin.host() + "\n.edited.example\n");
    awaitRolledOut("the edited list rolled out", "listed", 1, h -> !goodHash.equals(h));
    Figures.record(
        "edited list ConfigMap to every pod serving it seconds (check pod and rollout)",
        (System.nanoTime() - start) / 1e9);
    String hash = templateHash("listed");
    var copy =
        Cluster.client()
            .configMaps()
            .inNamespace(ns)
            .withName("listed-config-" + hash.substring(0, 10) + "-allowed-domains")
            .get();
    assertThat(copy).as("the new generation's copy of the list").isNotNull();
    assertThat(copy.getImmutable()).isTrue();
    assertThat(copy.getData().values()).anyMatch(v -> v.contains(".edited.example"));
    // (the traffic covered both edits, the rejection and the whole rollout of the valid one)
    PodNetworkClient.Outcome outcome = load.stop();
    Figures.record("list ConfigMap edits under load: requests", outcome.requests());
    Figures.record("list ConfigMap edits under load: failed", outcome.failures().size());
    assertThat(outcome.failures()).as("failed requests while the list was edited").isEmpty();
  }

  /**
   * Waits until proxy {@code name} is Ready with a valid config and its pods serve the current
   * spec's config, one {@code serving} accepts, with no pod of another config left: exactly {@code
   * pods} pods, all ready.
   */
  private void awaitRolledOut(
      String what, String name, int pods, java.util.function.Predicate<Object> serving) {
    Cluster.await(
        what,
        TIMEOUT,
        () -> {
          GenericKubernetesResource r = SquidProxies.get(ns, name);
          Map<String, Object> st = SquidProxies.status(r);
          Object hash = st.get("servingConfigHash");
          return SquidProxies.ready(r)
              && SquidProxies.conditionIs(r, "ConfigValid", "True")
              && hash != null
              && serving.test(hash)
              && hash.equals(st.get("desiredConfigHash"))
              && SquidProxies.readyPods(ns, name).size() == pods
              && SquidProxies.pods(ns, name).size() == pods;
        },
        () -> SquidProxies.status(SquidProxies.get(ns, name)) + " " + Diagnostics.pods(ns));
  }

  private void listConfigMap(String content) {
    Cluster.client()
        .configMaps()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("lists")
                .withNamespace(ns)
                .endMetadata()
                .addToData("domains.txt", content)
                .build())
        .serverSideApply();
  }

  /**
   * Issue 11 §3 on the node: 50 successive changes under 55 requests a second offered by 11 clients
   * throughout. Each change is checked and promoted (the Deployment's pod template carries its
   * generation, and the status says so) before the next is applied, but not waited for until both
   * pods serve it: most changes arrive while the previous ones still roll out, so pods of several
   * generations start, serve and drain at once, the harder case for the collection rule (the
   * generations of the pod template and of every pod that exists are kept). After the last change
   * has rolled out, at most 3 generations of the proxy are left, the serving one among them; no pod
   * ever failed to mount its generation and no request failed.
   */
  @Test
  @Order(4)
  void fiftyChangesUnderLoadLeaveAtMostThreeGenerations() {
    SquidProxies.apply(ns, gcProxy(0));
    GenericKubernetesResource first = SquidProxies.awaitReady(ns, "gc", TIMEOUT);
    String endpoint = SquidProxies.endpoint(first);
    String hash = String.valueOf(SquidProxies.status(first).get("configHash"));
    PodNetworkClient.Loads load =
        client.startLoads(
            endpoint, "http://" + origin.host() + "/fifty-changes", 11, 5, Duration.ofMinutes(15));
    long start = System.nanoTime();
    for (int change = 1; change <= GC_CHANGES; change++) {
      GenericKubernetesResource applied = SquidProxies.apply(ns, gcProxy(change));
      long generation = applied.getMetadata().getGeneration();
      String before = hash;
      Cluster.await(
          "change " + change + " of " + GC_CHANGES + " checked and promoted",
          TIMEOUT,
          () -> promoted(SquidProxies.get(ns, "gc"), generation, before),
          () -> SquidProxies.status(SquidProxies.get(ns, "gc")) + " " + Diagnostics.pods(ns));
      hash =
          String.valueOf(SquidProxies.status(SquidProxies.get(ns, "gc")).get("desiredConfigHash"));
    }
    Figures.record(
        GC_CHANGES + " changes, each checked and promoted before the next, seconds",
        (System.nanoTime() - start) / 1e9);
    String last = hash;
    awaitRolledOut("the last change served by both pods", "gc", 2, last::equals);
    Figures.record(
        GC_CHANGES + " changes, until the last is served by both pods, seconds",
        (System.nanoTime() - start) / 1e9);
    Cluster.await(
        "at most 3 generations of 'gc' left",
        TIMEOUT,
        () -> gcGenerations().size() <= 3,
        () -> String.valueOf(gcGenerations()));
    // a generation is named by the first 10 hex digits of its config hash
    String serving = "gc-config-" + last.substring(0, Math.min(10, last.length()));
    assertThat(gcGenerations()).as("the serving generation is kept").contains(serving);
    PodNetworkClient.Loads.Result r = load.stop();
    Figures.record("fifty changes under load: requests", r.outcome().requests());
    Figures.record("fifty changes under load: requests per second", r.perSecond());
    Figures.record("fifty changes: proxy pods created", gcPodsCreated());
    assertThat(r.outcome().failures()).as("failed requests during the changes: " + r).isEmpty();
    assertThat(r.perSecond()).as("the rate the clients reached: " + r).isGreaterThanOrEqualTo(50);
    // a generation collected under a pod: the kubelet cannot find its ConfigMap. Not this: the
    // kubelet's "failed to sync configmap cache: timed out waiting for the condition", its own
    // watch of an existing ConfigMap not synced in time on the loaded node (seen once in CI),
    // which it retries
    List<String> mountWarnings = gcPodWarnings("FailedMount");
    Figures.record("fifty changes: FailedMount events", mountWarnings.size());
    assertThat(mountWarnings)
        .as("proxy pods that could not mount their generation (collected too early)")
        .noneMatch(m -> m.contains("not found"));
  }

  /**
   * The change the proxy had at {@code generation} is checked and promoted: the status is of that
   * spec, its config is valid and new, and the Deployment's pod template carries it (the status's
   * Progressing no longer says {@code ConfigChanged}, "the Deployment does not carry config").
   */
  private boolean promoted(GenericKubernetesResource r, long generation, String before) {
    Map<String, Object> st = SquidProxies.status(r);
    Object desired = st.get("desiredConfigHash");
    Object observed = st.get("observedGeneration");
    return observed != null
        && ((Number) observed).longValue() >= generation
        && desired != null
        && !before.equals(desired)
        && SquidProxies.conditionIs(r, "ConfigValid", "True")
        && SquidProxies.condition(r, "Progressing")
            .map(c -> !"ConfigChanged".equals(c.get("reason")))
            .orElse(false)
        && desired.equals(templateHash("gc"));
  }

  /**
   * The proxy pods of 'gc' the ReplicaSet controller created (from its SuccessfulCreate Events).
   */
  private long gcPodsCreated() {
    return Cluster.client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "SuccessfulCreate".equals(e.getReason()))
        .filter(e -> e.getInvolvedObject().getName().startsWith("gc-"))
        .mapToLong(e -> e.getCount() == null ? 1 : e.getCount())
        .sum();
  }

  /** The Warning Events of {@code reason} about pods of 'gc', as "pod: message". */
  private List<String> gcPodWarnings(String reason) {
    return Cluster.client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .filter(e -> "Pod".equals(e.getInvolvedObject().getKind()))
        .filter(e -> e.getInvolvedObject().getName().startsWith("gc-"))
        .map(e -> e.getInvolvedObject().getName() + ": " + e.getMessage())
        .toList();
  }

  /** 50 as the issue asks; -Dgc.changes=N overrides (as in the API-server suite). */
  static final int GC_CHANGES = Integer.getInteger("gc.changes", 50);

  String gcProxy(int change) {
    return """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: gc
        spec:
          replicas: 2
          access:
            allowedDomains: [%s, change-%d.example]
        """
        .formatted(origin.host(), change);
  }

  private List<String> gcGenerations() {
    return Cluster.client()
        .configMaps()
        .inNamespace(ns)
        .withLabel("cephaloproxy.io/config-generation")
        .list()
        .getItems()
        .stream()
        .map(c -> c.getMetadata().getName())
        .filter(n -> n.startsWith("gc-config-"))
        .toList();
  }

  @Test
  @Order(5)
  void deletingTheSquidProxiesRemovesTheirGenerations() {
    assertThat(generationObjects()).as("generation objects while the proxies exist").isNotEmpty();
    SquidProxies.api().inNamespace(ns).delete();
    Cluster.await(
        "every config generation (ConfigMaps and Secrets) garbage-collected",
        TIMEOUT,
        () -> generationObjects().isEmpty(),
        () -> String.valueOf(generationObjects()));
  }

  private List<String> generationObjects() {
    String label = "cephaloproxy.io/config-generation";
    return Stream.concat(
            Cluster.client()
                .configMaps()
                .inNamespace(ns)
                .withLabel(label)
                .list()
                .getItems()
                .stream()
                .map(c -> "ConfigMap " + c.getMetadata().getName()),
            Cluster.client().secrets().inNamespace(ns).withLabel(label).list().getItems().stream()
                .map(s -> "Secret " + s.getMetadata().getName()))
        .toList();
  }

  private void assertIssuer(String endpoint, CertFiles.Pair ca, String commonName) {
    PodNetworkClient.Response r =
        client.get(
            endpoint,
            "https://" + origin.host() + "/bumped",
            "-v",
            "--cacert",
            ca.cert().toString());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.curlErrors()).containsPattern("issuer: CN ?= ?" + commonName);
  }

  private void caSecret(Path cert, Path key) throws IOException {
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
                .withData(Map.of("tls.crt", Origin.base64(cert), "tls.key", Origin.base64(key)))
                .build())
        .createOr(e -> e.update());
  }

  private String templateHash() {
    return templateHash("gen");
  }

  private String templateHash(String name) {
    return Cluster.client()
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName(name)
        .get()
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get("cephaloproxy.io/config-hash");
  }

  private static String uid(Pod p) {
    return p.getMetadata().getUid();
  }

  private static io.fabric8.kubernetes.api.model.ContainerStatus runContainer(Pod pod) {
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> c.getName().equals(pod.getSpec().getContainers().get(0).getName()))
        .findFirst()
        .orElseThrow();
  }

  /** The master Squid process of the pod's run container (host PID). */
  private static long squidPid(Pod pod) {
    String container = pod.getSpec().getContainers().get(0).getName();
    return NodeProcesses.pids(pod, container).stream()
        .filter(pid -> NodeProcesses.comm(pid).startsWith("squid"))
        .filter(pid -> !NodeProcesses.comm(NodeProcesses.parent(pid)).startsWith("squid"))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no squid process in " + pod.getMetadata().getName()));
  }

  /**
   * SHA-256 of every file the pod mounts from ConfigMaps and Secrets, read from the kubelet's
   * volume directories on the node (what Squid reads when its container starts), by volume and file
   * name.
   */
  static Map<String, String> mountedFiles(Pod pod) {
    Path volumes = KUBELET_PODS.resolve(uid(pod)).resolve("volumes");
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> kinds = Files.list(volumes)) {
      for (Path kind : kinds.toList()) {
        String k = kind.getFileName().toString();
        if (!k.equals("kubernetes.io~configmap") && !k.equals("kubernetes.io~secret")) {
          continue;
        }
        try (Stream<Path> vols = Files.list(kind)) {
          for (Path vol : vols.toList()) {
            try (Stream<Path> entries = Files.list(vol)) {
              for (Path f : entries.toList()) {
                String name = f.getFileName().toString();
                if (!name.startsWith("..") && Files.isRegularFile(f)) {
                  files.put(vol.getFileName() + "/" + name, sha256(Files.readAllBytes(f)));
                }
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the volumes of " + volumes, e);
    }
    return files;
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
