package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.MetricsScraperSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers the proxy's NetworkPolicy admits to the health port: spec.networkPolicy.metricsFrom, or
 * by default the Prometheus pods of the usual monitoring namespaces. The kubelet's probes need no
 * peer: NetworkPolicy implementations always admit traffic from the pod's own node.
 */
public final class MetricsScrapers {
  private MetricsScrapers() {}

  /** Namespaces where Prometheus Operator and OpenShift monitoring run Prometheus. */
  public static final List<String> DEFAULT_NAMESPACES =
      List.of("monitoring", "openshift-monitoring", "openshift-user-workload-monitoring");

  /** The label the Prometheus Operator (and OpenShift's) gives Prometheus pods. */
  public static final String DEFAULT_POD_LABEL = "app.kubernetes.io/name";

  public static final String DEFAULT_POD_LABEL_VALUE = "prometheus";

  public static List<NetworkPolicyPeer> peers(List<MetricsScraperSpec> spec) {
    if (spec == null) {
      return List.of(
          new NetworkPolicyPeerBuilder()
              .withNamespaceSelector(
                  new LabelSelectorBuilder()
                      .addNewMatchExpression()
                      .withKey("kubernetes.io/metadata.name")
                      .withOperator("In")
                      .withValues(DEFAULT_NAMESPACES)
                      .endMatchExpression()
                      .build())
              .withPodSelector(
                  new LabelSelectorBuilder()
                      .addToMatchLabels(DEFAULT_POD_LABEL, DEFAULT_POD_LABEL_VALUE)
                      .build())
              .build());
    }
    List<NetworkPolicyPeer> peers = new ArrayList<>();
    for (MetricsScraperSpec s : spec) {
      if (s == null) {
        continue;
      }
      // a peer needs a selector: neither set means every pod of the proxy's namespace
      LabelSelector pods =
          s.getPodSelector() == null && s.getNamespaceSelector() == null
              ? new LabelSelector()
              : s.getPodSelector();
      peers.add(
          new NetworkPolicyPeerBuilder()
              .withNamespaceSelector(s.getNamespaceSelector())
              .withPodSelector(pods)
              .build());
    }
    return List.copyOf(peers);
  }
}
