package io.cephaloproxy.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control plane itself: the API server is the pinned version, the controller manager turns a
 * Deployment into a ReplicaSet and garbage-collects it, and RBAC is enforced. Everything else in
 * this suite relies on these.
 */
class ControlPlaneIT {
  static final String NS = "control-plane-it";
  static ControlPlane cp;
  static KubernetesClient admin;

  @BeforeAll
  static void up() {
    cp = ControlPlane.get();
    admin = cp.admin();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .serverSideApply();
  }

  @Test
  void apiServerAndKubectlAreThePinnedVersion() {
    assertThat(admin.getKubernetesVersion().getGitVersion()).isEqualTo("v" + cp.version());
    ControlPlane.CommandResult r = cp.kubectl("version", "--client", "-o", "json");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("\"gitVersion\": \"v" + cp.version() + "\"");
  }

  @Test
  void controllerManagerCreatesReplicaSetsAndCollectsGarbage() {
    Deployment d =
        admin.apps().deployments().inNamespace(NS).resource(deployment("gc-probe")).create();
    ReplicaSet rs =
        await().atMost(Duration.ofSeconds(60)).until(() -> replicaSetOf(d), r -> r != null);
    assertThat(rs.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(d.getMetadata().getUid()));

    admin
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("gc-probe")
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                admin
                        .apps()
                        .replicaSets()
                        .inNamespace(NS)
                        .withName(rs.getMetadata().getName())
                        .get()
                    == null);
  }

  @Test
  void rbacIsEnforcedForServiceAccounts() {
    try (KubernetesClient nobody =
        ControlPlane.clientFor(
            io.fabric8.kubernetes.client.Config.fromKubeconfig(
                readString(cp.kubeconfigForServiceAccount(NS, "nobody"))))) {
      assertThatThrownBy(() -> nobody.secrets().inNamespace(NS).list())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403))
          .hasMessageContaining("system:serviceaccount:" + NS + ":nobody");
    }
  }

  private ReplicaSet replicaSetOf(Deployment d) {
    List<ReplicaSet> sets = admin.apps().replicaSets().inNamespace(NS).list().getItems();
    return sets.stream()
        .filter(
            r ->
                r.getMetadata().getOwnerReferences().stream()
                    .anyMatch(o -> o.getUid().equals(d.getMetadata().getUid())))
        .findFirst()
        .orElse(null);
  }

  static Deployment deployment(String name) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .withMatchLabels(Map.of("app", name))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", name))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("example.invalid/none:1")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static String readString(java.nio.file.Path p) {
    try {
      return java.nio.file.Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
