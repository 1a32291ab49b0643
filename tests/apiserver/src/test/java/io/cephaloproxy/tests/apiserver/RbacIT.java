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
    assertThat(rbac.objects())
        .filteredOn(o -> o instanceof Role)
        .extracting(o -> o.getMetadata().getNamespace())
        .containsExactly(WATCHED);
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
