package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Cmd;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * CephaloProxy installed by the Operator Lifecycle Manager, as OperatorHub users get it: OLM v0
 * (v0.33.0, built from its Go module and installed by scripts/olm/install.sh, images from the local
 * registry), a CatalogSource serving the release's file-based catalog image (stage 60), and per
 * install mode an OperatorGroup and a Subscription to the release's package and channel. For each
 * of OwnNamespace, SingleNamespace and AllNamespaces: the CSV reaches Succeeded, the operator
 * Deployment OLM created is Available and runs the release's operator image by digest, every
 * alm-examples entry of the installed CSV is admitted by the API server, and the {@code basic}
 * example becomes Ready in a watched namespace and proxies a request to the local origin. OLM and
 * everything the test created are removed afterwards (scripts/olm/uninstall.sh).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OlmE2E {
  static final Duration TIMEOUT = Duration.ofSeconds(240);
  static final String OLM_GROUP = "operators.coreos.com";
  static final String CATALOG_NAMESPACE = "olm";
  static final String CATALOG = "cephaloproxy-e2e";
  static final String DEPLOYMENT = "cephaloproxy-operator";
  static final String UPGRADE_CATALOG = "cephaloproxy-upgrade";

  Release release;

  /** The next release (the upgrade test's), made in {@link #setUp()}. */
  Release next;

  Path workDir;
  Origin origin;
  PodNetworkClient client;
  final List<String> namespaces = new ArrayList<>();

  @BeforeAll
  void setUp() throws IOException {
    Cluster.client();
    release = Release.current();
    workDir = Files.createTempDirectory("olm-e2e");
    long start = System.nanoTime();
    script("install.sh", Duration.ofMinutes(15));
    Figures.record("OLM install seconds", (System.nanoTime() - start) / 1e9);
    OperatorRelease.removeCrd();
    // the catalogs' pods start while the next release is made and the origin deployed (the
    // Subscriptions name their catalog: the upgrade's is not seen by the other tests)
    start = System.nanoTime();
    apply(catalogSource(CATALOG, release.required("CATALOG_IMAGE")));
    long nextStart = System.nanoTime();
    next = nextRelease(nextVersion());
    Figures.record("OLM upgrade: next release seconds", seconds(nextStart));
    apply(catalogSource(UPGRADE_CATALOG, next.required("CATALOG_IMAGE")));
    origin = Steps.time("deploy the origin", () -> Origin.deploy(workDir));
    client = PodNetworkClient.create("olm-e2e", 231);
    awaitCatalog(CATALOG);
    Figures.record("OLM catalog ready seconds", (System.nanoTime() - start) / 1e9);
  }

  @AfterAll
  void tearDown() {
    if (client != null) {
      client.close();
    }
    for (String ns : namespaces) {
      removeOperator(ns);
    }
    List<String> leftovers = new ArrayList<>(namespaces);
    if (origin != null) {
      leftovers.add(origin.namespace);
    }
    Cluster.deleteNamespaces(TIMEOUT, leftovers.toArray(String[]::new));
    Steps.time("remove the CRD", OperatorRelease::removeCrd);
    Steps.time("scripts/olm/uninstall.sh", () -> script("uninstall.sh", Duration.ofMinutes(6)));
  }

  static String catalogSource(String name, String image) {
    return """
        apiVersion: operators.coreos.com/v1alpha1
        kind: CatalogSource
        metadata:
          name: %s
          namespace: %s
          labels:
            app.kubernetes.io/part-of: cephaloproxy-e2e
        spec:
          sourceType: grpc
          image: %s
          displayName: CephaloProxy (e2e)
          publisher: CephaloProxy
          grpcPodConfig:
            securityContextConfig: restricted
        """
        .formatted(name, CATALOG_NAMESPACE, image);
  }

  static void awaitCatalog(String name) {
    Cluster.await(
        "CatalogSource " + name + " READY",
        TIMEOUT,
        () ->
            "READY"
                .equals(
                    path(
                        olm("v1alpha1", "CatalogSource")
                            .inNamespace(CATALOG_NAMESPACE)
                            .withName(name)
                            .get(),
                        "status",
                        "connectionState",
                        "lastObservedState")),
        () -> Diagnostics.pods(CATALOG_NAMESPACE));
  }

  /**
   * The Subscription "cephaloproxy" in {@code ns} to the release's package and channel from the
   * CatalogSource {@code catalog}, with {@code approval} (Automatic or Manual) and, unless null,
   * {@code startingCsv}.
   */
  String subscriptionYaml(String ns, String catalog, String approval, String startingCsv) {
    return """
        apiVersion: operators.coreos.com/v1alpha1
        kind: Subscription
        metadata:
          name: cephaloproxy
          namespace: %s
        spec:
          name: %s
          channel: %s
          source: %s
          sourceNamespace: %s
          installPlanApproval: %s
        %s"""
        .formatted(
            ns,
            release.required("OLM_PACKAGE"),
            release.required("OLM_CHANNEL"),
            catalog,
            CATALOG_NAMESPACE,
            approval,
            startingCsv == null ? "" : "  startingCSV: " + startingCsv + "\n");
  }

  /** An OperatorGroup in {@code ns} targeting {@code targets} (null: all namespaces). */
  static String operatorGroup(String ns, List<String> targets) {
    return """
        apiVersion: operators.coreos.com/v1
        kind: OperatorGroup
        metadata:
          name: cephaloproxy
          namespace: %s
        spec: %s
        """
        .formatted(
            ns,
            targets == null ? "{}" : "{targetNamespaces: [" + String.join(", ", targets) + "]}");
  }

  void awaitCsvSucceeded(String what, String ns, String csvName) {
    Cluster.await(
        what + ": CSV " + csvName + " Succeeded in " + ns,
        TIMEOUT,
        () -> "Succeeded".equals(path(csv(ns, csvName), "status", "phase")),
        () ->
            "subscription "
                + path(subscription(ns), "status")
                + "; csv "
                + path(csv(ns, csvName), "status")
                + "; "
                + Diagnostics.pods(ns)
                + "; catalog namespace "
                + Diagnostics.pods(CATALOG_NAMESPACE));
  }

  /** Waits for the Deployment OLM made from the CSV to be available. */
  static void awaitOperatorAvailable(String what, String ns) {
    Cluster.await(
        what + ": operator Deployment available in " + ns,
        TIMEOUT,
        () -> {
          Deployment d =
              Cluster.client().apps().deployments().inNamespace(ns).withName(DEPLOYMENT).get();
          return d != null
              && d.getStatus() != null
              && d.getStatus().getObservedGeneration() != null
              && d.getStatus().getObservedGeneration().equals(d.getMetadata().getGeneration())
              && Integer.valueOf(1).equals(d.getStatus().getAvailableReplicas())
              && Integer.valueOf(1).equals(d.getStatus().getUpdatedReplicas())
              && Integer.valueOf(1).equals(d.getStatus().getReplicas());
        },
        () -> Diagnostics.pods(ns));
  }

  static Pod operatorPod(String ns) {
    return Cluster.client()
        .pods()
        .inNamespace(ns)
        .withLabel("app.kubernetes.io/name", DEPLOYMENT)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no operator pod in " + ns));
  }

  @Test
  @Order(1)
  void ownNamespace() {
    String ns = namespace("e2e-olm-own");
    installAndServe("OwnNamespace", ns, ns, List.of(ns));
  }

  @Test
  @Order(2)
  void singleNamespace() {
    String ns = namespace("e2e-olm-single");
    String target = namespace("e2e-olm-target");
    installAndServe("SingleNamespace", ns, target, List.of(target));
  }

  @Test
  @Order(3)
  void allNamespaces() {
    String ns = namespace("e2e-olm-all");
    String tenant = namespace("e2e-olm-tenant");
    installAndServe("AllNamespaces", ns, tenant, null);
  }

  /**
   * The upgrade a user approves: the next release (this one's minor version + 1) is made by
   * scripts/release.sh with RELEASE_PREVIOUS=this release, so its catalog holds both bundles and
   * the new CSV replaces the old one; its Squid image is this release's rebuilt (same content,
   * another digest), as a release with a Squid update would be. A Subscription with manual approval
   * and startingCSV of this version: each InstallPlan waits for approval (nothing is installed
   * before); after the upgrade is approved, the CSV moves to the next version, OLM applies its CRD
   * and replaces the operator. Two proxies serve 50 requests/s each throughout, 0 failures: one
   * pins spec.image (what its pods run does not change: the same pods, never restarted), the other
   * follows the operator's default image (its pods roll to the new digest, one surge pod at a
   * time). The clients notice nothing: no request fails or waits more than 5 s.
   */
  @Test
  @Order(4)
  void upgradeThroughAManualApprovalInstallPlan() {
    String from = release.version();
    String to = nextVersion();
    String pkg = release.required("OLM_PACKAGE");
    String fromCsv = pkg + ".v" + from;
    String toCsv = pkg + ".v" + to;

    assertThat(next.version()).isEqualTo(to);
    assertThat(next.required("OLM_REPLACES")).isEqualTo(fromCsv);
    assertThat(next.squidImage()).isNotEqualTo(release.squidImage());
    String catalog = UPGRADE_CATALOG;
    awaitCatalog(catalog);

    String ns = namespace("e2e-olm-upgrade");
    apply(operatorGroup(ns, List.of(ns)));
    apply(subscriptionYaml(ns, catalog, "Manual", fromCsv));
    // manual approval: the InstallPlan of the starting version waits, nothing is installed
    GenericKubernetesResource plan = awaitPlanRequiringApproval(ns, fromCsv);
    assertThat(olm("v1alpha1", "ClusterServiceVersion").inNamespace(ns).list().getItems())
        .as("CSVs before the InstallPlan is approved")
        .isEmpty();
    approve(plan);
    awaitCsvSucceeded("upgrade: starting version", ns, fromCsv);
    awaitOperatorAvailable("upgrade: " + from, ns);

    // two proxies: one pins the Squid image, one follows the operator's default
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: pinned
        spec:
          replicas: 2
          image: %s
        """
            .formatted(release.squidImage()));
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: following
        spec:
          replicas: 2
        """);
    String pinned = SquidProxies.endpoint(SquidProxies.awaitReady(ns, "pinned", TIMEOUT));
    String following = SquidProxies.endpoint(SquidProxies.awaitReady(ns, "following", TIMEOUT));
    Map<String, String> pinnedPods = podUids(ns, "pinned");
    assertThat(images(ns, "following")).containsOnly(release.squidImage());
    String url = "http://" + origin.host() + "/upgrade";
    assertThat(client.get(pinned, url).status()).isEqualTo(200);
    assertThat(client.get(following, url).status()).isEqualTo(200);

    // the upgrade waits for approval too: the next InstallPlan, the CSV still the old one
    GenericKubernetesResource upgrade = awaitPlanRequiringApproval(ns, toCsv);
    assertThat(path(subscription(ns), "status", "installedCSV")).isEqualTo(fromCsv);
    assertThat(path(csv(ns, toCsv), "status", "phase")).as("the new CSV before approval").isNull();

    long loadStart = System.nanoTime();
    List<PodNetworkClient.Load> pinnedLoad = load(pinned, url);
    List<PodNetworkClient.Load> followingLoad = load(following, url);
    Cluster.sleep(Duration.ofSeconds(3));
    long start = System.nanoTime();
    approve(upgrade);
    awaitCsvSucceeded("upgrade: approved version", ns, toCsv);
    Cluster.await(
        "upgrade: " + fromCsv + " replaced and removed",
        TIMEOUT,
        () ->
            csv(ns, fromCsv) == null
                && toCsv.equals(path(subscription(ns), "status", "installedCSV")));
    awaitOperatorAvailable("upgrade: " + to, ns);
    double csvSeconds = seconds(start);
    Cluster.await(
        "upgrade: proxy 'following' rolled to the new Squid image",
        TIMEOUT,
        () ->
            SquidProxies.ready(SquidProxies.get(ns, "following"))
                && SquidProxies.readyPods(ns, "following").size() == 2
                && SquidProxies.pods(ns, "following").size() == 2
                && images(ns, "following").equals(java.util.Set.of(next.squidImage())),
        () -> Diagnostics.pods(ns));
    double rollSeconds = seconds(start);
    Cluster.sleep(Duration.ofSeconds(5));
    PodNetworkClient.Outcome pinnedOutcome = stop(pinnedLoad);
    PodNetworkClient.Outcome followingOutcome = stop(followingLoad);
    double loadSeconds = seconds(loadStart);
    Figures.record(
        "OLM upgrade: approve to CSV Succeeded and operator available seconds", csvSeconds);
    Figures.record("OLM upgrade: approve to proxies rolled seconds", rollSeconds);
    Figures.record("OLM upgrade: requests through the pinned proxy", pinnedOutcome.requests());
    Figures.record(
        "OLM upgrade: requests through the following proxy", followingOutcome.requests());
    Figures.record(
        "OLM upgrade: requests per second per proxy (50 offered)",
        (pinnedOutcome.requests() + followingOutcome.requests()) / 2.0 / loadSeconds);
    Figures.record("OLM upgrade: slowest request seconds, pinned", pinnedOutcome.slowestSeconds());
    Figures.record(
        "OLM upgrade: slowest request seconds, following", followingOutcome.slowestSeconds());
    // what a client of the proxies notices: every request answered 200, none kept waiting; the
    // streams ran from before the approval to after the roll (stop() fails if one ended early),
    // each request after the previous one, so no wait over 5 s also means the traffic never stalled
    // for longer. How many requests per second curl reaches depends on the machine's load, not on
    // the proxies (26/s of 50 from one stream at load ~16-21): recorded, not asserted.
    assertThat(pinnedOutcome.failures()).as("failed requests through 'pinned'").isEmpty();
    assertThat(followingOutcome.failures()).as("failed requests through 'following'").isEmpty();
    assertThat(pinnedOutcome.slowestSeconds())
        .as("the slowest request through 'pinned' (seconds)")
        .isLessThan(5);
    assertThat(followingOutcome.slowestSeconds())
        .as("the slowest request through 'following' (seconds)")
        .isLessThan(5);

    // what the user sees after the upgrade
    assertThat(podUids(ns, "pinned"))
        .as("the pinned proxy's pods: the same pods, never restarted")
        .isEqualTo(pinnedPods);
    assertThat(SquidProxies.pods(ns, "pinned"))
        .allSatisfy(
            p ->
                assertThat(p.getStatus().getContainerStatuses())
                    .allSatisfy(c -> assertThat(c.getRestartCount()).isZero()));
    Map<String, String> crdAnnotations =
        Cluster.client()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(OperatorRelease.CRD)
            .get()
            .getMetadata()
            .getAnnotations();
    assertThat(crdAnnotations)
        .as("OLM applied the CRD of " + toCsv + " (its installed-alongside record)")
        .containsValue(ns + "/" + toCsv);
    ReleaseE2E.assertPulledByDigest(operatorPod(ns), next.operatorImage());
    assertThat(client.get(pinned, url).status()).isEqualTo(200);
    assertThat(client.get(following, url).status()).isEqualTo(200);

    removeProxiesAndOperator(ns);
    olm("v1alpha1", "CatalogSource").inNamespace(CATALOG_NAMESPACE).withName(catalog).delete();
  }

  /**
   * Issue 14 §6, the cluster proxy: OLM gives the operator HTTP_PROXY, HTTPS_PROXY and NO_PROXY
   * from the Subscription's {@code config.env} (as it does from OpenShift's cluster Proxy). Here
   * they name a second SquidProxy, {@code cluster-proxy}, that plays the cluster proxy; NO_PROXY
   * holds the API server's address (the operator's own Kubernetes client honours the variables too,
   * which OpenShift's NO_PROXY provides for) and the origin's second name. A SquidProxy with {@code
   * upstream.fromClusterProxy: true} then forwards a request through the cluster proxy: the chained
   * proxy's access log shows it went to the cluster proxy's Service address as its parent, and the
   * cluster proxy's log shows it came from the chained proxy's pod and went to the origin directly.
   * A request to the NO_PROXY name goes directly from the chained proxy and never shows in the
   * cluster proxy's log. (OpenShift's NO_PROXY also holds .svc and .cluster.local; the test's
   * origin is named by Services, so those entries would send it direct as well.)
   */
  @Test
  @Order(5)
  void clusterProxyFromTheSubscriptionsConfigEnv() {
    String ns = namespace("e2e-olm-proxy");
    String clusterProxyHost = "cluster-proxy." + ns + ".svc." + Cluster.CLUSTER_DOMAIN;
    String apiServer = Cluster.clusterIp("default", "kubernetes");
    String noProxy = apiServer + "," + origin.otherHost();
    apply(operatorGroup(ns, List.of(ns)));
    apply(
        subscriptionYaml(ns, CATALOG, "Automatic", null)
            + """
              config:
                env:
                - {name: HTTP_PROXY, value: "http://%s:3128"}
                - {name: HTTPS_PROXY, value: "http://%s:3128"}
                - {name: NO_PROXY, value: "%s"}
            """
                .formatted(clusterProxyHost, clusterProxyHost, noProxy));
    String csvName =
        release.required("OLM_PACKAGE") + ".v" + Objects.requireNonNull(release.version());
    awaitCsvSucceeded("cluster proxy", ns, csvName);
    awaitOperatorAvailable("cluster proxy", ns);
    Map<String, String> env = new java.util.TreeMap<>();
    operatorPod(ns)
        .getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .forEach(e -> env.put(e.getName(), e.getValue()));
    assertThat(env)
        .as("OLM gave the operator the Subscription's config.env")
        .containsEntry("HTTPS_PROXY", "http://" + clusterProxyHost + ":3128")
        .containsEntry("NO_PROXY", noProxy);

    // the cluster proxy first: on a cluster it exists before any proxy uses it (Squid resolves
    // its parent's name when it starts)
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: cluster-proxy
        spec: {}
        """);
    SquidProxies.awaitReady(ns, "cluster-proxy", TIMEOUT);
    String clusterProxyAddress = Cluster.clusterIp(ns, "cluster-proxy");
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: chained
        spec:
          upstream:
            fromClusterProxy: true
        """);
    String chained = SquidProxies.endpoint(SquidProxies.awaitReady(ns, "chained", TIMEOUT));
    String chainedPod = SquidProxies.readyPods(ns, "chained").get(0).getStatus().getPodIP();

    String viaUrl = "http://" + origin.host() + "/through-the-cluster-proxy";
    PodNetworkClient.Response via = client.get(chained, viaUrl);
    assertThat(via.status()).as("request through 'chained': " + via).isEqualTo(200);
    String directUrl = "http://" + origin.otherHost() + "/no-proxy";
    PodNetworkClient.Response direct = client.get(chained, directUrl);
    assertThat(direct.status()).as("request to the NO_PROXY name: " + direct).isEqualTo(200);

    String viaChained = awaitLogLine(ns, "chained", viaUrl);
    String viaCluster = awaitLogLine(ns, "cluster-proxy", viaUrl);
    String directChained = awaitLogLine(ns, "chained", directUrl);
    System.out.printf(
        "cluster proxy: access log lines%n  chained:       %s%n  cluster-proxy: %s%n"
            + "  chained (NO_PROXY): %s%n",
        viaChained, viaCluster, directChained);
    assertThat(viaChained)
        .as("'chained' forwarded to the cluster proxy's Service address as its parent")
        .contains("_PARENT/" + clusterProxyAddress);
    assertThat(viaCluster)
        .as("the cluster proxy got the request from the chained proxy's pod and went direct")
        .contains(" " + chainedPod + " ")
        .contains("HIER_DIRECT/" + Origin.OUTSIDE_ADDRESS);
    assertThat(directChained)
        .as("the NO_PROXY name went direct from 'chained'")
        .contains("HIER_DIRECT/" + Origin.OUTSIDE_ADDRESS);
    assertThat(SquidProxies.logs(ns, "cluster-proxy"))
        .as("the cluster proxy never saw the NO_PROXY request")
        .doesNotContain("/no-proxy");

    removeProxiesAndOperator(ns);
  }

  /** The access log line of proxy {@code name} for a GET of {@code url}, once it is logged. */
  static String awaitLogLine(String ns, String name, String url) {
    String[] line = new String[1];
    Cluster.await(
        name + " logged GET " + url,
        Duration.ofSeconds(30),
        () -> {
          line[0] =
              SquidProxies.logs(ns, name)
                  .lines()
                  .filter(l -> l.contains(" GET " + url + " "))
                  .findFirst()
                  .orElse(null);
          return line[0] != null;
        },
        () -> name + "'s log: " + SquidProxies.logs(ns, name));
    return line[0];
  }

  /**
   * 50 requests/s through {@code proxy} as two streams of 25/s (curl sends a stream's requests one
   * after another: a single stream stays below 50/s when a request takes more than 20 ms).
   */
  List<PodNetworkClient.Load> load(String proxy, String url) {
    return List.of(
        client.startLoad(proxy, url, 25, 25 * 900), client.startLoad(proxy, url, 25, 25 * 900));
  }

  static PodNetworkClient.Outcome stop(List<PodNetworkClient.Load> streams) {
    return PodNetworkClient.Outcome.of(streams.stream().map(PodNetworkClient.Load::stop).toList());
  }

  /** This release's minor version + 1: the version the upgrade test releases and approves. */
  String nextVersion() {
    String[] v = release.version().split("[.-]");
    return v[0] + "." + (Integer.parseInt(v[1]) + 1) + ".0";
  }

  /**
   * Releases version {@code to} into the local registry as the next release after this one
   * (scripts/release.sh with RELEASE_PREVIOUS; its record in the work directory, dist/current left
   * alone), with this release's Squid image rebuilt under another digest.
   */
  Release nextRelease(String to) throws IOException {
    String squid = "cephaloproxy.local/squid:" + to + "-e2e";
    Path context = Files.createDirectories(workDir.resolve("squid-" + to));
    Files.writeString(
        context.resolve("Dockerfile"),
        "FROM "
            + release.squidImage()
            + "\nLABEL io.cephaloproxy.e2e.rebuilt-for=\""
            + to
            + "\"\n");
    Cmd.run(Duration.ofMinutes(5), "docker", "build", "-q", "-t", squid, context.toString())
        .orThrow();
    Path out = workDir.resolve("dist");
    String dir =
        Cmd.run(
                Duration.ofMinutes(20),
                "env",
                "RELEASE_OUT=" + out,
                "RELEASE_PREVIOUS=" + release.dir(),
                "RELEASE_SQUID_SOURCE=" + squid,
                // OLM needs neither; they took 256 of 323 s here (load ~18)
                "RELEASE_SBOM_AND_SIGN=false",
                "bash",
                Cluster.REPO.resolve("scripts/release.sh").toString(),
                to,
                release.registry())
            .orThrow()
            .out()
            .trim();
    return Release.read(Path.of(dir, "release.env"));
  }

  GenericKubernetesResource subscription(String ns) {
    return olm("v1alpha1", "Subscription").inNamespace(ns).withName("cephaloproxy").get();
  }

  /** The InstallPlan in {@code ns} for {@code csvName}, once it waits for approval. */
  GenericKubernetesResource awaitPlanRequiringApproval(String ns, String csvName) {
    GenericKubernetesResource[] found = new GenericKubernetesResource[1];
    Cluster.await(
        "InstallPlan for " + csvName + " RequiresApproval in " + ns,
        TIMEOUT,
        () -> {
          for (GenericKubernetesResource p :
              olm("v1alpha1", "InstallPlan").inNamespace(ns).list().getItems()) {
            Object names = path(p, "spec", "clusterServiceVersionNames");
            if (names instanceof List<?> l
                && l.contains(csvName)
                && "RequiresApproval".equals(path(p, "status", "phase"))) {
              found[0] = p;
              return true;
            }
          }
          return false;
        },
        () ->
            "installplans "
                + olm("v1alpha1", "InstallPlan").inNamespace(ns).list().getItems().stream()
                    .map(
                        p ->
                            p.getMetadata().getName()
                                + " "
                                + path(p, "spec")
                                + " "
                                + path(p, "status", "phase"))
                    .toList()
                + "; subscription "
                + path(subscription(ns), "status"));
    assertThat(path(found[0], "spec", "approved")).isEqualTo(false);
    return found[0];
  }

  /**
   * Approves an InstallPlan, as `kubectl patch installplan NAME --type merge -p
   * '{"spec":{"approved":true}}'` does: a merge patch without resourceVersion (OLM writes the
   * plan's status meanwhile; an edit of the object read before failed with a conflict).
   */
  static void approve(GenericKubernetesResource plan) {
    olm("v1alpha1", "InstallPlan")
        .inNamespace(plan.getMetadata().getNamespace())
        .withName(plan.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"approved\":true}}");
  }

  static Map<String, String> podUids(String ns, String name) {
    Map<String, String> uids = new java.util.TreeMap<>();
    for (Pod p : SquidProxies.pods(ns, name)) {
      uids.put(p.getMetadata().getName(), p.getMetadata().getUid());
    }
    return uids;
  }

  /** The images the proxy pods of {@code name} run (their containers' spec). */
  static java.util.Set<String> images(String ns, String name) {
    java.util.Set<String> images = new java.util.TreeSet<>();
    for (Pod p : SquidProxies.pods(ns, name)) {
      p.getSpec().getContainers().forEach(c -> images.add(c.getImage()));
    }
    return images;
  }

  /**
   * Subscribes in {@code ns} with an OperatorGroup targeting {@code targets} (null: all
   * namespaces), checks the install, then the examples in {@code watched}; removes the operator and
   * both namespaces, also when a check failed: an OperatorGroup left behind would make the next
   * install mode's CSV fail (InterOperatorGroupOwnerConflict: two OperatorGroups providing the same
   * APIs), hiding what that test checks.
   */
  void installAndServe(String mode, String ns, String watched, List<String> targets) {
    try {
      checkInstall(mode, ns, watched, targets);
    } catch (RuntimeException | Error failure) {
      try {
        removeOperator(ns);
        removeNamespaces(ns, watched);
      } catch (RuntimeException | Error cleanUp) {
        failure.addSuppressed(cleanUp);
      }
      throw failure;
    }
    removeOperator(ns);
    removeNamespaces(ns, watched);
  }

  private void checkInstall(String mode, String ns, String watched, List<String> targets) {
    long start = System.nanoTime();
    apply(operatorGroup(ns, targets));
    apply(subscriptionYaml(ns, CATALOG, "Automatic", null));
    String csvName =
        release.required("OLM_PACKAGE") + ".v" + Objects.requireNonNull(release.version());
    awaitCsvSucceeded(mode, ns, csvName);
    GenericKubernetesResource csv = csv(ns, csvName);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> related =
        (List<Map<String, Object>>) path(csv, "spec", "relatedImages");
    assertThat(related)
        .as("relatedImages of the installed CSV: the release's images by digest")
        .extracting(i -> i.get("image"))
        .containsExactlyInAnyOrder(release.operatorImage(), release.squidImage());
    // the Subscription reports the CSV as installed once OLM's catalog operator has seen it
    // succeed: shortly after the CSV's phase (one failed run asserted it too early)
    Cluster.await(
        mode + ": Subscription's installedCSV is " + csvName,
        TIMEOUT,
        () -> csvName.equals(path(subscription(ns), "status", "installedCSV")),
        () -> "subscription " + path(subscription(ns), "status"));
    // the Deployment OLM made from the CSV: available, running the released image by digest
    awaitOperatorAvailable(mode, ns);
    Figures.record("OLM subscribe to operator available seconds: " + mode, seconds(start));
    Deployment deployment =
        Cluster.client().apps().deployments().inNamespace(ns).withName(DEPLOYMENT).get();
    assertThat(deployment.getMetadata().getLabels())
        .as("OLM owns the Deployment")
        .containsEntry("olm.owner", csvName);
    Pod operator = operatorPod(ns);
    ReleaseE2E.assertPulledByDigest(operator, release.operatorImage());
    assertThat(operator.getMetadata().getAnnotations())
        .as("OLM passes the OperatorGroup's namespaces to the operator")
        .containsEntry("olm.targetNamespaces", targets == null ? "" : String.join(",", targets));

    // every alm-examples entry is admitted (schema and CEL rules) in a watched namespace
    String almExamples =
        Objects.requireNonNull(
            csv.getMetadata().getAnnotations().get("alm-examples"), "alm-examples of " + csvName);
    List<GenericKubernetesResource> examples =
        List.of(
            Cluster.client()
                .getKubernetesSerialization()
                .unmarshal(
                    new ByteArrayInputStream(almExamples.getBytes(StandardCharsets.UTF_8)),
                    GenericKubernetesResource[].class));
    assertThat(examples).extracting(e -> e.getMetadata().getName()).contains("basic");
    List<String> refused = new ArrayList<>();
    for (GenericKubernetesResource example : examples) {
      example.getMetadata().setNamespace(watched);
      try {
        SquidProxies.api().inNamespace(watched).resource(example).dryRun().create();
      } catch (KubernetesClientException e) {
        refused.add(example.getMetadata().getName() + ": " + e.getMessage());
      }
    }
    assertThat(refused).as(mode + ": alm-examples the API server refused").isEmpty();

    // the basic one becomes Ready and proxies a request to the local origin
    GenericKubernetesResource basic =
        examples.stream().filter(e -> e.getMetadata().getName().equals("basic")).findFirst().get();
    basic.getMetadata().setNamespace(watched);
    SquidProxies.api().inNamespace(watched).resource(basic).create();
    GenericKubernetesResource ready = SquidProxies.awaitReady(watched, "basic", TIMEOUT);
    PodNetworkClient.Response r =
        client.get(SquidProxies.endpoint(ready), "http://" + origin.host() + "/");
    assertThat(r.status()).as(mode + ": request through basic: " + r).isEqualTo(200);
    assertThat(SquidProxies.logs(watched, "basic")).contains(origin.host());
    SquidProxies.api().inNamespace(watched).withName("basic").delete();
  }

  /**
   * Deletes the SquidProxies of {@code ns}, removes the operator, then the namespace with the
   * proxies' pods (no graceful drain: nothing uses them any more).
   */
  void removeProxiesAndOperator(String ns) {
    SquidProxies.api().inNamespace(ns).delete();
    removeOperator(ns);
    removeNamespaces(ns);
  }

  /**
   * Deletes namespaces a test made, once its operator is removed: their pods stop at once, so the
   * next test shares the node with none of them.
   */
  void removeNamespaces(String... names) {
    Cluster.deleteNamespaces(TIMEOUT, names);
    namespaces.removeAll(List.of(names));
  }

  /** Deletes the Subscription and the CSV (OLM then deletes the Deployment) and waits for it. */
  void removeOperator(String ns) {
    if (Cluster.client().namespaces().withName(ns).get() == null) {
      return;
    }
    olm("v1alpha1", "Subscription").inNamespace(ns).delete();
    olm("v1alpha1", "ClusterServiceVersion").inNamespace(ns).delete();
    Cluster.await(
        "operator Deployment removed from " + ns,
        TIMEOUT,
        () ->
            Cluster.client().apps().deployments().inNamespace(ns).withName(DEPLOYMENT).get()
                == null);
  }

  String namespace(String prefix) {
    String ns = Cluster.restrictedNamespace(prefix);
    namespaces.add(ns);
    return ns;
  }

  GenericKubernetesResource csv(String ns, String name) {
    return olm("v1alpha1", "ClusterServiceVersion").inNamespace(ns).withName(name).get();
  }

  static MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      olm(String version, String kind) {
    return Cluster.client().genericKubernetesResources(OLM_GROUP + "/" + version, kind);
  }

  static void apply(String yaml) {
    GenericKubernetesResource r =
        Cluster.client()
            .getKubernetesSerialization()
            .unmarshal(
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                GenericKubernetesResource.class);
    Cluster.client().resource(r).fieldManager("e2e").forceConflicts().serverSideApply();
  }

  /** The value at {@code keys} of a resource's top-level fields (status, spec), or null. */
  @SuppressWarnings("unchecked")
  static Object path(GenericKubernetesResource r, String... keys) {
    Object at = r == null ? null : r.getAdditionalProperties();
    for (String key : keys) {
      at = at instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(key) : null;
    }
    return at;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static void script(String name, Duration timeout) {
    Cmd.run(timeout, "bash", Cluster.REPO.resolve("scripts/olm/" + name).toString()).orThrow();
  }
}
