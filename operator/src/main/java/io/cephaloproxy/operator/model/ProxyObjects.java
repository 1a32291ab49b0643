package io.cephaloproxy.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlockBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Pure builders for every object but the Deployment (see {@link ProxyDeployment}): same input,
 * equal output, so server-side apply sees no change on a resync. No empty maps or lists are emitted
 * (the API server drops them, which would read as drift).
 */
public final class ProxyObjects {
  private ProxyObjects() {}

  public static ObjectMeta meta(ProxyModel m, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(m.namespace())
        .withLabels(Labels.of(m.name()))
        .build();
  }

  public static LabelSelector selector(ProxyModel m) {
    return new LabelSelectorBuilder().withMatchLabels(Labels.selector(m.name())).build();
  }

  /**
   * The proxy port only: the health port is reached on the pods (probes by the kubelet, scrapes by
   * a PodMonitor), never through a Service that may be published outside the cluster. NodePort and
   * LoadBalancer keep the client's address (externalTrafficPolicy Local: kube-proxy would otherwise
   * SNAT outside clients to a node address inside the default allowed client ranges); a
   * LoadBalancer admits only the allowed client CIDRs.
   */
  public static Service service(ProxyModel m) {
    ObjectMeta meta = meta(m, m.serviceName());
    if (m.serviceAnnotations() != null && !m.serviceAnnotations().isEmpty()) {
      meta.setAnnotations(new TreeMap<>(m.serviceAnnotations()));
    }
    var spec =
        new ServiceBuilder()
            .withMetadata(meta)
            .withNewSpec()
            .withType(m.serviceType())
            .withSelector(Labels.selector(m.name()))
            .addNewPort()
            .withName("proxy")
            .withProtocol("TCP")
            .withPort(m.port())
            .withTargetPort(new IntOrString("proxy"))
            .endPort();
    if (isExternal(m.serviceType())) {
      spec.withExternalTrafficPolicy("Local");
    }
    if ("LoadBalancer".equals(m.serviceType())
        && !m.networkPolicy().allowedClientCidrs().isEmpty()) {
      spec.withLoadBalancerSourceRanges(m.networkPolicy().allowedClientCidrs());
    }
    return spec.endSpec().build();
  }

  /** Whether a Service of this type is reachable from outside the cluster. */
  public static boolean isExternal(String serviceType) {
    return "NodePort".equals(serviceType) || "LoadBalancer".equals(serviceType);
  }

  public static PodDisruptionBudget podDisruptionBudget(ProxyModel m) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(m, m.name()))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(m.pdb().maxUnavailable()))
        .withSelector(selector(m))
        .endSpec()
        .build();
  }

  public static HorizontalPodAutoscaler horizontalPodAutoscaler(ProxyModel m) {
    ProxyModel.Autoscaling a = m.autoscaling();
    return new HorizontalPodAutoscalerBuilder()
        .withMetadata(meta(m, m.name()))
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(m.name())
        .endScaleTargetRef()
        .withMinReplicas(a.minReplicas())
        .withMaxReplicas(a.maxReplicas())
        .addNewMetric()
        .withType("Resource")
        .withNewResource()
        .withName("cpu")
        .withNewTarget()
        .withType("Utilization")
        .withAverageUtilization(a.targetCpuUtilizationPercentage())
        .endTarget()
        .endResource()
        .endMetric()
        .endSpec()
        .build();
  }

  /**
   * Ingress: the proxy port only from the allowed client CIDRs; the health port only from the
   * metrics scrapers ({@link MetricsScrapers}; the kubelet's probes come from the pod's node, which
   * NetworkPolicy implementations always admit). Egress: DNS, and TCP to what Squid may reach:
   * anywhere but the always-blocked and denied destination CIDRs, plus the allowed destination
   * CIDRs ({@link EgressPeers}).
   */
  public static NetworkPolicy networkPolicy(ProxyModel m) {
    ProxyModel.NetworkPolicy np = m.networkPolicy();
    List<NetworkPolicyPeer> clients = new ArrayList<>();
    for (String cidr : np.allowedClientCidrs()) {
      clients.add(
          new NetworkPolicyPeerBuilder()
              .withIpBlock(new IPBlockBuilder().withCidr(cidr).build())
              .build());
    }
    List<NetworkPolicyPeer> egressPeers = new ArrayList<>();
    for (IPBlock b :
        EgressPeers.blocks(np.deniedDestinationCidrs(), np.allowedDestinationCidrs())) {
      egressPeers.add(new NetworkPolicyPeerBuilder().withIpBlock(b).build());
    }
    var spec =
        new NetworkPolicyBuilder()
            .withMetadata(meta(m, m.name()))
            .withNewSpec()
            .withPodSelector(selector(m))
            .withPolicyTypes("Ingress", "Egress")
            .addNewIngress()
            .withFrom(clients)
            .addNewPort()
            .withProtocol("TCP")
            .withPort(new IntOrString("proxy"))
            .endPort()
            .endIngress();
    // an ingress rule without peers admits everyone: no scrapers means no rule for the port
    if (!np.metricsFrom().isEmpty()) {
      spec.addNewIngress()
          .withFrom(np.metricsFrom())
          .addNewPort()
          .withProtocol("TCP")
          .withPort(new IntOrString("health"))
          .endPort()
          .endIngress();
    }
    return spec.addNewEgress()
        .addNewPort()
        .withProtocol("UDP")
        .withPort(new IntOrString(53))
        .endPort()
        .addNewPort()
        .withProtocol("TCP")
        .withPort(new IntOrString(53))
        .endPort()
        .endEgress()
        .addNewEgress()
        .withTo(egressPeers)
        .addNewPort()
        .withProtocol("TCP")
        .endPort()
        .endEgress()
        .endSpec()
        .build();
  }

  /**
   * The cache claim: created once, never updated or deleted by the operator (no owner reference).
   */
  public static PersistentVolumeClaim cacheClaim(ProxyModel m) {
    ProxyModel.PersistentCache c = m.persistentCache();
    var b =
        new PersistentVolumeClaimBuilder()
            .withMetadata(meta(m, c.claimName()))
            .withNewSpec()
            .withAccessModes("ReadWriteOnce")
            .withNewResources()
            .addToRequests("storage", new Quantity(c.size()))
            .endResources()
            .endSpec();
    if (c.storageClassName() != null) {
      b.editSpec().withStorageClassName(c.storageClassName()).endSpec();
    }
    return b.build();
  }
}
