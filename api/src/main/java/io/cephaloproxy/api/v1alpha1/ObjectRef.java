package io.cephaloproxy.api.v1alpha1;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A ConfigMap or Secret in the SquidProxy's namespace: the name every reference type shares. The
 * subclasses add their keys and describe their fields (overriding the getters), so the CRD's
 * descriptions name what is referenced.
 */
public abstract class ObjectRef {
  @Required
  @Size(min = 1, max = 253)
  @Pattern(Patterns.RESOURCE_NAME)
  private String name;

  protected ObjectRef() {}

  protected ObjectRef(String name) {
    this.name = name;
  }

  // --- accessors ---

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
