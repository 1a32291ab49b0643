package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** A HorizontalPodAutoscaler on CPU. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.maxReplicas >= self.minReplicas",
    message = "autoscaling.maxReplicas must be greater than or equal to autoscaling.minReplicas")
public class AutoscalingSpec {
  @Default("false")
  @JsonPropertyDescription(
      "Create an HPA; spec.replicas is then ignored. Needs resources.requests.cpu.")
  private Boolean enabled = Boolean.FALSE;

  @Default("1")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Fewest replicas. Default 1.")
  private Integer minReplicas = 1;

  @Default("3")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Most replicas. Default 3.")
  private Integer maxReplicas = 3;

  @Default("80")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Average CPU utilization (percent of requests) to keep. Default 80.")
  private Integer targetCPUUtilizationPercentage = 80;

  // --- accessors ---

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getMinReplicas() {
    return minReplicas;
  }

  public void setMinReplicas(Integer minReplicas) {
    this.minReplicas = minReplicas;
  }

  public Integer getMaxReplicas() {
    return maxReplicas;
  }

  public void setMaxReplicas(Integer maxReplicas) {
    this.maxReplicas = maxReplicas;
  }

  public Integer getTargetCPUUtilizationPercentage() {
    return targetCPUUtilizationPercentage;
  }

  public void setTargetCPUUtilizationPercentage(Integer targetCPUUtilizationPercentage) {
    this.targetCPUUtilizationPercentage = targetCPUUtilizationPercentage;
  }
}
