package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.compiler.PodVolume;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Everything the builders need for one SquidProxy, resolved once per reconcile: the spec with its
 * defaults applied, the compiled configuration, the referenced objects' mounts and the config hash.
 * The builders are pure functions of this record.
 *
 * @param copiedFiles for each pod volume backed by a referenced ConfigMap: file name → the content
 *     the generation copies (the volume's keys under their mounted file names); a volume whose
 *     ConfigMap is unknown (render without it) is absent. Secret volumes are copied when the
 *     generation is created, never held here.
 */
public record ProxyModel(
    String name,
    String namespace,
    String image,
    String imagePullPolicy,
    List<LocalObjectReference> imagePullSecrets,
    int replicas,
    Autoscaling autoscaling,
    int port,
    int workers,
    String serviceType,
    Map<String, String> serviceAnnotations,
    ResourceRequirements resources,
    Map<String, String> nodeSelector,
    List<Toleration> tolerations,
    Affinity affinity,
    List<TopologySpreadConstraint> topologySpreadConstraints,
    Map<String, String> podLabels,
    Map<String, String> podAnnotations,
    String priorityClassName,
    Long runAsUser,
    Long runAsGroup,
    Long fsGroup,
    long terminationGracePeriodSeconds,
    int shutdownLifetimeSeconds,
    Pdb pdb,
    NetworkPolicy networkPolicy,
    PersistentCache persistentCache,
    SortedMap<String, String> configFiles,
    List<PodVolume> volumes,
    String configHash,
    SortedMap<String, SortedMap<String, String>> copiedFiles) {

  /** Seconds the pod keeps serving after it is told to stop, so endpoints drop it first. */
  public static final int PRE_STOP_SLEEP_SECONDS = 5;

  public record Autoscaling(int minReplicas, int maxReplicas, int targetCpuUtilizationPercentage) {}

  public record Pdb(boolean enabled, int maxUnavailable) {}

  /**
   * @param allowedClientCidrs who may use the proxy port
   * @param deniedDestinationCidrs excluded from egress: Squid's always-blocked networks and the
   *     spec's denied ones
   * @param allowedDestinationCidrs reachable even inside the denied networks (as in squid.conf)
   * @param metricsFrom who may reach the health port besides the node (the kubelet's probes)
   */
  public record NetworkPolicy(
      boolean enabled,
      List<String> allowedClientCidrs,
      List<String> deniedDestinationCidrs,
      List<String> allowedDestinationCidrs,
      List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> metricsFrom) {}

  public record PersistentCache(String claimName, String size, String storageClassName) {}

  /** The generation's ConfigMap with the compiled files: {@code <name>-config-<hash>}. */
  public String generationName() {
    return SquidProxyResources.generationName(name, configHash);
  }

  /** The generation's copy of what pod volume {@code volume} mounts from a ConfigMap or Secret. */
  public String generationPartName(String volume) {
    return SquidProxyResources.generationPartName(name, configHash, volume);
  }

  public String serviceName() {
    return SquidProxyResources.serviceName(name);
  }

  /**
   * This model with {@code peers} admitted to the health port as well (the operator's pods, {@link
   * HealthPeers}); the same model when there are none.
   */
  public ProxyModel withHealthPeers(
      List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> peers) {
    if (peers.isEmpty()) {
      return this;
    }
    List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> from =
        new java.util.ArrayList<>(networkPolicy.metricsFrom());
    from.addAll(peers);
    NetworkPolicy np =
        new NetworkPolicy(
            networkPolicy.enabled(),
            networkPolicy.allowedClientCidrs(),
            networkPolicy.deniedDestinationCidrs(),
            networkPolicy.allowedDestinationCidrs(),
            List.copyOf(from));
    return new ProxyModel(
        name,
        namespace,
        image,
        imagePullPolicy,
        imagePullSecrets,
        replicas,
        autoscaling,
        port,
        workers,
        serviceType,
        serviceAnnotations,
        resources,
        nodeSelector,
        tolerations,
        affinity,
        topologySpreadConstraints,
        podLabels,
        podAnnotations,
        priorityClassName,
        runAsUser,
        runAsGroup,
        fsGroup,
        terminationGracePeriodSeconds,
        shutdownLifetimeSeconds,
        pdb,
        np,
        persistentCache,
        configFiles,
        volumes,
        configHash,
        copiedFiles);
  }

  public boolean pdbNeeded() {
    int least = autoscaling != null ? autoscaling.minReplicas() : replicas;
    return pdb.enabled() && least > 1;
  }
}
