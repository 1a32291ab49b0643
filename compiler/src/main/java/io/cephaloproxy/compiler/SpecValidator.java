package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.AuthMode;
import io.cephaloproxy.api.v1alpha1.AuthSpec;
import io.cephaloproxy.api.v1alpha1.AutoscalingSpec;
import io.cephaloproxy.api.v1alpha1.CacheSpec;
import io.cephaloproxy.api.v1alpha1.CacheType;
import io.cephaloproxy.api.v1alpha1.CacheVolumeType;
import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.ConfigMapKeyRef;
import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.DiskCacheSpec;
import io.cephaloproxy.api.v1alpha1.Patterns;
import io.cephaloproxy.api.v1alpha1.PortRange;
import io.cephaloproxy.api.v1alpha1.SecretKeyRef;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.api.v1alpha1.SslBumpPolicy;
import io.cephaloproxy.api.v1alpha1.SslBumpSpec;
import io.cephaloproxy.api.v1alpha1.TrustedCASpec;
import io.cephaloproxy.api.v1alpha1.UpstreamSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Java side of validation: every rule of the CRD schema (so specs that never met an API server,
 * e.g. in {@code render}, get the same answers), plus what CEL cannot see: the content of
 * referenced ConfigMaps and Secrets and the raw config lines. Errors name the field (and line) and
 * say how to fix it.
 */
public final class SpecValidator {
  private static final Pattern RESOURCE_NAME = Pattern.compile(Patterns.RESOURCE_NAME);
  private static final Pattern DATA_KEY = Pattern.compile(Patterns.DATA_KEY);
  private static final Pattern HOST = Pattern.compile(Patterns.HOST);
  private static final Pattern REALM = Pattern.compile(Patterns.REALM);
  private static final Pattern IMAGE = Pattern.compile("^[^\\s]+$");

  /**
   * Kubernetes' quantity syntax: a signed decimal number, then a binary, decimal or exponent
   * suffix.
   */
  private static final Pattern QUANTITY =
      Pattern.compile(
          "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$");

  static final int MAX_INLINE_DOMAINS = 1000;
  static final int MAX_CIDRS = 256;
  static final int MAX_EXTRA_CONFIG = 32768;

  /**
   * A referenced list or config larger than this is refused (a ConfigMap holds at most 1 MiB
   * anyway).
   */
  static final int MAX_REFERENCED_BYTES = 1024 * 1024;

  /**
   * The most problems reported for one spec (each list and config text also stops after 20 of its
   * own): enough to fix, and bounded however hostile the input (a 1 MiB list of bad lines would
   * otherwise give half a million).
   */
  static final int MAX_ERRORS = 50;

  private final List<ValidationError> errors = new ArrayList<>();
  private int dropped;
  private final ReferencedData data;

  private SpecValidator(ReferencedData data) {
    this.data = data;
  }

  /** All problems of the spec and its referenced data; empty when it compiles. */
  public static List<ValidationError> validate(SquidProxySpec spec, ReferencedData data) {
    SpecValidator v = new SpecValidator(data == null ? ReferencedData.offline() : data);
    v.spec(spec == null ? new SquidProxySpec() : spec);
    if (v.dropped > 0) {
      v.errors.add(
          new ValidationError(
              "spec",
              "and " + v.dropped + " more problems not listed; fix the ones above " + "first",
              v.errors.get(0).reason()));
    }
    return List.copyOf(v.errors);
  }

  private void error(String field, String message) {
    error(field, message, ConditionReason.InvalidSpec);
  }

  /**
   * Keeps the first {@link #MAX_ERRORS} problems; the rest are only counted (see {@link
   * #validate}).
   */
  private void error(String field, String message, ConditionReason reason) {
    if (errors.size() < MAX_ERRORS) {
      errors.add(new ValidationError(field, message, reason));
    } else {
      dropped++;
    }
  }

