package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.compiler.SpecReferences;
import java.util.List;

/**
 * Every Secret/ConfigMap a spec refers to: what the operator reads for the compiler and watches so
 * that a change re-reconciles the proxies using it. The walk is the compiler's {@link
 * SpecReferences} (the same the validator checks and the hash covers); the compiler reports missing
 * objects and keys.
 */
public final class WatchedObjects {
  private WatchedObjects() {}

  public static List<WatchedObject> of(SquidProxySpec spec) {
    return SpecReferences.of(spec).stream()
        .map(r -> new WatchedObject(r.kind().name(), r.name()))
        .distinct()
        .toList();
  }
}
