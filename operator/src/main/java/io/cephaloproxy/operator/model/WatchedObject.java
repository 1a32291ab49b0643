package io.cephaloproxy.operator.model;

/**
 * A Secret or ConfigMap the spec refers to (same namespace as the SquidProxy).
 *
 * @param kind "Secret" or "ConfigMap"
 * @param name its name
 */
public record WatchedObject(String kind, String name) {
  public static final String SECRET = "Secret";
  public static final String CONFIG_MAP = "ConfigMap";

  /** Index key used by the informers' secondary-to-primary mapping. */
  public static String indexKey(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }
}
