package io.cephaloproxy.api.v1alpha1;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * One key of a ConfigMap or Secret: what {@link ConfigMapKeyRef}, {@link SecretKeyRef}, {@link
 * HtpasswdSecretRef} and {@link SquidConfRef} share. Whether the key is required or has a default,
 * and the descriptions, are the subclasses' (on their getters).
 */
public abstract class KeyRef extends ObjectRef {
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DATA_KEY)
  private String key;

  protected KeyRef() {}

  protected KeyRef(String name, String key) {
    super(name);
    this.key = key;
  }

  // --- accessors ---

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }
}
