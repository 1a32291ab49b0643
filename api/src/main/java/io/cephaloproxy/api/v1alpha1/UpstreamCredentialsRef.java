package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The Secret with the parent proxy's credentials. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.usernameKey != self.passwordKey",
    message =
        "credentialsSecret.usernameKey and credentialsSecret.passwordKey must name different keys of the Secret")
public class UpstreamCredentialsRef extends ObjectRef {
  @Default("username")
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DATA_KEY)
  @JsonPropertyDescription("Key of the user name. Default username.")
  private String usernameKey = "username";

  @Default("password")
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DATA_KEY)
  @JsonPropertyDescription("Key of the password. Default password.")
  private String passwordKey = "password";

  public UpstreamCredentialsRef() {}

  public UpstreamCredentialsRef(String name) {
    super(name);
  }

  // --- accessors ---

  @Override
  @JsonPropertyDescription("Name of the Secret (same namespace).")
  public String getName() {
    return super.getName();
  }

  public String getUsernameKey() {
    return usernameKey;
  }

  public void setUsernameKey(String usernameKey) {
    this.usernameKey = usernameKey;
  }

  public String getPasswordKey() {
    return passwordKey;
  }

  public void setPasswordKey(String passwordKey) {
    this.passwordKey = passwordKey;
  }
}
