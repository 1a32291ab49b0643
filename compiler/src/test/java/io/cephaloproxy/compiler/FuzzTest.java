package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cephaloproxy.api.v1alpha1.AccessLogFormat;
import io.cephaloproxy.api.v1alpha1.AccessMode;
import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.AuthMode;
import io.cephaloproxy.api.v1alpha1.AuthSpec;
import io.cephaloproxy.api.v1alpha1.CaSecretRef;
import io.cephaloproxy.api.v1alpha1.CacheSpec;
import io.cephaloproxy.api.v1alpha1.CacheType;
import io.cephaloproxy.api.v1alpha1.CacheVolumeType;
import io.cephaloproxy.api.v1alpha1.ConfigMapKeyRef;
import io.cephaloproxy.api.v1alpha1.DiskCacheSpec;
import io.cephaloproxy.api.v1alpha1.HtpasswdSecretRef;
import io.cephaloproxy.api.v1alpha1.LoggingSpec;
import io.cephaloproxy.api.v1alpha1.MemoryCacheSpec;
import io.cephaloproxy.api.v1alpha1.PortRange;
import io.cephaloproxy.api.v1alpha1.SecretKeyRef;
import io.cephaloproxy.api.v1alpha1.SquidConfRef;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.api.v1alpha1.SslBumpPolicy;
import io.cephaloproxy.api.v1alpha1.SslBumpSpec;
import io.cephaloproxy.api.v1alpha1.TrustedCASpec;
import io.cephaloproxy.api.v1alpha1.UpstreamCredentialsRef;
import io.cephaloproxy.api.v1alpha1.UpstreamSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Injection-proofing: 10,000 random specs with hostile strings (newlines, quotes, '#', '%', control
 * and unicode characters, huge strings) in every string field, with random referenced data. Each
 * must either be rejected with validation errors, or compile to a squid.conf whose every line has
 * one of the shapes the compiler produces (user-supplied raw lines only inside the extraConfig
 * block, in their normalized shape), and ACL files whose every line is one domain or CIDR without
 * whitespace or control characters.
 */
class FuzzTest {
  static final int SPECS = 10_000;
  static final String PATH = "/[-A-Za-z0-9_./]+";
  static final String ACLS = "(CONNECT|localhost|manager|all|cp_[a-z0-9_]+)";
  static final List<Pattern> SHAPES =
      List.of(
              "",
              "# [-A-Za-z0-9 ().,:;/'_=<>]*",
              "http_port [0-9]{1,5}( ssl-bump tls-cert="
                  + PATH
                  + " tls-key="
                  + PATH
                  + " generate-host-certificates=on dynamic_cert_mem_cache_size=4MB)?",
              "workers [0-9]{1,2}",
              "(pid_filename|coredump_dir|mime_table|icon_directory|error_directory|hosts_file|include) "
                  + PATH,
              "cache_log /dev/stderr",
              "logfile_rotate 0",
              "acl cp_probes all-of localhost manager",
              "access_log stdio:/dev/stdout cp_access !cp_probes",
              "netdb_filename none",
              "pinger_enable off",
              "shutdown_lifetime [0-9]+ seconds",
              "visible_hostname cephaloproxy",
              "httpd_suppress_version_string on",
              "cache deny all",
              "cache_mem [0-9]+ MB",
              "maximum_object_size(_in_memory)? [0-9]+ KB",
              "cache_dir rock " + PATH + " [0-9]+ max-size=[0-9]+",
              "acl cp_[a-z0-9_]+ (src|dst|dstdomain -n|ssl::server_name) \"" + PATH + "\"",
              "acl cp_(safe|connect)_ports port [0-9]{1,5}(-[0-9]{1,5})?( [0-9]{1,5}(-[0-9]{1,5})?)*",
              "acl cp_would_deny note would_deny",
              "acl cp_wd_[a-z_]+ annotate_transaction would_deny=[a-z-]+",
              "acl cp_rule_[a-z_]+ annotate_transaction cp_decision=(allow|deny|-) cp_rule=[a-z-]+",
              "acl cp_authenticated proxy_auth REQUIRED",
              "acl cp_step1 at_step SslBump1",
              "auth_param basic program " + PATH + " " + PATH,
              "auth_param basic children 5 startup=1 idle=1",
              "auth_param basic realm [a-zA-Z0-9 ._:/()-]{1,64}",
              "auth_param basic credentialsttl 1 hour",
              "sslcrtd_program " + PATH + " -s " + PATH + " -M [0-9]+MB",
              "sslcrtd_children 5 startup=1 idle=1",
              "ssl_bump (peek|splice|bump|terminate)( !?" + ACLS + ")+",
              "cache_peer [A-Za-z0-9.:-]+ parent [0-9]{1,5} 0 no-query no-digest default name=upstream",
              "never_direct allow all",
              "prefer_direct off",
              "tls_outgoing_options cafile=" + PATH,
              "http_access (allow|deny)( !?" + ACLS + ")+")
          .stream()
          .map(s -> Pattern.compile("^" + s + "$"))
          .toList();
  static final Pattern EXTRA_LINE = Pattern.compile("^[a-z_][a-z0-9_]*( [!-~]+)*$");
  static final Pattern ACL_ENTRY = Pattern.compile("^[!-~]+$");
  static final Set<String> LOGFORMATS = new HashSet<>();

