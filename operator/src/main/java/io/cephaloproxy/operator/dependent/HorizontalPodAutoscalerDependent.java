package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyObjects;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Labels.MANAGED_SELECTOR,
            itemStore = InformerStores.OwnApplyEntryOnly.class))
public class HorizontalPodAutoscalerDependent extends ProxyDependent<HorizontalPodAutoscaler> {
  public HorizontalPodAutoscalerDependent() {
    super(HorizontalPodAutoscaler.class, ProxyObjects::horizontalPodAutoscaler, n -> n);
  }

  public static class WhenAutoscaling implements Condition<HorizontalPodAutoscaler, SquidProxy> {
    @Override
    public boolean isMet(
        DependentResource<HorizontalPodAutoscaler, SquidProxy> d,
        SquidProxy p,
        Context<SquidProxy> c) {
      return WorkflowModel.require(c).autoscaling() != null;
    }
  }
}
