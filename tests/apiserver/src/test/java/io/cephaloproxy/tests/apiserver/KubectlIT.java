package io.cephaloproxy.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a person at kubectl sees, on the real API server with the operator running (issue 16 §2):
 * the printer columns in scan order with Mode filled for {@code spec: {}}, the cephaloproxy
 * category, {@code kubectl scale} and an HPA through the scale subresource, every node of {@code
 * kubectl explain} described, and the chart's aggregated ClusterRoles giving namespace editors and
 * viewers the right access.
 */
class KubectlIT {
  static final String NS = "kubectl-it";
  static final String OPERATOR_NS = "cephaloproxy-system";
  static ControlPlane cp;
  static KubernetesClient admin;
  static OperatorProcess operator;
  static FakeKubelet kubelet;
  static Proxies proxies;

  @BeforeAll
  static void start() {
    cp = ControlPlane.get();
    admin = cp.admin();
    cp.installCrd();
    ChartRbac.Installed rbac = ChartRbac.install(cp, OPERATOR_NS, List.of(), false);
    operator = OperatorProcess.start(cp, "kubectl-it", rbac.kubeconfig(), Map.of());
    cp.namespace(NS);
    proxies = new Proxies(admin, NS);
    kubelet = new FakeKubelet(admin, NS);
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void getShowsReadyReasonReplicasModeEndpointAgeWithModeForAnEmptySpec() {
    proxies.apply("basic", "{}");
    proxies.apply("audit", "access: {mode: Audit}");
    admin
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("own-conf")
                .endMetadata()
                .addToData("squid.conf", "http_access deny all\n")
                .build())
        .create();
    proxies.apply("custom", "squidConfFrom: {name: own-conf}");
    for (String n : List.of("basic", "audit", "custom")) {
      proxies.awaitReady(n);
    }
    String out = ok(cp.kubectl("get", "squidproxies", "-n", NS));
    List<String> lines = out.lines().toList();
    assertThat(columns(lines.get(0)))
        .containsExactly("NAME", "READY", "REASON", "REPLICAS", "MODE", "ENDPOINT", "AGE");
    assertThat(row(lines, "basic"))
        .startsWith("basic", "True")
        .contains("1/1", "Enforce", "basic." + NS + ".svc:3128");
    assertThat(row(lines, "basic").get(2))
        .as("the Ready reason")
        .isEqualTo(Proxies.condition(proxies.get("basic"), "Ready").orElseThrow().getReason());
    assertThat(row(lines, "audit")).contains("Audit");
    assertThat(row(lines, "custom")).contains("Custom");

    // the category: kubectl get cephaloproxy lists SquidProxies (and any later CephaloProxy kind)
    assertThat(ok(cp.kubectl("get", "cephaloproxy", "-n", NS, "-o", "name")))
        .contains("squidproxy.cephaloproxy.io/basic", "squidproxy.cephaloproxy.io/audit");
  }

