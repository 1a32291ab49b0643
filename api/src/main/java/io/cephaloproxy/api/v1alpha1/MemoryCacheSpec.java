package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** An in-memory object cache. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemoryCacheSpec {
  @Required
  @Size(max = 20)
  @Pattern(Patterns.BYTES_QUANTITY)
  @ValidationRule(value = CelRules.QUANTITY, message = "cache.memory.size " + CelRules.QUANTITY_MSG)
  @JsonPropertyDescription(
      "Memory for cached objects (Squid cache_mem), e.g. 256Mi. Counts against the "
          + "container's memory: set resources.limits.memory above it (Squid needs ~50Mi more).")
  private String size;

  public MemoryCacheSpec() {}

  public MemoryCacheSpec(String size) {
    this.size = size;
  }

  // --- accessors ---

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }
}
