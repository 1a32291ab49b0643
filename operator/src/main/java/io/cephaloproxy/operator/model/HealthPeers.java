package io.cephaloproxy.operator.model;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's own pods as a peer of each proxy's NetworkPolicy on the health port, so that it
 * can read the agents' {@code /denials} for the summary Events (issue 17 §5): exactly its pods
 * (their labels) in its namespace, nothing else. None when the Events are off, or when the operator
 * does not know its namespace and labels (run outside the chart: POD_NAMESPACE and
 * OPERATOR_POD_LABELS).
 */
public final class HealthPeers {
  private HealthPeers() {}

  public static List<NetworkPolicyPeer> operator(
      boolean denialEvents, Optional<String> namespace, Map<String, String> podLabels) {
    if (!denialEvents || namespace.isEmpty() || podLabels.isEmpty()) {
      return List.of();
    }
    return List.of(
        new NetworkPolicyPeerBuilder()
            .withNamespaceSelector(
                new LabelSelectorBuilder()
                    .addToMatchLabels("kubernetes.io/metadata.name", namespace.get())
                    .build())
            .withPodSelector(
                new LabelSelectorBuilder()
                    .withMatchLabels(new java.util.TreeMap<>(podLabels))
                    .build())
            .build());
  }
}