  static final String[] NASTY = {
    "\n",
    "\r",
    "\r\n",
    "\"",
    "'",
    "#",
    "%",
    " ",
    "\t",
    "\u0000",
    "\u0007",
    "\u007f",
    "\u00e9",
    "\u202e",
    "\ud83d\ude00",
    "\\",
    "${process_number}",
    ";",
    "*",
    "/",
    ":",
    "..",
    "-",
    ".",
    "\u2028",
    "http_access allow all",
    "\ninclude /etc/passwd\n",
    "acl all src all",
    "\"/etc/shadow\""
  };
  static final String[] DOMAINS = {
    ".example.com",
    "example.com",
    "a.example.com",
    "api.github.com",
    "EXAMPLE.ORG",
    ".Example.Org",
    "x_y.example",
    "192.0.2.1",
    ".a.b.c"
  };
  static final String[] CIDRS = {
    "10.0.0.0/8",
    "192.168.1.0/24",
    "fd00::/8",
    "2001:db8::/32",
    "0.0.0.0/0",
    "::/0",
    "10.1.2.3/32",
    "10.1.2.3/8",
    "FE80::/10"
  };
  static final String[] EXTRA = {
    "acl x dstdomain -n .foo.example",
    "http_access deny x",
    "client_lifetime 1 hour",
    "  request_header_access Referer deny all  ",
    "# comment",
    "",
    "pid_filename /tmp/x",
    "include /x",
    "if ${process_number} = 1",
    "acl cp_clients src 0.0.0.0/0",
    "acl localhost src all",
    "http_port 80",
    "dns_v4_first on",
    "foo\\",
    "Bad-Directive x"
  };

  final Random rnd = new Random(20261128L);

  @BeforeAll
  static void knownLogformats() {
    for (AccessLogFormat f : AccessLogFormat.values()) {
      for (AccessMode m : AccessMode.values()) {
        SquidProxySpec s = new SquidProxySpec();
        s.setLogging(new LoggingSpec());
        s.getLogging().setFormat(f);
        s.setAccess(new AccessSpec());
        s.getAccess().setMode(m);
        String conf =
            SquidConfCompiler.compile(s, ReferencedData.offline(), Layout.defaults()).squidConf();
        conf.lines().filter(l -> l.startsWith("logformat ")).forEach(LOGFORMATS::add);
      }
    }
    // 3 text formats x 2 modes, and JSON (the agent writes would_deny from the prefix in both)
    assertThat(LOGFORMATS).hasSize(7);
  }

