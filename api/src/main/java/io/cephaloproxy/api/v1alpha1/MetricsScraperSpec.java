package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * Where the proxy's metrics are scraped from: a NetworkPolicy peer of pods selected by namespace
 * and pod labels, admitted to the health port.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetricsScraperSpec {
  @JsonPropertyDescription(
      "Namespaces of the scraping pods (a label selector; kubernetes.io/metadata.name selects a"
          + " namespace by name). Unset: the proxy's own namespace.")
  private LabelSelector namespaceSelector;

  @JsonPropertyDescription("Pods that scrape /metrics (a label selector). Unset: every pod.")
  private LabelSelector podSelector;

  // --- accessors ---

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public LabelSelector getPodSelector() {
    return podSelector;
  }

  public void setPodSelector(LabelSelector podSelector) {
    this.podSelector = podSelector;
  }
}
