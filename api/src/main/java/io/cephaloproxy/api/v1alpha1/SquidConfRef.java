package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A complete squid.conf in a ConfigMap (expert mode). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SquidConfRef {
  @Required
  @Size(min = 1, max = 253)
  @Pattern(Patterns.RESOURCE_NAME)
  @JsonPropertyDescription("Name of the ConfigMap (same namespace).")
  private String name;

  @Default("squid.conf")
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DATA_KEY)
  @JsonPropertyDescription("Key holding the squid.conf text. Default squid.conf.")
  private String key = "squid.conf";

  public SquidConfRef() {}

  public SquidConfRef(String name) {
    this.name = name;
  }

  // --- accessors ---

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }
}