  private void spec(SquidProxySpec s) {
    range("spec.replicas", s.getReplicas(), 0, 1000);
    range("spec.port", s.getPort(), 1, 65535);
    if (s.getPort() != null && s.getPort() == Defaults.HEALTH_PORT) {
      error("spec.port", Defaults.HEALTH_PORT_MESSAGE);
    }
    range("spec.workers", s.getWorkers(), 1, 16);
    if (s.getTerminationGracePeriodSeconds() != null
        && (s.getTerminationGracePeriodSeconds() < 2
            || s.getTerminationGracePeriodSeconds() > 3600)) {
      error("spec.terminationGracePeriodSeconds", "must be between 2 and 3600 seconds");
    }
    if (s.getImage() != null
        && (s.getImage().length() > 512 || !IMAGE.matcher(s.getImage()).matches())) {
      error("spec.image", "must be an image reference without spaces, at most 512 characters");
    }
    resources(s.getResources());
    if (s.getPriorityClassName() != null) {
      name("spec.priorityClassName", s.getPriorityClassName());
    }
    if (s.getSecurityContext() != null) {
      longRange(
          "spec.securityContext.runAsUser",
          s.getSecurityContext().getRunAsUser(),
          1,
          "never 0: the proxy runs as a non-root user");
      longRange("spec.securityContext.runAsGroup", s.getSecurityContext().getRunAsGroup(), 0, null);
      longRange("spec.securityContext.fsGroup", s.getSecurityContext().getFsGroup(), 0, null);
    }
    if (s.getPodDisruptionBudget() != null
        && s.getPodDisruptionBudget().getMaxUnavailable() != null
        && s.getPodDisruptionBudget().getMaxUnavailable() < 1) {
      error("spec.podDisruptionBudget.maxUnavailable", "must be at least 1");
    }
    AutoscalingSpec as = s.getAutoscaling();
    if (as != null) {
      range("spec.autoscaling.minReplicas", as.getMinReplicas(), 1, 1000);
      range("spec.autoscaling.maxReplicas", as.getMaxReplicas(), 1, 1000);
      range(
          "spec.autoscaling.targetCPUUtilizationPercentage",
          as.getTargetCPUUtilizationPercentage(),
          1,
          100);
      if (as.getMinReplicas() != null
          && as.getMaxReplicas() != null
          && as.getMaxReplicas() < as.getMinReplicas()) {
        error("spec.autoscaling", "maxReplicas must be greater than or equal to minReplicas");
      }
    }
    if (s.getSquidConfFrom() != null) {
      if (s.getAccess() != null
          || s.getSslBump() != null
          || s.getAuth() != null
          || s.getUpstream() != null
          || s.getTrustedCA() != null
          || s.getExtraConfig() != null) {
        error(
            "spec.squidConfFrom",
            "a complete squid.conf cannot be combined with access, sslBump, auth, upstream, "
                + "trustedCA or extraConfig: put those settings in the ConfigMap's squid.conf, or drop squidConfFrom");
      }
      ref("spec.squidConfFrom", s.getSquidConfFrom().getName(), s.getSquidConfFrom().getKey());
    }
    access(Optional.ofNullable(s.getAccess()).orElseGet(AccessSpec::new));
    if (s.getSslBump() != null) {
      sslBump(s.getSslBump());
    }
    if (s.getCache() != null) {
      cache(s.getCache());
    }
    if (s.getAuth() != null) {
      auth(s.getAuth());
    }
    if (s.getUpstream() != null) {
      upstream(s.getUpstream());
    }
    if (s.getTrustedCA() != null) {
      trustedCA(s.getTrustedCA());
    }
    if (s.getExtraConfig() != null) {
      if (s.getExtraConfig().length() > MAX_EXTRA_CONFIG) {
        error(
            "spec.extraConfig",
            "is longer than "
                + MAX_EXTRA_CONFIG
                + " characters; use squidConfFrom for a "
                + "large configuration");
      } else {
        ConfigLines.check(
            s.getExtraConfig(), false, (line, msg) -> error("spec.extraConfig line " + line, msg));
      }
    }
    SpecReferences.of(s).forEach(this::referencedData);
  }

  /**
   * Container resources: each a quantity that is not negative, no request above its limit. The CRD
   * refuses a value that is not such a quantity at admission (bounded maps, issue 12 §7); this
   * check stays for what comes in another way (render, an older CRD) and is the only one that
   * compares a request with its limit, which the API server would otherwise refuse on every
   * Deployment apply, retried forever.
   */
  private void resources(io.fabric8.kubernetes.api.model.ResourceRequirements r) {
    if (r == null) {
      return;
    }
    Map<String, BigDecimal> limits = quantities("spec.resources.limits", r.getLimits());
    Map<String, BigDecimal> requests = quantities("spec.resources.requests", r.getRequests());
    requests.forEach(
        (name, request) -> {
          BigDecimal limit = limits.get(name);
          if (limit != null && request.compareTo(limit) > 0) {
            error(
                "spec.resources.requests." + name,
                "is greater than its limit; raise the limit or lower the request");
          }
        });
  }