  @Test
  void randomSpecsAreRejectedCleanlyOrCompileToKnownShapes() {
    int compiled = 0;
    int rejected = 0;
    for (int i = 0; i < SPECS; i++) {
      SquidProxySpec spec = randomSpec();
      ReferencedData data = randomData(spec);
      List<ValidationError> errors;
      CompiledConfig c = null;
      try {
        errors = SquidConfCompiler.validate(spec, data);
        if (errors.isEmpty()) {
          c = SquidConfCompiler.compile(spec, data, Layout.defaults());
        } else {
          try {
            SquidConfCompiler.compile(spec, data, Layout.defaults());
            fail("spec %d: validate() found errors but compile() did not throw: %s", i, errors);
          } catch (InvalidConfigException e) {
            assertThat(e.errors()).isEqualTo(errors);
          }
        }
      } catch (InvalidConfigException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new AssertionError("spec " + i + " crashed the compiler", e);
      }
      if (c == null) {
        rejected++;
        for (ValidationError e : errors) {
          assertThat(e.field()).isNotBlank();
          assertThat(e.message()).isNotBlank();
          assertThat(e.reason()).isNotNull();
        }
        continue;
      }
      compiled++;
      checkShapes(i, c);
    }
    System.out.printf("fuzz: %d specs, %d compiled, %d rejected%n", SPECS, compiled, rejected);
    assertThat(compiled)
        .as("enough random specs compile to exercise the output checks")
        .isGreaterThan(SPECS / 10);
    assertThat(rejected)
        .as("enough random specs are invalid to exercise the validation")
        .isGreaterThan(SPECS / 10);
  }

  static void checkShapes(int i, CompiledConfig c) {
    boolean inExtra = false;
    for (String line : c.squidConf().split("\n", -1)) {
      if (line.startsWith("# --- extraConfig")) {
        inExtra = true;
        continue;
      }
      if (line.equals("# --- end of extraConfig ---")) {
        inExtra = false;
        continue;
      }
      if (inExtra) {
        assertThat(line).as("spec %d: extraConfig line", i).matches(EXTRA_LINE);
        continue;
      }
      if (line.startsWith("logformat ")) {
        assertThat(LOGFORMATS).as("spec %d: logformat line", i).contains(line);
        continue;
      }
      if (SHAPES.stream().noneMatch(p -> p.matcher(line).matches())) {
        fail(
            "spec %d: squid.conf line of unknown shape: %s%n%s",
            i, Text.quote(line), c.squidConf());
      }
    }
    assertThat(inExtra).isFalse();
    for (Map.Entry<String, String> f : c.aclFiles().entrySet()) {
      assertThat(f.getKey()).matches("acl-[a-z-]+\\.txt");
      assertThat(f.getValue()).endsWith("\n");
      for (String entry : f.getValue().split("\n")) {
        assertThat(entry).as("spec %d: %s entry", i, f.getKey()).matches(ACL_ENTRY);
        assertThat(Domains.problem(entry) == null || Cidrs.problem(entry) == null)
            .as("entry %s", entry)
            .isTrue();
      }
    }
    assertThat(c.runtimeProperties().lines())
        .allMatch(l -> l.startsWith("# ") || l.matches("^[a-zA-Z.]+=[ -~]*$"));
  }

  // --- random specs ---

  boolean chance(int percent) {
    return rnd.nextInt(100) < percent;
  }

  <T> T pick(T[] values) {
    return values[rnd.nextInt(values.length)];
  }

  String nasty() {
    return switch (rnd.nextInt(10)) {
      case 0 -> "";
      case 1 -> "x".repeat(rnd.nextInt(100_000));
      case 2, 3 -> {
        StringBuilder b = new StringBuilder();
        int n = 1 + rnd.nextInt(6);
        for (int k = 0; k < n; k++) {
          b.append(chance(50) ? pick(NASTY) : pick(DOMAINS));
        }
        yield b.toString();
      }
      default -> {
        StringBuilder b = new StringBuilder();
        int n = 1 + rnd.nextInt(30);
        for (int k = 0; k < n; k++) {
          b.append((char) (chance(80) ? 0x20 + rnd.nextInt(0x5f) : rnd.nextInt(0x3000)));
        }
        yield b.toString();
      }
    };
  }

