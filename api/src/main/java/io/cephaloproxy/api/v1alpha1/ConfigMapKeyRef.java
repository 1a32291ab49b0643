package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A key of a ConfigMap in the SquidProxy's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapKeyRef extends KeyRef {
  public ConfigMapKeyRef() {}

  public ConfigMapKeyRef(String name, String key) {
    super(name, key);
  }

  @Override
  @JsonPropertyDescription("Name of the ConfigMap (same namespace as the SquidProxy).")
  public String getName() {
    return super.getName();
  }

  @Override
  @Required
  @JsonPropertyDescription("Key inside the ConfigMap's data.")
  public String getKey() {
    return super.getKey();
  }
}
