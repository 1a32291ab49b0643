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

  Release release;
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
    origin = Origin.deploy(workDir);
    client = PodNetworkClient.create("olm-e2e", 231);
    start = System.nanoTime();
    apply(catalogSource(CATALOG, release.required("CATALOG_IMAGE")));
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
    for (String ns : leftovers) {
      if (Cluster.client().namespaces().withName(ns).get() != null) {
        Cluster.deleteNamespace(ns, TIMEOUT);
      }
    }
    OperatorRelease.removeCrd();
    script("uninstall.sh", Duration.ofMinutes(6));
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

  GenericKubernetesResource subscription(String ns) {
    return olm("v1alpha1", "Subscription").inNamespace(ns).withName("cephaloproxy").get();
  }

  /**
   * Subscribes in {@code ns} with an OperatorGroup targeting {@code targets} (null: all
   * namespaces), checks the install, then the examples in {@code watched}; removes the operator.
   */
  void installAndServe(String mode, String ns, String watched, List<String> targets) {
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
    assertThat(path(subscription(ns), "status", "installedCSV")).isEqualTo(csvName);
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
    Cluster.await(
        mode + ": basic's pods gone", TIMEOUT, () -> SquidProxies.pods(watched, "basic").isEmpty());
    removeOperator(ns);
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