  /** Mostly valid values of a kind, sometimes hostile ones. */
  String str(String[] valid, int hostilePercent) {
    return chance(hostilePercent) ? nasty() : pick(valid);
  }

  String name() {
    return str(new String[] {"proxy-ca", "users", "lists", "a.b", "x"}, 8);
  }

  String key() {
    return str(
        new String[] {"tls.crt", "tls.key", "htpasswd", "domains.txt", "ca.crt", "squid.conf"}, 8);
  }

  String size() {
    return str(new String[] {"4Mi", "1Gi", "256Mi", "100M", "1Ki", "0", "2Pi", "1048576"}, 10);
  }

  List<String> list(String[] valid, int hostilePercent) {
    List<String> l = new ArrayList<>();
    int n = rnd.nextInt(chance(3) ? 1200 : 6);
    for (int k = 0; k < n; k++) {
      l.add(str(valid, hostilePercent));
    }
    return l;
  }

  SquidProxySpec randomSpec() {
    SquidProxySpec s = new SquidProxySpec();
    if (chance(20)) {
      s.setPort(chance(50) ? 1 + rnd.nextInt(65535) : rnd.nextInt(200_000) - 100);
    }
    if (chance(20)) {
      s.setWorkers(rnd.nextInt(20) - 2);
    }
    if (chance(10)) {
      s.setTerminationGracePeriodSeconds((long) rnd.nextInt(5000) - 10);
    }
    if (chance(10)) {
      s.setImage(str(new String[] {"ghcr.io/cephaloproxy/squid:1"}, 50));
    }
    if (chance(10)) {
      s.setPriorityClassName(name());
    }
    if (chance(70)) {
      AccessSpec a = new AccessSpec();
      a.setMode(chance(30) ? AccessMode.Audit : AccessMode.Enforce);
      if (chance(30)) {
        a.setAllowedClientCIDRs(list(CIDRS, 5));
      }
      if (chance(40)) {
        a.setAllowedDomains(list(DOMAINS, 5));
      }
      if (chance(40)) {
        a.setDeniedDomains(list(DOMAINS, 5));
      }
      if (chance(20)) {
        a.setDeniedDestinationCIDRs(list(CIDRS, 5));
      }
      if (chance(20)) {
        a.setAllowedDestinationCIDRs(list(CIDRS, 5));
      }
      if (chance(15)) {
        a.setAllowedDomainsFrom(new ConfigMapKeyRef(name(), key()));
      }
      if (chance(15)) {
        a.setDeniedDomainsFrom(new ConfigMapKeyRef(name(), key()));
      }
      if (chance(20)) {
        List<PortRange> ports = new ArrayList<>();
        int n = rnd.nextInt(5);
        for (int k = 0; k < n; k++) {
          ports.add(
              chance(50)
                  ? new PortRange(rnd.nextInt(70000))
                  : new PortRange(rnd.nextInt(70000), rnd.nextInt(70000)));
        }
        if (chance(50)) {
          a.setAllowedPorts(ports);
        } else {
          a.setAllowedConnectPorts(ports);
        }
      }
      s.setAccess(a);
    }
    if (chance(25)) {
      SslBumpSpec b = new SslBumpSpec();
      b.setEnabled(chance(80));
      if (chance(90)) {
        CaSecretRef ca = new CaSecretRef(name());
        if (chance(20)) {
          ca.setCertificateKey(key());
        }
        b.setCaSecret(ca);
      }
      b.setPolicy(chance(30) ? SslBumpPolicy.PeekAndSplice : SslBumpPolicy.BumpAll);
      if (chance(40)) {
        b.setSpliceDomains(list(DOMAINS, 5));
      }
      if (chance(20)) {
        b.setCertificateDbSize(size());
      }
      s.setSslBump(b);
    }
    if (chance(30)) {
      CacheSpec c = new CacheSpec();
      c.setType(pick(CacheType.values()));
      if (chance(60) ? c.getType() == CacheType.Memory : chance(10)) {
        c.setMemory(new MemoryCacheSpec(size()));
      }
      if (chance(60) ? c.getType() == CacheType.Disk : chance(10)) {
        DiskCacheSpec d = new DiskCacheSpec(size());
        d.setVolume(chance(50) ? CacheVolumeType.EmptyDir : CacheVolumeType.PersistentVolumeClaim);
        if (chance(30)) {
          d.setStorageClassName(name());
        }
        c.setDisk(d);
      }
      if (chance(30)) {
        c.setMaximumObjectSize(size());
      }
      s.setCache(c);
    }
    if (chance(25)) {
      AuthSpec a = new AuthSpec();
      a.setMode(chance(80) ? AuthMode.Basic : AuthMode.None);
      if (chance(90)) {
        a.setHtpasswdSecret(new HtpasswdSecretRef(name()));
      }
      if (chance(40)) {
        a.setRealm(str(new String[] {"Corp proxy", "x", "A (b): c/d"}, 40));
      }
      s.setAuth(a);
    }
    if (chance(25)) {
      UpstreamSpec u = new UpstreamSpec();
      u.setHost(str(new String[] {"parent.example", "192.0.2.1", "2001:db8::1", "p"}, 30));
      if (chance(30)) {
        u.setPort(rnd.nextInt(70000));
      }
      if (chance(40)) {
        u.setCredentialsSecret(new UpstreamCredentialsRef(name()));
      }
      u.setNeverDirect(chance(50));
      s.setUpstream(u);
    }
    if (chance(15)) {
      TrustedCASpec t = new TrustedCASpec();
      if (chance(60)) {
        t.setConfigMap(new ConfigMapKeyRef(name(), key()));
      }
      if (chance(50)) {
        t.setSecret(new SecretKeyRef(name(), key()));
      }
      s.setTrustedCA(t);
    }
    if (chance(20)) {
      s.setLogging(new LoggingSpec());
      s.getLogging().setFormat(pick(AccessLogFormat.values()));
    }
    if (chance(30)) {
      StringBuilder b = new StringBuilder();
      int n = rnd.nextInt(8);
      for (int k = 0; k < n; k++) {
        b.append(chance(20) ? nasty() : pick(EXTRA)).append(chance(10) ? "\r\n" : "\n");
      }
      s.setExtraConfig(b.toString());
    }
    if (chance(5)) {
      s.setSquidConfFrom(new SquidConfRef(name()));
    }
    return s;
  }

  ReferencedData randomData(SquidProxySpec s) {
    if (chance(40)) {
      return ReferencedData.offline();
    }
    ReferencedData.Builder b = ReferencedData.builder().complete(chance(50));
    List<String> names = List.of("proxy-ca", "users", "lists", "a.b", "x");
    for (String n : names) {
      if (chance(70)) {
        StringBuilder list = new StringBuilder();
        int lines = rnd.nextInt(10);
        for (int k = 0; k < lines; k++) {
          list.append(chance(15) ? nasty() : pick(DOMAINS)).append('\n');
        }
        String text = list.toString();
        b.configMap(
            n,
            Map.of(
                "domains.txt",
                text,
                "squid.conf",
                chance(50) ? text : String.join("\n", EXTRA),
                "ca.crt",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                "tls.crt",
                text));
      }
      if (chance(70)) {
        b.secretStrings(
            n,
            Map.of(
                "tls.crt",
                "c",
                "tls.key",
                "k",
                "htpasswd",
                "u:x",
                "username",
                "u",
                "password",
                "p\n\"#%",
                "ca.crt",
                "c"));
      }
    }
    return b.build();
  }
}
