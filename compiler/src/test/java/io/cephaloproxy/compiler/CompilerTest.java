package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.testsupport.ExampleFile;
import io.cephaloproxy.testsupport.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CompilerTest {
  static SquidProxySpec spec(String yaml) {
    return SpecValidatorTest.spec(yaml);
  }

  static CompiledConfig compile(String yaml) {
    return SquidConfCompiler.compile(spec(yaml), ReferencedData.offline(), Layout.defaults());
  }

  @Test
  void sameSpecGivesByteIdenticalOutputAndListOrderDoesNotMatter() {
    List<String> domains =
        new ArrayList<>(List.of(".a.example", "b.example", ".c.example", "d.example", "e.example"));
    List<String> cidrs = new ArrayList<>(List.of("10.0.0.0/8", "192.168.0.0/16", "fd00::/8"));
    CompiledConfig first =
        compile("access: {allowedDomains: " + domains + ", allowedClientCIDRs: " + cidrs + "}");
    Random rnd = new Random(1);
    for (int i = 0; i < 20; i++) {
      Collections.shuffle(domains, rnd);
      Collections.shuffle(cidrs, rnd);
      CompiledConfig again =
          compile("access: {allowedDomains: " + domains + ", allowedClientCIDRs: " + cidrs + "}");
      assertThat(again.configMapData()).isEqualTo(first.configMapData());
      assertThat(again.hash()).isEqualTo(first.hash());
    }
    assertThat(first.hash()).matches("[0-9a-f]{64}");
  }

  @Test
  void hashChangesWithTheSpecAndWithReferencedData() {
    SquidProxySpec s =
        spec(
            "access: {allowedDomainsFrom: {name: lists, key: d.txt}}\n"
                + "auth: {mode: Basic, htpasswdSecret: {name: users}}");
    ReferencedData a =
        ReferencedData.builder()
            .configMap("lists", Map.of("d.txt", ".a.example\n"))
            .secretStrings("users", Map.of("htpasswd", "alice:x"))
            .build();
    ReferencedData listChanged =
        ReferencedData.builder()
            .configMap("lists", Map.of("d.txt", ".b.example\n"))
            .secretStrings("users", Map.of("htpasswd", "alice:x"))
            .build();
    ReferencedData secretChanged =
        ReferencedData.builder()
            .configMap("lists", Map.of("d.txt", ".a.example\n"))
            .secretStrings("users", Map.of("htpasswd", "alice:y"))
            .build();
    ReferencedData unrelatedKey =
        ReferencedData.builder()
            .configMap("lists", Map.of("d.txt", ".a.example\n", "other", "x"))
            .secretStrings("users", Map.of("htpasswd", "alice:x", "other", "y"))
            .build();
    String h = SquidConfCompiler.compile(s, a, Layout.defaults()).hash();
    assertThat(SquidConfCompiler.compile(s, listChanged, Layout.defaults()).hash()).isNotEqualTo(h);
    assertThat(SquidConfCompiler.compile(s, secretChanged, Layout.defaults()).hash())
        .isNotEqualTo(h);
    assertThat(SquidConfCompiler.compile(s, unrelatedKey, Layout.defaults()).hash()).isEqualTo(h);
    assertThat(compile("port: 3129").hash()).isNotEqualTo(compile("port: 3128").hash());
    // the referenced list is mounted, never copied into the generated ConfigMap
    CompiledConfig c = SquidConfCompiler.compile(s, a, Layout.defaults());
    assertThat(c.configMapData().values()).noneMatch(v -> v.contains(".a.example"));
    assertThat(c.volumes())
        .anySatisfy(
            v -> {
              assertThat(v.kind()).isEqualTo(PodVolume.Kind.CONFIG_MAP);
              assertThat(v.source()).isEqualTo("lists");
              assertThat(v.items()).containsExactly(Map.entry("d.txt", "domains.txt"));
              assertThat(v.mountPath()).isEqualTo("/etc/cephaloproxy/lists/allowed");
            });
    assertThat(c.squidConf())
        .contains(
            "acl cp_allowed_domains_list dstdomain -n \"/etc/cephaloproxy/lists/allowed/domains.txt\"");
  }

  /**
   * With the Secret's version given (the operator: uid and resourceVersion), the hash does not
   * depend on the Secret's content, so whoever reads status.configHash or the pod annotation cannot
   * test guesses of a password; a new version (any change of the Secret) still changes it, so
   * rotation rolls the pods.
   */
  @Test
  void hashCoversTheSecretsVersionNotItsContent() {
    SquidProxySpec s = spec("auth: {mode: Basic, htpasswdSecret: {name: users}}");
    java.util.function.BiFunction<String, String, String> hash =
        (content, version) ->
            SquidConfCompiler.compile(
                    s,
                    ReferencedData.builder()
                        .secret(
                            "users",
                            Map.of("htpasswd", content.getBytes(StandardCharsets.UTF_8)),
                            version)
                        .build(),
                    Layout.defaults())
                .hash();
    String h = hash.apply("alice:$apr1$guess1", "uid-1/100");
    assertThat(hash.apply("alice:$apr1$guess2", "uid-1/100"))
        .as("another content, same version")
        .isEqualTo(h);
    assertThat(hash.apply("alice:$apr1$guess1", "uid-1/101"))
        .as("the Secret changed")
        .isNotEqualTo(h);
    assertThat(hash.apply("alice:$apr1$guess1", "uid-2/100"))
        .as("the Secret was re-created")
        .isNotEqualTo(h);
  }

  /**
   * Every path in the output comes from the Layout: a layout under a temp root leaves none of the
   * defaults.
   */
  @Test
  void everyPathComesFromTheLayout() throws IOException {
    Layout layout =
        Layout.underRoot("/tmp/cp-root")
            .helperDir("/opt/helpers")
            .iconDirectory("/opt/icons")
            .mimeTable("/opt/mime.conf")
            .errorDirectory("/opt/errors")
            .systemCaBundle("/opt/ca.pem")
            .hostsFile("/tmp/cp-root/hosts")
            .dnsNameservers(List.of("127.0.0.1"))
            .listenAddress("127.0.0.1")
            .serviceName("cptest")
            .shmDir("/tmp/cp-root/shm")
            .build();
    List<Path> examples;
    try (Stream<Path> s = Files.list(RepoRoot.get().resolve("examples"))) {
      examples = s.filter(p -> p.toString().endsWith(".yaml")).toList();
    }
    Pattern absolute = Pattern.compile("(?<![\\w:])/[a-z][-\\w./]*");
    for (Path f : examples) {
      ExampleFile ex = ExampleFile.load(f);
      CompiledConfig c = SquidConfCompiler.compile(ex.proxy().getSpec(), ex.data(), layout);
      String all = c.squidConf() + c.runtimeProperties();
      Matcher m = absolute.matcher(all);
      while (m.find()) {
        assertThat(m.group())
            .as("%s: path in output", f.getFileName())
            .matches("(/tmp/cp-root|/opt|/dev/std(out|err)).*");
      }
      assertThat(c.volumes()).allSatisfy(v -> assertThat(v.mountPath()).startsWith("/tmp/cp-root"));
      assertThat(c.squidConf())
          .contains("hosts_file /tmp/cp-root/hosts", "dns_nameservers 127.0.0.1")
          .containsPattern("http_port 127\\.0\\.0\\.1:\\d+");
      assertThat(c.runtimeProperties()).contains("squid.serviceName=cptest");
    }
  }

  @Test
  void layoutRejectsUnsafePathsAndNames() {
    assertThatThrownBy(() -> Layout.builder().configDir("/etc/x y").build())
        .hasMessageContaining("configDir");
    assertThatThrownBy(() -> Layout.builder().runDir("relative").build())
        .hasMessageContaining("runDir");
    assertThatThrownBy(() -> Layout.builder().stateDir("/a/../b").build())
        .hasMessageContaining("stateDir");
    assertThatThrownBy(() -> Layout.builder().serviceName("cp-1").build())
        .hasMessageContaining("letters and digits");
    assertThatThrownBy(() -> Layout.builder().dnsNameservers(List.of("1.1.1.1 #")).build())
        .hasMessageContaining("dnsNameservers");
  }

  @Test
  void shutdownLifetimeStaysBelowTheGracePeriod() {
    assertThat(SquidConfCompiler.shutdownLifetimeSeconds(30)).isEqualTo(20);
    assertThat(SquidConfCompiler.shutdownLifetimeSeconds(60)).isEqualTo(50);
    assertThat(SquidConfCompiler.shutdownLifetimeSeconds(10)).isEqualTo(5);
    assertThat(SquidConfCompiler.shutdownLifetimeSeconds(2)).isEqualTo(1);
    for (long g = 2; g <= 3600; g++) {
      int l = SquidConfCompiler.shutdownLifetimeSeconds(g);
      assertThat(l).isGreaterThanOrEqualTo(1).isLessThan((int) g);
    }
    assertThat(compile("terminationGracePeriodSeconds: 45").squidConf())
        .contains("shutdown_lifetime 35 seconds");
  }

  @Test
  void volumesFollowTheSpec() {
    CompiledConfig w = compile("workers: 4\ncache: {type: Memory, memory: {size: 512Mi}}");
    assertThat(w.volumes())
        .anySatisfy(
            v -> {
              assertThat(v.kind()).isEqualTo(PodVolume.Kind.MEMORY_EMPTY_DIR);
              assertThat(v.mountPath()).isEqualTo("/dev/shm");
              assertThat(v.size()).isEqualTo((64 + 16 * 4 + 512) + "Mi");
            });
    assertThat(compile("{}").volumes())
        .extracting(PodVolume::name)
        .containsExactly("config", "tmp", "state", "run");
    CompiledConfig pvc =
        compile(
            "cache: {type: Disk, disk: {size: 10Gi, volume: PersistentVolumeClaim, "
                + "storageClassName: fast}}");
    assertThat(pvc.volumes())
        .anySatisfy(
            v -> {
              assertThat(v.kind()).isEqualTo(PodVolume.Kind.PERSISTENT_VOLUME_CLAIM);
              assertThat(v.size()).isEqualTo("10Gi");
              assertThat(v.storageClassName()).isEqualTo("fast");
            });
    assertThat(pvc.squidConf()).contains("cache_dir rock /var/cache/squid 9216 max-size=4194304");
    assertThat(pvc.runtimeProperties())
        .contains(
            "cache.dirs=/var/cache/squid\n",
            "writable.paths=/var/run/squid,/var/lib/squid,/tmp,/var/cache/squid\n");
  }

  @Test
  void runtimePropertiesHaveEveryContractKeySorted() {
    List<String> keys =
        compile("{}")
            .runtimeProperties()
            .lines()
            .filter(l -> !l.startsWith("#"))
            .map(l -> l.substring(0, l.indexOf('=')))
            .toList();
    assertThat(keys)
        .isSorted()
        .containsExactlyInAnyOrder(
            "squid.config",
            "squid.serviceName",
            "squid.port",
            "squid.workers",
            "squid.pidFile",
            "squid.shutdownLifetimeSeconds",
            "health.port",
            "accessLog.decisions",
            "accessLog.mode",
            "writable.paths",
            "cache.dirs",
            "sslBump.enabled",
            "sslBump.caCert",
            "sslBump.caKey",
            "sslBump.db",
            "sslBump.dbSize",
            "trustedCA.sources",
            "trustedCA.bundle",
            "trustedCA.system",
            "upstream.cachePeer",
            "upstream.credentials",
            "upstream.include");
  }

  @Test
  void upstreamCredentialsNeverReachTheConfigMap() {
    SquidProxySpec s = spec("upstream: {host: parent.example, credentialsSecret: {name: login}}");
    ReferencedData d =
        ReferencedData.builder()
            .secretStrings("login", Map.of("username", "bob", "password", "s3cr3t-pw"))
            .build();
    CompiledConfig c = SquidConfCompiler.compile(s, d, Layout.defaults());
    assertThat(c.configMapData().values())
        .noneMatch(v -> v.contains("s3cr3t-pw") || v.contains("login="));
    assertThat(c.squidConf())
        .contains("include /var/run/squid/upstream.conf")
        .doesNotContain("cache_peer");
    assertThat(c.runtimeProperties())
        .contains(
            "upstream.cachePeer=cache_peer parent.example parent 3128 0 no-query no-digest default name=upstream",
            "upstream.credentials=/etc/cephaloproxy/upstream");
  }

  @Test
  void explicitNullsMeanTheDefaults() {
    CompiledConfig nulls =
        compile(
            """
        port: null
        workers: null
        access: {mode: null, allowedClientCIDRs: null, allowedPorts: null, allowedConnectPorts: null}
        cache: {type: null, maximumObjectSize: null}
        logging: {format: null}
        sslBump: {enabled: true, caSecret: {name: ca}, policy: null, certificateDbSize: null}
        upstream: {host: p.example, port: null, neverDirect: null}
        auth: {mode: null, realm: null}
        """);
    CompiledConfig defaults =
        compile(
            """
        access: {}
        cache: {}
        logging: {}
        sslBump: {enabled: true, caSecret: {name: ca}}
        upstream: {host: p.example}
        auth: {}
        """);
    assertThat(nulls.configMapData()).isEqualTo(defaults.configMapData());
  }

  @Test
  void forbiddenDirectiveListAndTheCelRuleAgree() throws Exception {
    var f = SquidProxySpec.class.getDeclaredField("EXTRA_CONFIG_FORBIDDEN_RULE");
    f.setAccessible(true);
    String rule = (String) f.get(null);
    String alternatives = rule.substring(rule.indexOf("*(") + 2, rule.indexOf(")("));
    assertThat(List.of(alternatives.split("\\|")))
        .containsExactlyElementsOf(SquidProxySpec.FORBIDDEN_DIRECTIVES);
  }
}
