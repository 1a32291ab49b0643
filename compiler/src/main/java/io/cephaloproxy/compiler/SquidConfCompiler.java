package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.AccessLogFormat;
import io.cephaloproxy.api.v1alpha1.AccessMode;
import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.AuthMode;
import io.cephaloproxy.api.v1alpha1.AuthSpec;
import io.cephaloproxy.api.v1alpha1.CacheSpec;
import io.cephaloproxy.api.v1alpha1.CacheType;
import io.cephaloproxy.api.v1alpha1.CacheVolumeType;
import io.cephaloproxy.api.v1alpha1.ConfigMapKeyRef;
import io.cephaloproxy.api.v1alpha1.DiskCacheSpec;
import io.cephaloproxy.api.v1alpha1.LoggingSpec;
import io.cephaloproxy.api.v1alpha1.PortRange;
import io.cephaloproxy.api.v1alpha1.SquidConfRef;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.api.v1alpha1.SslBumpPolicy;
import io.cephaloproxy.api.v1alpha1.SslBumpSpec;
import io.cephaloproxy.api.v1alpha1.TrustedCASpec;
import io.cephaloproxy.api.v1alpha1.UpstreamSpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Compiles a {@code SquidProxySpec} (plus the referenced data it is given) into squid.conf, ACL files,
 * runtime.properties and the pod's volumes. Pure: no I/O, no Kubernetes calls; the same input gives byte-identical
 * output. No user string reaches squid.conf unless validated: lists go to ACL files (one entry per line), raw lines
 * are checked line by line.
 *
 * <p>Rule order (first match wins): cache manager from localhost only; clients outside allowedClientCIDRs (403);
 * authentication (407); ports; denied domains; the allowlist; denied destination networks; extraConfig; allow the
 * clients; deny everything else. Domain rules use {@code dstdomain -n} (never a DNS lookup) and come before the
 * {@code dst} rules, so a request the domain rules deny never waits for DNS and an IP URL is never reverse-resolved.
 */
public final class SquidConfCompiler {
  // ACL file names (keys of the generated ConfigMap)
  public static final String ACL_CLIENTS = "acl-clients.txt";
  public static final String ACL_BLOCKED_DESTINATIONS = "acl-blocked-destinations.txt";
  public static final String ACL_DENIED_DESTINATIONS = "acl-denied-destinations.txt";
  public static final String ACL_ALLOWED_DESTINATIONS = "acl-allowed-destinations.txt";
  public static final String ACL_ALLOWED_DOMAINS = "acl-allowed-domains.txt";
  public static final String ACL_DENIED_DOMAINS = "acl-denied-domains.txt";
  public static final String ACL_SPLICE_DOMAINS = "acl-splice-domains.txt";

