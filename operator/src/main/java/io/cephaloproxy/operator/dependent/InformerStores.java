package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.operator.reconciler.SquidProxyReconciler;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the informers keep of each object. With 1000 proxies the operator's heap was mostly
 * managedFields (one map per field path, for every manager) and pod templates it never reads: 180
 * MiB live after a full GC. SquidProxies are read without managedFields; pods and ReplicaSets for
 * status only (metadata and status); referenced Secrets and ConfigMaps are watched as metadata only
 * ({@code referenced.MetadataOnly}); the dependents for JOSDK's server-side-apply matcher, which
 * compares the desired object with the fields of the operator's own Apply entry only (kept as JSON
 * text, {@link CompactFieldsV1}). In every store the empty {@code additionalProperties} map of each
 * model object is dropped ({@link EmptyMaps}).
 */
public final class InformerStores {
  private InformerStores() {}

  /** Pods: metadata (labels, the config-hash annotation) and status. */
  public static TransformingItemStore<Pod> pods() {
    return new TransformingItemStore<>(
        p -> {
          p.setSpec(null);
          return EmptyMaps.drop(withoutManagedFields(p));
        });
  }

  /** ReplicaSets: metadata and status (conditions such as ReplicaFailure). */
  public static TransformingItemStore<ReplicaSet> replicaSets() {
    return new TransformingItemStore<>(
        r -> {
          r.setSpec(null);
          return EmptyMaps.drop(withoutManagedFields(r));
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
                  .map(InformerStores::sharedFields)
                  .toList());
    }
    return o;
  }

  /**
   * The entry's field tree as JSON text ({@link CompactFieldsV1}); entries with the same text (the
   * same fields, the same owner) share one copy. At most {@link #SHARED_FIELD_SETS} texts are
   * remembered for sharing.
   */
  static ManagedFieldsEntry sharedFields(ManagedFieldsEntry e) {
    FieldsV1 f = e.getFieldsV1();
    if (f != null && !(f instanceof CompactFieldsV1)) {
      CompactFieldsV1 compact = CompactFieldsV1.of(f);
      synchronized (FIELD_SETS) {
        CompactFieldsV1 shared = FIELD_SETS.get(compact.json());
        if (shared == null) {
          if (FIELD_SETS.size() >= SHARED_FIELD_SETS) {
            FIELD_SETS.clear();
          }
          FIELD_SETS.put(compact.json(), compact);
          shared = compact;
        }
        e.setFieldsV1(shared);
      }
    }
    return e;
  }

  static final int SHARED_FIELD_SETS = 256;
  private static final Map<String, CompactFieldsV1> FIELD_SETS = new HashMap<>();

  /**
   * Item store of the SquidProxy informer: the status patch and the reconcile never read
   * managedFields.
   */
  public static class WithoutManagedFields<R extends HasMetadata> extends TransformingItemStore<R> {
    public WithoutManagedFields() {
      super(o -> EmptyMaps.drop(withoutManagedFields(o)));
    }
  }

  /** Item store of the dependents' informers (named in {@code @Informer(itemStore = ...)}). */
  public static class OwnApplyEntryOnly<R extends HasMetadata> extends TransformingItemStore<R> {
    public OwnApplyEntryOnly() {
      super(o -> EmptyMaps.drop(ownApplyEntryOnly(o)));
    }
  }
}
