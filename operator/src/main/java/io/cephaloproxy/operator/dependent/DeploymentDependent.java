package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyDeployment;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
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

  /**
   * The built Deployment, with the pod template it carries while the current config is being
   * checked or was rejected: replicas and the rest follow the spec, the pods keep the last good
   * config (a scale-up starts pods of it).
   */
  @Override
  protected Deployment desired(SquidProxy primary, Context<SquidProxy> context) {
    Deployment d = super.desired(primary, context);
    WorkflowModel.keptTemplate(context)
        .ifPresent(t -> d.getSpec().setTemplate(new PodTemplateSpecBuilder(t).build()));
    return d;
  }
}
