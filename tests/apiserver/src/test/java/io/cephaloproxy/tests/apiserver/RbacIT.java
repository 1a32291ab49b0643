package io.cephaloproxy.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator in namespace-scoped mode with the chart's RBAC (watchNamespaces set: one Role per
 * watched namespace; cluster-wide only list and watch of nodes, ServiceCIDRs and the kubernetes
 * Service, for the cluster networks): it manages proxies in its namespace, and everything else is
 * denied to its ServiceAccount.
 */
class RbacIT {
  static final String OPERATOR_NS = "rbac-system";
  static final String WATCHED = "rbac-team-a";
  static final String OTHER = "rbac-team-b";
  static ControlPlane cp;
  static ChartRbac.Installed rbac;
  static OperatorProcess operator;
  static KubernetesClient asOperator;

  @BeforeAll
  static void start() throws Exception {
    cp = ControlPlane.get();
    cp.installCrd();
    cp.namespace(OTHER);
    rbac = ChartRbac.install(cp, OPERATOR_NS, List.of(WATCHED), false);
    operator =
        OperatorProcess.start(
            cp, "operator-rbac", rbac.kubeconfig(), Map.of("WATCH_NAMESPACES", WATCHED));
    asOperator = ControlPlane.clientFor(Config.fromKubeconfig(Files.readString(rbac.kubeconfig())));
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (asOperator != null) {
      asOperator.close();
    }
  }

  @Test
  void chartRendersNamespacedRolesAndOnlyTheClusterNetworksReadsClusterWide() {
    // cluster-scoped: the users' roles aggregated into admin/edit/view, bound to nobody by the
    // chart, and the operator's read of the cluster networks (issue 12 §4), bound to it
    assertThat(rbac.objects())
        .filteredOn(o -> o instanceof ClusterRole)
        .extracting(o -> o.getMetadata().getName())
        .allMatch(
            n -> n.endsWith("-edit") || n.endsWith("-view") || n.endsWith("-cluster-networks"));
    assertThat(rbac.objects())
        .filteredOn(o -> o.getKind().equals("ClusterRoleBinding"))
        .extracting(o -> ((ClusterRoleBinding) o).getRoleRef().getName())
        .singleElement()
        .satisfies(n -> assertThat(n).endsWith("-cluster-networks"));
    // the watched namespace's Role, and the one for the operator's own pod in its namespace
    assertThat(rbac.objects())
        .filteredOn(o -> o instanceof Role)
        .extracting(o -> o.getMetadata().getNamespace())
        .containsExactlyInAnyOrder(WATCHED, OPERATOR_NS);
  }

