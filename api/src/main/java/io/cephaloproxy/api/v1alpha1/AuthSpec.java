package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** Client authentication. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.mode != 'Basic' || has(self.htpasswdSecret)",
    message =
        "auth.mode Basic needs auth.htpasswdSecret.name: a Secret whose key 'htpasswd' holds user:hash lines")
@ValidationRule(
    value = "self.mode == 'Basic' || !has(self.htpasswdSecret)",
    message = "auth.htpasswdSecret is only used with mode: Basic; remove it or set mode: Basic")
public class AuthSpec {
  @Default("None")
  @JsonPropertyDescription(
      "None (default): no authentication, clients are checked by address only. Basic: "
          + "clients must also send proxy credentials (HTTP Basic) found in the htpasswd Secret; others get 407.")
  private AuthMode mode = AuthMode.None;

  @JsonPropertyDescription("The htpasswd file; required with mode: Basic.")
  private HtpasswdSecretRef htpasswdSecret;

  @Default(Defaults.AUTH_REALM)
  @Pattern(Patterns.REALM)
  @JsonPropertyDescription(
      "Realm shown in the browser's login prompt: 1-64 letters, digits, spaces and . _ : / ( ) -. "
          + "Default "
          + Defaults.AUTH_REALM
          + ".")
  private String realm = Defaults.AUTH_REALM;

  // --- accessors ---

  public AuthMode getMode() {
    return mode;
  }

  public void setMode(AuthMode mode) {
    this.mode = mode;
  }

  public HtpasswdSecretRef getHtpasswdSecret() {
    return htpasswdSecret;
  }

  public void setHtpasswdSecret(HtpasswdSecretRef htpasswdSecret) {
    this.htpasswdSecret = htpasswdSecret;
  }

  public String getRealm() {
    return realm;
  }

  public void setRealm(String realm) {
    this.realm = realm;
  }
}
