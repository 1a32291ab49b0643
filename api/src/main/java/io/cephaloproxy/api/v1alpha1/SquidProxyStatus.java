package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed. Written only by the operator (status subresource). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SquidProxyStatus {
  @JsonPropertyDescription("Conditions Ready, Progressing, Degraded and ConfigValid (metav1.Condition: type, status, reason, message, observedGeneration, lastTransitionTime).")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation of the spec the operator last acted on.")
  private Long observedGeneration;

  @JsonPropertyDescription("Number of proxy pods (from the Deployment).")
  private Integer replicas;

  @JsonPropertyDescription("Number of proxy pods that are ready to serve.")
  private Integer readyReplicas;

  @JsonPropertyDescription("Where clients reach the proxy: host:port of the Service, e.g. my-proxy.my-namespace.svc:3128.")
  private String endpoint;

  @JsonPropertyDescription("SHA-256 of the compiled configuration and every referenced Secret/ConfigMap; the pods run the config with this hash once the rollout completes.")
  private String configHash;

  // --- accessors ---

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getConfigHash() {
    return configHash;
  }

  public void setConfigHash(String configHash) {
    this.configHash = configHash;
  }
}
