package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyObjects;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
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
public class NetworkPolicyDependent extends ProxyDependent<NetworkPolicy> {
  public NetworkPolicyDependent() {
    super(NetworkPolicy.class, ProxyObjects::networkPolicy, n -> n);
  }

  public static class WhenEnabled implements Condition<NetworkPolicy, SquidProxy> {
    @Override
    public boolean isMet(
        DependentResource<NetworkPolicy, SquidProxy> d, SquidProxy p, Context<SquidProxy> c) {
      return WorkflowModel.require(c).networkPolicy().enabled();
    }
  }
}
