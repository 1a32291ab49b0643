package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** TLS interception (Squid ssl-bump). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!self.enabled || has(self.caSecret)",
    message =
        "sslBump.enabled needs sslBump.caSecret.name: a Secret with the CA certificate (tls.crt) and key "
            + "(tls.key) that signs the generated certificates, e.g. one made by cert-manager")
@ValidationRule(
    value = "self.policy == 'BumpAll' || !has(self.spliceDomains) || size(self.spliceDomains) == 0",
    message =
        "sslBump.spliceDomains only applies with policy BumpAll (PeekAndSplice never decrypts); remove it "
            + "or set policy: BumpAll")
public class SslBumpSpec {
  @Default("false")
  @JsonPropertyDescription("Turn TLS interception on. Off by default.")
  private Boolean enabled = Boolean.FALSE;

  @JsonPropertyDescription(
      "The CA that signs the certificates Squid generates; required when enabled. Clients "
          + "must trust this CA.")
  private CaSecretRef caSecret;

  @Default("BumpAll")
  @JsonPropertyDescription(
      "BumpAll (default): decrypt every CONNECT tunnel except spliceDomains, so the access "
          + "rules see full URLs. PeekAndSplice: never decrypt; read the TLS SNI and terminate tunnels whose server "
          + "name the domain rules deny, splice (pass through) the rest.")
  private SslBumpPolicy policy = SslBumpPolicy.BumpAll;

  @Size(max = 1000)
  @ValidationRule(
      value = CelRules.DOMAINS,
      message = "sslBump.spliceDomains: " + CelRules.DOMAINS_MSG)
  @JsonPropertyDescription(
      "Server names never decrypted with BumpAll (e.g. banking or certificate-pinned "
          + "services): tunnelled as is. Same syntax as access.allowedDomains.")
  private List<@Size(max = 254) String> spliceDomains;

  @Default(Defaults.CERTIFICATE_DB_SIZE)
  @Size(max = 20)
  @Pattern(Patterns.BYTES_QUANTITY)
  @ValidationRule(
      value = CelRules.QUANTITY,
      message = "sslBump.certificateDbSize " + CelRules.QUANTITY_MSG)
  @JsonPropertyDescription(
      "Size of the on-disk database of generated certificates (security_file_certgen -M). "
          + "Default "
          + Defaults.CERTIFICATE_DB_SIZE
          + ".")
  private String certificateDbSize = Defaults.CERTIFICATE_DB_SIZE;

  // --- accessors ---

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public CaSecretRef getCaSecret() {
    return caSecret;
  }

  public void setCaSecret(CaSecretRef caSecret) {
    this.caSecret = caSecret;
  }

  public SslBumpPolicy getPolicy() {
    return policy;
  }

  public void setPolicy(SslBumpPolicy policy) {
    this.policy = policy;
  }

  public List<String> getSpliceDomains() {
    return spliceDomains;
  }

  public void setSpliceDomains(List<String> spliceDomains) {
    this.spliceDomains = spliceDomains;
  }

  public String getCertificateDbSize() {
    return certificateDbSize;
  }

  public void setCertificateDbSize(String certificateDbSize) {
    this.certificateDbSize = certificateDbSize;
  }
}
