package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyObjects;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Labels.MANAGED_SELECTOR,
            itemStore = InformerStores.OwnApplyEntryOnly.class))
public class ServiceDependent extends ProxyDependent<Service> {
  public ServiceDependent() {
    super(Service.class, ProxyObjects::service, n -> n);
  }
}
