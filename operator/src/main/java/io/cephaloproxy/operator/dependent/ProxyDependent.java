package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.ProxyModel;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.function.Function;

/**
 * A dependent whose desired state is one pure builder applied to the {@link ProxyModel} the
 * reconciler resolved for this reconcile. Owned by the SquidProxy (owner reference), so deleting the
 * SquidProxy lets Kubernetes' garbage collector delete it.
 */
public abstract class ProxyDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, SquidProxy> {
  private final Function<ProxyModel, R> builder;
  private final Function<String, String> nameOf;

  protected ProxyDependent(Class<R> type, Function<ProxyModel, R> builder, Function<String, String> nameOf) {
    super(type);
    this.builder = builder;
    this.nameOf = nameOf;
  }

  @Override
  protected R desired(SquidProxy primary, Context<SquidProxy> context) {
    return builder.apply(Models.require(context));
  }

  /** The object's id without building it (JOSDK would call desired() just to learn the name). */
  @Override
  protected ResourceID targetSecondaryResourceID(SquidProxy primary, Context<SquidProxy> context) {
    return new ResourceID(nameOf.apply(primary.getMetadata().getName()), primary.getMetadata().getNamespace());
  }
}
