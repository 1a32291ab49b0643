package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyDeployment;
import io.cephaloproxy.operator.reconciler.SquidProxyReconciler;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.List;
import java.util.Map;

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

  /**
   * Field manager that holds {@code spec.replicas} while it passes from the operator to the HPA.
   */
  public static final String REPLICAS_HANDOVER = "squidproxy-replicas-handover";

  /**
   * With autoscaling turned on, the operator's apply no longer carries {@code spec.replicas}. Were
   * the operator its only owner, server-side apply would remove the field and the API server
   * default it to 1: the running pods but one would be stopped until the HPA scales back up (issue
   * 12 §7). So the current count is first applied by a field manager of its own, which keeps owning
   * it (Kubernetes' documented way of handing a field over to an HPA) until the HPA sets it.
   */
  @Override
  public Deployment update(
      Deployment actual, Deployment desired, SquidProxy primary, Context<SquidProxy> context) {
    if (desired.getSpec().getReplicas() == null
        && actual.getSpec() != null
        && actual.getSpec().getReplicas() != null
        && appliesReplicas(actual)) {
      Deployment handover =
          new DeploymentBuilder()
              .withNewMetadata()
              .withName(actual.getMetadata().getName())
              .withNamespace(actual.getMetadata().getNamespace())
              .endMetadata()
              .withNewSpec()
              .withReplicas(actual.getSpec().getReplicas())
              .endSpec()
              .build();
      context
          .getClient()
          .apps()
          .deployments()
          .resource(handover)
          .fieldManager(REPLICAS_HANDOVER)
          .forceConflicts()
          .serverSideApply();
    }
    return super.update(actual, desired, primary, context);
  }

  /** Whether the operator's own Apply entry owns {@code spec.replicas}. */
  static boolean appliesReplicas(Deployment d) {
    List<ManagedFieldsEntry> fields = d.getMetadata().getManagedFields();
    return fields != null
        && fields.stream()
            .filter(
                f ->
                    SquidProxyReconciler.NAME.equals(f.getManager())
                        && "Apply".equals(f.getOperation())
                        && f.getFieldsV1() != null)
            .anyMatch(
                f ->
                    f.getFieldsV1().getAdditionalProperties().get("f:spec")
                            instanceof Map<?, ?> spec
                        && spec.containsKey("f:replicas"));
  }
}
