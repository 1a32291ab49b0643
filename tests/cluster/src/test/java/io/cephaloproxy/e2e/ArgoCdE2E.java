package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Cmd;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
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

  /** How often each watched Application is refreshed (compared with Git) by the test. */
  static final Duration REFRESH = Duration.ofSeconds(10);

  /** How long each Application must stay Synced after its last sync (the issue: 3 minutes). */
  static final Duration STAY_SYNCED = Duration.ofMinutes(3);

  /**
   * The request load through the team's proxy: {@link #LOAD_STREAMS} curl streams of {@link
   * #LOAD_PER_STREAM} requests a second, at most 55/s, of which at least {@link #REQUIRED_RATE}
   * must be reached (curl's --rate is a ceiling: see {@link PodNetworkClient#startLoads}).
   */
  static final int LOAD_STREAMS = 11;

  static final int LOAD_PER_STREAM = 5;
  static final double REQUIRED_RATE = 50;

  /** How long the load goes on after what a test waits for: old pods still drain meanwhile. */
  static final Duration LOAD_TAIL = Duration.ofSeconds(10);

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
  DriftWatch teamDrift;

  /** The origin and the pod-network client, deployed while Argo CD is installed. */
  java.util.concurrent.CompletableFuture<Void> originAndClient;

  /** Seconds since the suite started, for the [timing] lines that say where its time goes. */
  final long suiteStart = System.nanoTime();

  void timing(String what) {
    System.out.printf(
        "[timing] ArgoCdE2E +%.1f s: %s%n", (System.nanoTime() - suiteStart) / 1e9, what);
  }

  @BeforeAll
  void setUp() throws IOException {
    for (String n : List.of(ARGOCD_NS, OPERATOR_NS, TEAM_NS)) {
      assertThat(Cluster.client().namespaces().withName(n).get())
          .as("namespace %s left by an earlier run (stage 80 removes it)", n)
          .isNull();
    }
    workDir = Files.createTempDirectory("argocd-e2e");
    // independent of Argo CD: deployed meanwhile (Argo CD's install took about 2 minutes)
    originAndClient =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              origin = Origin.deploy(workDir);
              client = PodNetworkClient.create("argocd-e2e", 205);
              timing("origin and client ready");
            });
    // the operator's Application applies the chart's CRD: one left by an earlier install goes first
    OperatorRelease.removeCrd();
    images = images();
    timing("images ready");
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
    timing("Argo CD ready");
    originAndClient.join();
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
    timing("set up");
  }

  @AfterAll
  void tearDown() {
    timing("tests done");
    if (originAndClient != null) {
      // a failed set-up: let the origin and client it started finish, so they are removed below
      try {
        originAndClient.join();
      } catch (RuntimeException e) {
        System.out.println("origin or client: " + e);
      }
    }
    for (DriftWatch w : java.util.Arrays.asList(operatorDrift, teamDrift)) {
      if (w != null) {
        w.stop();
      }
    }
    if (client != null) {
      // a load a failed test left running
      client.endStreams();
    }
    // Argo CD's application controller first, so that it does not put back what is removed after
    // it; then the namespaces at once
    List<String> namespaces = new ArrayList<>(List.of(ARGOCD_NS, TEAM_NS, OPERATOR_NS));
    if (Cluster.client().namespaces().withName(ARGOCD_NS).get() != null) {
      Cluster.client().namespaces().withName(ARGOCD_NS).delete();
      Cluster.await(
          "Argo CD's application controller stopped",
          TIMEOUT,
          () ->
              Cluster.client()
                  .pods()
                  .inNamespace(ARGOCD_NS)
                  .withLabel("app.kubernetes.io/name", "argocd-application-controller")
                  .list()
                  .getItems()
                  .isEmpty());
      timing("Argo CD's application controller stopped");
    }
    if (origin != null) {
      origin.close();
      namespaces.add(origin.namespace);
    }
    // their pods stopped without a graceful drain: nothing after this needs one
    Cluster.deleteNamespaces(TIMEOUT, namespaces.toArray(String[]::new));
    timing("namespaces deleted");
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
    timing("torn down");
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
   * A commit that changes the proxy: Progressing, then Healthy, while at least 50 requests a second
   * go through it from before the commit until {@link #LOAD_TAIL} after Healthy, none failing.
   */
  @Test
  @Order(2)
  void aChangeGoesProgressingThenHealthyWithoutFailedRequests() throws IOException {
    PodNetworkClient.Loads load = startLoad("/rollout");
    writeProxy(List.of(origin.host(), origin.otherHost()), "");
    String revision = commit("team-a: allow the second origin name");
    List<String> seen = healthUntil("team-a-egress", revision, "Healthy", TIMEOUT);
    assertThat(seen).as("Application health while the change rolls out").contains("Progressing");
    Cluster.sleep(LOAD_TAIL);
    assertServed("rollout", stopLoad("rollout", load));
  }

  /**
   * A configuration Squid rejects: Degraded with the operator's message while at least 50 requests
   * a second keep being served; the fixing commit brings it back to Healthy. That is the team
   * Application's last sync before {@link #theTeamApplicationStaysSyncedThroughTheOperatorUpgrade}:
   * its no-OutOfSync window starts here.
   */
  @Test
  @Order(3)
  void aRejectedConfigurationIsDegradedWhileTrafficFlows() throws IOException {
    PodNetworkClient.Loads load = startLoad("/degraded");
    writeProxy(List.of(origin.host(), origin.otherHost()), "cache_mem 64 elephants");
    String revision = commit("team-a: a line Squid rejects");
    healthUntil("team-a-egress", revision, "Degraded", TIMEOUT);
    Map<String, Object> app = app("team-a-egress");
    assertThat(String.valueOf(resourceHealth(app, "SquidProxy", "egress").get("message")))
        .startsWith("Configuration rejected: ")
        .contains("elephants");
    Cluster.sleep(LOAD_TAIL);
    PodNetworkClient.Loads.Result served = stopLoad("degraded", load);

    writeProxy(List.of(origin.host(), origin.otherHost()), "");
    healthUntil("team-a-egress", commit("team-a: fix the rejected line"), "Healthy", TIMEOUT);
    teamDrift = new DriftWatch("team-a-egress");
    assertServed("degraded", served);
  }

  /**
   * No perpetual OutOfSync, for the operator's Application: it stays Synced for {@link
   * #STAY_SYNCED} after its sync (the first one; no commit of this class touches helm/ before
   * {@link #upgradingTheOperatorByACommitKeepsProxiesServing}). Its {@link DriftWatch} started when
   * it was first Synced and Healthy, so the commits to the team's directory, the rollout and the
   * rejected configuration fall inside the window, and this test waits only for what is left of it.
   */
  @Test
  @Order(4)
  void theOperatorApplicationStaysSyncedForThreeMinutes() {
    assertThat(operatorDrift).as("the operator's Application was synced first").isNotNull();
    assertStaysSynced(operatorDrift, "nothing changed under helm/ in Git");
  }

  /**
   * Upgrading the operator by a commit that bumps the chart's version: the next version (this
   * release's patch + 1) as scripts/release.sh would package it, its chart version and appVersion
   * bumped and its operator image a new one: the released operator image rebuilt with one more
   * label (the same program under another digest, as a release that changes nothing of the proxies
   * would be), pushed to the local registry. Argo CD applies the new chart (every object, the CRD
   * included, gets the new helm.sh/chart label) and the operator's two pods roll (leader election,
   * maxUnavailable 0) to the new image, pulled by digest. The Squid image stays the same, so by
   * docs/upgrading.md's rule no proxy pod is replaced or restarted; the team's proxy serves at
   * least 50 requests a second throughout, none failing.
   */
  @Test
  @Order(5)
  void upgradingTheOperatorByACommitKeepsProxiesServing() throws IOException {
    if (operatorDrift != null) {
      operatorDrift.stop();
    }
    Release release = Release.current();
    String next = nextPatch(release.version());
    Path chart = repo.resolve("helm/cephaloproxy-operator");
    String values = Files.readString(chart.resolve("values.yaml"));
    // the operator image of the chart in Git (pulled from the registry in setUp) and of its pods
    String current = operatorImageOf(values);
    for (Pod pod : operatorPods()) {
      ReleaseE2E.assertPulledByDigest(pod, current);
    }
    String image = pushRebuiltOperatorImage(current, release.registry(), next);
    assertThat(image).as("the next version's operator image").isNotEqualTo(current);
    Files.writeString(
        chart.resolve("values.yaml"),
        values.replace(
            "digest: \"" + Release.digest(current) + "\"",
            "digest: \"" + Release.digest(image) + "\""));
    assertThat(operatorImageOf(Files.readString(chart.resolve("values.yaml")))).isEqualTo(image);
    Files.writeString(
        chart.resolve("Chart.yaml"),
        Files.readString(chart.resolve("Chart.yaml"))
            .replaceFirst("(?m)^version: .*$", "version: " + next)
            .replaceFirst("(?m)^appVersion: .*$", "appVersion: \"" + next + "\""));
    Map<String, Map<String, String>> proxyPods = new LinkedHashMap<>();
    for (String proxy : List.of("egress", CACHE_PROXY)) {
      proxyPods.put(proxy, OlmE2E.podUids(TEAM_NS, proxy));
      assertThat(proxyPods.get(proxy)).as("pods of %s before the upgrade", proxy).isNotEmpty();
    }

    PodNetworkClient.Loads load = startLoad("/upgrade");
    long start = System.nanoTime();
    String revision = commit("the operator's chart " + next + " (operator image " + image + ")");
    awaitSynced("cephaloproxy-operator", revision, TIMEOUT);
    Cluster.await(
        "the operator's Deployment rolled out to " + image,
        TIMEOUT,
        () -> {
          Deployment d = operatorDeployment();
          return d != null
              && image.equals(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
              && d.getStatus() != null
              && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())
              && d.getSpec().getReplicas().equals(d.getStatus().getUpdatedReplicas())
              && d.getSpec().getReplicas().equals(d.getStatus().getAvailableReplicas())
              && d.getStatus().getReplicas().equals(d.getStatus().getUpdatedReplicas())
              && operatorPods().size() == d.getSpec().getReplicas();
        },
        () -> Diagnostics.pods(OPERATOR_NS));
    awaitApp("cephaloproxy-operator", "Synced", "Healthy");
    Figures.record(
        "argocd.upgrade.commitToOperatorRolledSeconds", (System.nanoTime() - start) / 1e9);
    Deployment operator = operatorDeployment();
    assertThat(operator.getMetadata().getLabels().get("helm.sh/chart"))
        .as("the operator Deployment's chart label after the upgrade")
        .endsWith(next);
    List<Pod> pods = operatorPods();
    assertThat(pods).hasSize(operator.getSpec().getReplicas());
    for (Pod pod : pods) {
      // the new image, pulled from the registry by its digest
      ReleaseE2E.assertPulledByDigest(pod, image);
    }
    String crdChart =
        Cluster.client()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(OperatorRelease.CRD)
            .get()
            .getMetadata()
            .getLabels()
            .get("helm.sh/chart");
    assertThat(crdChart).as("the CRD's chart label after the upgrade").endsWith(next);
    Cluster.sleep(LOAD_TAIL);
    PodNetworkClient.Loads.Result served = stopLoad("upgrade", load);

    // what the proxies' users see: nothing of what their pods run changed, so the same pods
    for (String proxy : proxyPods.keySet()) {
      assertThat(OlmE2E.podUids(TEAM_NS, proxy))
          .as("the pods of %s after the operator's upgrade: the same pods", proxy)
          .isEqualTo(proxyPods.get(proxy));
      assertThat(SquidProxies.pods(TEAM_NS, proxy))
          .allSatisfy(
              p ->
                  assertThat(p.getStatus().getContainerStatuses())
                      .as("containers of %s", p.getMetadata().getName())
                      .allSatisfy(c -> assertThat(c.getRestartCount()).isZero()));
    }
    assertThat(health(app("team-a-egress"))).isEqualTo("Healthy");
    assertThat(driftOf("cephaloproxy-operator")).as("after the upgrade").isEmpty();
    assertServed("upgrade", served);
  }

  /**
   * No perpetual OutOfSync, for the team's Application: it stays Synced for {@link #STAY_SYNCED}
   * after its last sync (the fixing commit of {@link
   * #aRejectedConfigurationIsDegradedWhileTrafficFlows}), a window that runs at the same time as
   * the operator's and through the operator's upgrade (the upgrade commit is compared too: nothing
   * under egress/ changed). This test waits only for what is left of it.
   */
  @Test
  @Order(6)
  void theTeamApplicationStaysSyncedThroughTheOperatorUpgrade() {
    assertThat(teamDrift).as("the team's Application reached its last sync").isNotNull();
    assertStaysSynced(teamDrift, "nothing changed under egress/ in Git");
  }

  /**
   * Pruning a SquidProxy from Git removes it and what the operator made for it, except its cache's
   * PersistentVolumeClaim (docs/gitops-argocd.md). The team keeps its other proxy: Argo CD refuses
   * an automated sync that would leave an Application with no resources at all.
   */
  @Test
  @Order(7)
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
    return driftIn(app(name));
  }

  /** How the Application differs from Git, if its status says it does (not Synced). */
  static List<String> driftIn(Map<String, Object> app) {
    String sync = syncStatus(app);
    return "Synced".equals(sync)
        ? List.of()
        : List.of(
            ((io.fabric8.kubernetes.api.model.ObjectMeta) app.get("metadata")).getName()
                + " "
                + sync
                + " at "
                + syncRevision(app)
                + ": "
                + outOfSync(app));
  }

  @SuppressWarnings("unchecked")
  static Object operationStartedAt(Map<String, Object> app) {
    return ((Map<String, Object>) status(app).getOrDefault("operationState", Map.of()))
        .get("startedAt");
  }

  /**
   * Watches one Application from now until {@link #stop}: every version of it the API server stores
   * (an informer: each status write Argo CD makes, so an OutOfSync that lasts only until self-heal
   * syncs it again is seen, however briefly it lasted), recording each that is not Synced and each
   * sync operation that starts (self-heal would start one); and asks Argo CD to compare it with Git
   * every {@link #REFRESH}, counting the comparisons it made (distinct status.reconciledAt).
   */
  final class DriftWatch {
    final String name;
    final long start = System.nanoTime();
    final List<String> drift = Collections.synchronizedList(new ArrayList<>());
    final java.util.Set<Object> comparisons = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final java.util.Set<Object> operations = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final AtomicInteger versions = new AtomicInteger();
    final Object firstOperation;
    final io.fabric8.kubernetes.client.informers.SharedIndexInformer<GenericKubernetesResource>
        informer;
    final Thread refresher;
    volatile boolean stopped;
    volatile long stoppedAt;

    DriftWatch(String name) {
      this.name = name;
      Map<String, Object> now = app(name);
      assertThat(syncStatus(now)).as("%s when its watch starts", name).isEqualTo("Synced");
      firstOperation = operationStartedAt(now);
      informer =
          Cluster.client()
              .genericKubernetesResources("argoproj.io/v1alpha1", "Application")
              .inNamespace(ARGOCD_NS)
              .withName(name)
              .inform(
                  new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource r) {
                      observe(r);
                    }

                    @Override
                    public void onUpdate(
                        GenericKubernetesResource old, GenericKubernetesResource r) {
                      observe(r);
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource r, boolean unknown) {
                      drift.add(name + " deleted");
                    }
                  });
      refresher =
          new Thread(
              () -> {
                while (!stopped) {
                  try {
                    refresh(name);
                  } catch (RuntimeException e) {
                    drift.add(name + ": refresh failed: " + e);
                  }
                  Cluster.sleep(REFRESH);
                }
              },
              "refresh-" + name);
      refresher.setDaemon(true);
      refresher.start();
    }

    private void observe(GenericKubernetesResource r) {
      if (stopped) {
        return;
      }
      Map<String, Object> app = new LinkedHashMap<>(r.getAdditionalProperties());
      app.put("metadata", r.getMetadata());
      versions.incrementAndGet();
      Object reconciledAt = status(app).get("reconciledAt");
      if (reconciledAt != null) {
        comparisons.add(reconciledAt);
      }
      Object operation = operationStartedAt(app);
      if (operation != null && !operation.equals(firstOperation) && operations.add(operation)) {
        drift.add(name + ": a sync operation started at " + operation + " with nothing to sync");
      }
      for (String d : driftIn(app)) {
        drift.add(java.time.Instant.now() + " " + d);
      }
    }

    /** Waits until the Application has been watched for {@code window}. */
    void awaitWatched(Duration window) {
      long left = window.toNanos() - (System.nanoTime() - start);
      if (left > 0) {
        Cluster.sleep(Duration.ofNanos(left));
      }
    }

    void stop() {
      if (!stopped) {
        stoppedAt = System.nanoTime();
        stopped = true;
        informer.close();
      }
    }

    Duration watched() {
      return Duration.ofNanos((stopped ? stoppedAt : System.nanoTime()) - start);
    }

    List<String> drift() {
      return List.copyOf(drift);
    }
  }

  /**
   * Waits until {@code watch} has covered {@link #STAY_SYNCED}, ends it and asserts that the
   * Application never left Synced and never synced again, having been compared with Git at least
   * once per {@link #REFRESH} on average.
   */
  void assertStaysSynced(DriftWatch watch, String because) {
    watch.awaitWatched(STAY_SYNCED);
    watch.stop();
    String figure = "argocd.staySynced." + watch.name;
    Figures.record(figure + ".watchedSeconds", watch.watched().toSeconds());
    Figures.record(figure + ".comparisons", watch.comparisons.size());
    Figures.record(figure + ".versionsSeen", watch.versions.get());
    assertThat(watch.drift())
        .as("%s out of sync (or synced again) while %s", watch.name, because)
        .isEmpty();
    assertThat(watch.watched()).isGreaterThanOrEqualTo(STAY_SYNCED);
    assertThat(watch.comparisons.size())
        .as("comparisons of %s with Git in %s s", watch.name, watch.watched().toSeconds())
        .isGreaterThanOrEqualTo((int) (STAY_SYNCED.toSeconds() / REFRESH.toSeconds() / 2));
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

  /**
   * Starts the request load ({@link #LOAD_STREAMS} streams) through the team's proxy from the pod
   * network to the origin's {@code path}, long enough for any test ({@link
   * PodNetworkClient.Loads#stop} ends it).
   */
  PodNetworkClient.Loads startLoad(String path) {
    return client.startLoads(
        endpoint(),
        "http://" + origin.host() + path,
        LOAD_STREAMS,
        LOAD_PER_STREAM,
        TIMEOUT.multipliedBy(4));
  }

  /** Ends the load and records what it measured as the figures argocd.WHAT.*. */
  static PodNetworkClient.Loads.Result stopLoad(String what, PodNetworkClient.Loads load) {
    PodNetworkClient.Loads.Result r = load.stop();
    Figures.record("argocd." + what + ".requests", r.outcome().requests());
    Figures.record("argocd." + what + ".requestsPerSecond", r.perSecond());
    Figures.record("argocd." + what + ".slowestSeconds", r.outcome().slowestSeconds());
    return r;
  }

  /**
   * Asserts what the load's clients noticed: every request answered 200, at {@link #REQUIRED_RATE}
   * requests a second or more (asserted after the test's other steps, so that a failure here does
   * not leave Git or the cluster half-way for the next test).
   */
  static void assertServed(String what, PodNetworkClient.Loads.Result r) {
    assertThat(r.outcome().failures()).as("failed requests (%s): %s", what, r).isEmpty();
    assertThat(r.perSecond())
        .as("requests per second through the proxy (%s): %s", what, r)
        .isGreaterThanOrEqualTo(REQUIRED_RATE);
  }

  static Deployment operatorDeployment() {
    return Cluster.client()
        .apps()
        .deployments()
        .inNamespace(OPERATOR_NS)
        .withName("cephaloproxy-operator")
        .get();
  }

  /** The operator's pods that are not being deleted. */
  static List<Pod> operatorPods() {
    return Cluster.client()
        .pods()
        .inNamespace(OPERATOR_NS)
        .withLabel("app.kubernetes.io/name", "cephaloproxy-operator")
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** MAJOR.MINOR.(PATCH + 1) of a SemVer version (a pre-release suffix dropped). */
  static String nextPatch(String version) {
    String[] v = version.split("[.-]");
    return v[0] + "." + v[1] + "." + (Integer.parseInt(v[2]) + 1);
  }

  /**
   * The operator image a chart's values.yaml pins (image.repository@image.digest, as
   * scripts/release.sh writes them).
   */
  static String operatorImageOf(String values) {
    String repository = null;
    String digest = null;
    boolean inImage = false;
    for (String line : values.split("\n")) {
      if (!line.startsWith(" ") && !line.startsWith("#") && !line.isBlank()) {
        inImage = line.equals("image:");
      } else if (inImage && line.startsWith("  repository: ")) {
        repository = line.substring("  repository: ".length()).trim();
      } else if (inImage && line.startsWith("  digest: ")) {
        digest = line.substring("  digest: ".length()).trim().replace("\"", "");
      }
    }
    assertThat(digest)
        .as("image.digest in the chart's values.yaml (a released chart pins it)")
        .startsWith("sha256:");
    return repository + "@" + digest;
  }

  /**
   * The operator image {@code from} rebuilt with one more label (the same program, another digest),
   * pushed to {@code registry} as cephaloproxy/operator:{@code version}; returns it by digest
   * (REGISTRY/cephaloproxy/operator@sha256:...).
   */
  String pushRebuiltOperatorImage(String from, String registry, String version) throws IOException {
    String tag = registry + "/cephaloproxy/operator:" + version;
    Path context = Files.createDirectories(workDir.resolve("operator-" + version));
    Files.writeString(
        context.resolve("Dockerfile"),
        "FROM " + from + "\nLABEL io.cephaloproxy.e2e.rebuilt-for=\"" + version + "\"\n");
    Cmd.run(Duration.ofMinutes(5), "docker", "build", "-q", "-t", tag, context.toString())
        .orThrow();
    String pushed = Cmd.run(Duration.ofMinutes(5), "docker", "push", tag).orThrow().out();
    Cmd.run(Duration.ofMinutes(1), "docker", "rmi", tag);
    Matcher m = Pattern.compile("digest: (sha256:[0-9a-f]{64})").matcher(pushed);
    assertThat(m.find()).as("the digest in docker push's output: %s", pushed).isTrue();
    return registry + "/cephaloproxy/operator@" + m.group(1);
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
}
