package io.cephaloproxy.operator.model;

import java.util.Map;

/**
 * A Secret or ConfigMap the spec refers to.
 *
 * @param kind "Secret" or "ConfigMap"
 * @param name its name (same namespace as the SquidProxy)
 * @param field the spec field that names it, for messages
 * @param items key → file name when it is mounted; empty when only its data is compiled in
 * @param mountPath where it is mounted, or null
 */
public record Reference(String kind, String name, String field, Map<String, String> items, String mountPath) {
  public Reference {
    items = items == null ? Map.of() : Map.copyOf(items);
  }

  public boolean isSecret() {
    return "Secret".equals(kind);
  }

  /** "Secret team-a/proxy-ca (spec.sslBump.caSecret)". */
  public String describe(String namespace) {
    return kind + " " + namespace + "/" + name + " (" + field + ")";
  }

  /** Index key used by the informers' secondary-to-primary mapping. */
  public static String indexKey(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }
}
