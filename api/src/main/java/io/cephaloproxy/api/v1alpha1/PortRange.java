package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** One destination port, or a range port..endPort (like NetworkPolicy ports). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.endPort) || self.endPort >= self.port",
    message = "endPort must be greater than or equal to port; for a single port leave endPort out")
public class PortRange {
  @Required
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("The port, or the first port of the range (1-65535).")
  private Integer port;

  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Last port of the range, inclusive. Leave out for a single port.")
  private Integer endPort;

  public PortRange() {}

  public PortRange(int port) {
    this.port = port;
  }

  public PortRange(int port, int endPort) {
    this.port = port;
    this.endPort = endPort;
  }

  /** Squid syntax: {@code 443} or {@code 1025-65535}. */
  public String toSquid() {
    return endPort == null || endPort.equals(port) ? String.valueOf(port) : port + "-" + endPort;
  }

  // --- accessors ---

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Integer getEndPort() {
    return endPort;
  }

  public void setEndPort(Integer endPort) {
    this.endPort = endPort;
  }
}
