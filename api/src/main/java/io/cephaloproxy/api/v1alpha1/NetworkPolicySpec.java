package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** A NetworkPolicy for the proxy pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {
  @Default("false")
  @JsonPropertyDescription(
      "Create a NetworkPolicy that admits ingress only to the proxy port from "
          + "access.allowedClientCIDRs (and to the health port). Egress stays open: the proxy's job is egress. "
          + "Default false.")
  private Boolean enabled = Boolean.FALSE;

  // --- accessors ---

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }
}
