package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two operator replicas from the chart (leader election on): deleting the leader's pod hands the
 * Lease to the other replica, which reconciles a change made while there was no leader.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorHaE2E {
  static final String RELEASE = "cephaloproxy-ha";
  static final String LEASE = "cephaloproxy-operator-leader";

  String operatorNs;
  String ns;
  OperatorRelease release;

  @BeforeAll
  void setUp() {
    Cluster.client();
    operatorNs = Cluster.restrictedNamespace("cephaloproxy-ha");
    ns = Cluster.restrictedNamespace("e2e-ha");
    release = OperatorRelease.install(RELEASE, operatorNs, Map.of("replicas", 2));
  }

  @AfterAll
  void tearDown() {
    if (release != null) {
      SquidProxies.api().inNamespace(ns).withName("ha").delete();
      release.uninstallIfPresent();
    }
    Cluster.deleteNamespaces(Duration.ofSeconds(120), ns, operatorNs);
  }

  Lease lease() {
    return Cluster.client().leases().inNamespace(operatorNs).withName(LEASE).get();
  }

  List<Pod> operatorPods() {
    return Cluster.client()
        .pods()
        .inNamespace(operatorNs)
        .withLabel("app.kubernetes.io/instance", RELEASE)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** The operator pod whose name the Lease's holder identity names. */
  Pod leader() {
    Lease lease = lease();
    String holder = lease == null ? null : lease.getSpec().getHolderIdentity();
    return holder == null
        ? null
        : operatorPods().stream()
            .filter(p -> holder.contains(p.getMetadata().getName()))
            .findFirst()
            .orElse(null);
  }

  @Test
  void theOtherReplicaTakesOverAndReconcilesAChangeMadeMeanwhile() {
    assertThat(operatorPods()).hasSize(2);
    Cluster.await(
        "a leader holding Lease " + LEASE,
        Duration.ofSeconds(60),
        () -> leader() != null,
        () -> String.valueOf(lease()));
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: ha
        spec:
          replicas: 1
        """);
    SquidProxies.awaitReady(ns, "ha", ProxyE2E.READY_TIMEOUT);

    Pod oldLeader = leader();
    String oldName = oldLeader.getMetadata().getName();
    long start = System.nanoTime();
    Cluster.client().pods().resource(oldLeader).withGracePeriod(0).delete();
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: ha
        spec:
          replicas: 2
        """);
    // Either the other replica or the one the ReplicaSet starts in the deleted pod's place may win.
    Cluster.await(
        "another operator pod holds the Lease",
        Duration.ofSeconds(60),
        () -> {
          Pod leader = leader();
          return leader != null && !leader.getMetadata().getName().equals(oldName);
        },
        () -> String.valueOf(lease() == null ? null : lease().getSpec()));
    Figures.record(
        "operator HA: seconds from leader deletion to new leader",
        (System.nanoTime() - start) / 1e9);
    GenericKubernetesResource ha = SquidProxies.awaitReady(ns, "ha", ProxyE2E.READY_TIMEOUT);
    Figures.record(
        "operator HA: seconds from leader deletion to change reconciled",
        (System.nanoTime() - start) / 1e9);
    assertThat(SquidProxies.status(ha).get("readyReplicas")).isEqualTo(2);
    assertThat(SquidProxies.readyPods(ns, "ha")).hasSize(2);
  }
}