  private Map<String, BigDecimal> quantities(
      String field, Map<String, io.fabric8.kubernetes.api.model.Quantity> map) {
    Map<String, BigDecimal> out = new java.util.TreeMap<>();
    if (map == null) {
      return out;
    }
    map.forEach(
        (name, q) -> {
          String text = q == null ? null : q.toString();
          BigDecimal amount = null;
          try {
            amount =
                text == null || text.isBlank() || !QUANTITY.matcher(text).matches()
                    ? null
                    : io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(q);
          } catch (RuntimeException e) {
            amount = null;
          }
          if (amount == null) {
            error(
                field + "." + name,
                Text.quote(text)
                    + " is not a Kubernetes quantity; write e.g. cpu: 500m or memory: "
                    + "256Mi (a plain number means cores for cpu and bytes for memory)");
          } else if (amount.signum() < 0) {
            error(field + "." + name, Text.quote(text) + " is negative; resources cannot be");
          } else {
            out.put(name, amount);
          }
        });
    return out;
  }

  private void access(AccessSpec a) {
    cidrs("spec.access.allowedClientCIDRs", a.getAllowedClientCIDRs(), true);
    cidrs("spec.access.deniedDestinationCIDRs", a.getDeniedDestinationCIDRs(), false);
    cidrs("spec.access.allowedDestinationCIDRs", a.getAllowedDestinationCIDRs(), false);
    domains("spec.access.allowedDomains", a.getAllowedDomains());
    domains("spec.access.deniedDomains", a.getDeniedDomains());
    domainList("spec.access.allowedDomainsFrom", a.getAllowedDomainsFrom());
    domainList("spec.access.deniedDomainsFrom", a.getDeniedDomainsFrom());
    ports("spec.access.allowedPorts", a.getAllowedPorts());
    ports("spec.access.allowedConnectPorts", a.getAllowedConnectPorts());
  }

  private void sslBump(SslBumpSpec b) {
    boolean enabled = Boolean.TRUE.equals(b.getEnabled());
    if (enabled && b.getCaSecret() == null) {
      error(
          "spec.sslBump.caSecret",
          "sslBump.enabled needs sslBump.caSecret.name: a Secret with the CA certificate "
              + "(tls.crt) and key (tls.key) that signs the generated certificates");
    }
    if (b.getPolicy() == SslBumpPolicy.PeekAndSplice
        && b.getSpliceDomains() != null
        && !b.getSpliceDomains().isEmpty()) {
      error(
          "spec.sslBump.spliceDomains",
          "only applies with policy BumpAll (PeekAndSplice never decrypts); remove it "
              + "or set policy: BumpAll");
    }
    domains("spec.sslBump.spliceDomains", b.getSpliceDomains());
    quantity(
        "spec.sslBump.certificateDbSize",
        b.getCertificateDbSize(),
        BigInteger.valueOf(Quantities.MIB),
        "1Mi");
    if (b.getCaSecret() != null) {
      String n = b.getCaSecret().getName();
      ref("spec.sslBump.caSecret", n, b.getCaSecret().getCertificateKey());
      key("spec.sslBump.caSecret.privateKeyKey", b.getCaSecret().getPrivateKeyKey());
      if (Objects.equals(b.getCaSecret().getCertificateKey(), b.getCaSecret().getPrivateKeyKey())) {
        error(
            "spec.sslBump.caSecret",
            "certificateKey and privateKeyKey must name different keys of the Secret");
      }
    }
  }

