package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyObjects;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** Only when more than one replica is desired (and not switched off); deleted otherwise. */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Labels.MANAGED_SELECTOR,
            itemStore = InformerStores.OwnApplyEntryOnly.class))
public class PodDisruptionBudgetDependent extends ProxyDependent<PodDisruptionBudget> {
  public PodDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class, ProxyObjects::podDisruptionBudget, n -> n);
  }

  public static class WhenMoreThanOnePod implements Condition<PodDisruptionBudget, SquidProxy> {
    @Override
    public boolean isMet(
        DependentResource<PodDisruptionBudget, SquidProxy> d, SquidProxy p, Context<SquidProxy> c) {
      return WorkflowModel.require(c).pdbNeeded();
    }
  }
}
