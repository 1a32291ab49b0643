package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A parent proxy that requests are forwarded to (Squid cache_peer). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.host) != (has(self.fromClusterProxy) && self.fromClusterProxy)",
    message =
        "upstream needs exactly one of host (a parent proxy) and fromClusterProxy: true (the"
            + " cluster proxy from the operator's HTTPS_PROXY/HTTP_PROXY); remove the other")
public class UpstreamSpec {
  @Size(min = 1, max = 253)
  @ValidationRule(
      value = "self.matches('" + Patterns.HOST + "') || isIP(self)",
      message =
          "upstream.host must be a host name (e.g. proxy.corp.example) or an IP address, without scheme, "
              + "port or spaces")
  @JsonPropertyDescription(
      "Host name or IP address of the parent proxy. Required unless fromClusterProxy is true.")
  private String host;

  @Default(Defaults.UPSTREAM_PORT_TEXT)
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription(
      "Port of the parent proxy named by host (not used with fromClusterProxy). Default "
          + Defaults.UPSTREAM_PORT
          + ".")
  private Integer port = Defaults.UPSTREAM_PORT;

  @Default("false")
  @JsonPropertyDescription(
      "true: the parent proxy is the cluster proxy the operator was given in its environment"
          + " (HTTPS_PROXY, else HTTP_PROXY, as OLM injects them on a cluster with a proxy)."
          + " Exclusive with host. The proxy rolls when the operator's cluster proxy changes."
          + " Destinations in the operator's NO_PROXY (domains like .svc, host names, IP"
          + " addresses, CIDRs) are reached directly, never through it; a NO_PROXY entry the proxy"
          + " cannot match (e.g. with a port) makes ConfigValid False. Credentials go in"
          + " credentialsSecret, never in the URL. Default false.")
  private Boolean fromClusterProxy = Boolean.FALSE;

  @JsonPropertyDescription(
      "Credentials for the parent proxy (sent as Basic proxy authentication). They are "
          + "mounted from the Secret and never written to the ConfigMap.")
  private UpstreamCredentialsRef credentialsSecret;

  @Default("true")
  @JsonPropertyDescription(
      "true (default): every request goes through the parent (never_direct); false: the "
          + "parent is preferred but Squid may go direct when it is down.")
  private Boolean neverDirect = Boolean.TRUE;

  // --- accessors ---

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public UpstreamCredentialsRef getCredentialsSecret() {
    return credentialsSecret;
  }

  public void setCredentialsSecret(UpstreamCredentialsRef credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }

  public Boolean getFromClusterProxy() {
    return fromClusterProxy;
  }

  public void setFromClusterProxy(Boolean fromClusterProxy) {
    this.fromClusterProxy = fromClusterProxy;
  }

  public Boolean getNeverDirect() {
    return neverDirect;
  }

  public void setNeverDirect(Boolean neverDirect) {
    this.neverDirect = neverDirect;
  }
}