  /**
   * Destinations denied unless listed in allowedDestinationCIDRs: link-local/metadata and the host itself. Denied in
   * Audit mode too (Audit never opens the metadata endpoint).
   */
  public static final List<String> ALWAYS_BLOCKED_DESTINATIONS =
      List.of("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "::1/128", "fe80::/10");

  /** The transaction annotation (and access log field) that names the rule Audit mode did not enforce. */
  public static final String AUDIT_NOTE = "would_deny";
  /** Audit rule names, as logged in would_deny=. */
  public static final String RULE_UNSAFE_PORT = "unsafe-port";
  public static final String RULE_CONNECT_PORT = "connect-port";
  public static final String RULE_DENIED_DOMAIN = "denied-domain";
  public static final String RULE_NOT_ALLOWED_DOMAIN = "not-allowed-domain";
  public static final String RULE_DENIED_DESTINATION = "denied-destination";
  /** The built-in destination block; enforced in both modes, so never a would_deny value. */
  public static final String RULE_BLOCKED_DESTINATION = "blocked-destination";

  static final String LOGFORMAT = "cp_access";
  static final long DISK_CACHE_MEM_MB = 32;

  private final SquidProxySpec spec;
  private final ReferencedData data;
  private final Layout layout;
  private final List<String> conf = new ArrayList<>();
  private final SortedMap<String, String> aclFiles = new TreeMap<>();
  private final List<PodVolume> volumes = new ArrayList<>();
  private final SortedMap<String, String> runtime = new TreeMap<>();
  /** Domain ACL name → its list file (for the ssl::server_name twins of PeekAndSplice). */
  private final Map<String, String> domainAclFiles = new TreeMap<>();
  /** "kind/name/key" of every referenced object the output depends on. */
  private final SortedMap<String, byte[]> referenced = new TreeMap<>();

  private SquidConfCompiler(SquidProxySpec spec, ReferencedData data, Layout layout) {
    this.spec = spec;
    this.data = data;
    this.layout = layout;
  }

  /** Validation only (the same checks {@link #compile} runs first). */
  public static List<ValidationError> validate(SquidProxySpec spec, ReferencedData data) {
    return SpecValidator.validate(spec, data);
  }

  /**
   * Compiles a spec.
   *
   * @throws InvalidConfigException with every problem when the spec or the referenced data is invalid
   */
  public static CompiledConfig compile(SquidProxySpec spec, ReferencedData data, Layout layout) {
    SquidProxySpec s = spec == null ? new SquidProxySpec() : spec;
    ReferencedData d = data == null ? ReferencedData.offline() : data;
    List<ValidationError> errors = SpecValidator.validate(s, d);
    if (!errors.isEmpty()) {
      throw new InvalidConfigException(errors);
    }
    return new SquidConfCompiler(s, d, Objects.requireNonNull(layout, "layout")).run();
  }

  /** squid.conf's shutdown_lifetime for a pod termination grace period: grace - 10 s, but at least half of it. */
  public static int shutdownLifetimeSeconds(long terminationGracePeriodSeconds) {
    long g = terminationGracePeriodSeconds;
    return (int) Math.max(1, g >= 20 ? g - 10 : g / 2);
  }

  private static <T> T or(T value, Supplier<T> fallback) {
    return value != null ? value : fallback.get();
  }

  private CompiledConfig run() {
    int port = or(spec.getPort(), () -> 3128);
    int workers = or(spec.getWorkers(), () -> 1);
    int lifetime = shutdownLifetimeSeconds(or(spec.getTerminationGracePeriodSeconds(), () -> 30L));
    CacheSpec cache = or(spec.getCache(), CacheSpec::new);
    SslBumpSpec bump = spec.getSslBump() != null && Boolean.TRUE.equals(spec.getSslBump().getEnabled())
        ? spec.getSslBump() : null;

    line("# Generated by CephaloProxy from a SquidProxy spec. Do not edit: change the SquidProxy instead.");
    section("Container contract: paths, logs, process model");
    String listen = layout.listenAddress() == null ? ""
        : (layout.listenAddress().contains(":") ? "[" + layout.listenAddress() + "]:" : layout.listenAddress() + ":");
    if (bump != null) {
      line("http_port " + listen + port + " ssl-bump tls-cert=" + layout.caCert() + " tls-key=" + layout.caKey()
          + " generate-host-certificates=on dynamic_cert_mem_cache_size=4MB");
    } else {
      line("http_port " + listen + port);
    }
    if (workers > 1) {
      line("workers " + workers);
    }
    line("pid_filename " + layout.pidFile());
    line("coredump_dir " + layout.runDir());
    line("cache_log /dev/stderr");
    line("logfile_rotate 0");
    logging(or(spec.getLogging(), LoggingSpec::new), spec.getAccess() != null
        && spec.getAccess().getMode() == AccessMode.Audit);
    line("access_log stdio:/dev/stdout " + LOGFORMAT);
    line("netdb_filename none");
    line("pinger_enable off");
    line("shutdown_lifetime " + lifetime + " seconds");
    line("visible_hostname " + layout.visibleHostname());
    line("httpd_suppress_version_string on");
    if (layout.mimeTable() != null) {
      line("mime_table " + layout.mimeTable());
    }
    if (layout.iconDirectory() != null) {
      line("icon_directory " + layout.iconDirectory());
    }
    if (layout.errorDirectory() != null) {
      line("error_directory " + layout.errorDirectory());
    }
    if (layout.hostsFile() != null) {
      line("hosts_file " + layout.hostsFile());
    }
    if (!layout.dnsNameservers().isEmpty()) {
      line("dns_nameservers " + String.join(" ", layout.dnsNameservers()));
    }

    cache(cache, workers);
    if (spec.getSquidConfFrom() != null) {
      fullConfig(spec.getSquidConfFrom());
    } else {
      generated(or(spec.getAccess(), AccessSpec::new), bump);
    }
    baseVolumes(cache, workers);

    String runtimeText = runtimeProperties(port, workers, lifetime, cache, bump);
    String squidConf = String.join("\n", conf) + "\n";
    volumes.sort(Comparator.comparing(PodVolume::mountPath));
    String hash = hash(squidConf, runtimeText);
    return new CompiledConfig(squidConf, aclFiles, runtimeText, volumes, lifetime, workers, port, hash);
  }

  private void line(String l) {
    conf.add(l);
  }

  private void section(String title) {
    conf.add("");
    conf.add("# --- " + title + " ---");
  }

  // --- logging ---

  private void logging(LoggingSpec logging, boolean audit) {
    AccessLogFormat f = or(logging.getFormat(), () -> AccessLogFormat.Squid);
    String format = switch (f) {
      case Squid -> "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt";
      case Common -> "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st %Ss:%Sh";
      case Combined -> "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st \"%{Referer}>h\" \"%{User-Agent}>h\" %Ss:%Sh";
      case JSON -> "{\"time\":\"%{%Y-%m-%dT%H:%M:%S}tg.%03tuZ\",\"duration_ms\":%tr,\"client\":\"%>a\","
          + "\"user\":\"%\"un\",\"method\":\"%\"rm\",\"url\":\"%\"ru\",\"status\":\"%03>Hs\",\"result\":\"%Ss\","
          + "\"bytes\":%<st,\"hierarchy\":\"%Sh\",\"server\":\"%<a\",\"mime\":\"%\"mt\","
          + "\"user_agent\":\"%\"{User-Agent}>h\"}";
    };
    if (audit) {
      format = f == AccessLogFormat.JSON
          ? format.substring(0, format.length() - 1) + ",\"" + AUDIT_NOTE + "\":\"%\"{" + AUDIT_NOTE + "}note\"}"
          : format + " " + AUDIT_NOTE + "=%{" + AUDIT_NOTE + "}note";
    }
    line("logformat " + LOGFORMAT + " " + format);
  }

  // --- cache ---

  private void cache(CacheSpec c, int workers) {
    section("Cache");
    CacheType type = or(c.getType(), () -> CacheType.None);
    BigInteger maxObject = Quantities.bytes(or(c.getMaximumObjectSize(), () -> "4Mi"));
    long maxObjectKb = Math.max(1, maxObject.add(BigInteger.valueOf(1023)).divide(BigInteger.valueOf(1024)).longValueExact());
    switch (type) {
      case None -> {
        line("cache deny all");
        line("cache_mem 0 MB");
      }
      case Memory -> {
        line("cache_mem " + Quantities.mebibytes(Quantities.bytes(c.getMemory().getSize())) + " MB");
        line("maximum_object_size_in_memory " + maxObjectKb + " KB");
        line("maximum_object_size " + maxObjectKb + " KB");
      }
      case Disk -> {
        DiskCacheSpec d = c.getDisk();
        long mb = Math.max(1, Quantities.bytes(d.getSize()).multiply(BigInteger.valueOf(9))
            .divide(BigInteger.valueOf(10 * Quantities.MIB)).longValueExact());
        line("cache_mem " + DISK_CACHE_MEM_MB + " MB");
        line("maximum_object_size " + maxObjectKb + " KB");
        line("cache_dir rock " + layout.cacheDir() + " " + mb + " max-size=" + maxObject);
      }
      default -> throw new IllegalStateException("unknown cache type " + type);
    }
  }

  // --- expert mode ---

  private void fullConfig(SquidConfRef ref) {
    section("Cache manager: localhost only (the pod's health and metrics read it)");
    line("http_access allow localhost manager");
    line("http_access deny manager");
    section("The user's squid.conf (the squidConfFrom ConfigMap key, mounted at " + layout.customConfig() + ")");
    line("include " + layout.customConfig());
    volumes.add(PodVolume.projected("custom-config", PodVolume.Kind.CONFIG_MAP, layout.customConfigDir(),
        ref.getName(), Map.of(ref.getKey(), "squid.conf")));
    referenceConfigMap(ref.getName(), ref.getKey());
  }

  // --- generated rules ---

  private void generated(AccessSpec a, SslBumpSpec bump) {
    boolean audit = a.getMode() == AccessMode.Audit;
    section("ACLs (lists live in ACL files, one entry per line)");
    aclFile(ACL_CLIENTS, or(a.getAllowedClientCIDRs(), () -> AccessSpec.DEFAULT_CLIENT_CIDRS).stream()
        .map(Cidrs::normalize).sorted().distinct().toList());
    line("acl cp_clients src \"" + layout.configFile(ACL_CLIENTS) + "\"");
    line("acl cp_safe_ports port " + ports(or(a.getAllowedPorts(), AccessSpec::defaultAllowedPorts)));
    line("acl cp_connect_ports port " + ports(or(a.getAllowedConnectPorts(), AccessSpec::defaultAllowedConnectPorts)));

    aclFile(ACL_BLOCKED_DESTINATIONS, ALWAYS_BLOCKED_DESTINATIONS.stream().sorted().toList());
    line("acl cp_blocked_destinations dst \"" + layout.configFile(ACL_BLOCKED_DESTINATIONS) + "\"");
    List<String> deniedDst = Optional.ofNullable(a.getDeniedDestinationCIDRs()).orElse(List.of()).stream()
        .map(Cidrs::normalize).sorted().distinct().toList();
    if (!deniedDst.isEmpty()) {
      aclFile(ACL_DENIED_DESTINATIONS, deniedDst);
      line("acl cp_denied_destinations dst \"" + layout.configFile(ACL_DENIED_DESTINATIONS) + "\"");
    }
    List<String> allowedDst = Optional.ofNullable(a.getAllowedDestinationCIDRs()).orElse(List.of()).stream()
        .map(Cidrs::normalize).sorted().distinct().toList();
    if (!allowedDst.isEmpty()) {
      aclFile(ACL_ALLOWED_DESTINATIONS, allowedDst);
      line("acl cp_allowed_destinations dst \"" + layout.configFile(ACL_ALLOWED_DESTINATIONS) + "\"");
    }
    String exceptAllowed = allowedDst.isEmpty() ? "" : " !cp_allowed_destinations";

    List<String> deniedAcls = domainAcls("cp_denied_domains", ACL_DENIED_DOMAINS, a.getDeniedDomains(),
        a.getDeniedDomainsFrom(), "denied", "dstdomain -n");
    List<String> allowedAcls = domainAcls("cp_allowed_domains", ACL_ALLOWED_DOMAINS, a.getAllowedDomains(),
        a.getAllowedDomainsFrom(), "allowed", "dstdomain -n");

    AuthSpec auth = spec.getAuth();
    boolean basic = auth != null && auth.getMode() == AuthMode.Basic;
    if (basic) {
      section("Authentication: HTTP Basic against the htpasswd Secret");
      line("auth_param basic program " + layout.helper("basic_ncsa_auth") + " " + layout.htpasswd());
      line("auth_param basic children 5 startup=1 idle=1");
      line("auth_param basic realm " + or(auth.getRealm(), () -> "CephaloProxy"));
      line("auth_param basic credentialsttl 1 hour");
      line("acl cp_authenticated proxy_auth REQUIRED");
      volumes.add(PodVolume.projected("auth", PodVolume.Kind.SECRET, layout.authDir(),
          auth.getHtpasswdSecret().getName(), Map.of(auth.getHtpasswdSecret().getKey(), "htpasswd")));
      referenceSecret(auth.getHtpasswdSecret().getName(), auth.getHtpasswdSecret().getKey());
    }

    // rule name -> ACL conditions that Enforce denies
    Map<String, List<String>> rules = new LinkedHashMap<>();
    rules.put(RULE_UNSAFE_PORT, List.of("!CONNECT !cp_safe_ports"));
    rules.put(RULE_CONNECT_PORT, List.of("CONNECT !cp_connect_ports"));
    rules.put(RULE_DENIED_DOMAIN, deniedAcls);
    if (!allowedAcls.isEmpty()) {
      rules.put(RULE_NOT_ALLOWED_DOMAIN,
          List.of(allowedAcls.stream().map(acl -> "!" + acl).collect(Collectors.joining(" "))));
    }
    rules.put(RULE_DENIED_DESTINATION,
        deniedDst.isEmpty() ? List.of() : List.of("cp_denied_destinations" + exceptAllowed));
    if (audit) {
      section("Audit mode: the rules below only log would_deny=<rule>; the built-in destination block still denies");
      line("acl cp_would_deny note " + AUDIT_NOTE);
      for (String rule : rules.keySet()) {
        if (!rules.get(rule).isEmpty()) {
          line("acl cp_wd_" + rule.replace('-', '_') + " annotate_transaction " + AUDIT_NOTE + "=" + rule);
        }
      }
    }

    if (bump != null) {
      sslBump(bump, a, deniedAcls, allowedAcls, audit);
    }
    upstream(spec.getUpstream());
    trustedCA(spec.getTrustedCA());

    section("Access rules (first match wins)");
    line("http_access allow localhost manager");
    line("http_access deny manager");
    line("http_access deny !cp_clients");
    if (basic) {
      line("http_access deny !cp_authenticated");
    }
    if (audit) {
      // enforced before the audit rules, so a request that is really denied carries no would_deny note
      line("http_access deny cp_blocked_destinations" + exceptAllowed);
    }
    rules.forEach((rule, conditions) -> {
      for (String cond : conditions) {
        line(audit ? "http_access deny " + cond + " !cp_would_deny cp_wd_" + rule.replace('-', '_') + " !all"
            : "http_access deny " + cond);
      }
    });
    if (!audit) {
      // last of the generated denies: a dst check resolves the host name, the domain rules above never do
      line("http_access deny cp_blocked_destinations" + exceptAllowed);
    }
    if (spec.getExtraConfig() != null) {
      List<String> extra = ConfigLines.check(spec.getExtraConfig(), false, (l, m) -> {
        throw new IllegalStateException("extraConfig passed validation but not the compiler: line " + l + ": " + m);
      });
      if (!extra.isEmpty()) {
        section("extraConfig (validated; after the generated denies, before the final allow)");
        extra.forEach(this::line);
        line("# --- end of extraConfig ---");
      }
    }
    line("http_access allow cp_clients");
    line("http_access deny all");
  }

  private static String ports(List<PortRange> ports) {
    return ports.stream().map(PortRange::toSquid).distinct().collect(Collectors.joining(" "));
  }

  private void aclFile(String name, List<String> entries) {
    aclFiles.put(name, entries.stream().map(e -> e + "\n").collect(Collectors.joining()));
  }

  /** ACLs for an inline list (an ACL file) and a referenced list (the user's ConfigMap key, mounted); their names. */
  private List<String> domainAcls(String acl, String file, List<String> inline, ConfigMapKeyRef ref, String which,
      String type) {
    List<String> names = new ArrayList<>();
    if (inline != null && !inline.isEmpty()) {
      aclFile(file, Domains.normalize(inline));
      line("acl " + acl + " " + type + " \"" + layout.configFile(file) + "\"");
      domainAclFiles.put(acl, layout.configFile(file));
      names.add(acl);
    }
    if (ref != null) {
      String dir = layout.listDir(which);
      line("acl " + acl + "_list " + type + " \"" + dir + "/" + Layout.LIST_FILE + "\"");
      domainAclFiles.put(acl + "_list", dir + "/" + Layout.LIST_FILE);
      volumes.add(PodVolume.projected(which + "-domains", PodVolume.Kind.CONFIG_MAP, dir, ref.getName(),
          Map.of(ref.getKey(), Layout.LIST_FILE)));
      referenceConfigMap(ref.getName(), ref.getKey());
      names.add(acl + "_list");
    }
    return names;
  }

  // --- SSL-bump ---

  private void sslBump(SslBumpSpec b, AccessSpec a, List<String> deniedAcls, List<String> allowedAcls, boolean audit) {
    SslBumpPolicy policy = or(b.getPolicy(), () -> SslBumpPolicy.BumpAll);
    section("SSL-bump (" + policy + ")");
    String dbSize = Quantities.mebibytes(Quantities.bytes(or(b.getCertificateDbSize(), () -> "4Mi"))) + "MB";
    line("sslcrtd_program " + layout.helper("security_file_certgen") + " -s " + layout.sslDb() + " -M " + dbSize);
    line("sslcrtd_children 5 startup=1 idle=1");
    line("acl cp_step1 at_step SslBump1");
    line("ssl_bump peek cp_step1");
    if (policy == SslBumpPolicy.PeekAndSplice) {
      if (!audit) {
        // server-name (SNI) twins of the domain rules, over the same files
        for (String acl : sniAcls("cp_sni_denied", "cp_denied_domains", deniedAcls)) {
          line("ssl_bump terminate " + acl);
        }
        List<String> allowed = sniAcls("cp_sni_allowed", "cp_allowed_domains", allowedAcls);
        if (!allowed.isEmpty()) {
          line("ssl_bump terminate " + allowed.stream().map(acl -> "!" + acl).collect(Collectors.joining(" ")));
        }
      }
      line("ssl_bump splice all");
    } else {
      if (b.getSpliceDomains() != null && !b.getSpliceDomains().isEmpty()) {
        aclFile(ACL_SPLICE_DOMAINS, Domains.normalize(b.getSpliceDomains()));
        line("acl cp_splice_domains ssl::server_name \"" + layout.configFile(ACL_SPLICE_DOMAINS) + "\"");
        line("ssl_bump splice cp_splice_domains");
      }
      line("ssl_bump bump all");
    }
    volumes.add(PodVolume.projected("tls", PodVolume.Kind.SECRET, layout.tlsDir(), b.getCaSecret().getName(),
        Map.of(b.getCaSecret().getCertificateKey(), "tls.crt", b.getCaSecret().getPrivateKeyKey(), "tls.key")));
    referenceSecret(b.getCaSecret().getName(), b.getCaSecret().getCertificateKey());
    referenceSecret(b.getCaSecret().getName(), b.getCaSecret().getPrivateKeyKey());
  }

  /** ssl::server_name twins (named prefix + suffix of the original) of dstdomain ACLs, over the same files. */
  private List<String> sniAcls(String prefix, String base, List<String> domainAcls) {
    List<String> names = new ArrayList<>();
    for (String acl : domainAcls) {
      String name = prefix + acl.substring(base.length());
      line("acl " + name + " ssl::server_name \"" + domainAclFiles.get(acl) + "\"");
      names.add(name);
    }
    return names;
  }

  // --- upstream and trusted CAs ---

  private void upstream(UpstreamSpec u) {
    if (u == null) {
      return;
    }
    section("Upstream (parent proxy)");
    String peer = "cache_peer " + u.getHost() + " parent " + or(u.getPort(), () -> 3128)
        + " 0 no-query no-digest default name=upstream";
    if (u.getCredentialsSecret() != null) {
      // init writes the cache_peer line with login= from the mounted Secret; no secret reaches the ConfigMap
      line("include " + layout.upstreamInclude());
      runtime.put("upstream.cachePeer", peer);
      runtime.put("upstream.credentials", layout.upstreamCredentialsDir());
      volumes.add(PodVolume.projected("upstream", PodVolume.Kind.SECRET, layout.upstreamCredentialsDir(),
          u.getCredentialsSecret().getName(), Map.of(u.getCredentialsSecret().getUsernameKey(), "username",
              u.getCredentialsSecret().getPasswordKey(), "password")));
      referenceSecret(u.getCredentialsSecret().getName(), u.getCredentialsSecret().getUsernameKey());
      referenceSecret(u.getCredentialsSecret().getName(), u.getCredentialsSecret().getPasswordKey());
    } else {
      line(peer);
      runtime.put("upstream.cachePeer", peer);
    }
    if (!Boolean.FALSE.equals(u.getNeverDirect())) {
      line("never_direct allow all");
    } else {
      line("prefer_direct off");
    }
  }

  private void trustedCA(TrustedCASpec t) {
    if (t == null) {
      return;
    }
    section("Extra trusted CAs for TLS to origins (bundle written by the init step)");
    line("tls_outgoing_options cafile=" + layout.trustedCaBundle());
    runtime.put("trustedCA.sources", layout.trustedCaDir());
    if (t.getConfigMap() != null) {
      volumes.add(PodVolume.projected("trusted-ca", PodVolume.Kind.CONFIG_MAP, layout.trustedCaDir(),
          t.getConfigMap().getName(), Map.of(t.getConfigMap().getKey(), "ca.crt")));
      referenceConfigMap(t.getConfigMap().getName(), t.getConfigMap().getKey());
    } else {
      volumes.add(PodVolume.projected("trusted-ca", PodVolume.Kind.SECRET, layout.trustedCaDir(),
          t.getSecret().getName(), Map.of(t.getSecret().getKey(), "ca.crt")));
      referenceSecret(t.getSecret().getName(), t.getSecret().getKey());
    }
  }

  // --- volumes, runtime.properties, hash ---

  private void baseVolumes(CacheSpec cache, int workers) {
    volumes.add(new PodVolume("config", PodVolume.Kind.GENERATED_CONFIG, layout.configDir(), true, null, null, null,
        null));
    volumes.add(PodVolume.emptyDir("run", layout.runDir(), null));
    volumes.add(PodVolume.emptyDir("state", layout.stateDir(), null));
    volumes.add(PodVolume.emptyDir("tmp", layout.tmpDir(), null));
    if (cache.getType() == CacheType.Disk) {
      DiskCacheSpec d = cache.getDisk();
      if (d.getVolume() == CacheVolumeType.PersistentVolumeClaim) {
        volumes.add(new PodVolume("cache", PodVolume.Kind.PERSISTENT_VOLUME_CLAIM, layout.cacheDir(), false, null,
            null, d.getSize(), d.getStorageClassName()));
      } else {
        volumes.add(PodVolume.emptyDir("cache", layout.cacheDir(), d.getSize()));
      }
    }
    if (workers > 1) {
      volumes.add(new PodVolume("shm", PodVolume.Kind.MEMORY_EMPTY_DIR, layout.shmDir(), false, null, null,
          shmMebibytes(cache, workers) + "Mi", null));
    }
  }

  /**
   * /dev/shm for SMP: 64 MiB base + 16 MiB per worker + the shared memory cache + the rock index (~1/256 of the
   * disk cache).
   */
  static long shmMebibytes(CacheSpec cache, int workers) {
    long mb = 64 + 16L * workers;
    if (cache.getType() == CacheType.Memory) {
      mb += Quantities.mebibytes(Quantities.bytes(cache.getMemory().getSize()));
    } else if (cache.getType() == CacheType.Disk) {
      mb += DISK_CACHE_MEM_MB + Quantities.mebibytes(Quantities.bytes(cache.getDisk().getSize())) / 256;
    }
    return mb;
  }

  private String runtimeProperties(int port, int workers, int lifetime, CacheSpec cache, SslBumpSpec bump) {
    SortedMap<String, String> p = new TreeMap<>();
    p.put("squid.config", layout.squidConf());
    p.put("squid.serviceName", layout.serviceName());
    p.put("squid.port", String.valueOf(port));
    p.put("squid.workers", String.valueOf(workers));
    p.put("squid.pidFile", layout.pidFile());
    p.put("squid.shutdownLifetimeSeconds", String.valueOf(lifetime));
    p.put("health.port", String.valueOf(layout.healthPort()));
    List<String> writable = new ArrayList<>(List.of(layout.runDir(), layout.stateDir(), layout.tmpDir()));
    boolean disk = cache.getType() == CacheType.Disk;
    if (disk) {
      writable.add(layout.cacheDir());
    }
    p.put("writable.paths", String.join(",", writable));
    p.put("cache.dirs", disk ? layout.cacheDir() : "");
    p.put("sslBump.enabled", String.valueOf(bump != null));
    p.put("sslBump.caCert", layout.caCert());
    p.put("sslBump.caKey", layout.caKey());
    p.put("sslBump.db", layout.sslDb());
    p.put("sslBump.dbSize", bump == null ? "4MB"
        : Quantities.mebibytes(Quantities.bytes(or(bump.getCertificateDbSize(), () -> "4Mi"))) + "MB");
    p.put("trustedCA.sources", "");
    p.put("trustedCA.bundle", layout.trustedCaBundle());
    p.put("trustedCA.system", layout.systemCaBundle());
    p.put("upstream.cachePeer", "");
    p.put("upstream.credentials", "");
    p.put("upstream.include", layout.upstreamInclude());
    p.putAll(runtime);
    StringBuilder b = new StringBuilder("# Generated by CephaloProxy; read by the image's agent (docs/architecture.md)\n");
    p.forEach((k, v) -> b.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    return b.toString();
  }

  private void referenceConfigMap(String name, String key) {
    data.configMap(name).map(m -> m.get(key))
        .ifPresent(v -> referenced.put("ConfigMap/" + name + "/" + key, v.getBytes(StandardCharsets.UTF_8)));
  }

  private void referenceSecret(String name, String key) {
    data.secret(name).map(m -> m.get(key)).ifPresent(v -> referenced.put("Secret/" + name + "/" + key, v));
  }

  private String hash(String squidConf, String runtimeText) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      SortedMap<String, String> files = new TreeMap<>(aclFiles);
      files.put(CompiledConfig.SQUID_CONF, squidConf);
      files.put(CompiledConfig.RUNTIME_PROPERTIES, runtimeText);
      for (Map.Entry<String, String> e : files.entrySet()) {
        md.update(("file\0" + e.getKey() + "\0").getBytes(StandardCharsets.UTF_8));
        md.update(e.getValue().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      for (Map.Entry<String, byte[]> e : referenced.entrySet()) {
        md.update(("ref\0" + e.getKey() + "\0").getBytes(StandardCharsets.UTF_8));
        md.update(e.getValue());
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
