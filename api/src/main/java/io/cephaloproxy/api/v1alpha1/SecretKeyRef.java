package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A key of a Secret in the SquidProxy's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef extends KeyRef {
  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    super(name, key);
  }

  @Override
  @JsonPropertyDescription("Name of the Secret (same namespace as the SquidProxy).")
  public String getName() {
    return super.getName();
  }

  @Override
  @Required
  @JsonPropertyDescription("Key inside the Secret's data.")
  public String getKey() {
    return super.getKey();
  }
}
