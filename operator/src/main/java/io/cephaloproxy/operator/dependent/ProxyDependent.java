package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.ProxyModel;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A dependent whose desired state is one pure builder applied to the {@link ProxyModel} the
 * reconciler resolved for this reconcile. Controlled by the SquidProxy (owner reference with {@code
 * controller: true}), so deleting the SquidProxy lets Kubernetes' garbage collector delete it.
 */
public abstract class ProxyDependent<R extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, SquidProxy> {
  private final Function<ProxyModel, R> builder;
  private final Function<String, String> nameOf;

  protected ProxyDependent(
      Class<R> type, Function<ProxyModel, R> builder, Function<String, String> nameOf) {
    super(type);
    this.builder = builder;
    this.nameOf = nameOf;
  }

  @Override
  protected R desired(SquidProxy primary, Context<SquidProxy> context) {
    return builder.apply(WorkflowModel.require(context));
  }

  /** The object's id without building it (JOSDK would call desired() just to learn the name). */
  @Override
  protected ResourceID targetSecondaryResourceID(SquidProxy primary, Context<SquidProxy> context) {
    return new ResourceID(
        nameOf.apply(primary.getMetadata().getName()), primary.getMetadata().getNamespace());
  }

  /**
   * JOSDK's owner reference leaves {@code controller} and {@code blockOwnerDeletion} unset: then
   * nothing marks the SquidProxy as the managing controller (kubectl, other controllers' adoption
   * checks) and foreground deletion of the SquidProxy does not wait for its objects. Set both, as
   * Kubernetes' own controllers do (the chart grants update on squidproxies/finalizers, which the
   * OwnerReferencesPermissionEnforcement admission plugin requires for blockOwnerDeletion).
   */
  @Override
  protected void addReferenceHandlingMetadata(R desired, SquidProxy primary) {
    desired
        .getMetadata()
        .setOwnerReferences(new ArrayList<>(List.of(controllerReference(primary))));
  }

  public static OwnerReference controllerReference(SquidProxy owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
