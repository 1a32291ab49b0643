package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** A NetworkPolicy for the proxy pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {
  @Default("false")
  @JsonPropertyDescription(
      "Create a NetworkPolicy that admits ingress to the proxy port only from "
          + "access.allowedClientCIDRs and to the health port only from metricsFrom (kubelet probes come from the "
          + "pod's node, which NetworkPolicy implementations always admit). Egress only to DNS and to the "
          + "destinations Squid may reach. Default false.")
  private Boolean enabled = Boolean.FALSE;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Who may scrape /metrics on the health port (8080) when the NetworkPolicy is enabled. Unset: pods "
          + "labelled app.kubernetes.io/name=prometheus in the namespaces monitoring, "
          + "openshift-monitoring and openshift-user-workload-monitoring (Prometheus Operator and "
          + "OpenShift monitoring). An empty list admits no scraper; probes keep working.")
  private List<MetricsScraperSpec> metricsFrom;

  // --- accessors ---

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public List<MetricsScraperSpec> getMetricsFrom() {
    return metricsFrom;
  }

  public void setMetricsFrom(List<MetricsScraperSpec> metricsFrom) {
    this.metricsFrom = metricsFrom;
  }
}