  private void cache(CacheSpec c) {
    CacheType type = Optional.ofNullable(c.getType()).orElse(CacheType.None);
    if (type == CacheType.Memory && c.getMemory() == null) {
      error(
          "spec.cache.memory",
          "cache.type Memory needs cache.memory.size, e.g. memory: {size: 256Mi}");
    }
    if (type != CacheType.Memory && c.getMemory() != null) {
      error("spec.cache.memory", "is only used with type: Memory; remove it or set type: Memory");
    }
    if (type == CacheType.Disk && c.getDisk() == null) {
      error("spec.cache.disk", "cache.type Disk needs cache.disk.size, e.g. disk: {size: 10Gi}");
    }
    if (type != CacheType.Disk && c.getDisk() != null) {
      error("spec.cache.disk", "is only used with type: Disk; remove it or set type: Disk");
    }
    quantity(
        "spec.cache.maximumObjectSize", c.getMaximumObjectSize(), BigInteger.valueOf(1024), "1Ki");
    if (c.getMemory() != null) {
      required("spec.cache.memory.size", c.getMemory().getSize());
      quantity(
          "spec.cache.memory.size",
          c.getMemory().getSize(),
          BigInteger.valueOf(Quantities.MIB),
          "1Mi");
    }
    DiskCacheSpec d = c.getDisk();
    if (d != null) {
      required("spec.cache.disk.size", d.getSize());
      quantity("spec.cache.disk.size", d.getSize(), BigInteger.valueOf(Quantities.MIB), "1Mi");
      if (d.getStorageClassName() != null) {
        if (d.getVolume() != CacheVolumeType.PersistentVolumeClaim) {
          error(
              "spec.cache.disk.storageClassName",
              "only applies with volume: PersistentVolumeClaim");
        }
        name("spec.cache.disk.storageClassName", d.getStorageClassName());
      }
    }
  }

  private void auth(AuthSpec a) {
    boolean basic = a.getMode() == AuthMode.Basic;
    if (basic && a.getHtpasswdSecret() == null) {
      error(
          "spec.auth.htpasswdSecret",
          "auth.mode Basic needs auth.htpasswdSecret.name: a Secret whose key "
              + "'htpasswd' holds user:hash lines");
    }
    if (!basic && a.getHtpasswdSecret() != null) {
      error(
          "spec.auth.htpasswdSecret",
          "is only used with mode: Basic; remove it or set mode: Basic");
    }
    if (a.getRealm() != null && !REALM.matcher(a.getRealm()).matches()) {
      error(
          "spec.auth.realm",
          Text.quote(a.getRealm()) + " must be 1-64 letters, digits, spaces and . _ : / ( ) -");
    }
    if (a.getHtpasswdSecret() != null) {
      ref(
          "spec.auth.htpasswdSecret",
          a.getHtpasswdSecret().getName(),
          a.getHtpasswdSecret().getKey());
    }
  }

  private void upstream(UpstreamSpec u) {
    String h = u.getHost();
    if ((h == null || h.isEmpty()) && Boolean.TRUE.equals(u.getFromClusterProxy())) {
      error(
          "spec.upstream.fromClusterProxy",
          "the operator has no cluster proxy (HTTPS_PROXY or HTTP_PROXY) in its environment: set"
              + " upstream.host instead, or give the operator the cluster proxy (on OpenShift, the"
              + " cluster-wide proxy; elsewhere the Subscription's config.env or the chart value extraEnv)");
    } else if (h == null || h.isEmpty()) {
      error("spec.upstream.host", "is required: the parent proxy's host name or IP address");
    } else if (h.length() > 253 || !(HOST.matcher(h).matches() || isIpv6(h))) {
      error(
          "spec.upstream.host",
          Text.quote(h)
              + " must be a host name (e.g. proxy.corp.example) or an IP address, "
              + "without scheme, port or spaces");
    }
    range("spec.upstream.port", u.getPort(), 1, 65535);
    if (Boolean.TRUE.equals(u.getFromClusterProxy())) {
      noProxy(data.noProxy());
    }
    if (u.getCredentialsSecret() != null) {
      ref(
          "spec.upstream.credentialsSecret",
          u.getCredentialsSecret().getName(),
          u.getCredentialsSecret().getUsernameKey());
      key("spec.upstream.credentialsSecret.passwordKey", u.getCredentialsSecret().getPasswordKey());
      if (Objects.equals(
          u.getCredentialsSecret().getUsernameKey(), u.getCredentialsSecret().getPasswordKey())) {
        error(
            "spec.upstream.credentialsSecret",
            "usernameKey and passwordKey must name different keys of the Secret");
      }
    }
  }