  /**
   * Issue 19 §3: an operator whose container was OOM-killed says so at its next start, with a
   * Warning Event on its own pod naming resources.limits.memory, in its own namespace, which it
   * does not watch (the chart's -self Role). The pod stands in for the operator's: its status is
   * the kubelet's after the kernel killed the container at its 512Mi limit.
   */
  @Test
  void anOomKilledOperatorPostsAWarningEventNamingTheMemoryLimit() {
    String pod = "cephaloproxy-operator-oom";
    cp.admin()
        .pods()
        .inNamespace(OPERATOR_NS)
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName(pod)
                .withNamespace(OPERATOR_NS)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("operator")
                .withImage("ghcr.io/cephaloproxy/operator:test")
                .withNewResources()
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("512Mi"))
                .endResources()
                .endContainer()
                .endSpec()
                .build())
        .create();
    cp.admin()
        .pods()
        .inNamespace(OPERATOR_NS)
        .withName(pod)
        .editStatus(
            p -> {
              p.setStatus(
                  new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                      .withPhase("Running")
                      .addNewContainerStatus()
                      .withName("operator")
                      .withImage("ghcr.io/cephaloproxy/operator:test")
                      .withImageID("")
                      .withReady(false)
                      .withRestartCount(1)
                      .withNewState()
                      .withNewRunning()
                      .withStartedAt("2026-12-03T10:00:01Z")
                      .endRunning()
                      .endState()
                      .withNewLastState()
                      .withNewTerminated()
                      .withReason("OOMKilled")
                      .withExitCode(137)
                      .withStartedAt("2026-12-03T09:58:00Z")
                      .withFinishedAt("2026-12-03T10:00:00Z")
                      .endTerminated()
                      .endLastState()
                      .endContainerStatus()
                      .build());
              return p;
            });
    try (OperatorProcess restarted =
        OperatorProcess.start(
            cp,
            "operator-rbac-oom",
            rbac.kubeconfig(),
            Map.of("WATCH_NAMESPACES", WATCHED, "POD_NAME", pod, "POD_NAMESPACE", OPERATOR_NS))) {
      // the report runs before the informers start, the health port answers before it
      var events =
          org.awaitility.Awaitility.await()
              .atMost(java.time.Duration.ofSeconds(60))
              .until(
                  () ->
                      cp.admin().v1().events().inNamespace(OPERATOR_NS).list().getItems().stream()
                          .filter(e -> "OperatorOutOfMemory".equals(e.getReason()))
                          .toList(),
                  l -> !l.isEmpty());
      assertThat(events)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
                assertThat(e.getInvolvedObject().getName()).isEqualTo(pod);
                assertThat(e.getMessage())
                    .contains("OOMKilled")
                    .contains("raise resources.limits.memory (now 512Mi;");
              });
      assertThat(restarted.logText())
          .contains("raise resources.limits.memory (now 512Mi;")
          .doesNotContainIgnoringCase("forbidden");
    }
  }

  @Test
  void operatorManagesProxiesInTheWatchedNamespace() {
    Proxies proxies = new Proxies(cp.admin(), WATCHED);
    try (FakeKubelet kubelet = new FakeKubelet(cp.admin(), WATCHED)) {
      proxies.apply("team-a", "access: {allowedDomains: [.example.com]}");
      proxies.awaitReady("team-a");
    }
    assertThat(operator.logText()).doesNotContainIgnoringCase("forbidden");
  }

  @Test
  void proxiesInOtherNamespacesAreIgnored() {
    Proxies other = new Proxies(cp.admin(), OTHER);
    other.apply("team-b", "{}");
    ControlPlane.sleep(10_000);
    assertThat(other.get("team-b").getStatus())
        .satisfiesAnyOf(s -> assertThat(s).isNull(), s -> assertThat(s.getConditions()).isEmpty());
    assertThat(other.generationObjects("team-b")).isEmpty();
  }

  @Test
  void actionsOutsideTheChartsRolesAreDenied() {
    String user = rbac.username();
    denied(() -> asOperator.secrets().inNamespace(OTHER).list(), user);
    denied(() -> asOperator.secrets().inAnyNamespace().list(), user);
    denied(() -> asOperator.apps().deployments().inNamespace(OTHER).list(), user);
    denied(() -> asOperator.configMaps().inNamespace(OTHER).withName("x").delete(), user);
    // inside its namespace it may read Secrets but never change or delete them
    assertThat(asOperator.secrets().inNamespace(WATCHED).list().getItems()).isNotNull();
    denied(() -> asOperator.secrets().inNamespace(WATCHED).withName("anything").delete(), user);
    // the persistent cache is never deleted by the operator
    denied(
        () ->
            asOperator.persistentVolumeClaims().inNamespace(WATCHED).withName("anything").delete(),
        user);
    // cluster-wide it may only list and watch nodes, ServiceCIDRs and the kubernetes Service
    // (issue 12 §4): no get, no writes, no other Service
    assertThat(asOperator.nodes().list().getItems()).isNotNull();
    assertThat(asOperator.resources(ServiceCIDR.class).list().getItems()).isNotEmpty();
    assertThat(
            asOperator
                .services()
                .inNamespace("default")
                .withField("metadata.name", "kubernetes")
                .list()
                .getItems())
        .singleElement();
    denied(() -> asOperator.nodes().withName("anything").get(), user);
    denied(() -> asOperator.nodes().withName("anything").delete(), user);
    denied(() -> asOperator.resources(ServiceCIDR.class).withName("kubernetes").delete(), user);
    denied(() -> asOperator.services().inNamespace("default").list(), user);
    denied(() -> asOperator.services().inNamespace("default").withName("kubernetes").get(), user);
    denied(() -> asOperator.rbac().clusterRoles().list(), user);
  }

  static void denied(ThrowingCallable action, String user) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, action);
    assertThat(e).as("expected 403 for %s", user).isNotNull();
    assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403);
    assertThat(e.getMessage()).contains(user);
  }
}
