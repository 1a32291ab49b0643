package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.testsupport.ExampleFile;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table of bad specs: each is rejected with an error naming the field and saying what to do. */
class SpecValidatorTest {
  static SquidProxySpec spec(String specYaml) {
    String yaml =
        "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata: {name: t}\nspec:\n"
            + specYaml.indent(2);
    return ExampleFile.parse(yaml).proxy().getSpec();
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        // name, spec YAML, field, message fragment
        Arguments.of("port out of range", "port: 70000", "spec.port", "between 1 and 65535"),
        Arguments.of("port 0", "port: 0", "spec.port", "between 1 and 65535"),
        Arguments.of("port on the health port", "port: 8080", "spec.port", "health port"),
        Arguments.of("workers 0", "workers: 0", "spec.workers", "between 1 and 16"),
        Arguments.of("negative replicas", "replicas: -1", "spec.replicas", "between 0 and 1000"),
        Arguments.of(
            "grace too short",
            "terminationGracePeriodSeconds: 1",
            "spec.terminationGracePeriodSeconds",
            "between 2 and 3600"),
        Arguments.of("image with spaces", "image: 'a b'", "spec.image", "without spaces"),
        Arguments.of(
            "root user",
            "securityContext: {runAsUser: 0}",
            "spec.securityContext.runAsUser",
            "never 0"),
        Arguments.of(
            "PDB allowing nothing",
            "podDisruptionBudget: {maxUnavailable: 0}",
            "spec.podDisruptionBudget.maxUnavailable",
            "at least 1"),
        Arguments.of(
            "client CIDR without prefix",
            "access: {allowedClientCIDRs: [10.0.0.1]}",
            "spec.access.allowedClientCIDRs[0]",
            "/32"),
        Arguments.of(
            "client CIDR host bits",
            "access: {allowedClientCIDRs: [10.1.2.3/8]}",
            "spec.access.allowedClientCIDRs[0]",
            "host bits"),
        Arguments.of(
            "client CIDR garbage",
            "access: {allowedClientCIDRs: ['10.0.0.0/8 #x']}",
            "spec.access.allowedClientCIDRs[0]",
            "invalid prefix length"),
        Arguments.of(
            "IPv6 prefix too long",
            "access: {allowedClientCIDRs: ['fd00::/129']}",
            "spec.access.allowedClientCIDRs[0]",
            "above 128"),
        Arguments.of(
            "empty client list",
            "access: {allowedClientCIDRs: []}",
            "spec.access.allowedClientCIDRs",
            "must not be empty"),
        Arguments.of(
            "denied destination CIDR",
            "access: {deniedDestinationCIDRs: [300.0.0.0/8]}",
            "spec.access.deniedDestinationCIDRs[0]",
            "not an IPv4 or IPv6 CIDR"),
        Arguments.of(
            "wildcard domain",
            "access: {allowedDomains: ['*.example.com']}",
            "spec.access.allowedDomains[0]",
            "write '.example.com'"),
        Arguments.of(
            "domain with a space",
            "access: {allowedDomains: ['example.com other.com']}",
            "spec.access.allowedDomains[0]",
            "no scheme, port, path, spaces"),
        Arguments.of(
            "domain with a newline",
            "access: {deniedDomains: [\"a.com\\nhttp_access allow all\"]}",
            "spec.access.deniedDomains[0]",
            "not a domain name"),
        Arguments.of(
            "domain with quote",
            "access: {deniedDomains: ['a\"b.com']}",
            "spec.access.deniedDomains[0]",
            "quotes"),
        Arguments.of(
            "domain with #",
            "access: {allowedDomains: ['a.com#x']}",
            "spec.access.allowedDomains[0]",
            "'#'"),
        Arguments.of(
            "domain with %",
            "access: {allowedDomains: ['a%20.com']}", "spec.access.allowedDomains[0]", "'%'"),
        Arguments.of(
            "domain URL",
            "access: {allowedDomains: ['https://example.com/']}",
            "spec.access.allowedDomains[0]",
            "no scheme"),
        Arguments.of(
            "domain label too long",
            "access: {allowedDomains: ['" + "a".repeat(64) + ".com']}",
            "spec.access.allowedDomains[0]",
            "not a domain name"),
        Arguments.of(
            "port range reversed",
            "access: {allowedPorts: [{port: 2000, endPort: 1000}]}",
            "spec.access.allowedPorts[0]",
            "endPort must be greater"),
        Arguments.of(
            "empty port list",
            "access: {allowedConnectPorts: []}",
            "spec.access.allowedConnectPorts",
            "1 to 64"),
        Arguments.of(
            "bump without CA",
            "sslBump: {enabled: true}",
            "spec.sslBump.caSecret",
            "caSecret.name"),
        Arguments.of(
            "splice list with PeekAndSplice",
            "sslBump: {enabled: true, caSecret: {name: ca}, policy: PeekAndSplice, spliceDomains: [a.com]}",
            "spec.sslBump.spliceDomains",
            "BumpAll"),
        Arguments.of(
            "same key for cert and key",
            "sslBump: {enabled: true, caSecret: {name: ca, "
                + "certificateKey: k, privateKeyKey: k}}",
            "spec.sslBump.caSecret",
            "different keys"),
        Arguments.of(
            "bad db size",
            "sslBump: {enabled: true, caSecret: {name: ca}, certificateDbSize: 4 MB}",
            "spec.sslBump.certificateDbSize",
            "between 1Mi and 1Pi"),
        Arguments.of(
            "memory cache without size",
            "cache: {type: Memory}",
            "spec.cache.memory",
            "memory.size"),
        Arguments.of(
            "disk settings on a memory cache",
            "cache: {type: Memory, memory: {size: 64Mi}, disk: " + "{size: 1Gi}}",
            "spec.cache.disk",
            "only used with type: Disk"),
        Arguments.of(
            "disk cache without size", "cache: {type: Disk}", "spec.cache.disk", "disk.size"),
        Arguments.of(
            "cache size too small",
            "cache: {type: Memory, memory: {size: 10Ki}}",
            "spec.cache.memory.size",
            "between 1Mi"),
        Arguments.of(
            "storage class on emptyDir",
            "cache: {type: Disk, disk: {size: 1Gi, storageClassName: fast}}",
            "spec.cache.disk.storageClassName",
            "PersistentVolumeClaim"),
        Arguments.of(
            "basic auth without secret",
            "auth: {mode: Basic}",
            "spec.auth.htpasswdSecret",
            "htpasswdSecret.name"),
        Arguments.of(
            "realm with quote",
            "auth: {mode: Basic, htpasswdSecret: {name: u}, realm: 'a\"b'}",
            "spec.auth.realm",
            "letters, digits"),
        Arguments.of(
            "upstream with scheme",
            "upstream: {host: 'http://parent:3128'}",
            "spec.upstream.host",
            "without scheme"),
        Arguments.of(
            "upstream without host", "upstream: {port: 3128}", "spec.upstream.host", "is required"),
        Arguments.of(
            "trustedCA with both",
            "trustedCA: {configMap: {name: a, key: k}, secret: {name: b, key: k}}",
            "spec.trustedCA",
            "exactly one"),
        Arguments.of(
            "full config with access",
            "squidConfFrom: {name: c}\naccess: {mode: Audit}",
            "spec.squidConfFrom",
            "cannot be combined"),
        Arguments.of(
            "bad ConfigMap name",
            "access: {allowedDomainsFrom: {name: 'Bad_Name', key: k}}",
            "spec.access.allowedDomainsFrom.name",
            "not a valid Kubernetes name"),
        Arguments.of(
            "autoscaling min > max",
            "autoscaling: {enabled: true, minReplicas: 5, maxReplicas: 2}",
            "spec.autoscaling",
            "maxReplicas must be greater"),
        Arguments.of(
            "extraConfig pid file",
            "extraConfig: \"pid_filename /tmp/x\\n\"",
            "spec.extraConfig line 1",
            "'pid_filename' is not allowed"),
        Arguments.of(
            "extraConfig reads a file into error pages",
            "extraConfig: \"err_page_stylesheet /var/run/secrets/kubernetes.io/serviceaccount/token\"",
            "spec.extraConfig line 1",
            "'err_page_stylesheet' is not allowed here: it copies a file"),
        Arguments.of(
            "extraConfig trusts X-Forwarded-For",
            "extraConfig: \"follow_x_forwarded_for allow all\"",
            "spec.extraConfig line 1",
            "'follow_x_forwarded_for' is not allowed here: it would let clients choose"),
        Arguments.of(
            "extraConfig peer at the metadata address",
            "extraConfig: \"cache_peer 169.254.169.254 parent 80 0 no-query\\nnever_direct allow all\"",
            "spec.extraConfig line 1",
            "'cache_peer' is not allowed here: a peer can reach destinations the proxy denies; use spec.upstream"),
        Arguments.of(
            "extraConfig adaptation service",
            "extraConfig: \"icap_service svc reqmod_precache icap://127.0.0.1:1344/x\"",
            "spec.extraConfig line 1",
            "'icap_service' is not allowed here"),
        Arguments.of(
            "extraConfig access_log on line 3",
            "extraConfig: \"# ok\\nacl a src 10.0.0.0/8\\naccess_log /tmp/log\\n\"",
            "spec.extraConfig line 3",
            "spec.logging.format"),
        Arguments.of(
            "extraConfig include",
            "extraConfig: \"include /etc/passwd\"",
            "spec.extraConfig line 1",
            "'include' is not allowed"),
        Arguments.of(
            "extraConfig http_port",
            "extraConfig: \"http_port 80\"",
            "spec.extraConfig line 1",
            "spec.port"),
        Arguments.of(
            "extraConfig carriage return",
            "extraConfig: \"acl a src all\\r\\n\"",
            "spec.extraConfig line 1",
            "U+000D"),
        Arguments.of(
            "extraConfig NUL",
            "extraConfig: \"acl a\\0 src all\"",
            "spec.extraConfig line 1",
            "U+0000"),
        Arguments.of(
            "extraConfig unicode",
            "extraConfig: \"acl caf\u00e9 src all\"",
            "spec.extraConfig line 1",
            "U+00E9"),
        Arguments.of(
            "extraConfig continuation",
            "extraConfig: \"acl a src 10.0.0.0/8 \\\\\\n\"",
            "spec.extraConfig line 1",
            "backslash"),
        Arguments.of(
            "extraConfig conditional",
            "extraConfig: \"if ${process_number} = 1\\nendif\"",
            "spec.extraConfig line 1",
            "conditional"),
        Arguments.of(
            "extraConfig redefines a generated ACL",
            "extraConfig: \"acl cp_clients src 0.0.0.0/0\"",
            "spec.extraConfig line 1",
            "reserved"),
        Arguments.of(
            "extraConfig widens localhost",
            "extraConfig: \"acl localhost src 0.0.0.0/0\"",
            "spec.extraConfig line 1",
            "predefined"),
        Arguments.of(
            "CPU limit that is not a quantity",
            "resources: {limits: {cpu: lots}}",
            "spec.resources.limits.cpu",
            "is not a Kubernetes quantity"),
        Arguments.of(
            "negative memory request",
            "resources: {requests: {memory: -1Gi}}",
            "spec.resources.requests.memory",
            "is negative"),
        Arguments.of(
            "request above its limit",
            "resources: {limits: {cpu: 500m}, requests: {cpu: '2'}}",
            "spec.resources.requests.cpu",
            "greater than its limit"),
        Arguments.of(
            "extraConfig macro",
            "extraConfig: \"acl a src 10.0.0.0/16${process_number}\"",
            "spec.extraConfig line 1",
            "write the value itself"),
        Arguments.of(
            "extraConfig bad directive",
            "extraConfig: \"Http_Access allow all\"",
            "spec.extraConfig line 1",
            "not a squid.conf directive"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpecs")
  void rejected(String name, String yaml, String field, String fragment) {
    List<ValidationError> errors = SquidConfCompiler.validate(spec(yaml), ReferencedData.offline());
    assertThat(errors)
        .as("errors of: %s", yaml)
        .anySatisfy(
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.message()).contains(fragment);
            });
    assertThatThrownBy(
            () ->
                SquidConfCompiler.compile(spec(yaml), ReferencedData.offline(), Layout.defaults()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(field);
  }

  @Test
  void extraConfigReportsEveryBadLineWithItsNumber() {
    SquidProxySpec s =
        spec(
            "extraConfig: \"client_lifetime 1 hour\\npid_filename /x\\n\\nworkers 4\\n"
                + "acl ok src 10.0.0.0/8\\ncache_dir ufs /x 1 1 1\\n\"");
    assertThat(SquidConfCompiler.validate(s, ReferencedData.offline()))
        .extracting(ValidationError::field)
        .containsExactly(
            "spec.extraConfig line 2", "spec.extraConfig line 4", "spec.extraConfig line 6");
  }

  static final String LIST =
      """
      # comment
      .example.com

      api.github.com
      bad domain.com
      example.com
      *.wild.com
      sub.example.com
      """;

  @Test
  void referencedListIsCheckedLineByLine() {
    SquidProxySpec s = spec("access: {allowedDomainsFrom: {name: lists, key: allow.txt}}");
    ReferencedData data =
        ReferencedData.builder().configMap("lists", Map.of("allow.txt", LIST)).build();
    List<ValidationError> errors = SquidConfCompiler.validate(s, data);
    assertThat(errors)
        .extracting(ValidationError::field)
        .containsExactly(
            "ConfigMap lists key allow.txt line 5",
            "ConfigMap lists key allow.txt line 6",
            "ConfigMap lists key allow.txt line 7");
    assertThat(errors.get(1).message()).contains("conflicts with '.example.com' on line 2");
    assertThat(errors)
        .allSatisfy(e -> assertThat(e.reason()).isEqualTo(ConditionReason.InvalidReferencedData));
  }

  @Test
  void missingReferencesAreReportedOnlyWhenTheDataIsComplete() {
    SquidProxySpec s =
        spec(
            """
        access: {deniedDomainsFrom: {name: lists, key: deny.txt}}
        sslBump: {enabled: true, caSecret: {name: ca}}
        auth: {mode: Basic, htpasswdSecret: {name: users}}
        """);
    assertThat(SquidConfCompiler.validate(s, ReferencedData.offline())).isEmpty();
    List<ValidationError> errors =
        SquidConfCompiler.validate(
            s,
            ReferencedData.builder()
                .configMap("lists", Map.of("other.txt", "a.com\n"))
                .secretStrings("ca", Map.of("tls.crt", "x"))
                .build());
    assertThat(errors)
        .extracting(ValidationError::toString)
        .containsExactly(
            "spec.access.deniedDomainsFrom: ConfigMap 'lists' has no key 'deny.txt' (keys: other.txt)",
            "spec.sslBump.caSecret: Secret 'ca' has no (or an empty) key 'tls.key'",
            "spec.auth.htpasswdSecret: Secret 'users' not found in the SquidProxy's namespace; create it or fix the name");
    assertThat(errors)
        .allSatisfy(e -> assertThat(e.reason()).isEqualTo(ConditionReason.MissingReference));
  }

  @Test
  void fullConfigFromConfigMapIsChecked() {
    SquidProxySpec s = spec("squidConfFrom: {name: expert}");
    ReferencedData data =
        ReferencedData.builder()
            .configMap(
                "expert",
                Map.of(
                    "squid.conf",
                    "acl a src 10.0.0.0/8\nhttp_access allow a\nhttp_port 3129\nif ${process_number} = 1\nendif\n"))
            .build();
    assertThat(SquidConfCompiler.validate(s, data))
        .extracting(ValidationError::toString)
        .containsExactly(
            "ConfigMap expert key squid.conf line 3: 'http_port' is not allowed here: use spec.port (and spec.sslBump "
                + "for ssl-bump)");
  }

  // --- lines Squid would split (issue 12, section 1), bounded output (section 2) ---

  /**
   * The reproduced attack: byte 8192 of one long acl line starts a directive Squid would process.
   */
  @Test
  void extraConfigLineSquidWouldSplitIsRefusedWithTheLimit() {
    String smuggled = "acl cp_clients src all";
    String pad = "acl pad dstdomain ";
    String line =
        pad
            + ".a".repeat((8191 - pad.length()) / 2)
            + " ".repeat((8191 - pad.length()) % 2)
            + smuggled;
    assertThat(line.indexOf(smuggled)).isEqualTo(8191);
    List<ValidationError> errors =
        SquidConfCompiler.validate(spec("extraConfig: \"" + line + "\""), ReferencedData.offline());
    assertThat(errors)
        .extracting(ValidationError::toString)
        .containsExactly(
            "spec.extraConfig line 1: is "
                + line.length()
                + " bytes long; Squid reads squid.conf in lines of at most 8191 bytes and would read the rest "
                + "as a new directive: split it into shorter lines (e.g. several acl lines with the same name add up)");
    // exactly at the limit is fine
    String longest = pad + "a".repeat(8191 - pad.length());
    assertThat(
            SquidConfCompiler.validate(
                spec("extraConfig: \"" + longest + "\""), ReferencedData.offline()))
        .isEmpty();
  }

  @Test
  void fullConfigLineSquidWouldSplitIsRefused() {
    SquidProxySpec s = spec("squidConfFrom: {name: expert}");
    String conf = "# " + "x".repeat(8190) + "http_access allow all\nhttp_access deny all\n";
    assertThat(
            SquidConfCompiler.validate(
                s,
                ReferencedData.builder().configMap("expert", Map.of("squid.conf", conf)).build()))
        .extracting(ValidationError::toString)
        .singleElement()
        .asString()
        .startsWith(
            "ConfigMap expert key squid.conf line 1: is 8213 bytes long; Squid reads squid.conf in lines of "
                + "at most 8191 bytes");
  }

  static List<ValidationError> listErrors(String list) {
    return listErrors(spec("access: {allowedDomainsFrom: {name: lists, key: allow.txt}}"), list);
  }

  static List<ValidationError> listErrors(SquidProxySpec s, String list) {
    return SquidConfCompiler.validate(
        s, ReferencedData.builder().configMap("lists", Map.of("allow.txt", list)).build());
  }

  @Test
  void listLineSquidWouldSplitIsRefusedCommentsToo() {
    // a comment whose byte 2048 starts an entry: Squid would load '.evil.example'
    String comment = "#" + "x".repeat(2046) + ".evil.example";
    assertThat(listErrors(".example.com\n" + comment + "\n"))
        .extracting(ValidationError::toString)
        .containsExactly(
            "ConfigMap lists key allow.txt line 2: is 2060 bytes long; Squid reads list files in lines "
                + "of at most 2047 bytes and would read the rest as another entry: shorten the line (comments too)");
    // bytes, not characters: 1000 two-byte characters plus 48 ASCII are 2048 bytes
    assertThat(listErrors("# " + "\u00e9".repeat(1000) + "x".repeat(46) + "\n"))
        .singleElement()
        .asString()
        .contains("is 2048 bytes long");
    assertThat(listErrors("#" + "x".repeat(2046) + "\n.example.com\n")).isEmpty();
  }

  @Test
  void listEntriesAreReadAsSquidReadsThem() {
    // Squid strips only spaces and tabs: any other whitespace stays in the entry Squid loads
    for (String ws :
        List.of("\u2028", "\u2029", "\u0085", "\u00a0", "\u3000", "\u000b", "\u000c", "\u1680")) {
      assertThat(listErrors(".example.com" + ws + "\n"))
          .as("U+%04X", (int) ws.charAt(0))
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e.message())
                      .contains(String.format("\\u%04X", (int) ws.charAt(0)))
                      .contains("is not a domain name"));
    }
    assertThat(listErrors(" \t.example.com\t \n\t# indented comment\n")).isEmpty();
  }

