package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** A PodDisruptionBudget for voluntary disruptions (node drains). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodDisruptionBudgetSpec {
  @Default("true")
  @JsonPropertyDescription(
      "Create a PDB (only when more than one replica is desired, so a single pod never "
          + "blocks a node drain). Default true.")
  private Boolean enabled = Boolean.TRUE;

  @Default(Defaults.PDB_MAX_UNAVAILABLE_TEXT)
  @Min(1)
  @JsonPropertyDescription(
      "How many pods a drain may take down at once. Default " + Defaults.PDB_MAX_UNAVAILABLE + ".")
  private Integer maxUnavailable = Defaults.PDB_MAX_UNAVAILABLE;

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
