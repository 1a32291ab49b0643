package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Cmd;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * GitOps with a real Argo CD (v3.1.9 application-controller and repo-server built from its Go
 * modules, Redis, a `git daemon`; tests/cluster/argocd) on the node, asserting Argo CD's own
 * Application status. The Git repository holds the released chart (pulled from the local registry)
 * under helm/cephaloproxy-operator and a team's SquidProxy under egress/; argocd-cm and both
 * Applications are the blocks of docs/gitops-argocd.md, applied as they are except repoURL (the Git
 * server of this test).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArgoCdE2E {
  static final Duration TIMEOUT = Duration.ofSeconds(300);
  static final Duration DRIFT_POLL = Duration.ofSeconds(10);
  static final Duration STAY_SYNCED = Duration.ofSeconds(60);
  static final Path DOC = Cluster.REPO.resolve("docs/gitops-argocd.md");
  static final String ARGOCD_NS = "argocd";
  static final String OPERATOR_NS = "cephaloproxy-system";
  static final String TEAM_NS = "team-a";

  /** The second proxy of the team's directory: a persistent cache, pruned by the last test. */
  static final String CACHE_PROXY = "cache";

  static final String CACHE_CLAIM = CACHE_PROXY + "-cache";
  static final Path CACHE_DIR =
      Path.of("/var/lib/cephaloproxy-node/volumes", TEAM_NS + "-" + CACHE_CLAIM);
  static final String GIT_URL =
      "git://git.argocd.svc." + Cluster.CLUSTER_DOMAIN + "/cephaloproxy.git";

  Path workDir;
  Path repo;
  Origin origin;
  PodNetworkClient client;
  String gitPushUrl;
  Map<String, String> images;
  DriftWatch operatorDrift;

  @BeforeAll
  void setUp() throws IOException {
    for (String n : List.of(ARGOCD_NS, OPERATOR_NS, TEAM_NS)) {
      assertThat(Cluster.client().namespaces().withName(n).get())
          .as("namespace %s left by an earlier run (stage 80 removes it)", n)
          .isNull();
    }
    workDir = Files.createTempDirectory("argocd-e2e");
    // the operator's Application applies the chart's CRD: one left by an earlier install goes first
    OperatorRelease.removeCrd();
    images = images();
    kubectl(
        "apply",
        "--server-side",
        "-f",
        images.get("ARGOCD_CRDS") + "/application-crd.yaml",
        "-f",
        images.get("ARGOCD_CRDS") + "/appproject-crd.yaml");
    Cluster.await(
        "Argo CD's CRDs established",
        Duration.ofSeconds(60),
        () -> kubectl("get", "appprojects.argoproj.io", "-A").exit() == 0);
    createNamespace(ARGOCD_NS);
    String install =
        resource("/e2e/argocd/argocd.yaml")
            .replace("${NAMESPACE}", ARGOCD_NS)
            .replace("${ARGOCD_IMAGE}", images.get("ARGOCD_IMAGE"))
            .replace("${REDIS_IMAGE}", images.get("REDIS_IMAGE"))
            .replace("${REDIS_PASSWORD}", UUID.randomUUID().toString().replace("-", ""))
            .replace("${SECRET_KEY}", UUID.randomUUID().toString().replace("-", ""));
    apply(ARGOCD_NS, install);
    // the health check installed as users install it: docs/gitops-argocd.md's argocd-cm
    apply(ARGOCD_NS, docBlock("name: argocd-cm"));
    for (String d : List.of("argocd-redis", "argocd-repo-server", "git")) {
      Cluster.await(
          "Deployment " + d + " available",
          TIMEOUT,
          () -> {
            Deployment dep =
                Cluster.client().apps().deployments().inNamespace(ARGOCD_NS).withName(d).get();
            return dep.getStatus() != null
                && Integer.valueOf(1).equals(dep.getStatus().getAvailableReplicas());
          },
          () -> Diagnostics.pods(ARGOCD_NS));
    }
    Cluster.await(
        "the application controller ready",
        TIMEOUT,
        () -> {
          StatefulSet s =
              Cluster.client()
                  .apps()
                  .statefulSets()
                  .inNamespace(ARGOCD_NS)
                  .withName("argocd-application-controller")
                  .get();
          return s.getStatus() != null
              && Integer.valueOf(1).equals(s.getStatus().getReadyReplicas());
        },
        () -> Diagnostics.pods(ARGOCD_NS));

    origin = Origin.deploy(workDir);
    client = PodNetworkClient.create("argocd-e2e", 205);
    gitPushUrl =
        "git://"
            + Cluster.client()
                .services()
                .inNamespace(ARGOCD_NS)
                .withName("git")
                .get()
                .getSpec()
                .getClusterIP()
            + "/cephaloproxy.git";
    repo = workDir.resolve("repo");
    Files.createDirectories(repo.resolve("helm"));
    git("init", "--initial-branch=main");
    Release release = Release.current();
    Cmd.run(
            Duration.ofSeconds(120),
            Cluster.helmCli(),
            "pull",
            release.chart(),
            "--version",
            release.version(),
            "--ca-file",
            release.ca().toString(),
            "--untar",
            "--untardir",
            repo.resolve("helm").toString())
        .orThrow();
  }

  @AfterAll
  void tearDown() {
    if (operatorDrift != null) {
      operatorDrift.stop();
    }
    // Argo CD first, so that it does not put back what is removed after it
    for (String n : List.of(ARGOCD_NS, TEAM_NS, OPERATOR_NS)) {
      if (Cluster.client().namespaces().withName(n).get() != null) {
        Cluster.deleteNamespace(n, TIMEOUT);
      }
    }
    if (origin != null) {
      origin.close();
      Cluster.deleteNamespace(origin.namespace, TIMEOUT);
    }
    // the pruned proxy's cache volume (kept by design, so removed here)
    Cluster.client().persistentVolumes().withName(TEAM_NS + "-" + CACHE_CLAIM).delete();
    Cmd.run(Duration.ofSeconds(60), "rm", "-rf", CACHE_DIR.toString());
    if (client != null) {
      client.close();
    }
    kubectl(
        "delete",
        "clusterrole,clusterrolebinding",
        ARGOCD_NS + "-application-controller",
        "--ignore-not-found");
    kubectl(
        "delete",
        "clusterrole,clusterrolebinding",
        "-l",
        "app.kubernetes.io/name=cephaloproxy-operator",
        "--ignore-not-found");
    // the chart's cluster-scoped admission policy (Argo CD does not remove it with the namespace)
    kubectl(
        "delete",
        "validatingadmissionpolicybinding,validatingadmissionpolicy",
        "cephaloproxy-operator-guardrails",
        "--ignore-not-found");
    // the chart's CRD, which Argo CD applied (no proxy is left: their namespace is gone)
    OperatorRelease.removeCrd();
    kubectl(
        "delete",
        "crd",
        "applications.argoproj.io",
        "appprojects.argoproj.io",
        "--ignore-not-found");
  }

  /** The first sync: the operator's chart (CRD first) and the team's proxy, Synced and Healthy. */
  @Test
  @Order(1)
  void firstSyncIsSyncedAndHealthy() throws IOException {
    writeProxy(List.of(origin.host()), "");
    Files.writeString(
        repo.resolve("egress/" + CACHE_PROXY + ".yaml"),
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: %s
        spec:
          replicas: 1
          cache:
            type: Disk
            disk:
              size: 1Gi
              volume: PersistentVolumeClaim
        """
            .formatted(CACHE_PROXY));
    commit("the operator's chart and team-a's proxies");
    createNamespace(TEAM_NS);
    // this node has no storage provisioner: a local volume for the cache's claim
    Examples.localVolumeFor(TEAM_NS, CACHE_CLAIM, "1Gi");
    for (String block : docBlocks("kind: Application")) {
      apply(ARGOCD_NS, block.replaceAll("repoURL: .*", "repoURL: " + GIT_URL));
    }
    awaitApp("cephaloproxy-operator", "Synced", "Healthy");
    operatorDrift = new DriftWatch("cephaloproxy-operator");
    Map<String, Object> app = awaitApp("team-a-egress", "Synced", "Healthy");
    assertThat(resourceHealth(app, "SquidProxy", "egress")).containsEntry("status", "Healthy");
    assertThat(resourceHealth(app, "SquidProxy", CACHE_PROXY)).containsEntry("status", "Healthy");
    SquidProxies.awaitReady(TEAM_NS, "egress", TIMEOUT);
    PodNetworkClient.Response r = client.get(endpoint(), "http://" + origin.host() + "/hello");
    assertThat(r.body()).contains("saw " + origin.host() + " /hello");
  }

  /**
   * A commit that changes the proxy: Progressing, then Healthy, with traffic flowing throughout.
   */
  @Test
  @Order(2)
  void aChangeGoesProgressingThenHealthyWithoutFailedRequests() throws Exception {
    Traffic traffic =
        Traffic.start(client, endpoint(), "http://" + origin.host() + "/hello", 50, 60);
    writeProxy(List.of(origin.host(), origin.otherHost()), "");
    String revision = commit("team-a: allow the second origin name");
    List<String> seen = healthUntil("team-a-egress", revision, "Healthy", TIMEOUT);
    assertThat(seen).as("Application health while the change rolls out").contains("Progressing");
    Traffic.Result t = traffic.await();
    Figures.record("argocd.rollout.requests", t.requests());
    Figures.record("argocd.rollout.requestsPerSecond", t.perSecond());
    assertThat(t.failed()).as("failed requests at 50 req/s during the rollout: %s", t).isZero();
  }

  /** A configuration Squid rejects: Degraded with the operator's message, traffic keeps flowing. */
  @Test
  @Order(3)
  void aRejectedConfigurationIsDegradedWhileTrafficFlows() throws Exception {
    Traffic traffic =
        Traffic.start(client, endpoint(), "http://" + origin.host() + "/hello", 50, 30);
    writeProxy(List.of(origin.host(), origin.otherHost()), "cache_mem 64 elephants");
    String revision = commit("team-a: a line Squid rejects");
    healthUntil("team-a-egress", revision, "Degraded", TIMEOUT);
    Map<String, Object> app = app("team-a-egress");
    assertThat(String.valueOf(resourceHealth(app, "SquidProxy", "egress").get("message")))
        .startsWith("Configuration rejected: ")
        .contains("elephants");
    Traffic.Result t = traffic.await();
    Figures.record("argocd.degraded.requestsPerSecond", t.perSecond());
    assertThat(t.failed()).as("failed requests while Degraded: %s", t).isZero();

    writeProxy(List.of(origin.host(), origin.otherHost()), "");
    healthUntil("team-a-egress", commit("team-a: fix the rejected line"), "Healthy", TIMEOUT);
  }

  /**
   * No perpetual OutOfSync. The issue asks for 3 minutes, Argo CD's default reconciliation period
   * (timeout.reconciliation), i.e. one comparison of each Application with Git. Here each
   * Application is refreshed every {@link #DRIFT_POLL} (a refresh is that comparison, against the
   * live objects of the controller's watch cache), so the window is shorter: the operator's
   * Application, which no commit of this class touches, from its first sync to the end of this test
   * (the rollout, the rejected config and its fix: several minutes, some 30 comparisons); the
   * team's for {@link #STAY_SYNCED} after its last sync (6 comparisons). Nothing writes these
   * objects later than that: the operator writes no spec and its resync is every 10 hours.
   */
  @Test
  @Order(4)
  void staysSynced() {
    long start = System.nanoTime();
    long end = start + STAY_SYNCED.toNanos();
    List<String> drift = new ArrayList<>();
    int comparisons = 0;
    while (System.nanoTime() < end) {
      drift.addAll(driftOf("team-a-egress"));
      comparisons++;
      Cluster.sleep(DRIFT_POLL);
    }
    assertThat(operatorDrift).as("the operator's Application was synced first").isNotNull();
    operatorDrift.stop();
    Figures.record("argocd.staySynced.teamComparisons", comparisons);
    Figures.record("argocd.staySynced.operatorComparisons", operatorDrift.comparisons());
    Figures.record("argocd.staySynced.operatorWatchedSeconds", operatorDrift.watched().toSeconds());
    assertThat(drift).as("team-a-egress out of sync while nothing changed in Git").isEmpty();
    assertThat(operatorDrift.drift())
        .as("cephaloproxy-operator out of sync while nothing changed under helm/ in Git")
        .isEmpty();
  }

  /**
   * Upgrading the operator by a commit that bumps the chart's version: Argo CD applies the new
   * chart (every object, the CRD included, gets the new helm.sh/chart label) and the operator's
   * pods roll, while the proxies keep serving. Only one operator image exists here (the release of
   * stage 60), so the commit rolls the operator's pods with a pod annotation in the chart's values,
   * where a real new version would change its image.
   */
  @Test
  @Order(5)
  void upgradingTheOperatorByACommitKeepsProxiesServing() throws Exception {
    Path chart = repo.resolve("helm/cephaloproxy-operator");
    String version = Release.current().version();
    String bumped = version + "-gitops.1";
    Files.writeString(
        chart.resolve("Chart.yaml"),
        Files.readString(chart.resolve("Chart.yaml"))
            .replaceFirst("(?m)^version: .*$", "version: " + bumped));
    Files.writeString(
        chart.resolve("values.yaml"),
        Files.readString(chart.resolve("values.yaml"))
            .replaceFirst("(?m)^podAnnotations: \\{}$", "podAnnotations:\n  upgrade: " + bumped));
    assertThat(Files.readString(chart.resolve("values.yaml")))
        .as("the chart's values.yaml has the top-level podAnnotations: {} this test replaces")
        .contains("upgrade: " + bumped);
    Traffic traffic =
        Traffic.start(client, endpoint(), "http://" + origin.host() + "/hello", 50, 90);
    String revision = commit("the operator's chart " + bumped);
    awaitSynced("cephaloproxy-operator", revision, TIMEOUT);
    Cluster.await(
        "the operator's Deployment rolled to the new chart's pods",
        TIMEOUT,
        () -> {
          Deployment d =
              Cluster.client()
                  .apps()
                  .deployments()
                  .inNamespace(OPERATOR_NS)
                  .withName("cephaloproxy-operator")
                  .get();
          return d != null
              && String.valueOf(d.getMetadata().getLabels().get("helm.sh/chart")).endsWith(bumped)
              && d.getStatus() != null
              && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())
              && d.getSpec().getReplicas().equals(d.getStatus().getUpdatedReplicas())
              && d.getSpec().getReplicas().equals(d.getStatus().getAvailableReplicas())
              && d.getStatus().getReplicas().equals(d.getStatus().getUpdatedReplicas());
        },
        () -> Diagnostics.pods(OPERATOR_NS));
    awaitApp("cephaloproxy-operator", "Synced", "Healthy");
    String crdChart =
        Cluster.client()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("squidproxies.cephaloproxy.io")
            .get()
            .getMetadata()
            .getLabels()
            .get("helm.sh/chart");
    assertThat(crdChart).as("the CRD's chart label after the upgrade").endsWith(bumped);
    Traffic.Result t = traffic.await();
    Figures.record("argocd.upgrade.requestsPerSecond", t.perSecond());
    assertThat(t.failed()).as("failed requests while the operator upgrades: %s", t).isZero();
    assertThat(health(app("team-a-egress"))).isEqualTo("Healthy");
    assertThat(driftOf("cephaloproxy-operator")).as("after the upgrade").isEmpty();
  }

  /**
   * Pruning a SquidProxy from Git removes it and what the operator made for it, except its cache's
   * PersistentVolumeClaim (docs/gitops-argocd.md). The team keeps its other proxy: Argo CD refuses
   * an automated sync that would leave an Application with no resources at all.
   */
  @Test
  @Order(6)
  void pruningFromGitRemovesTheProxyButKeepsItsCache() throws IOException {
    assertThat(cacheClaim()).as("the cache's claim before pruning").isNotNull();
    Files.delete(repo.resolve("egress/" + CACHE_PROXY + ".yaml"));
    String revision = commit("team-a: no cache proxy any more");
    awaitSynced("team-a-egress", revision, TIMEOUT);
    Map<String, String> instance = Map.of("app.kubernetes.io/instance", CACHE_PROXY);
    Cluster.await(
        "SquidProxy " + CACHE_PROXY + " pruned with its Deployment, Service and ConfigMaps",
        TIMEOUT,
        () ->
            SquidProxies.get(TEAM_NS, CACHE_PROXY) == null
                && Cluster.client()
                    .apps()
                    .deployments()
                    .inNamespace(TEAM_NS)
                    .withLabels(instance)
                    .list()
                    .getItems()
                    .isEmpty()
                && Cluster.client()
                    .services()
                    .inNamespace(TEAM_NS)
                    .withLabels(instance)
                    .list()
                    .getItems()
                    .isEmpty()
                && Cluster.client()
                    .configMaps()
                    .inNamespace(TEAM_NS)
                    .withLabels(instance)
                    .list()
                    .getItems()
                    .isEmpty(),
        () -> String.valueOf(status(app("team-a-egress"))));
    assertThat(cacheClaim()).as("the pruned proxy's cache claim (kept, as documented)").isNotNull();
    awaitApp("team-a-egress", "Synced", "Healthy");
    assertThat(SquidProxies.ready(SquidProxies.get(TEAM_NS, "egress"))).isTrue();
  }

  // --- Git ---

  void writeProxy(List<String> domains, String extraConfig) throws IOException {
    Files.createDirectories(repo.resolve("egress"));
    StringBuilder y =
        new StringBuilder(
            """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: egress
        spec:
          replicas: 2
          access:
            allowedDomains:
        """);
    for (String d : domains) {
      y.append("    - ").append(d).append('\n');
    }
    if (!extraConfig.isEmpty()) {
      y.append("  extraConfig: |\n    ").append(extraConfig).append('\n');
    }
    Files.writeString(repo.resolve("egress/egress.yaml"), y.toString());
  }

  /** Commits everything, pushes to the Git server and asks Argo CD to look (as a webhook would). */
  String commit(String message) {
    git("add", "-A");
    git(
        "-c",
        "user.name=e2e",
        "-c",
        "user.email=e2e@cephaloproxy.invalid",
        "commit",
        "-q",
        "-m",
        message);
    Cmd.run(
            Duration.ofSeconds(60),
            "ip",
            "netns",
            "exec",
            client.netns,
            "git",
            "-C",
            repo.toString(),
            "push",
            "-q",
            "--force",
            gitPushUrl,
            "HEAD:main")
        .orThrow();
    String revision = git("rev-parse", "HEAD").trim();
    for (String name : List.of("cephaloproxy-operator", "team-a-egress")) {
      if (app(name) != null) {
        refresh(name);
      }
    }
    return revision;
  }

  String git(String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
    cmd.addAll(List.of(args));
    return Cmd.run(Duration.ofSeconds(60), cmd).orThrow().out();
  }

  // --- Argo CD's Application status ---

  GenericKubernetesResource appResource(String name) {
    return Cluster.client()
        .genericKubernetesResources("argoproj.io/v1alpha1", "Application")
        .inNamespace(ARGOCD_NS)
        .withName(name)
        .get();
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> app(String name) {
    GenericKubernetesResource r = appResource(name);
    if (r == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>(r.getAdditionalProperties());
    m.put("metadata", r.getMetadata());
    return m;
  }

  void refresh(String name) {
    kubectl(
        "annotate",
        "-n",
        ARGOCD_NS,
        "applications.argoproj.io",
        name,
        "argocd.argoproj.io/refresh=normal",
        "--overwrite");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> status(Map<String, Object> app) {
    return app == null ? Map.of() : (Map<String, Object>) app.getOrDefault("status", Map.of());
  }

  @SuppressWarnings("unchecked")
  static String syncStatus(Map<String, Object> app) {
    return String.valueOf(
        ((Map<String, Object>) status(app).getOrDefault("sync", Map.of())).get("status"));
  }

  @SuppressWarnings("unchecked")
  static String syncRevision(Map<String, Object> app) {
    return String.valueOf(
        ((Map<String, Object>) status(app).getOrDefault("sync", Map.of())).get("revision"));
  }

  @SuppressWarnings("unchecked")
  static String health(Map<String, Object> app) {
    return String.valueOf(
        ((Map<String, Object>) status(app).getOrDefault("health", Map.of())).get("status"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> resourceHealth(Map<String, Object> app, String kind, String name) {
    for (Object o : (List<Object>) status(app).getOrDefault("resources", List.of())) {
      Map<String, Object> r = (Map<String, Object>) o;
      if (kind.equals(r.get("kind")) && name.equals(r.get("name"))) {
        return (Map<String, Object>) r.getOrDefault("health", Map.of());
      }
    }
    return Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<String> outOfSync(Map<String, Object> app) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<Object>) status(app).getOrDefault("resources", List.of())) {
      Map<String, Object> r = (Map<String, Object>) o;
      if (!"Synced".equals(r.get("status"))) {
        out.add(r.get("kind") + "/" + r.get("name") + " " + r.get("status"));
      }
    }
    return out;
  }

  /** Refreshes the Application (a comparison with Git) and says how it differs, if it does. */
  List<String> driftOf(String name) {
    refresh(name);
    Cluster.sleep(Duration.ofSeconds(2));
    Map<String, Object> app = app(name);
    String sync = syncStatus(app);
    return "Synced".equals(sync)
        ? List.of()
        : List.of(name + " " + sync + " at " + syncRevision(app) + ": " + outOfSync(app));
  }

  /** {@link #driftOf} every {@link #DRIFT_POLL} in the background until stopped. */
  final class DriftWatch {
    final List<String> drift = Collections.synchronizedList(new ArrayList<>());
    final long start = System.nanoTime();
    final AtomicInteger comparisons = new AtomicInteger();
    final Thread thread;
    volatile boolean stopped;
    volatile long stoppedAt;

    DriftWatch(String name) {
      thread =
          new Thread(
              () -> {
                while (!stopped) {
                  try {
                    drift.addAll(driftOf(name));
                    comparisons.incrementAndGet();
                  } catch (RuntimeException e) {
                    drift.add(name + ": " + e);
                  }
                  Cluster.sleep(DRIFT_POLL);
                }
              },
              "drift-" + name);
      thread.setDaemon(true);
      thread.start();
    }

    void stop() {
      if (!stopped) {
        stoppedAt = System.nanoTime();
        stopped = true;
      }
    }

    Duration watched() {
      return Duration.ofNanos((stopped ? stoppedAt : System.nanoTime()) - start);
    }

    int comparisons() {
      return comparisons.get();
    }

    List<String> drift() {
      return List.copyOf(drift);
    }
  }

  Map<String, Object> awaitApp(String name, String sync, String health) {
    Cluster.await(
        "Application " + name + " " + sync + " and " + health,
        TIMEOUT,
        () -> sync.equals(syncStatus(app(name))) && health.equals(health(app(name))),
        () -> String.valueOf(status(app(name))) + "\n" + Diagnostics.pods(ARGOCD_NS));
    return app(name);
  }

  /**
   * Whether Argo CD has synced {@code revision}: its last sync operation applied that revision and
   * succeeded, and the comparison says Synced at it. (status.sync.revision alone is the revision
   * last compared: it changes as soon as Argo CD sees the commit, while the health is still that of
   * the objects of the previous one.)
   */
  @SuppressWarnings("unchecked")
  static boolean syncedAt(Map<String, Object> app, String revision) {
    Map<String, Object> op =
        (Map<String, Object>) status(app).getOrDefault("operationState", Map.of());
    Map<String, Object> result = (Map<String, Object>) op.getOrDefault("syncResult", Map.of());
    return "Succeeded".equals(op.get("phase"))
        && revision.equals(result.get("revision"))
        && revision.equals(syncRevision(app))
        && "Synced".equals(syncStatus(app));
  }

  void awaitSynced(String name, String revision, Duration timeout) {
    Cluster.await(
        "Application " + name + " synced at " + revision,
        timeout,
        () -> syncedAt(app(name), revision),
        () -> String.valueOf(status(app(name))));
  }

  /**
   * Polls the Application every 200 ms until it has synced {@code revision} ({@link #syncedAt}) and
   * its health is {@code target}; returns the health statuses seen from that sync on.
   */
  List<String> healthUntil(String name, String revision, String target, Duration timeout) {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, Object> app = app(name);
      if (syncedAt(app, revision)) {
        String h = health(app);
        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(h)) {
          seen.add(h);
        }
        if (target.equals(h)) {
          return seen;
        }
      }
      assertThat(System.nanoTime())
          .as(
              "%s: revision %s %s within %s; seen %s; status %s",
              name, revision, target, timeout, seen, status(app))
          .isLessThan(deadline);
      Cluster.sleep(Duration.ofMillis(200));
    }
  }

  static PersistentVolumeClaim cacheClaim() {
    return Cluster.client()
        .persistentVolumeClaims()
        .inNamespace(TEAM_NS)
        .withName(CACHE_CLAIM)
        .get();
  }

  String endpoint() {
    return SquidProxies.endpoint(SquidProxies.get(TEAM_NS, "egress"));
  }

  // --- helpers ---

  /** tests/cluster/argocd/images.sh: builds (cached) and imports the images; KEY=VALUE lines. */
  static Map<String, String> images() {
    Cmd.Result r =
        Cmd.run(
            Duration.ofMinutes(90),
            Cluster.REPO.resolve("tests/cluster/argocd/images.sh").toString());
    if (r.exit() != 0) {
      throw new AssertionError(
          "tests/cluster/argocd/images.sh failed (exit " + r.exit() + "):\n" + r.err());
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : r.out().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        m.put(line.substring(0, eq), line.substring(eq + 1).trim());
      }
    }
    assertThat(m).containsKeys("ARGOCD_IMAGE", "REDIS_IMAGE", "ARGOCD_CRDS");
    return m;
  }

  static Cmd.Result kubectl(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(Cluster.kubectlCli(), "--kubeconfig", Cluster.KUBECONFIG.toString()));
    cmd.addAll(List.of(args));
    return Cmd.run(Duration.ofSeconds(120), cmd);
  }

  void apply(String namespace, String yaml) {
    try {
      Path f = Files.createTempFile(workDir, "apply", ".yaml");
      Files.writeString(f, yaml);
      kubectl("apply", "--server-side", "-n", namespace, "-f", f.toString()).orThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void createNamespace(String name) {
    kubectl("create", "namespace", name).orThrow();
    kubectl(
            "label",
            "namespace",
            name,
            "pod-security.kubernetes.io/enforce=restricted",
            "pod-security.kubernetes.io/enforce-version=latest",
            "app.kubernetes.io/part-of=cephaloproxy-e2e")
        .orThrow();
  }

  static String resource(String path) {
    try (var in = ArgoCdE2E.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fenced yaml blocks of docs/gitops-argocd.md that contain {@code marker}. */
  static List<String> docBlocks(String marker) {
    try {
      List<String> blocks = new ArrayList<>();
      Matcher m = Pattern.compile("(?s)```yaml\n(.*?)```").matcher(Files.readString(DOC));
      while (m.find()) {
        if (m.group(1).contains(marker)) {
          blocks.add(m.group(1));
        }
      }
      assertThat(blocks).as("yaml blocks with '%s' in %s", marker, DOC).isNotEmpty();
      return blocks;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String docBlock(String marker) {
    List<String> b = docBlocks(marker);
    assertThat(b).as("yaml blocks with '%s' in %s", marker, DOC).hasSize(1);
    return b.get(0);
  }

  /**
   * Requests at a fixed rate through the proxy from the pod network (curl --rate), in the
   * background.
   */
  record Traffic(Process process, Path out, long started) {
    record Result(int requests, long failed, String codes, double seconds) {
      double perSecond() {
        return Math.round(requests / seconds * 10) / 10.0;
      }
    }

    static Traffic start(
        PodNetworkClient client, String proxy, String url, int perSecond, int seconds)
        throws IOException {
      Path out = Files.createTempFile("traffic", ".txt");
      Process p =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  client.netns,
                  "curl",
                  "-s",
                  "-o",
                  "/dev/null",
                  "--max-time",
                  "2",
                  "--rate",
                  perSecond + "/s",
                  "-w",
                  "%{http_code}\\n",
                  "-x",
                  "http://" + proxy,
                  url + "?[1-" + (perSecond * seconds) + "]")
              .redirectOutput(out.toFile())
              .redirectErrorStream(false)
              .start();
      return new Traffic(p, out, System.nanoTime());
    }

    Result await() throws Exception {
      process.waitFor();
      double seconds = (System.nanoTime() - started) / 1e9;
      List<String> codes = Files.readAllLines(out);
      Map<String, Long> byCode = new LinkedHashMap<>();
      codes.forEach(c -> byCode.merge(c, 1L, Long::sum));
      return new Result(
          codes.size(),
          codes.stream().filter(c -> !c.equals("200")).count(),
          byCode.toString(),
          seconds);
    }
  }
}
