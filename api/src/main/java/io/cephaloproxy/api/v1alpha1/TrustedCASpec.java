package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Extra CA certificates Squid trusts when it opens TLS connections to origins (bumped traffic,
 * https:// URLs).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.configMap) != has(self.secret)",
    message = "trustedCA needs exactly one of configMap or secret")
public class TrustedCASpec {
  @JsonPropertyDescription(
      "A ConfigMap key with PEM CA certificates (e.g. an injected corporate bundle).")
  private ConfigMapKeyRef configMap;

  @JsonPropertyDescription("A Secret key with PEM CA certificates.")
  private SecretKeyRef secret;

  // --- accessors ---

  public ConfigMapKeyRef getConfigMap() {
    return configMap;
  }

  public void setConfigMap(ConfigMapKeyRef configMap) {
    this.configMap = configMap;
  }

  public SecretKeyRef getSecret() {
    return secret;
  }

  public void setSecret(SecretKeyRef secret) {
    this.secret = secret;
  }
}
