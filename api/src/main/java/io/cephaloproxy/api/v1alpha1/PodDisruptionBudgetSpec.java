package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** A PodDisruptionBudget for voluntary disruptions (node drains). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodDisruptionBudgetSpec {
  @Default("true")
  @JsonPropertyDescription("Create a PDB (only when more than one replica is desired, so a single pod never "
      + "blocks a node drain). Default true.")
  private Boolean enabled = Boolean.TRUE;

  @Default("1")
  @Min(1)
  @JsonPropertyDescription("How many pods a drain may take down at once. Default 1.")
  private Integer maxUnavailable = 1;

  // --- accessors ---

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getMaxUnavailable() {
    return maxUnavailable;
  }

  public void setMaxUnavailable(Integer maxUnavailable) {
    this.maxUnavailable = maxUnavailable;
  }
}
