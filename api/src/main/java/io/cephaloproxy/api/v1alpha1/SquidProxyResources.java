package io.cephaloproxy.api.v1alpha1;

/**
 * The names of the objects the operator creates for a SquidProxy, and the endpoint clients use: the
 * one place that derives them from the SquidProxy's name (docs/architecture.md).
 */
public final class SquidProxyResources {
  private SquidProxyResources() {}

  /**
   * The ConfigMap of earlier releases with the compiled squid.conf, runtime.properties and ACL
   * files, rewritten in place on every change; pods now mount {@link #generationName} instead.
   */
  public static String configMapName(String proxyName) {
    return proxyName + "-config";
  }

  /** Hex digits of the config hash that name a config generation. */
  public static final int GENERATION_HASH_LENGTH = 10;

  /** The part of a config hash ({@code status.configHash}) that names its generation. */
  public static String generationHash(String configHash) {
    return configHash.length() <= GENERATION_HASH_LENGTH
        ? configHash
        : configHash.substring(0, GENERATION_HASH_LENGTH);
  }

  /**
   * A config generation: the immutable ConfigMap {@code <name>-config-<hash>} with the compiled
   * squid.conf, runtime.properties and ACL files of one config hash. Pods mount only generations,
   * so nothing a serving pod mounts ever changes.
   */
  public static String generationName(String proxyName, String configHash) {
    return configMapName(proxyName) + "-" + generationHash(configHash);
  }

  /**
   * One more object of a generation, {@code <name>-config-<hash>-<volume>}: an immutable ConfigMap
   * (or Secret) with the copy of the referenced ConfigMap (or Secret) keys the pod volume {@code
   * volume} mounts (domain lists, squidConfFrom, trusted CA, SSL-bump CA, htpasswd, upstream
   * credentials).
   */
  public static String generationPartName(String proxyName, String configHash, String volume) {
    return generationName(proxyName, configHash) + "-" + volume;
  }

  /**
   * The short-lived pod that checks a config generation with Squid before the Deployment's pod
   * template may refer to it: {@code <name>-check-<hash>}.
   */
  public static String checkPodName(String proxyName, String configHash) {
    return proxyName + "-check-" + generationHash(configHash);
  }

  /** The NetworkPolicy that takes every network connection from the proxy's check pods. */
  public static String checkNetworkPolicyName(String proxyName) {
    return proxyName + "-config-check";
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