  @Test
  void hostileListGivesABoundedAnswer() {
    String list = "*\n".repeat(512 * 1024); // 1 MiB
    SquidProxySpec s = spec("access: {allowedDomainsFrom: {name: lists, key: allow.txt}}");
    long t0 = System.nanoTime();
    List<ValidationError> errors = listErrors(s, list);
    assertThat(errors).hasSize(21);
    assertThat(errors.get(20).message())
        .contains("validation of this list stopped after 20 problems");
    assertThat(InvalidConfigException.summary(errors).length()).isLessThan(8 * 1024);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms").isLessThan(2_000);
  }

  @Test
  void hostileExtraConfigGivesABoundedAnswer() {
    String extra = "X\n".repeat(16_384); // 32 KiB, the most extraConfig may hold
    List<ValidationError> errors =
        SquidConfCompiler.validate(
            spec("extraConfig: \"" + extra.replace("\n", "\\n") + "\""), ReferencedData.offline());
    assertThat(errors).hasSize(21);
    assertThat(errors.get(20).toString())
        .isEqualTo(
            "spec.extraConfig line 21: and more: validation stopped after 20 "
                + "problems; fix these and the rest is checked again");
  }

  @Test
  void everyOtherProblemCountsButIsNotListedAfterFifty() {
    StringBuilder specYaml = new StringBuilder("access: {allowedDomains: [");
    for (int i = 0; i < 200; i++) {
      specYaml.append(i == 0 ? "" : ", ").append("'bad domain ").append(i).append('\'');
    }
    List<ValidationError> errors =
        SquidConfCompiler.validate(spec(specYaml + "]}"), ReferencedData.offline());
    assertThat(errors).hasSize(51);
    assertThat(errors.get(50).toString())
        .isEqualTo("spec: and 150 more problems not listed; fix the ones above first");
  }

  @Test
  void validSpecsPass() {
    assertThat(SquidConfCompiler.validate(new SquidProxySpec(), ReferencedData.offline()))
        .isEmpty();
    assertThat(
            SquidConfCompiler.validate(
                spec(
                    """
        access:
          allowedClientCIDRs: [10.0.0.0/8, "fd00::/8", 192.0.2.7/32]
          allowedDomains: [.example.com, x_y.example, 192.0.2.1]
          allowedPorts: [{port: 80}, {port: 8000, endPort: 8999}]
        upstream: {host: "2001:db8::1"}
        cache: {type: Disk, disk: {size: 10Gi, volume: PersistentVolumeClaim, storageClassName: fast}}
        extraConfig: |
          # fine
          acl uploads method POST
          http_access deny uploads
        """),
                ReferencedData.offline()))
        .isEmpty();
  }
}
