package io.cephaloproxy.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.reconciler.SquidProxyReconciler;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * {@link ReconcilerScenarios} with the operator in the test's JVM ({@link InProcessOperator}): the
 * fast way to run and debug a scenario, and the one that reaches the reconciler's internals.
 */
class InProcessOperatorIT extends ReconcilerScenarios {
  InProcessOperator inProcess;

  @Override
  protected ChartRbac.Installed installRbac(ControlPlane cp) {
    // a release of its own: its ServiceAccount, ClusterRole and binding
    return ChartRbac.install(cp, "in-process", "cephaloproxy-in-process", List.of(), false);
  }

  @Override
  protected RunningOperator startOperator(ControlPlane cp, ChartRbac.Installed rbac) {
    inProcess = InProcessOperator.start(rbac.kubeconfig(), Map.of());
    await("the in-process operator ready")
        .atMost(Proxies.TIMEOUT)
        .until(() -> inProcess.runtime().ready());
    return inProcess;
  }

  /** 10 here; OperatorIT makes the 50 (see ReconcilerScenarios#generationChanges). */
  @Override
  int generationChanges() {
    return 10;
  }

  @Override
  protected String namespacePrefix() {
    return "ip-";
  }

  /**
   * The rollout each proxy last announced is remembered by uid (there is no finalizer, so no
   * callback on deletion). The entries of deleted proxies go once there are more entries than live
   * proxies, so a long-running operator does not keep one per proxy ever deleted. Proxies that
   * never rolled out (bad input) have no entry, so enough proxies are deleted here to exceed that
   * slack.
   */
  @Test
  @Order(100)
  void forgetsTheRolloutsOfDeletedProxies(TestInfo info) {
    namespace(info);
    SquidProxyReconciler reconciler = inProcess.runtime().reconciler();
    int remembered = reconciler.rememberedRollouts();
    int live = admin.resources(SquidProxy.class).inAnyNamespace().list().getItems().size();
    int deleted = Math.max(1, live - remembered + 1);
    assertThat(deleted).as("proxies to delete").isBetween(1, 10);
    for (int i = 0; i < deleted; i++) {
      proxies.apply("short-lived-" + i, "{}");
    }
    for (int i = 0; i < deleted; i++) {
      proxies.awaitReady("short-lived-" + i);
    }
    for (int i = 0; i < deleted; i++) {
      proxies.delete("short-lived-" + i);
    }
    await("short-lived proxies gone")
        .atMost(Proxies.TIMEOUT)
        .until(() -> admin.resources(SquidProxy.class).inNamespace(ns).list().getItems().isEmpty());
    proxies.apply("next", "{}");
    proxies.awaitReady("next");
    await("the deleted proxies' rollouts forgotten")
        .atMost(Proxies.TIMEOUT)
        .until(() -> reconciler.rememberedRollouts() <= remembered + 1);
    assertThat(events("RolloutFinished")).as("one rollout finished per proxy").hasSize(deleted + 1);
  }
}
