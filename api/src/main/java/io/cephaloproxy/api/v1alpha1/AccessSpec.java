package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Who may use the proxy and where they may go. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AccessSpec {
  /** RFC 1918 + IPv6 unique-local: the private networks of a cluster. */
  public static final List<String> DEFAULT_CLIENT_CIDRS =
      List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");

  /** Squid's stock Safe_ports. */
  public static final List<PortRange> defaultAllowedPorts() {
    return new ArrayList<>(
        List.of(
            new PortRange(80),
            new PortRange(21),
            new PortRange(443),
            new PortRange(70),
            new PortRange(210),
            new PortRange(1025, 65535),
            new PortRange(280),
            new PortRange(488),
            new PortRange(591),
            new PortRange(777)));
  }

  /** Squid's stock SSL_ports. */
  public static final List<PortRange> defaultAllowedConnectPorts() {
    return new ArrayList<>(List.of(new PortRange(443)));
  }

  @Default("Enforce")
  @JsonPropertyDescription(
      "Enforce (default) denies what the rules below deny (403, TCP_DENIED in the access log). "
          + "Audit lets those requests through and marks them in the access log with would_deny=<rule> "
          + "(rules: unsafe-port, connect-port, denied-domain, not-allowed-domain, denied-destination). Enforced in "
          + "both modes: client CIDRs, authentication and the built-in block of link-local/metadata, localhost and "
          + "cluster-network destinations.")
  private AccessMode mode = AccessMode.Enforce;

  @Size(min = 1, max = 256)
  @ValidationRule(value = CelRules.CIDRS, message = "allowedClientCIDRs: " + CelRules.CIDRS_MSG)
  @Default("[\"10.0.0.0/8\",\"172.16.0.0/12\",\"192.168.0.0/16\",\"fc00::/7\"]")
  @JsonPropertyDescription(
      "Client networks allowed to use the proxy (Squid src ACL). Default: the private "
          + "ranges 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and fc00::/7. Other clients get 403.")
  private List<@Size(max = 64) String> allowedClientCIDRs = new ArrayList<>(DEFAULT_CLIENT_CIDRS);

  @Size(max = 1000)
  @ValidationRule(value = CelRules.DOMAINS, message = "allowedDomains: " + CelRules.DOMAINS_MSG)
  @JsonPropertyDescription(
      "Allowlist: when set (here or in allowedDomainsFrom), only these destination domains "
          + "are allowed. 'example.com' matches exactly that host; '.example.com' matches it and every subdomain. "
          + "Matched without DNS lookups (dstdomain -n). An empty list is the same as leaving it out (no allowlist). "
          + "For more than 1000 entries use allowedDomainsFrom.")
  private List<@Size(max = 254) String> allowedDomains;

  @JsonPropertyDescription(
      "Allowlist entries from a ConfigMap key, one domain per line ('#' comments and blank "
          + "lines allowed); for very large lists. The key is mounted as a file, not copied.")
  private ConfigMapKeyRef allowedDomainsFrom;

  @Size(max = 1000)
  @ValidationRule(value = CelRules.DOMAINS, message = "deniedDomains: " + CelRules.DOMAINS_MSG)
  @JsonPropertyDescription(
      "Denylist: destination domains that are always denied (checked before the allowlist). "
          + "Same syntax as allowedDomains.")
  private List<@Size(max = 254) String> deniedDomains;

  @JsonPropertyDescription(
      "Denylist entries from a ConfigMap key, one domain per line; for very large lists.")
  private ConfigMapKeyRef deniedDomainsFrom;

  @Size(min = 1, max = 64)
  @Default(
      "[{\"port\":80},{\"port\":21},{\"port\":443},{\"port\":70},{\"port\":210},"
          + "{\"port\":1025,\"endPort\":65535},{\"port\":280},{\"port\":488},{\"port\":591},{\"port\":777}]")
  @JsonPropertyDescription(
      "Destination ports allowed for plain HTTP requests (Squid's Safe_ports). Default: "
          + "80, 21, 443, 70, 210, 1025-65535, 280, 488, 591, 777.")
  private List<PortRange> allowedPorts = defaultAllowedPorts();

  @Size(min = 1, max = 64)
  @Default("[{\"port\":443}]")
  @JsonPropertyDescription(
      "Destination ports allowed for CONNECT tunnels (Squid's SSL_ports). Default: 443.")
  private List<PortRange> allowedConnectPorts = defaultAllowedConnectPorts();

  @Size(max = 256)
  @ValidationRule(value = CelRules.CIDRS, message = "deniedDestinationCIDRs: " + CelRules.CIDRS_MSG)
  @JsonPropertyDescription(
      "Extra destination networks to deny. Always denied (unless in allowedDestinationCIDRs): "
          + "169.254.0.0/16 and fe80::/10 (link-local, cloud metadata), the cloud metadata addresses "
          + "100.100.100.200/32, 168.63.129.16/32 and fd00:ec2::254/128, 127.0.0.0/8, ::1/128, 0.0.0.0/8 and ::/128 "
          + "(the proxy's own host), each IPv4 range also in its IPv4-mapped IPv6 form (::ffff:a.b.c.d), and the "
          + "cluster's Service and Pod networks (see clusterNetworks).")
  private List<@Size(max = 64) String> deniedDestinationCIDRs;

  @JsonPropertyDescription(
      "The cluster's own Service and Pod networks as destinations. Deny (default): denied, in Audit mode "
          + "too, like the built-in block; the operator discovers them (Service CIDRs from the ServiceCIDR API, "
          + "or the 'kubernetes' Service's IP where that API is not served; Pod CIDRs from the nodes' "
          + "spec.podCIDRs) and updates every proxy when they change (a rollout). allowedDestinationCIDRs can "
          + "still open single services or pods. Allow: the proxy does not deny them (the other denies still "
          + "apply); for proxies that clients use to reach in-cluster services.")
  private ClusterNetworkAccess clusterNetworks;

  @Size(max = 256)
  @ValidationRule(
      value = CelRules.CIDRS,
      message = "allowedDestinationCIDRs: " + CelRules.CIDRS_MSG)
  @JsonPropertyDescription(
      "Exceptions to the destination denies above: networks inside the denied ranges that "
          + "may be reached anyway, e.g. 169.254.169.254/32 to allow a metadata endpoint explicitly.")
  private List<@Size(max = 64) String> allowedDestinationCIDRs;

  // --- accessors ---

  public AccessMode getMode() {
    return mode;
  }

  public void setMode(AccessMode mode) {
    this.mode = mode;
  }

  public List<String> getAllowedClientCIDRs() {
    return allowedClientCIDRs;
  }

  public void setAllowedClientCIDRs(List<String> allowedClientCIDRs) {
    this.allowedClientCIDRs = allowedClientCIDRs;
  }

  public List<String> getAllowedDomains() {
    return allowedDomains;
  }

  public void setAllowedDomains(List<String> allowedDomains) {
    this.allowedDomains = allowedDomains;
  }

  public ConfigMapKeyRef getAllowedDomainsFrom() {
    return allowedDomainsFrom;
  }

  public void setAllowedDomainsFrom(ConfigMapKeyRef allowedDomainsFrom) {
    this.allowedDomainsFrom = allowedDomainsFrom;
  }

  public List<String> getDeniedDomains() {
    return deniedDomains;
  }

  public void setDeniedDomains(List<String> deniedDomains) {
    this.deniedDomains = deniedDomains;
  }

  public ConfigMapKeyRef getDeniedDomainsFrom() {
    return deniedDomainsFrom;
  }

  public void setDeniedDomainsFrom(ConfigMapKeyRef deniedDomainsFrom) {
    this.deniedDomainsFrom = deniedDomainsFrom;
  }

  public List<PortRange> getAllowedPorts() {
    return allowedPorts;
  }

  public void setAllowedPorts(List<PortRange> allowedPorts) {
    this.allowedPorts = allowedPorts;
  }

  public List<PortRange> getAllowedConnectPorts() {
    return allowedConnectPorts;
  }

  public void setAllowedConnectPorts(List<PortRange> allowedConnectPorts) {
    this.allowedConnectPorts = allowedConnectPorts;
  }

  public List<String> getDeniedDestinationCIDRs() {
    return deniedDestinationCIDRs;
  }

  public void setDeniedDestinationCIDRs(List<String> deniedDestinationCIDRs) {
    this.deniedDestinationCIDRs = deniedDestinationCIDRs;
  }

  public ClusterNetworkAccess getClusterNetworks() {
    return clusterNetworks;
  }

  public void setClusterNetworks(ClusterNetworkAccess clusterNetworks) {
    this.clusterNetworks = clusterNetworks;
  }

  public List<String> getAllowedDestinationCIDRs() {
    return allowedDestinationCIDRs;
  }

  public void setAllowedDestinationCIDRs(List<String> allowedDestinationCIDRs) {
    this.allowedDestinationCIDRs = allowedDestinationCIDRs;
  }
}
