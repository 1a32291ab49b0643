package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** A complete squid.conf in a ConfigMap (expert mode). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SquidConfRef extends KeyRef {
  static final String DEFAULT_KEY = "squid.conf";

  public SquidConfRef() {
    this(null);
  }

  public SquidConfRef(String name) {
    super(name, DEFAULT_KEY);
  }

  @Override
  @JsonPropertyDescription("Name of the ConfigMap (same namespace).")
  public String getName() {
    return super.getName();
  }

  @Override
  @Default(DEFAULT_KEY)
  @JsonPropertyDescription("Key holding the squid.conf text. Default " + DEFAULT_KEY + ".")
  public String getKey() {
    return super.getKey();
  }
}
