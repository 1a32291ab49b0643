package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyDeployment;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Labels.MANAGED_SELECTOR,
            itemStore = InformerStores.OwnApplyEntryOnly.class))
public class DeploymentDependent extends ProxyDependent<Deployment> {
  public DeploymentDependent() {
    super(Deployment.class, ProxyDeployment::deployment, n -> n);
  }
}