  /**
   * The operator's NO_PROXY, which a proxy with fromClusterProxy applies: one line naming the first
   * bad entry (and how many more there are), since the fix is in the operator's environment, not in
   * the spec.
   */
  private void noProxy(List<String> entries) {
    List<String> problems =
        entries.stream().map(NoProxy::problem).filter(Objects::nonNull).toList();
    String where =
        "fix NO_PROXY where the operator gets it (on OpenShift the cluster Proxy's noProxy;"
            + " elsewhere the Subscription's config.env or the chart value extraEnv)";
    if (!problems.isEmpty()) {
      error(
          "spec.upstream.fromClusterProxy",
          "the operator's NO_PROXY entry "
              + problems.get(0)
              + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more bad entries)" : "")
              + "; "
              + where);
    } else if (entries.size() > NoProxy.MAX_ENTRIES) {
      error(
          "spec.upstream.fromClusterProxy",
          "the operator's NO_PROXY has "
              + entries.size()
              + " entries, more than "
              + NoProxy.MAX_ENTRIES
              + ": use domains (.example.com) and CIDRs that cover several; "
              + where);
    }
  }

  private static boolean isIpv6(String h) {
    return h.contains(":") && Cidrs.problem(h + "/128") == null;
  }

  private void trustedCA(TrustedCASpec t) {
    if ((t.getConfigMap() == null) == (t.getSecret() == null)) {
      error("spec.trustedCA", "needs exactly one of configMap or secret");
    }
    ConfigMapKeyRef cm = t.getConfigMap();
    if (cm != null) {
      ref("spec.trustedCA.configMap", cm.getName(), cm.getKey());
    }
    SecretKeyRef sec = t.getSecret();
    if (sec != null) {
      ref("spec.trustedCA.secret", sec.getName(), sec.getKey());
    }
  }

  // --- field helpers ---

  private void range(String field, Integer v, int min, int max) {
    if (v != null && (v < min || v > max)) {
      error(field, v + " is out of range; must be between " + min + " and " + max);
    }
  }

  private void longRange(String field, Long v, long min, String hint) {
    if (v != null && (v < min || v > Integer.MAX_VALUE)) {
      error(
          field,
          v
              + " is out of range; must be between "
              + min
              + " and "
              + Integer.MAX_VALUE
              + (hint == null ? "" : " (" + hint + ")"));
    }
  }

  private void required(String field, Object v) {
    if (v == null) {
      error(field, "is required");
    }
  }

  private void name(String field, String v) {
    if (v == null || v.length() > 253 || !RESOURCE_NAME.matcher(v).matches()) {
      error(
          field,
          Text.quote(v)
              + " is not a valid Kubernetes name (lower-case letters, digits, '-' and '.')");
    }
  }

  private void key(String field, String v) {
    if (v == null || !DATA_KEY.matcher(v).matches()) {
      error(field, Text.quote(v) + " is not a valid data key (letters, digits, '-', '_' and '.')");
    }
  }

  private void ref(String field, String name, String key) {
    name(field + ".name", name);
    key(field + ".key", key);
  }

  private void quantity(String field, String v, BigInteger min, String minText) {
    if (v == null) {
      return;
    }
    BigInteger bytes = Quantities.bytes(v);
    if (bytes == null || bytes.compareTo(min) < 0 || bytes.compareTo(Quantities.MAX) > 0) {
      error(
          field,
          Text.quote(v)
              + " must be a size between "
              + minText
              + " and 1Pi, written like 256Mi, 10Gi or "
              + "500M");
    }
  }

  private void cidrs(String field, List<String> list, boolean nonEmpty) {
    if (list == null) {
      return;
    }
    if (nonEmpty && list.isEmpty()) {
      error(
          field,
          "must not be empty; list the client networks (0.0.0.0/0 and ::/0 would allow everyone)");
    }
    if (list.size() > MAX_CIDRS) {
      error(field, "has " + list.size() + " entries; at most " + MAX_CIDRS + " are allowed");
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      String p = Cidrs.problem(list.get(i));
      if (p != null) {
        error(field + "[" + i + "]", Text.quote(list.get(i)) + " " + p);
      }
    }
  }

  private void domains(String field, List<String> list) {
    if (list == null) {
      return;
    }
    if (list.size() > MAX_INLINE_DOMAINS) {
      error(
          field,
          "has "
              + list.size()
              + " entries; at most "
              + MAX_INLINE_DOMAINS
              + " inline, put longer lists in a "
              + "ConfigMap (allowedDomainsFrom / deniedDomainsFrom)");
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      String p = Domains.problem(list.get(i));
      if (p != null) {
        error(field + "[" + i + "]", Text.quote(list.get(i)) + " " + p);
      }
    }
  }

  private void ports(String field, List<PortRange> list) {
    if (list == null) {
      return;
    }
    if (list.isEmpty() || list.size() > 64) {
      error(field, "must have 1 to 64 entries");
    }
    for (int i = 0; i < list.size(); i++) {
      PortRange p = list.get(i);
      String f = field + "[" + i + "]";
      if (p == null || p.getPort() == null) {
        error(f + ".port", "is required");
        continue;
      }
      range(f + ".port", p.getPort(), 1, 65535);
      range(f + ".endPort", p.getEndPort(), 1, 65535);
      if (p.getEndPort() != null && p.getEndPort() < p.getPort()) {
        error(
            f,
            "endPort must be greater than or equal to port; for a single port leave endPort out");
      }
    }
  }

  private void domainList(String field, ConfigMapKeyRef ref) {
    if (ref != null) {
      ref(field, ref.getName(), ref.getKey());
    }
  }

  /**
   * A referenced object the proxy uses ({@link SpecReferences}): it exists (when the data is
   * complete), has the keys, and a ConfigMap key holds what the field says.
   */
  private void referencedData(SpecReferences.KeyReference r) {
    if (r.kind() == SpecReferences.Kind.Secret) {
      secretKeys(r.field(), r.name(), r.keys());
      return;
    }
    for (String key : r.keys()) {
      String where = "ConfigMap " + r.name() + " key " + key;
      configMapText(r.field(), r.name(), key)
          .ifPresent(
              text -> {
                switch (r.content()) {
                  case SQUID_CONF ->
                      ConfigLines.check(
                          text,
                          true,
                          (line, msg) ->
                              error(
                                  where + " line " + line,
                                  msg,
                                  ConditionReason.InvalidReferencedData));
                  case DOMAIN_LIST -> {
                    List<Map.Entry<Integer, String>> found = new ArrayList<>();
                    Domains.checkListFile(text, (line, msg) -> found.add(Map.entry(line, msg)));
                    found.sort(Comparator.comparing(Map.Entry::getKey));
                    for (Map.Entry<Integer, String> e : found) {
                      error(
                          where + " line " + e.getKey(),
                          e.getValue(),
                          ConditionReason.InvalidReferencedData);
                    }
                  }
                  case PEM_CERTIFICATES -> {
                    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
                      error(
                          r.field(),
                          where + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                          ConditionReason.InvalidReferencedData);
                    }
                  }
                  case SECRET_DATA ->
                      throw new IllegalStateException(
                          "a ConfigMap reference with Secret data: " + r.field());
                }
              });
    }
  }

  /**
   * The text of a ConfigMap key when known; reports a missing ConfigMap/key when the data is
   * complete.
   */
  private Optional<String> configMapText(String field, String name, String key) {
    if (name == null || key == null) {
      return Optional.empty();
    }
    Optional<Map<String, String>> cm = data.configMap(name);
    if (cm.isEmpty()) {
      if (data.complete()) {
        error(
            field,
            "ConfigMap "
                + Text.quote(name)
                + " not found in the SquidProxy's namespace; create it or fix "
                + "the name",
            ConditionReason.MissingReference);
      }
      return Optional.empty();
    }
    String text = cm.get().get(key);
    if (text == null) {
      error(
          field,
          "ConfigMap "
              + Text.quote(name)
              + " has no key "
              + Text.quote(key)
              + " (keys: "
              + String.join(", ", cm.get().keySet())
              + ")",
          ConditionReason.MissingReference);
      return Optional.empty();
    }
    if (text.length() > MAX_REFERENCED_BYTES) {
      error(
          field,
          "ConfigMap " + name + " key " + key + " is larger than 1 MiB",
          ConditionReason.InvalidReferencedData);
      return Optional.empty();
    }
    return Optional.of(text);
  }

  private void secretKeys(String field, String name, List<String> keys) {
    if (name == null) {
      return;
    }
    Optional<Map<String, byte[]>> secret = data.secret(name);
    if (secret.isEmpty()) {
      if (data.complete()) {
        error(
            field,
            "Secret "
                + Text.quote(name)
                + " not found in the SquidProxy's namespace; create it or fix the "
                + "name",
            ConditionReason.MissingReference);
      }
      return;
    }
    for (String k : keys) {
      byte[] v = k == null ? null : secret.get().get(k);
      if (k != null && (v == null || v.length == 0)) {
        error(
            field,
            "Secret " + Text.quote(name) + " has no (or an empty) key " + Text.quote(k),
            ConditionReason.MissingReference);
      }
    }
  }
}
