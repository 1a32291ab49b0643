package io.cephaloproxy.api.v1alpha1;

/**
 * The names of the objects the operator creates for a SquidProxy, and the endpoint clients use: the
 * one place that derives them from the SquidProxy's name (docs/architecture.md).
 */
public final class SquidProxyResources {
  private SquidProxyResources() {}

  /** The ConfigMap with the compiled squid.conf, runtime.properties and ACL files. */
  public static String configMapName(String proxyName) {
    return proxyName + "-config";
  }

  /** The PersistentVolumeClaim of a disk cache with volume: PersistentVolumeClaim. */
  public static String cacheClaimName(String proxyName) {
    return proxyName + "-cache";
  }

  /**
   * The Service in front of the pods (also the name of the Deployment, PDB, NetworkPolicy and HPA).
   */
  public static String serviceName(String proxyName) {
    return proxyName;
  }

  /**
   * Where clients reach the proxy ({@code status.endpoint}): {@code
   * <service>.<namespace>.svc:<port>}.
   */
  public static String endpoint(String proxyName, String namespace, int port) {
    return serviceName(proxyName) + "." + namespace + ".svc:" + port;
  }
}
