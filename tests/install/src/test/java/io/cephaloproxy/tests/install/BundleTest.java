package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The OLM bundle: generated from the single sources (stale files fail), with what OperatorHub
 * requires of a ClusterServiceVersion — the checks of operator-framework/api's OperatorHub and
 * standard capabilities/categories validators — and with examples that the CRD schema accepts.
 * BundleValidateIT runs operator-framework/api's validators themselves.
 */
class BundleTest {
  static final List<String> CAPABILITIES =
      List.of(
          "Basic Install", "Seamless Upgrades", "Full Lifecycle", "Deep Insights", "Auto Pilot");
  static final List<String> CATEGORIES =
      List.of(
          "AI/Machine Learning",
          "Application Runtime",
          "Big Data",
          "Cloud Provider",
          "Database",
          "Developer Tools",
          "Drivers and plugins",
          "Integration & Delivery",
          "Logging & Tracing",
          "Modernization & Migration",
          "Monitoring",
          "Networking",
          "OpenShift Optional",
          "Security",
          "Storage",
          "Streaming & Messaging");
  static final List<String> OPENSHIFT_FEATURES =
      List.of(
          "disconnected",
          "fips-compliant",
          "proxy-aware",
          "tls-profiles",
          "token-auth-aws",
          "token-auth-azure",
          "token-auth-gcp",
          "cnf",
          "cni",
          "csi");

  @Test
  void committedBundleIsGeneratedFromTheSingleSources() {
    Repo.assertGenerated(BundleGenerator.BUNDLE_CRD, Repo.read(Repo.CRD));
    Repo.assertGenerated(BundleGenerator.CSV, BundleGenerator.csvYaml());
  }

  /**
   * Artifact Hub shows the chart's capability level, OperatorHub the bundle's: one operator, one
   * level, the one the bundle argues for (bundle/csv-base.yaml, docs/openshift.md).
   */
  @Test
  void theChartClaimsTheCapabilityLevelOfTheBundle() {
    String bundle =
        Yaml.at(Yaml.single(BundleGenerator.CSV), "metadata", "annotations", "capabilities");
    String chart =
        Yaml.at(
            Yaml.single(Repo.CHART.resolve("Chart.yaml")),
            "annotations",
            "artifacthub.io/operatorCapabilities");
    assertThat(chart)
        .as(
            "artifacthub.io/operatorCapabilities of helm/cephaloproxy-operator/Chart.yaml against"
                + " the CSV's capabilities (bundle/csv-base.yaml)")
        .isEqualTo(bundle);
    assertThat(CAPABILITIES).contains(chart);
  }

  /**
   * The capability level is only as high as the tests prove: "Seamless Upgrades" needs the cluster
   * suite's upgrade through OLM (OlmE2E); "Full Lifecycle" and above claim backup and restore,
   * which the operator does not do.
   */
  @Test
  void theCapabilityLevelIsTheOneTheTestsProve() {
    String level =
        Yaml.at(Yaml.single(BundleGenerator.CSV), "metadata", "annotations", "capabilities");
    assertThat(level).isIn("Basic Install", "Seamless Upgrades");
    if (level.equals("Seamless Upgrades")) {
      assertThat(
              Repo.read(
                  Repo.ROOT.resolve("tests/cluster/src/test/java/io/cephaloproxy/e2e/OlmE2E.java")))
          .as("Seamless Upgrades: the OLM upgrade under test")
          .contains("void upgradeThroughAManualApprovalInstallPlan()");
    }
  }

  @Test
  void csvHasEveryFieldOperatorHubRequires() {
    Map<String, Object> csv = Yaml.single(BundleGenerator.CSV);
    Map<String, Object> ann = Yaml.at(csv, "metadata", "annotations");
    assertThat(CAPABILITIES).contains((String) ann.get("capabilities"));
    assertThat(((String) ann.get("categories")).split(",\\s*"))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(CATEGORIES).contains(c));
    assertThat((String) ann.get("containerImage"))
        .matches("[a-z0-9./-]+(:[\\w.-]+|@sha256:[a-f0-9]{64})");
    assertThat(OffsetDateTime.parse((String) ann.get("createdAt"))).isNotNull();
    assertThat((String) ann.get("description")).hasSizeBetween(10, 135);
    assertThat(URI.create((String) ann.get("repository")).getScheme()).isEqualTo("https");

