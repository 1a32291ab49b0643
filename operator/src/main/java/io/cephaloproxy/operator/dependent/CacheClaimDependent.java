package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyModel;
import io.cephaloproxy.operator.model.ProxyObjects;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The persistent cache {@code <name>-cache}: created when the spec asks for it, then never updated
 * nor deleted by the operator, and without an owner reference, so neither turning persistence off
 * nor deleting the SquidProxy deletes cached data. Deliberately no reconcilePrecondition (a false
 * one deletes Deleters) and not a Deleter: when no claim is wanted, reconcile does nothing.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class CacheClaimDependent
    extends KubernetesDependentResource<PersistentVolumeClaim, SquidProxy>
    implements Creator<PersistentVolumeClaim, SquidProxy> {

  public CacheClaimDependent() {
    super(PersistentVolumeClaim.class);
  }

  @Override
  public ReconcileResult<PersistentVolumeClaim> reconcile(
      SquidProxy primary, Context<SquidProxy> context) {
    ProxyModel m = WorkflowModel.require(context);
    if (m.persistentCache() == null) {
      return ReconcileResult.noOperation(null);
    }
    return super.reconcile(primary, context);
  }

  @Override
  protected PersistentVolumeClaim desired(SquidProxy primary, Context<SquidProxy> context) {
    return ProxyObjects.cacheClaim(WorkflowModel.require(context));
  }

  @Override
  protected ResourceID targetSecondaryResourceID(SquidProxy primary, Context<SquidProxy> context) {
    return new ResourceID(
        SquidProxyResources.cacheClaimName(primary.getMetadata().getName()),
        primary.getMetadata().getNamespace());
  }
}
