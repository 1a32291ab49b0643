package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The Secret with an htpasswd file. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HtpasswdSecretRef {
  @Required
  @Size(min = 1, max = 253)
  @Pattern(Patterns.RESOURCE_NAME)
  @JsonPropertyDescription("Name of the Secret (same namespace).")
  private String name;

  @Default("htpasswd")
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DATA_KEY)
  @JsonPropertyDescription("Key holding the htpasswd file (lines user:hash; bcrypt is not supported by "
      + "basic_ncsa_auth, use htpasswd -m or -d). Default htpasswd.")
  private String key = "htpasswd";

  public HtpasswdSecretRef() {}

  public HtpasswdSecretRef(String name) {
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