    Map<String, Object> spec = Yaml.at(csv, "spec");
    Map<String, Object> chart = Yaml.single(Repo.CHART.resolve("Chart.yaml"));
    assertThat(spec.get("version")).isEqualTo(chart.get("appVersion"));
    assertThat(Yaml.<String>at(csv, "metadata", "name"))
        .isEqualTo("cephaloproxy-operator.v" + chart.get("appVersion"));
    assertThat((String) spec.get("version")).matches("\\d+\\.\\d+\\.\\d+(-[\\w.]+)?");
    assertThat((String) spec.get("minKubeVersion")).matches("\\d+\\.\\d+\\.\\d+");
    assertThat((String) spec.get("displayName")).isNotBlank();
    assertThat((String) spec.get("description")).hasSizeGreaterThan(200);
    assertThat((List<?>) spec.get("keywords")).isNotEmpty();
    assertThat(spec.get("maturity"))
        .isIn(
            "planning", "pre-alpha", "alpha", "beta", "stable", "mature", "inactive", "deprecated");
    List<Map<String, Object>> links = Yaml.at(spec, "links");
    assertThat(links)
        .isNotEmpty()
        .allSatisfy(
            l -> {
              assertThat((String) l.get("name")).isNotBlank();
              assertThat(URI.create((String) l.get("url")).getScheme()).isEqualTo("https");
            });
    List<Map<String, Object>> maintainers = Yaml.at(spec, "maintainers");
    assertThat(maintainers)
        .isNotEmpty()
        .allSatisfy(
            m -> {
              assertThat((String) m.get("name")).isNotBlank();
              assertThat((String) m.get("email")).matches("[^@\\s]+@[^@\\s]+\\.[a-z]+");
            });
    assertThat(Yaml.<String>at(spec, "provider", "name")).isNotBlank();
    List<Map<String, Object>> icons = Yaml.at(spec, "icon");
    assertThat(icons)
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.get("mediatype")).isEqualTo("image/svg+xml");
              String svg =
                  new String(
                      Base64.getDecoder().decode((String) i.get("base64data")),
                      StandardCharsets.UTF_8);
              assertThat(svg).startsWith("<svg").contains("viewBox").endsWith("</svg>\n");
            });
    List<Map<String, Object>> modes = Yaml.at(spec, "installModes");
    assertThat(modes)
        .extracting(m -> m.get("type"))
        .containsExactlyInAnyOrder(
            "OwnNamespace", "SingleNamespace", "MultiNamespace", "AllNamespaces");
    assertThat(modes).allSatisfy(m -> assertThat(m.get("supported")).isInstanceOf(Boolean.class));
  }

  @Test
  void minKubeVersionHasEveryCelLibraryTheCrdUses() {
    String crd = Repo.read(Repo.CRD);
    String min = Yaml.at(Yaml.single(BundleGenerator.CSV), "spec", "minKubeVersion");
    int minor = Integer.parseInt(min.split("\\.")[1]);
    assertThat(min).startsWith("1.");
    // Kubernetes added CEL's quantity library in 1.29 and its IP/CIDR library in 1.31; an older
    // API server refuses the CRD ("undeclared reference to 'isCIDR'").
    if (crd.contains("isCIDR(") || crd.contains("cidr(") || crd.contains("isIP(")) {
      assertThat(minor).as("minKubeVersion with CEL IP/CIDR functions").isGreaterThanOrEqualTo(31);
    }
    if (crd.contains("quantity(")) {
      assertThat(minor).as("minKubeVersion with CEL quantity functions").isGreaterThanOrEqualTo(29);
    }
  }

  @Test
  void openShiftFeatureAnnotationsAreAllPresentAndHonest() {
    Map<String, Object> csv = Yaml.single(BundleGenerator.CSV);
    Map<String, Object> ann = Yaml.at(csv, "metadata", "annotations");
    for (String f : OPENSHIFT_FEATURES) {
      assertThat(ann.get("features.operators.openshift.io/" + f)).as(f).isIn("true", "false");
    }
    List<Map<String, Object>> related = Yaml.at(csv, "spec", "relatedImages");
    boolean allDigests =
        related.stream().allMatch(r -> ((String) r.get("image")).contains("@sha256:"));
    assertThat(ann.get("features.operators.openshift.io/disconnected"))
        .as("disconnected support needs every related image pinned by digest")
        .isEqualTo(String.valueOf(allDigests));
    assertThat(related)
        .extracting(r -> r.get("name"))
        .containsExactlyInAnyOrder("operator", "squid");
  }

  @Test
  void almExamplesAreTheExamplesAndPassTheCrdSchema() throws Exception {
    Map<String, Object> csv = Yaml.single(BundleGenerator.CSV);
    List<Map<String, Object>> examples =
        Yaml.JSON.readValue(
            Yaml.<String>at(csv, "metadata", "annotations", "alm-examples"),
            new TypeReference<>() {});
    assertThat(examples).as("alm-examples (from examples/*.yaml)").isNotEmpty();
    assertThat(examples).isEqualTo(BundleGenerator.examples());
    assertThat(Yaml.<String>at(examples.get(0), "metadata", "name"))
        .as("the first alm-example, the console's default for a new SquidProxy")
        .isEqualTo("basic");
    assertThat(examples).extracting(e -> e.get("kind")).containsOnly("SquidProxy");
    CrdSchema schema = CrdSchema.load(BundleGenerator.BUNDLE_CRD);
    for (Map<String, Object> ex : examples) {
      assertThat(schema.validate(ex))
          .as("example %s", Yaml.<String>at(ex, "metadata", "name"))
          .isEmpty();
    }
  }

  @Test
  void ownedCrdAndDescriptorsMatchTheCrd() {
    Map<String, Object> csv = Yaml.single(BundleGenerator.CSV);
    Map<String, Object> crd = Yaml.single(Repo.CRD);
    List<Map<String, Object>> owned = Yaml.at(csv, "spec", "customresourcedefinitions", "owned");
    assertThat(owned)
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.get("name")).isEqualTo(Yaml.at(crd, "metadata", "name"));
              assertThat(o.get("kind")).isEqualTo(Yaml.at(crd, "spec", "names", "kind"));
              List<Map<String, Object>> versions = Yaml.at(crd, "spec", "versions");
              assertThat(versions).extracting(v -> v.get("name")).contains(o.get("version"));
              Map<String, Object> schema = Yaml.at(versions.get(0), "schema", "openAPIV3Schema");
              List<Map<String, Object>> specDescriptors = Yaml.at(o, "specDescriptors");
              List<Map<String, Object>> statusDescriptors = Yaml.at(o, "statusDescriptors");
              assertThat(specDescriptors)
                  .isNotEmpty()
                  .allSatisfy(
                      d ->
                          assertThat(schemaAt(schema, "spec", (String) d.get("path")))
                              .as("spec.%s", d.get("path"))
                              .isNotNull());
              assertThat(statusDescriptors).extracting(d -> d.get("path")).contains("conditions");
              assertThat(statusDescriptors)
                  .allSatisfy(
                      d ->
                          assertThat(schemaAt(schema, "status", (String) d.get("path")))
                              .as("status.%s", d.get("path"))
                              .isNotNull());
              assertThat(specDescriptors)
                  .filteredOn(d -> d.get("path").equals("replicas"))
                  .singleElement()
                  .satisfies(
                      d ->
                          assertThat((List<Object>) d.get("x-descriptors"))
                              .containsExactly(
                                  (Object) "urn:alm:descriptor:com.tectonic.ui:podCount"));
            });
  }

  @Test
  void csvRbacIsTheChartsRbacAndItsDeploymentIsTheChartsDeployment() {
    Map<String, Object> csv = Yaml.single(BundleGenerator.CSV);
    List<Map<String, Object>> permissions = Yaml.at(csv, "spec", "install", "spec", "permissions");
    // cluster-wide only the cluster networks' reads (nodes, ServiceCIDRs, the kubernetes Service)
    List<Map<String, Object>> clusterPermissions =
        Yaml.at(csv, "spec", "install", "spec", "clusterPermissions");
    assertThat(clusterPermissions)
        .singleElement()
        .satisfies(
            p ->
                assertThat(
                        ((List<?>) p.get("rules"))
                            .stream()
                                .map(r -> Serialization.unmarshal(Yaml.toJson(r), PolicyRule.class))
                                .toList())
                    .isEqualTo(Rbac.rules("clusterNetworks")));
    List<PolicyRule> expected = new ArrayList<>(Rbac.rules("operator"));
    expected.addAll(Rbac.rules("leaderElection"));
    assertThat(permissions)
        .singleElement()
        .satisfies(
            p -> {
              List<PolicyRule> rules =
                  ((List<?>) p.get("rules"))
                      .stream()
                          .map(r -> Serialization.unmarshal(Yaml.toJson(r), PolicyRule.class))
                          .toList();
              assertThat(rules).isEqualTo(expected);
            });
    // the chart's cluster-wide rules are the same list
    var chartRole =
        Chart.ofKind(Chart.render(), io.fabric8.kubernetes.api.model.rbac.ClusterRole.class).get(0);
    assertThat(expected).startsWith(chartRole.getRules().toArray(PolicyRule[]::new));

    List<Map<String, Object>> deployments = Yaml.at(csv, "spec", "install", "spec", "deployments");
    assertThat(deployments)
        .singleElement()
        .satisfies(
            d -> {
              PodSpec pod =
                  Serialization.unmarshal(
                      Yaml.toJson(Yaml.at(d, "spec", "template", "spec")), PodSpec.class);
              assertThat(pod.getServiceAccountName())
                  .isEqualTo(permissions.get(0).get("serviceAccountName"));
              assertThat(PodSecurity.restrictedViolations(pod)).isEmpty();
              assertThat(PodSecurity.openShiftViolations(pod)).isEmpty();
              var env =
                  pod.getContainers().get(0).getEnv().stream()
                      .collect(Collectors.toMap(e -> e.getName(), e -> e));
              assertThat(env.get("WATCH_NAMESPACES").getValueFrom().getFieldRef().getFieldPath())
                  .isEqualTo("metadata.annotations['olm.targetNamespaces']");
              assertThat(env.get("LEADER_ELECTION").getValue()).isEqualTo("false");
              assertThat(pod.getContainers().get(0).getImage())
                  .isEqualTo(Yaml.at(csv, "metadata", "annotations", "containerImage"));
            });
  }

  /**
   * OpenShift 4.N runs Kubernetes 1.(N+13) (4.18 is 1.31): the first OpenShift release the bundle
   * declares is the one whose Kubernetes is the CSV's minKubeVersion, which the CRD's CEL rules
   * need (minKubeVersionHasEveryCelLibraryTheCrdUses). A single version "vX.Y" means X.Y and later.
   */
  @Test
  void openShiftVersionsStartAtTheMinKubeVersion() {
    String min = Yaml.at(Yaml.single(BundleGenerator.CSV), "spec", "minKubeVersion");
    int kubeMinor = Integer.parseInt(min.split("\\.")[1]);
    Map<String, Object> annotations = bundleAnnotations();
    assertThat(annotations)
        .containsEntry("com.redhat.openshift.versions", "v4." + (kubeMinor - 13));
  }

  /** The upgrade graph: any earlier version is replaced by this one (olm.skipRange). */
  @Test
  void upgradeGraphSkipsEveryEarlierVersion() {
    Map<String, Object> csv = Yaml.single(BundleGenerator.CSV);
    assertThat(Yaml.<String>at(csv, "metadata", "annotations", "olm.skipRange"))
        .isEqualTo("<" + Yaml.at(csv, "spec", "version"));
  }

  /**
   * bundle/ci.yaml, the operator's ci.yaml in the community-operators catalogs: only the keys their
   * pipeline reads, an update graph the bundle agrees with (semver modes: the pipeline orders the
   * versions, so the CSV names no spec.replaces; replaces-mode: the CSV must name the version it
   * replaces), reviewers (if any) as GitHub user names.
   */
  @Test
  void ciYamlForTheCommunityOperatorsCatalogsAgreesWithTheBundle() {
    Map<String, Object> ci = Yaml.single(Repo.BUNDLE.resolve("ci.yaml"));
    assertThat(ci.keySet())
        .as(
            "keys of bundle/ci.yaml (the community-operators pipeline's; not fbc: that workflow"
                + " needs catalog templates, which the project does not ship)")
        .isSubsetOf("updateGraph", "reviewers", "addReviewers");
    String mode = (String) ci.get("updateGraph");
    assertThat(mode)
        .as("updateGraph of bundle/ci.yaml")
        .isIn("replaces-mode", "semver-mode", "semver-skippatch-mode");
    Map<String, Object> csv = Yaml.single(BundleGenerator.CSV);
    Map<String, Object> spec = Yaml.at(csv, "spec");
    if (mode.equals("replaces-mode")) {
      assertThat(spec)
          .as("replaces-mode: the CSV names the version it replaces")
          .containsKey("replaces");
    } else {
      assertThat(spec)
          .as(mode + ": the pipeline draws the edges, the CSV names no spec.replaces")
          .doesNotContainKey("replaces");
      assertThat((String) spec.get("version")).matches("\\d+\\.\\d+\\.\\d+");
    }
    assertThat(Yaml.<String>at(csv, "metadata", "annotations", "olm.skipRange"))
        .as("olm.skipRange: any earlier version upgrades straight to this one")
        .isEqualTo("<" + spec.get("version"));
    Object reviewers = ci.get("reviewers");
    if (reviewers != null) {
      assertThat((List<?>) reviewers)
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.toString()).matches("[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}"));
    }
  }

  /**
   * The scorecard configuration operator-sdk reads from the bundle (metadata/annotations.yaml names
   * its directory): the basic and the OLM suites of operator-sdk's scorecard-test image.
   */
  @Test
  void scorecardConfigRunsTheBasicAndOlmSuites() {
    Map<String, Object> annotations = bundleAnnotations();
    assertThat(annotations)
        .containsEntry("operators.operatorframework.io.test.mediatype.v1", "scorecard+v1")
        .containsEntry("operators.operatorframework.io.test.config.v1", "tests/scorecard/");
    Map<String, Object> config = Yaml.single(Repo.BUNDLE.resolve("tests/scorecard/config.yaml"));
    assertThat(config)
        .containsEntry("apiVersion", "scorecard.operatorframework.io/v1alpha3")
        .containsEntry("kind", "Configuration");
    List<Map<String, Object>> stages = Yaml.at(config, "stages");
    List<Map<String, Object>> tests =
        stages.stream()
            .flatMap(st -> Yaml.<List<Map<String, Object>>>at(st, "tests").stream())
            .toList();
    assertThat(tests)
        .allSatisfy(
            t -> {
              assertThat(Yaml.<List<String>>at(t, "entrypoint"))
                  .first()
                  .isEqualTo("scorecard-test");
              assertThat((String) t.get("image"))
                  .startsWith("quay.io/operator-framework/scorecard-test:v");
            });
    assertThat(tests)
        .extracting(t -> Yaml.<String>at(t, "labels", "suite"))
        .contains("basic", "olm");
    assertThat(tests)
        .extracting(t -> Yaml.<List<String>>at(t, "entrypoint").get(1))
        .contains(
            "basic-check-spec",
            "olm-bundle-validation",
            "olm-crds-have-validation",
            "olm-crds-have-resources",
            "olm-spec-descriptors",
            "olm-status-descriptors");
  }

  @Test
  void annotationsFileAndBundleDockerfileAgree() {
    Map<String, Object> annotations = bundleAnnotations();
    assertThat(annotations)
        .containsEntry("operators.operatorframework.io.bundle.mediatype.v1", "registry+v1")
        .containsEntry("operators.operatorframework.io.bundle.manifests.v1", "manifests/")
        .containsEntry("operators.operatorframework.io.bundle.metadata.v1", "metadata/")
        .containsEntry("operators.operatorframework.io.bundle.package.v1", BundleGenerator.PACKAGE);
    String channels = (String) annotations.get("operators.operatorframework.io.bundle.channels.v1");
    assertThat(channels.split(","))
        .contains(
            (String) annotations.get("operators.operatorframework.io.bundle.channel.default.v1"));
    Matcher m =
        Pattern.compile("(?m)^LABEL (\\S+)=(\\S+)$")
            .matcher(Repo.read(Repo.BUNDLE.resolve("bundle.Dockerfile")));
    Map<String, String> labels = new java.util.LinkedHashMap<>();
    while (m.find()) {
      labels.put(m.group(1), m.group(2));
    }
    assertThat(labels).isEqualTo(annotations);
  }

  /** metadata/annotations.yaml of the bundle. */
  static Map<String, Object> bundleAnnotations() {
    return Yaml.at(Yaml.single(Repo.BUNDLE.resolve("metadata/annotations.yaml")), "annotations");
  }

  @SuppressWarnings("unchecked")
  static Object schemaAt(Map<String, Object> root, String top, String dotted) {
    Object cur = Yaml.at(root, "properties", top);
    for (String part : dotted.split("\\.")) {
      if (!(cur instanceof Map)) {
        return null;
      }
      cur = Yaml.at((Map<String, Object>) cur, "properties", part);
    }
    return cur;
  }
}
