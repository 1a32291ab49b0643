package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;
import java.util.Map;

/** The desired proxy. Every field is optional; an empty spec gives a working, locked-down proxy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.port != " + Defaults.HEALTH_PORT,
    message = Defaults.HEALTH_PORT_MESSAGE)
@ValidationRule(
    value =
        "!has(self.squidConfFrom) || (!has(self.access) && !has(self.sslBump) && !has(self.auth) "
            + "&& !has(self.upstream) && !has(self.trustedCA) && !has(self.extraConfig))",
    message =
        "squidConfFrom (a complete squid.conf) cannot be combined with access, sslBump, auth, upstream, "
            + "trustedCA or extraConfig: put those settings in the ConfigMap's squid.conf, or drop squidConfFrom")
public class SquidProxySpec {
  /**
   * squid.conf directives that extraConfig and a squidConfFrom config may not use: the container
   * contract (paths, logs, ports, process model) or helpers the operator manages. Kept in sync with
   * {@link #EXTRA_CONFIG_FORBIDDEN_RULE} by a unit test.
   */
  public static final List<String> FORBIDDEN_DIRECTIVES =
      List.of(
          "access_log",
          "acl_uses_indirect_client",
          "auth_param",
          "cache_access_log",
          "cache_dir",
          "cache_effective_group",
          "cache_effective_user",
          "cache_log",
          "cache_peer",
          "cache_peer_access",
          "cache_peer_domain",
          "cache_store_log",
          "chroot",
          "coredump_dir",
          "delay_pool_uses_indirect_client",
          "diskd_program",
          "ecap_service",
          "err_page_stylesheet",
          "error_directory",
          "error_map",
          "external_acl_type",
          "follow_x_forwarded_for",
          "http_port",
          "https_port",
          "icap_service",
          "icon_directory",
          "include",
          "loadable_modules",
          "log_uses_indirect_client",
          "logfile_daemon",
          "logfile_rotate",
          "mime_table",
          "neighbor_type_domain",
          "netdb_filename",
          "pid_filename",
          "pinger_enable",
          "pinger_program",
          "shutdown_lifetime",
          "sslcrtd_children",
          "sslcrtd_program",
          "sslcrtvalidator_program",
          "sslpassword_program",
          "store_id_program",
          "unlinkd_program",
          "url_rewrite_program",
          "workers");

  static final String EXTRA_CONFIG_FORBIDDEN_RULE =
      "!self.matches('(?m)^[ \\\\t]*("
          + "access_log|acl_uses_indirect_client|auth_param|cache_access_log|cache_dir|"
          + "cache_effective_group|cache_effective_user|cache_log|cache_peer|cache_peer_access|"
          + "cache_peer_domain|cache_store_log|chroot|coredump_dir|delay_pool_uses_indirect_client|"
          + "diskd_program|ecap_service|err_page_stylesheet|error_directory|error_map|"
          + "external_acl_type|follow_x_forwarded_for|http_port|https_port|icap_service|icon_directory|"
          + "include|loadable_modules|log_uses_indirect_client|logfile_daemon|logfile_rotate|"
          + "mime_table|neighbor_type_domain|netdb_filename|pid_filename|pinger_enable|pinger_program|"
          + "shutdown_lifetime|sslcrtd_children|sslcrtd_program|sslcrtvalidator_program|"
          + "sslpassword_program|store_id_program|unlinkd_program|url_rewrite_program|workers"
          + ")([ \\\\t]|$)')";

  /**
   * The longest squid.conf line Squid reads whole (bytes, without the newline); see the compiler's
   * ConfigLines.
   */
  public static final int SQUID_CONF_LINE_LIMIT = 8191;

  @Default(Defaults.REPLICAS_TEXT)
  @Min(0)
  @Max(1000)
  @SpecReplicas
  @JsonPropertyDescription(
      "Number of proxy pods. Default "
          + Defaults.REPLICAS
          + ". The scale subresource sets it "
          + "(kubectl scale, an HPA targeting the SquidProxy). Ignored when autoscaling.enabled: the operator's HPA then "
          + "sizes the Deployment.")
  private Integer replicas = Defaults.REPLICAS;

  @Size(max = 512)
  @Pattern("^[^\\s]+$")
  @JsonPropertyDescription(
      "Squid image; default: the operator's SQUID_IMAGE (ghcr.io/cephaloproxy/squid:<version>).")
  private String image;

  @JsonPropertyDescription(
      "Image pull policy: Always, IfNotPresent or Never. Default: Kubernetes' default.")
  private PullPolicy imagePullPolicy;

  @Size(max = 16)
  @JsonPropertyDescription("Secrets for pulling the image.")
  private List<LocalObjectReference> imagePullSecrets;

  @JsonPropertyDescription("CPU/memory requests and limits of the Squid container.")
  private ResourceRequirements resources;

  @Default(Defaults.PORT_TEXT)
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription(
      "Proxy port (Squid http_port, container port 'proxy' and Service port). Default "
          + Defaults.PORT
          + "; "
          + Defaults.HEALTH_PORT
          + " is reserved for the health port.")
  private Integer port = Defaults.PORT;

  @Default(Defaults.WORKERS_TEXT)
  @Min(1)
  @Max(16)
  @JsonPropertyDescription(
      "Squid worker processes per pod (SMP). Default "
          + Defaults.WORKERS
          + ". More than 1 gives the pod a "
          + "memory-backed /dev/shm; give it CPU to match.")
  private Integer workers = Defaults.WORKERS;

  @JsonPropertyDescription("The Service in front of the pods.")
  private ServiceSpec service;

  @Size(max = 64)
  @JsonPropertyDescription("Node labels the pods must match.")
  private Map<String, String> nodeSelector;

  @Size(max = 64)
  @JsonPropertyDescription("Tolerations of the pods.")
  private List<Toleration> tolerations;

  @JsonPropertyDescription(
      "Affinity of the pods. Default: none (the operator adds no anti-affinity by itself).")
  private Affinity affinity;

  @Size(max = 16)
  @JsonPropertyDescription("Topology spread constraints of the pods.")
  private List<TopologySpreadConstraint> topologySpreadConstraints;

  @Size(max = 64)
  @JsonPropertyDescription(
      "Extra labels on the pods (the operator's own app.kubernetes.io labels win).")
  private Map<String, String> podLabels;

  @Size(max = 64)
  @JsonPropertyDescription("Extra annotations on the pods.")
  private Map<String, String> podAnnotations;

  @Size(max = 253)
  @Pattern(Patterns.RESOURCE_NAME)
  @JsonPropertyDescription("PriorityClass of the pods.")
  private String priorityClassName;

  @JsonPropertyDescription(
      "Optional UID/GID/fsGroup for the pods. By default none is fixed (Pod Security "
          + "restricted and OpenShift restricted-v2 compatible).")
  private SecurityContextOverride securityContext;

  @Default(Defaults.TERMINATION_GRACE_PERIOD_SECONDS_TEXT)
  @Min(2)
  @Max(3600)
  @JsonPropertyDescription(
      "Seconds a pod gets to finish requests when it stops. Squid's shutdown_lifetime is "
          + "derived from it (this minus 10 s, at least half of it). Default "
          + Defaults.TERMINATION_GRACE_PERIOD_SECONDS
          + ".")
  private Long terminationGracePeriodSeconds = Defaults.TERMINATION_GRACE_PERIOD_SECONDS;

  @JsonPropertyDescription("A HorizontalPodAutoscaler on CPU.")
  private AutoscalingSpec autoscaling;

  @JsonPropertyDescription(
      "PodDisruptionBudget (on by default when more than one replica is desired).")
  private PodDisruptionBudgetSpec podDisruptionBudget;

  @JsonPropertyDescription("NetworkPolicy admitting only the allowed clients (off by default).")
  private NetworkPolicySpec networkPolicy;

  @JsonPropertyDescription(
      "Who may use the proxy and which destinations are allowed. Default: clients from "
          + "private networks, any domain, Squid's safe ports, no link-local/metadata/localhost destinations.")
  private AccessSpec access;

  @JsonPropertyDescription("TLS interception (ssl-bump). Off by default.")
  private SslBumpSpec sslBump;

  @JsonPropertyDescription("Object cache. Default: none.")
  private CacheSpec cache;

  @JsonPropertyDescription("Client authentication. Default: none (address-based access only).")
  private AuthSpec auth;

  @JsonPropertyDescription("Forward everything through a parent proxy.")
  private UpstreamSpec upstream;

  @JsonPropertyDescription("Access log format.")
  private LoggingSpec logging;

  @JsonPropertyDescription(
      "Extra CA certificates trusted for TLS to origins (with sslBump or https:// URLs).")
  private TrustedCASpec trustedCA;

  @Size(max = 32768)
  @ValidationRule(
      value = "!self.matches('[^\\\\t\\\\n\\\\x20-\\\\x7e]')",
      message =
          "extraConfig may only contain printable ASCII, tabs and newlines (no carriage returns or other "
              + "control characters, no non-ASCII characters)")
  @ValidationRule(
      value = "self.split('\\n').all(l, size(l) <= " + SQUID_CONF_LINE_LIMIT + ")",
      message =
          "extraConfig lines must be at most 8191 characters: Squid reads squid.conf in lines of 8191 bytes and "
              + "would read the rest of a longer line as a new directive; split it into shorter lines")
  @ValidationRule(
      value = "!self.matches('(?m)^[ \\\\t]*([^#\\\\n \\\\t][^\\\\n]*)?[$][{]')",
      message =
          "extraConfig must not contain '${': Squid replaces ${process_number}, ${service_name} ... by macro "
              + "values before reading a line; write the value itself")
  @ValidationRule(
      value = EXTRA_CONFIG_FORBIDDEN_RULE,
      message =
          "extraConfig must not set directives the container relies on (access_log, cache_log, pid_filename, "
              + "http_port, include, workers, cache_dir, coredump_dir, helper programs ...), read files "
              + "(err_page_stylesheet, error_map ...), add peers or services (cache_peer, icap_service ...) or trust "
              + "client-supplied addresses (follow_x_forwarded_for ...): use the spec fields (port, workers, cache, "
              + "logging, sslBump, auth, upstream) instead")
  @ValidationRule(
      value = "!self.matches('(?m)[\\\\\\\\][ \\t]*$')",
      message =
          "extraConfig lines must not end with a backslash (a line continuation); write each directive on one "
              + "line")
  @ValidationRule(
      value = "!self.matches('(?m)^[ \\t]*(if|else|endif)([ \\t]|$)')",
      message = "extraConfig must not use preprocessor conditionals (if/else/endif)")
  @ValidationRule(
      value =
          "!self.matches('(?mi)^[ \\t]*((acl|logformat)[ \\t]+cp_|acl[ \\t]+(all|manager|localhost|"
              + "to_localhost|to_linklocal|connect)([ \\t]|$))')",
      message =
          "extraConfig must not define ACLs or logformats named cp_* (the generated config's) nor change "
              + "Squid's predefined ACLs (all, manager, localhost, to_localhost, to_linklocal, CONNECT); use another name")
  @JsonPropertyDescription(
      "Raw squid.conf lines, inserted after the generated deny rules and before the final "
          + "'http_access allow' of the allowed clients (so they can add denies or other settings, but cannot undo "
          + "the generated denies). Validated line by line; directives that would break the container contract are "
          + "rejected.")
  private String extraConfig;

  @JsonPropertyDescription(
      "Expert mode: a complete squid.conf from a ConfigMap, used instead of the generated "
          + "rules. The operator still sets the container contract around it (http_port from port, workers, pid file, "
          + "logs to stdout/stderr, shutdown_lifetime, cache manager from localhost only) and rejects the same "
          + "directives as extraConfig.")
  private SquidConfRef squidConfFrom;

  // --- accessors ---

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public PullPolicy getImagePullPolicy() {
    return imagePullPolicy;
  }

  public void setImagePullPolicy(PullPolicy imagePullPolicy) {
    this.imagePullPolicy = imagePullPolicy;
  }

  public List<LocalObjectReference> getImagePullSecrets() {
    return imagePullSecrets;
  }

  public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) {
    this.imagePullSecrets = imagePullSecrets;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Integer getWorkers() {
    return workers;
  }

  public void setWorkers(Integer workers) {
    this.workers = workers;
  }

  public ServiceSpec getService() {
    return service;
  }

  public void setService(ServiceSpec service) {
    this.service = service;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public List<TopologySpreadConstraint> getTopologySpreadConstraints() {
    return topologySpreadConstraints;
  }

  public void setTopologySpreadConstraints(
      List<TopologySpreadConstraint> topologySpreadConstraints) {
    this.topologySpreadConstraints = topologySpreadConstraints;
  }

  public Map<String, String> getPodLabels() {
    return podLabels;
  }

  public void setPodLabels(Map<String, String> podLabels) {
    this.podLabels = podLabels;
  }

  public Map<String, String> getPodAnnotations() {
    return podAnnotations;
  }

  public void setPodAnnotations(Map<String, String> podAnnotations) {
    this.podAnnotations = podAnnotations;
  }

  public String getPriorityClassName() {
    return priorityClassName;
  }

  public void setPriorityClassName(String priorityClassName) {
    this.priorityClassName = priorityClassName;
  }

  public SecurityContextOverride getSecurityContext() {
    return securityContext;
  }

  public void setSecurityContext(SecurityContextOverride securityContext) {
    this.securityContext = securityContext;
  }

  public Long getTerminationGracePeriodSeconds() {
    return terminationGracePeriodSeconds;
  }

  public void setTerminationGracePeriodSeconds(Long terminationGracePeriodSeconds) {
    this.terminationGracePeriodSeconds = terminationGracePeriodSeconds;
  }

  public AutoscalingSpec getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(AutoscalingSpec autoscaling) {
    this.autoscaling = autoscaling;
  }

  public PodDisruptionBudgetSpec getPodDisruptionBudget() {
    return podDisruptionBudget;
  }

  public void setPodDisruptionBudget(PodDisruptionBudgetSpec podDisruptionBudget) {
    this.podDisruptionBudget = podDisruptionBudget;
  }

  public NetworkPolicySpec getNetworkPolicy() {
    return networkPolicy;
  }

  public void setNetworkPolicy(NetworkPolicySpec networkPolicy) {
    this.networkPolicy = networkPolicy;
  }

  public AccessSpec getAccess() {
    return access;
  }

  public void setAccess(AccessSpec access) {
    this.access = access;
  }

  public SslBumpSpec getSslBump() {
    return sslBump;
  }

  public void setSslBump(SslBumpSpec sslBump) {
    this.sslBump = sslBump;
  }

  public CacheSpec getCache() {
    return cache;
  }

  public void setCache(CacheSpec cache) {
    this.cache = cache;
  }

  public AuthSpec getAuth() {
    return auth;
  }

  public void setAuth(AuthSpec auth) {
    this.auth = auth;
  }

  public UpstreamSpec getUpstream() {
    return upstream;
  }

  public void setUpstream(UpstreamSpec upstream) {
    this.upstream = upstream;
  }

  public LoggingSpec getLogging() {
    return logging;
  }

  public void setLogging(LoggingSpec logging) {
    this.logging = logging;
  }

  public TrustedCASpec getTrustedCA() {
    return trustedCA;
  }

  public void setTrustedCA(TrustedCASpec trustedCA) {
    this.trustedCA = trustedCA;
  }

  public String getExtraConfig() {
    return extraConfig;
  }

  public void setExtraConfig(String extraConfig) {
    this.extraConfig = extraConfig;
  }

  public SquidConfRef getSquidConfFrom() {
    return squidConfFrom;
  }

  public void setSquidConfFrom(SquidConfRef squidConfFrom) {
    this.squidConfFrom = squidConfFrom;
  }
}
