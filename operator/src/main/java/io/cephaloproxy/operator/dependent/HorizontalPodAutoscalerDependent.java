package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Builders;
import io.cephaloproxy.operator.model.Labels;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR, itemStore = CachedForms.OwnApplyEntryOnly.class))
public class HorizontalPodAutoscalerDependent extends ProxyDependent<HorizontalPodAutoscaler> {
  public HorizontalPodAutoscalerDependent() {
    super(HorizontalPodAutoscaler.class, Builders::horizontalPodAutoscaler, n -> n);
  }

  public static class Wanted implements Condition<HorizontalPodAutoscaler, SquidProxy> {
    @Override
    public boolean isMet(DependentResource<HorizontalPodAutoscaler, SquidProxy> d, SquidProxy p, Context<SquidProxy> c) {
      return Models.require(c).autoscaling() != null;
    }
  }
}
