package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.operator.reconciler.SquidProxyReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;

/**
 * What the informers keep of each object. With 1000 proxies the operator's heap was mostly
 * managedFields (one map per field path, for every manager) and pod templates it never reads: 180
 * MiB live after a full GC. SquidProxies are read without managedFields; pods and ReplicaSets for
 * status only (metadata and status); referenced Secrets and ConfigMaps are watched as metadata only
 * ({@code referenced.MetadataOnly}); the dependents for JOSDK's server-side-apply matcher, which
 * compares the desired object with the fields of the operator's own Apply entry only.
 */
public final class InformerStores {
  private InformerStores() {}

  /** Pods: metadata (labels, the config-hash annotation) and status. */
  public static TransformingItemStore<Pod> pods() {
    return new TransformingItemStore<>(
        p -> {
          p.setSpec(null);
          return withoutManagedFields(p);
        });
  }

  /** ReplicaSets: metadata and status (conditions such as ReplicaFailure). */
  public static TransformingItemStore<ReplicaSet> replicaSets() {
    return new TransformingItemStore<>(
        r -> {
          r.setSpec(null);
          return withoutManagedFields(r);
        });
  }

  static <R extends HasMetadata> R withoutManagedFields(R o) {
    o.getMetadata().setManagedFields(null);
    return o;
  }

  /**
   * The whole object with only the operator's own Apply entry in managedFields (what the SSA
   * matcher reads).
   */
  static <R extends HasMetadata> R ownApplyEntryOnly(R o) {
    List<ManagedFieldsEntry> fields = o.getMetadata().getManagedFields();
    if (fields != null) {
      o.getMetadata()
          .setManagedFields(
              fields.stream()
                  .filter(
                      f ->
                          SquidProxyReconciler.NAME.equals(f.getManager())
                              && "Apply".equals(f.getOperation()))
                  .toList());
    }
    return o;
  }

  /**
   * Item store of the SquidProxy informer: the status patch and the reconcile never read
   * managedFields.
   */
  public static class WithoutManagedFields<R extends HasMetadata> extends TransformingItemStore<R> {
    public WithoutManagedFields() {
      super(InformerStores::withoutManagedFields);
    }
  }

  /** Item store of the dependents' informers (named in {@code @Informer(itemStore = ...)}). */
  public static class OwnApplyEntryOnly<R extends HasMetadata> extends TransformingItemStore<R> {
    public OwnApplyEntryOnly() {
      super(InformerStores::ownApplyEntryOnly);
    }
  }
}
