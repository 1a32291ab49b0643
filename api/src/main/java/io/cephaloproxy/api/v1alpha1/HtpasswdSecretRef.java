package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** The Secret with an htpasswd file. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HtpasswdSecretRef extends KeyRef {
  static final String DEFAULT_KEY = "htpasswd";

  public HtpasswdSecretRef() {
    this(null);
  }

  public HtpasswdSecretRef(String name) {
    super(name, DEFAULT_KEY);
  }

  @Override
  @JsonPropertyDescription("Name of the Secret (same namespace).")
  public String getName() {
    return super.getName();
  }

  @Override
  @Default(DEFAULT_KEY)
  @JsonPropertyDescription(
      "Key holding the htpasswd file (lines user:hash; bcrypt is not supported by "
          + "basic_ncsa_auth, use htpasswd -m or -d). Default "
          + DEFAULT_KEY
          + ".")
  public String getKey() {
    return super.getKey();
  }
}
