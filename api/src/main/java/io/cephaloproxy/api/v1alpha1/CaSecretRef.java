package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The Secret with the SSL-bump CA (a kubernetes.io/tls Secret works as is). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.certificateKey != self.privateKeyKey",
    message =
        "caSecret.certificateKey and caSecret.privateKeyKey must name different keys of the Secret")
public class CaSecretRef extends ObjectRef {
  @Default("tls.crt")
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DATA_KEY)
  @JsonPropertyDescription("Key of the PEM CA certificate in the Secret. Default tls.crt.")
  private String certificateKey = "tls.crt";

  @Default("tls.key")
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DATA_KEY)
  @JsonPropertyDescription("Key of the PEM CA private key in the Secret. Default tls.key.")
  private String privateKeyKey = "tls.key";

  public CaSecretRef() {}

  public CaSecretRef(String name) {
    super(name);
  }

  // --- accessors ---

  @Override
  @JsonPropertyDescription(
      "Name of the Secret holding the CA certificate and private key (same namespace).")
  public String getName() {
    return super.getName();
  }

  public String getCertificateKey() {
    return certificateKey;
  }

  public void setCertificateKey(String certificateKey) {
    this.certificateKey = certificateKey;
  }

  public String getPrivateKeyKey() {
    return privateKeyKey;
  }

  public void setPrivateKeyKey(String privateKeyKey) {
    this.privateKeyKey = privateKeyKey;
  }
}
