package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What the operator observed. Written only by the operator (status subresource). A value: two
 * statuses are equal when every field is, the conditions compared by type whatever their order, so
 * the operator patches only a change.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SquidProxyStatus {
  @JsonPropertyDescription(
      "Conditions Ready, Progressing, Degraded and ConfigValid (metav1.Condition: type, status, reason, message, observedGeneration, lastTransitionTime).")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation of the spec the operator last acted on.")
  private Long observedGeneration;

  @StatusReplicas
  @JsonPropertyDescription(
      "Number of proxy pods (from the Deployment); the scale subresource's current replicas.")
  private Integer replicas;

  @JsonPropertyDescription("Number of proxy pods that are ready to serve.")
  private Integer readyReplicas;

  @JsonPropertyDescription(
      "Ready and desired proxy pods as ready/desired, e.g. 2/3 (the Replicas column of kubectl get). "
          + "Desired is spec.replicas, or the HPA's current target when autoscaling.enabled.")
  private String replicasSummary;

  @JsonPropertyDescription(
      "The effective access mode (the Mode column): Enforce or Audit from spec.access.mode, "
          + "Enforce when access is omitted, Custom when squidConfFrom supplies the whole squid.conf.")
  private String mode;

  @LabelSelector
  @JsonPropertyDescription(
      "Label selector of the proxy pods, for the scale subresource (an HPA targeting the "
          + "SquidProxy reads pod metrics with it).")
  private String selector;

  @JsonPropertyDescription(
      "Where clients reach the proxy: host:port of the Service, e.g. my-proxy.my-namespace.svc:3128.")
  private String endpoint;

  @JsonPropertyDescription(
      "SHA-256 of the compiled configuration and every referenced Secret/ConfigMap; the pods run the config with this hash once the rollout completes.")
  private String configHash;

  @JsonPropertyDescription(
      "The config hash of the pods that serve (ready pods): while a rollout is under way or the "
          + "current spec is rejected, the last good configuration's; absent when no pod is ready. "
          + "Its first 10 digits name the config generation the pods mount (ConfigMap "
          + "<name>-config-<digits>).")
  private String servingConfigHash;

  @JsonPropertyDescription(
      "The config hash of the current spec and referenced data, also when it is rejected "
          + "(ConfigValid=False: differs from servingConfigHash, which the pods keep); absent when "
          + "the spec does not compile or a reference is missing.")
  private String desiredConfigHash;

  public SquidProxyStatus() {}

  public SquidProxyStatus(
      List<Condition> conditions,
      Long observedGeneration,
      Integer replicas,
      Integer readyReplicas,
      String endpoint,
      String configHash) {
    this.conditions = new ArrayList<>(conditions);
    this.observedGeneration = observedGeneration;
    this.replicas = replicas;
    this.readyReplicas = readyReplicas;
    this.endpoint = endpoint;
    this.configHash = configHash;
  }

  /** The same status with other conditions. */
  public SquidProxyStatus withConditions(List<Condition> conditions) {
    return new SquidProxyStatus(
            conditions, observedGeneration, replicas, readyReplicas, endpoint, configHash)
        .withKubectlFields(replicasSummary, mode, selector)
        .withConfigHashes(servingConfigHash, desiredConfigHash);
  }

  /** The same status with other servingConfigHash and desiredConfigHash. */
  public SquidProxyStatus withConfigHashes(String serving, String desired) {
    SquidProxyStatus s = withKubectlFields(replicasSummary, mode, selector);
    s.servingConfigHash = serving;
    s.desiredConfigHash = desired;
    return s;
  }

  /**
   * The same status with the fields kubectl shows and scales by (replicasSummary, mode, selector).
   */
  public SquidProxyStatus withKubectlFields(String replicasSummary, String mode, String selector) {
    SquidProxyStatus s =
        new SquidProxyStatus(
            conditions == null ? List.of() : conditions,
            observedGeneration,
            replicas,
            readyReplicas,
            endpoint,
            configHash);
    s.replicasSummary = replicasSummary;
    s.mode = mode;
    s.selector = selector;
    s.servingConfigHash = servingConfigHash;
    s.desiredConfigHash = desiredConfigHash;
    return s;
  }

  private List<Condition> conditionsByType() {
    return conditions == null
        ? List.of()
        : conditions.stream()
            .sorted(
                Comparator.comparing(
                    Condition::getType, Comparator.nullsFirst(Comparator.naturalOrder())))
            .toList();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SquidProxyStatus s
        && conditionsByType().equals(s.conditionsByType())
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(replicas, s.replicas)
        && Objects.equals(readyReplicas, s.readyReplicas)
        && Objects.equals(endpoint, s.endpoint)
        && Objects.equals(configHash, s.configHash)
        && Objects.equals(replicasSummary, s.replicasSummary)
        && Objects.equals(mode, s.mode)
        && Objects.equals(selector, s.selector)
        && Objects.equals(servingConfigHash, s.servingConfigHash)
        && Objects.equals(desiredConfigHash, s.desiredConfigHash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        conditionsByType(),
        observedGeneration,
        replicas,
        readyReplicas,
        endpoint,
        configHash,
        replicasSummary,
        mode,
        selector,
        servingConfigHash,
        desiredConfigHash);
  }

  @Override
  public String toString() {
    return "SquidProxyStatus{conditions="
        + conditions
        + ", observedGeneration="
        + observedGeneration
        + ", replicas="
        + replicas
        + ", readyReplicas="
        + readyReplicas
        + ", endpoint="
        + endpoint
        + ", configHash="
        + configHash
        + ", replicasSummary="
        + replicasSummary
        + ", mode="
        + mode
        + ", selector="
        + selector
        + ", servingConfigHash="
        + servingConfigHash
        + ", desiredConfigHash="
        + desiredConfigHash
        + "}";
  }

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

  public String getReplicasSummary() {
    return replicasSummary;
  }

  public void setReplicasSummary(String replicasSummary) {
    this.replicasSummary = replicasSummary;
  }

  public String getMode() {
    return mode;
  }

  public void setMode(String mode) {
    this.mode = mode;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public String getConfigHash() {
    return configHash;
  }

  public void setConfigHash(String configHash) {
    this.configHash = configHash;
  }

  public String getServingConfigHash() {
    return servingConfigHash;
  }

  public void setServingConfigHash(String servingConfigHash) {
    this.servingConfigHash = servingConfigHash;
  }

  public String getDesiredConfigHash() {
    return desiredConfigHash;
  }

  public void setDesiredConfigHash(String desiredConfigHash) {
    this.desiredConfigHash = desiredConfigHash;
  }
}