  @Test
  void kubectlScaleAndAnHpaResizeTheProxyThroughTheScaleSubresource() {
    proxies.apply("scaled", "{}");
    proxies.awaitReady("scaled");
    ok(cp.kubectl("scale", "-n", NS, "squidproxy/scaled", "--replicas=3"));
    assertThat(proxies.get("scaled").getSpec().getReplicas()).isEqualTo(3);
    proxies.awaitDeployment("scaled", d -> d.getSpec().getReplicas() == 3);
    SquidProxy sp =
        proxies.await(
            "scaled",
            "3/3 ready",
            p ->
                p.getStatus() != null
                    && "3/3".equals(p.getStatus().getReplicasSummary())
                    && Integer.valueOf(3).equals(p.getStatus().getReplicas()));
    String scale =
        ok(
            cp.kubectl(
                "get",
                "-n",
                NS,
                "squidproxy/scaled",
                "--subresource=scale",
                "-o",
                "jsonpath={.spec.replicas} {.status.replicas} {.status.selector}"));
    assertThat(scale).isEqualTo("3 3 " + sp.getStatus().getSelector());
    assertThat(sp.getStatus().getSelector())
        .isEqualTo("app.kubernetes.io/instance=scaled,app.kubernetes.io/name=squid");

    // an HPA targets the SquidProxy itself: the controller manager's HPA controller reads and
    // writes its scale
    // (no metrics server here, but below minReplicas it scales up without metrics)
    HorizontalPodAutoscaler hpa =
        new HorizontalPodAutoscalerBuilder()
            .withNewMetadata()
            .withName("scaled")
            .endMetadata()
            .withNewSpec()
            .withNewScaleTargetRef()
            .withApiVersion("cephaloproxy.io/v1alpha1")
            .withKind("SquidProxy")
            .withName("scaled")
            .endScaleTargetRef()
            .withMinReplicas(4)
            .withMaxReplicas(5)
            .addNewMetric()
            .withType("Resource")
            .withNewResource()
            .withName("cpu")
            .withNewTarget()
            .withType("Utilization")
            .withAverageUtilization(80)
            .endTarget()
            .endResource()
            .endMetric()
            .endSpec()
            .build();
    admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).resource(hpa).create();
    proxies.await(
        "scaled",
        "the HPA set spec.replicas to its minimum",
        p -> Integer.valueOf(4).equals(p.getSpec().getReplicas()),
        Duration.ofSeconds(90));
    proxies.awaitDeployment("scaled", d -> d.getSpec().getReplicas() == 4);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        admin
                            .autoscaling()
                            .v2()
                            .horizontalPodAutoscalers()
                            .inNamespace(NS)
                            .withName("scaled")
                            .get()
                            .getStatus()
                            .getConditions())
                    .anySatisfy(
                        c -> {
                          assertThat(c.getType()).isEqualTo("AbleToScale");
                          assertThat(c.getStatus()).isEqualTo("True");
                        }));
    admin.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName("scaled").delete();
  }

  @Test
  void explainDescribesEveryNodeWithUpstreamTextForKubernetesTypes() throws Exception {
    JsonNode doc =
        new ObjectMapper().readTree(admin.raw("/openapi/v3/apis/cephaloproxy.io/v1alpha1"));
    JsonNode schemas = doc.path("components").path("schemas");
    JsonNode root = schemas.path("io.cephaloproxy.v1alpha1.SquidProxy");
    assertThat(root.isObject()).as("the SquidProxy schema in the published OpenAPI").isTrue();
    List<String> nodes = new ArrayList<>();
    List<String> undescribed = new ArrayList<>();
    walk("squidproxy", root, schemas, nodes, undescribed);
    System.out.printf(
        "kubectl explain: %d schema nodes, %d without a description%n",
        nodes.size(), undescribed.size());
    assertThat(nodes.size()).as("schema nodes walked").isGreaterThan(200);
    assertThat(undescribed).as("nodes without a description").isEmpty();

    assertThat(ok(cp.kubectl("explain", "squidproxy"))).contains("A managed Squid forward proxy");
    assertThat(ok(cp.kubectl("explain", "squidproxy.spec.affinity.nodeAffinity")))
        .contains("Describes node affinity scheduling rules for the pod.");
    assertThat(ok(cp.kubectl("explain", "squidproxy.spec.tolerations.tolerationSeconds")))
        .contains("TolerationSeconds represents the period of time the toleration");
    assertThat(ok(cp.kubectl("explain", "squidproxy.status.conditions.status")))
        .contains("status of the condition, one of True, False, Unknown.");
    assertThat(ok(cp.kubectl("explain", "squidproxy.status.mode")))
        .contains("effective access mode");
  }

  @Test
  void namespaceEditorsScaleAndViewersOnlyReadThroughTheAggregatedRoles() {
    Path editor = userBoundTo("editor", "edit");
    Path viewer = userBoundTo("viewer", "view");
    proxies.apply("shared", "{}");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        kubectlAs(
                                editor,
                                "auth",
                                "can-i",
                                "patch",
                                "squidproxies.cephaloproxy.io",
                                "--subresource=scale",
                                "-n",
                                NS)
                            .output()
                            .strip())
                    .as("the controller manager aggregated the chart's role into edit")
                    .isEqualTo("yes"));
    ok(kubectlAs(editor, "apply", "-n", NS, "-f", "-", Proxies.manifest("by-editor", NS, "{}")));
    ok(kubectlAs(editor, "scale", "-n", NS, "squidproxy/shared", "--replicas=2"));
    assertThat(proxies.get("shared").getSpec().getReplicas()).isEqualTo(2);

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        kubectlAs(viewer, "get", "squidproxies", "-n", NS, "-o", "name").output())
                    .contains("squidproxy.cephaloproxy.io/shared"));
    ControlPlane.CommandResult scale =
        kubectlAs(viewer, "scale", "-n", NS, "squidproxy/shared", "--replicas=3");
    assertThat(scale.exitCode()).as(scale.output()).isNotZero();
    assertThat(scale.output()).contains("forbidden");
    ControlPlane.CommandResult delete = kubectlAs(viewer, "delete", "-n", NS, "squidproxy/shared");
    assertThat(delete.exitCode()).isNotZero();
  }

  // --- helpers

  /** A ServiceAccount of NS as a user, bound in NS to one of Kubernetes' default ClusterRoles. */
  static Path userBoundTo(String name, String clusterRole) {
    Path kubeconfig = cp.kubeconfigForServiceAccount(NS, name);
    admin
        .rbac()
        .roleBindings()
        .inNamespace(NS)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName(clusterRole)
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(name)
                .withNamespace(NS)
                .endSubject()
                .build())
        .serverSideApply();
    return kubeconfig;
  }

  static ControlPlane.CommandResult kubectlAs(Path kubeconfig, String... args) {
    String stdin =
        args.length > 2 && args[args.length - 2].equals("-") ? args[args.length - 1] : null;
    List<String> cmd =
        new ArrayList<>(List.of(cp.kubectl().toString(), "--kubeconfig=" + kubeconfig));
    cmd.addAll(Arrays.asList(args).subList(0, stdin == null ? args.length : args.length - 1));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return new ControlPlane.CommandResult(p.waitFor(), out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String ok(ControlPlane.CommandResult r) {
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.output();
  }

  static List<String> columns(String line) {
    return List.of(line.strip().split("\\s+"));
  }

  static List<String> row(List<String> lines, String name) {
    return lines.stream()
        .filter(l -> l.startsWith(name + " "))
        .findFirst()
        .map(l -> List.of(l.strip().split("\\s+")))
        .orElseThrow(
            () -> new AssertionError("no row " + name + " in\n" + String.join("\n", lines)));
  }

  /**
   * Root and every property, following $ref and allOf into referenced schemas except metadata's
   * ObjectMeta.
   */
  static void walk(
      String path, JsonNode node, JsonNode schemas, List<String> nodes, List<String> undescribed) {
    nodes.add(path);
    if (node.path("description").asText("").isBlank()) {
      undescribed.add(path);
    }
    JsonNode props = target(node, schemas).path("properties");
    props
        .fields()
        .forEachRemaining(
            e -> {
              if (path.equals("squidproxy") && e.getKey().equals("metadata")) {
                nodes.add("squidproxy.metadata");
                if (e.getValue().path("description").asText("").isBlank()) {
                  undescribed.add("squidproxy.metadata");
                }
                return;
              }
              walkValue(path + "." + e.getKey(), e.getValue(), schemas, nodes, undescribed);
            });
  }

  private static void walkValue(
      String path, JsonNode node, JsonNode schemas, List<String> nodes, List<String> undescribed) {
    walk(path, node, schemas, nodes, undescribed);
    JsonNode t = target(node, schemas);
    JsonNode items = t.path("items");
    if (items.isObject()) {
      target(items, schemas)
          .path("properties")
          .fields()
          .forEachRemaining(
              e -> walkValue(path + "[]." + e.getKey(), e.getValue(), schemas, nodes, undescribed));
    }
  }

  private static JsonNode target(JsonNode node, JsonNode schemas) {
    if (node.has("$ref")) {
      return schemas.path(node.get("$ref").asText().replace("#/components/schemas/", ""));
    }
    if (node.has("allOf") && node.get("allOf").size() == 1) {
      return target(node.get("allOf").get(0), schemas);
    }
    return node;
  }
}
