package io.cephaloproxy.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CRD on a real API server: accepted as a structural schema, the examples pass
 * server-side dry-run, bad specs are rejected at admission with messages that say what to fix, good
 * edge cases are accepted and defaulted, kubectl explain shows the descriptions, and the API server
 * stores every field of the CRD as shipped.
 */
class CrdIT {
  static final String NS = "crd-it";
  static ControlPlane cp;
  static KubernetesClient admin;
  static CustomResourceDefinition crd;

  @BeforeAll
  static void up() {
    cp = ControlPlane.get();
    admin = cp.admin();
    crd = cp.installCrd();
    cp.namespace(NS);
  }

  @Test
  void crdIsAcceptedAsStructuralAndEstablished() {
    assertThat(crd.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("NamesAccepted");
              assertThat(c.getStatus()).isEqualTo("True");
            })
        .noneSatisfy(c -> assertThat(c.getType()).isEqualTo("NonStructuralSchema"));
    assertThat(crd.getStatus().getAcceptedNames().getShortNames()).contains("squid");
    // the API server serves it: discovery lists the resource with its short name
    ControlPlane.CommandResult r =
        cp.kubectl("api-resources", "--api-group=cephaloproxy.io", "-o", "wide");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("squidproxies").contains("squid").contains("SquidProxy");
  }

  /**
   * What we ship is what the API server stores: every field of the committed CRD (the chart's CRD
   * template is the same) comes back from the API server with the same value. A field the API
   * server drops or rewrites (a default such as a printer column's {@code priority: 0}) never
   * matches the live object, and Argo CD's server-side-apply diff then shows the operator's
   * Application OutOfSync forever (issue 15). Fields the API server adds (status, conversion,
   * listKind) are not in the file and not compared, as Argo CD does not compare them either.
   */
  @Test
  void storedCrdHoldsEveryFieldOfTheCommittedFileUnchanged() throws IOException {
    Path file = cp.repoRoot().resolve("crds/squidproxies.cephaloproxy.io-v1.yml");
    Map<String, Object> shipped = Serialization.unmarshal(Files.readString(file), Map.class);
    GenericKubernetesResource stored =
        admin
            .genericKubernetesResources("apiextensions.k8s.io/v1", "CustomResourceDefinition")
            .withName(crd.getMetadata().getName())
            .get();
    Map<String, Object> live = Serialization.unmarshal(Serialization.asJson(stored), Map.class);
    List<String> drift = new java.util.ArrayList<>();
    notStoredAsShipped("spec", shipped.get("spec"), live.get("spec"), drift);
    assertThat(drift)
        .as(
            "fields of %s the API server does not store as written (Argo CD would report the CRD"
                + " OutOfSync forever); leave them out or write them as stored",
            file)
        .isEmpty();
  }

  /** Adds to {@code drift} the paths under {@code path} where {@code live} differs from shipped. */
  @SuppressWarnings("unchecked")
  static void notStoredAsShipped(String path, Object shipped, Object live, List<String> drift) {
    if (shipped instanceof Map<?, ?> m) {
      if (!(live instanceof Map<?, ?> l)) {
        drift.add(path + ": stored as " + live);
        return;
      }
      m.forEach(
          (k, v) -> {
            if (!l.containsKey(k)) {
              drift.add(path + "." + k + ": " + v + " not stored");
            } else {
              notStoredAsShipped(path + "." + k, v, l.get(k), drift);
            }
          });
    } else if (shipped instanceof List<?> list) {
      if (!(live instanceof List<?> l) || l.size() != list.size()) {
        drift.add(path + ": " + list.size() + " items, stored as " + live);
        return;
      }
      for (int i = 0; i < list.size(); i++) {
        notStoredAsShipped(path + "[" + i + "]", list.get(i), l.get(i), drift);
      }
    } else if (shipped instanceof Number n && live instanceof Number ln) {
      if (new java.math.BigDecimal(n.toString()).compareTo(new java.math.BigDecimal(ln.toString()))
          != 0) {
        drift.add(path + ": " + n + " stored as " + ln);
      }
    } else if (!java.util.Objects.equals(shipped, live)) {
      drift.add(path + ": " + shipped + " stored as " + live);
    }
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(ControlPlane.get().repoRoot().resolve("examples"))) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(list).as("examples/*.yaml").isNotEmpty();
      return list.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void examplePassesServerSideDryRun(Path example) {
    ControlPlane.CommandResult r =
        cp.kubectl(
            "apply",
            "--server-side",
            "--dry-run=server",
            "--field-manager=cephaloproxy-tests",
            "-n",
            NS,
            "-f",
            example.toString());
    assertThat(r.exitCode())
        .as("kubectl apply --server-side --dry-run=server -f %s:%n%s", example, r.output())
        .isZero();
    assertThat(r.output())
        .contains("squidproxy.cephaloproxy.io/")
        .contains("serverside-applied (server dry run)");
    // nothing was stored
    assertThat(squidProxies().list().getItems())
        .noneMatch(s -> r.output().contains("/" + s.getMetadata().getName() + " "));
  }

  @Test
  void unknownFieldIsRejectedByKubectlWithItsName() throws IOException {
    Path file = cp.workDir().resolve("typo.yaml");
    Files.writeString(
        file,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: typo}
        spec:
          access:
            alowedDomains: [example.com]
        """);
    ControlPlane.CommandResult r =
        cp.kubectl("apply", "--server-side", "-n", NS, "-f", file.toString());
    assertThat(r.exitCode()).as(r.output()).isNotZero();
    assertThat(r.output()).contains(".spec.access.alowedDomains: field not declared in schema");
  }

  /**
   * Issue 12 §7: a CPU limit that is not a quantity is refused when a user applies it (it used to
   * be admitted, and the Deployment's apply then failed with HTTP 500 on every retry).
   */
  @Test
  void kubectlApplyOfABadCpuQuantityIsRefusedWithTheFieldAndAnExample() throws IOException {
    Path file = cp.workDir().resolve("lots.yaml");
    Files.writeString(
        file,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: lots}
        spec:
          resources:
            limits: {cpu: lots}
        """);
    ControlPlane.CommandResult r =
        cp.kubectl("apply", "--server-side", "-n", NS, "-f", file.toString());
    System.out.println("kubectl apply of cpu: lots: " + r.output().strip());
    assertThat(r.exitCode()).as(r.output()).isNotZero();
    assertThat(r.output())
        .contains("spec.resources.limits[cpu]")
        .contains("must be a quantity that is not negative, e.g. 500m or 2 for cpu");
    assertThat(squidProxies().withName("lots").get()).isNull();
  }

  /** Each bad spec, and substrings the admission error must contain (the field and what to do). */
  static Stream<Arguments> badSpecs() {
    return Stream.of(
        bad(
            "client CIDR with host bits",
            "access: {allowedClientCIDRs: [10.0.0.1/8]}",
            "spec.access.allowedClientCIDRs",
            "host bits zero",
            "10.1.2.3/32"),
        bad(
            "client CIDR prefix too long", "access: {allowedClientCIDRs: [10.0.0.0/33]}",
            "spec.access.allowedClientCIDRs", "IPv4 or IPv6 CIDR"),
        bad(
            "client CIDR not a CIDR", "access: {allowedClientCIDRs: [office-network]}",
            "spec.access.allowedClientCIDRs", "IPv4 or IPv6 CIDR"),
        bad(
            "no client CIDR at all", "access: {allowedClientCIDRs: []}",
            "spec.access.allowedClientCIDRs", "at least 1 item"),
        bad(
            "IPv6 destination CIDR with host bits",
                "access: {deniedDestinationCIDRs: ['fd00::1/8']}",
            "spec.access.deniedDestinationCIDRs", "host bits zero"),
        bad(
            "destination exception without prefix",
                "access: {allowedDestinationCIDRs: [169.254.169.254]}",
            "spec.access.allowedDestinationCIDRs", "CIDR"),
        bad(
            "domain with a newline (config injection)",
            "access: {allowedDomains: [\"example.com\\nhttp_access allow all\"]}",
            "spec.access.allowedDomains",
            "each entry must be a domain name",
            "control characters"),
        bad(
            "domain with a space", "access: {allowedDomains: ['exa mple.com']}",
            "spec.access.allowedDomains", "spaces"),
        bad(
            "domain with quotes", "access: {allowedDomains: ['\"example.com\"']}",
            "spec.access.allowedDomains", "quotes"),
        bad(
            "wildcard domain",
            "access: {allowedDomains: ['*.example.com']}",
            "spec.access.allowedDomains",
            "no '*'",
            ".example.com (the domain and all its subdomains)"),
        bad(
            "denied domain with a comment sign", "access: {deniedDomains: ['example.com#x']}",
            "spec.access.deniedDomains", "'#'"),
        bad(
            "domain label longer than 63",
            "access: {allowedDomains: [" + "a".repeat(64) + ".com]}",
            "spec.access.allowedDomains",
            "at most 63 characters"),
        bad(
            "splice domain with a space",
            "sslBump: {enabled: true, caSecret: {name: ca}, spliceDomains: ['bank .example']}",
            "spec.sslBump.spliceDomains",
            "each entry must be a domain name"),
        bad("proxy port 0", "port: 0", "spec.port", "greater than or equal to 1"),
        bad("proxy port 65536", "port: 65536", "spec.port", "less than or equal to 65535"),
        bad(
            "proxy port is the health port",
            "port: 8080",
            "port 8080 is the proxy pod's health port",
            "3128"),
        bad(
            "allowed port out of range", "access: {allowedPorts: [{port: 70000}]}",
            "spec.access.allowedPorts[0].port", "less than or equal to 65535"),
        bad(
            "port range upside down", "access: {allowedPorts: [{port: 2000, endPort: 1000}]}",
            "spec.access.allowedPorts[0]", "endPort must be greater than or equal to port"),
        bad(
            "no CONNECT port", "access: {allowedConnectPorts: []}",
            "spec.access.allowedConnectPorts", "at least 1 item"),
        bad(
            "port without number", "access: {allowedConnectPorts: [{endPort: 443}]}",
            "spec.access.allowedConnectPorts[0].port", "Required value"),
        bad(
            "unknown access mode",
            "access: {mode: Block}",
            "spec.access.mode",
            "Unsupported value: \"Block\"",
            "\"Audit\"",
            "\"Enforce\""),
        bad(
            "basic auth without htpasswd Secret", "auth: {mode: Basic}",
            "spec.auth", "auth.mode Basic needs auth.htpasswdSecret.name"),
        bad(
            "htpasswd Secret without basic auth", "auth: {htpasswdSecret: {name: users}}",
            "spec.auth", "auth.htpasswdSecret is only used with mode: Basic"),
        bad(
            "htpasswd Secret without a name",
                "auth: {mode: Basic, htpasswdSecret: {key: htpasswd}}",
            "spec.auth.htpasswdSecret.name", "Required value"),
        bad(
            "realm with a quote", "auth: {mode: None, realm: 'my \"realm\"'}",
            "spec.auth.realm", "should match"),
        bad(
            "SSL bump without CA Secret", "sslBump: {enabled: true}",
            "spec.sslBump", "sslBump.enabled needs sslBump.caSecret.name"),
        bad(
            "splice list with PeekAndSplice",
            "sslBump: {enabled: true, policy: PeekAndSplice, caSecret: {name: ca}, spliceDomains: [.bank.example]}",
            "spec.sslBump",
            "spliceDomains only applies with policy BumpAll"),
        bad(
            "CA Secret name with uppercase", "sslBump: {enabled: true, caSecret: {name: My_CA}}",
            "spec.sslBump.caSecret.name", "should match"),
        bad(
            "memory cache without size",
            "cache: {type: Memory}",
            "spec.cache",
            "cache.type Memory needs cache.memory.size",
            "256Mi"),
        bad(
            "disk settings without disk cache", "cache: {type: None, disk: {size: 1Gi}}",
            "spec.cache", "cache.disk is only used with type: Disk"),
        bad(
            "disk size with a bad unit", "cache: {type: Disk, disk: {size: 10GB}}",
            "spec.cache.disk.size", "should match"),
        bad(
            "memory cache below 1Mi", "cache: {type: Memory, memory: {size: 100Ki}}",
            "spec.cache.memory.size", "must be a size between 1Mi and 1Pi"),
        bad(
            "storage class on an emptyDir cache",
            "cache: {type: Disk, disk: {size: 1Gi, volume: EmptyDir, storageClassName: fast}}",
            "spec.cache.disk",
            "storageClassName only applies with volume: PersistentVolumeClaim"),
        bad(
            "own squid.conf plus access rules",
            "squidConfFrom: {name: conf}\naccess: {mode: Audit}",
            "squidConfFrom (a complete squid.conf) cannot be combined with access"),
        bad(
            "upstream host with scheme and port", "upstream: {host: 'http://proxy.corp:8080'}",
            "spec.upstream.host", "without scheme, port or spaces"),
        bad(
            "upstream port 0", "upstream: {host: proxy.corp, port: 0}",
            "spec.upstream.port", "greater than or equal to 1"),
        bad(
            "upstream with both host and fromClusterProxy",
            "upstream: {host: proxy.corp, fromClusterProxy: true}",
            "spec.upstream",
            "exactly one of host (a parent proxy) and fromClusterProxy: true"),
        bad(
            "upstream with neither host nor fromClusterProxy", "upstream: {port: 8080}",
            "spec.upstream", "exactly one of host (a parent proxy) and fromClusterProxy: true"),
        bad(
            "upstream credentials without Secret name",
                "upstream: {host: proxy.corp, credentialsSecret: {usernameKey: u}}",
            "spec.upstream.credentialsSecret.name", "Required value"),
        bad(
            "extra config with a carriage return", "extraConfig: \"forwarded_for delete\\r\\n\"",
            "spec.extraConfig", "printable ASCII"),
        bad(
            "extra config moving the port",
            "extraConfig: |\n  http_port 3129",
            "spec.extraConfig",
            "must not set directives the container relies on",
            "http_port"),
        bad("negative replicas", "replicas: -1", "spec.replicas", "greater than or equal to 0"),
        bad("too many workers", "workers: 17", "spec.workers", "less than or equal to 16"),
        bad(
            "autoscaling max below min",
                "autoscaling: {enabled: true, minReplicas: 5, maxReplicas: 2}",
            "spec.autoscaling",
                "maxReplicas must be greater than or equal to autoscaling.minReplicas"),
        bad(
            "trusted CA from two sources",
                "trustedCA: {configMap: {name: a, key: ca.crt}, secret: {name: b, key: ca.crt}}",
            "spec.trustedCA", "exactly one of configMap or secret"),
        bad(
            "trusted CA from no source",
            "trustedCA: {}",
            "spec.trustedCA",
            "exactly one of configMap or secret"),
        bad(
            "grace period too short", "terminationGracePeriodSeconds: 1",
            "spec.terminationGracePeriodSeconds", "greater than or equal to 2"),
        bad(
            "run as root", "securityContext: {runAsUser: 0}",
            "spec.securityContext.runAsUser", "greater than or equal to 1"),
        bad("image with a space", "image: 'squid latest'", "spec.image", "should match"),
        bad(
            "allowlist ConfigMap without key", "access: {allowedDomainsFrom: {name: big-list}}",
            "spec.access.allowedDomainsFrom.key", "Required value"),
        bad(
            "unknown log format",
            "logging: {format: XML}",
            "spec.logging.format",
            "Unsupported value: \"XML\""),
        bad(
            "unknown pull policy",
            "imagePullPolicy: Sometimes",
            "spec.imagePullPolicy",
            "Unsupported value"),
        bad(
            "ExternalName service",
            "service: {type: ExternalName}",
            "spec.service.type",
            "Unsupported value"),
        bad(
            "extra config line Squid would split (issue 12)",
            "extraConfig: 'acl pad dstdomain " + ".a".repeat(4087) + " acl cp_clients src all'",
            "spec.extraConfig",
            "lines must be at most 8191 characters",
            "split it into shorter lines"),
        bad(
            "memory request that is not a quantity (issue 12)",
            "resources: {requests: {memory: 1 GB}}",
            "spec.resources.requests[memory]",
            "must be a quantity that is not negative",
            "256Mi or 1Gi for memory"),
        bad(
            "negative CPU limit",
            "resources: {limits: {cpu: -1}}",
            "spec.resources.limits[cpu]",
            "must be a quantity that is not negative"),
        bad(
            "negative memory limit",
            "resources: {limits: {memory: '-1Gi'}}",
            "spec.resources.limits[memory]",
            "must be a quantity that is not negative"),
        bad(
            "extra config with a Squid macro",
            "extraConfig: 'acl a src 10.0.0.0/16${process_number}'",
            "spec.extraConfig",
            "must not contain '${'",
            "write the value itself"));
  }

  static Arguments bad(String name, String specYaml, String... expected) {
    return Arguments.of(name, specYaml, List.of(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpecs")
  void badSpecIsRejectedAtAdmission(String name, String specYaml, List<String> expected) {
    String objName = "bad-" + Integer.toHexString(name.hashCode() & 0xfffffff);
    GenericKubernetesResource cr = squidProxy(objName, specYaml);
    KubernetesClientException e =
        catchThrowableOfType(
            KubernetesClientException.class, () -> squidProxies().resource(cr).create());
    assertThat(e).as("%s: the API server accepted spec %s", name, specYaml).isNotNull();
    assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
    String message = e.getStatus().getMessage();
    for (String s : expected) {
      assertThat(message).as("admission message for '%s'", name).contains(s);
    }
    assertThat(squidProxies().withName(objName).get()).isNull();
  }

  static Stream<Arguments> goodSpecs() {
    return Stream.of(
        Arguments.of("empty spec", "{}"),
        Arguments.of(
            "IPv6 and single-address CIDRs",
            "access: {allowedClientCIDRs: ['2001:db8::/32', 10.1.2.3/32], deniedDestinationCIDRs: [10.96.0.0/12]}"),
        Arguments.of(
            "metadata exception", "access: {allowedDestinationCIDRs: [169.254.169.254/32]}"),
        Arguments.of(
            "port bounds",
            "port: 1\naccess: {allowedPorts: [{port: 1}, {port: 1025, endPort: 65535}]}"),
        Arguments.of("port 65535", "port: 65535"),
        Arguments.of(
            "domain forms",
            "access: {allowedDomains: [.example.com, _acme-challenge.example.com, 192.0.2.10, a-b.c]}"),
        Arguments.of(
            "audit mode with denylist", "access: {mode: Audit, deniedDomains: [.ads.example]}"),
        Arguments.of(
            "basic auth",
            "auth: {mode: Basic, htpasswdSecret: {name: users}, realm: 'Corp proxy (dev)'}"),
        Arguments.of(
            "bump with splice list",
            "sslBump: {enabled: true, caSecret: {name: ca}, spliceDomains: [.bank.example]}"),
        Arguments.of(
            "peek and splice",
            "sslBump: {enabled: true, policy: PeekAndSplice, caSecret: {name: ca}}"),
        Arguments.of("memory cache", "cache: {type: Memory, memory: {size: 256Mi}}"),
        Arguments.of(
            "persistent disk cache",
            "cache: {type: Disk, disk: {size: 10Gi, volume: PersistentVolumeClaim, storageClassName: fast}}"),
        Arguments.of(
            "the cluster proxy as upstream, with credentials",
            "upstream: {fromClusterProxy: true, credentialsSecret: {name: upstream}}"),
        Arguments.of(
            "IPv6 upstream with credentials",
            "upstream: {host: '2001:db8::1', port: 8080, credentialsSecret: {name: upstream}}"),
        Arguments.of(
            "trusted CA ConfigMap", "trustedCA: {configMap: {name: corp-ca, key: ca.crt}}"),
        Arguments.of(
            "autoscaling min = max",
            "autoscaling: {enabled: true, minReplicas: 3, maxReplicas: 3}"),
        Arguments.of("limits", "replicas: 0\nworkers: 16\nterminationGracePeriodSeconds: 3600"),
        Arguments.of("extra config", "extraConfig: |\n  forwarded_for delete\n  via off"),
        Arguments.of(
            "extra config line of 8191 characters and a macro in a comment",
            "extraConfig: |\n  # ${process_number}\n  acl pad dstdomain " + "a".repeat(8191 - 18)),
        Arguments.of(
            "resources",
            "resources: {limits: {cpu: 2, memory: 1Gi, ephemeral-storage: 1G}, "
                + "requests: {cpu: 250m, memory: 1Gi, hugepages-2Mi: '0'}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodSpecs")
  void goodSpecIsAccepted(String name, String specYaml) {
    String objName = "good-" + Integer.toHexString(name.hashCode() & 0xfffffff);
    GenericKubernetesResource created =
        squidProxies().resource(squidProxy(objName, specYaml)).create();
    try {
      assertThat(created.getMetadata().getUid()).isNotBlank();
    } finally {
      squidProxies().withName(objName).delete();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void apiServerAppliesTheSchemaDefaults() {
    // defaults apply inside objects that are present: an empty access block gets the access
    // defaults
    GenericKubernetesResource created =
        squidProxies().resource(squidProxy("defaults", "access: {}")).create();
    try {
      Map<String, Object> spec =
          (Map<String, Object>) created.getAdditionalProperties().get("spec");
      assertThat(spec)
          .containsEntry("port", 3128)
          .containsEntry("replicas", 1)
          .containsEntry("workers", 1);
      Map<String, Object> access = (Map<String, Object>) spec.get("access");
      assertThat(access).containsEntry("mode", "Enforce");
      assertThat((List<String>) access.get("allowedClientCIDRs"))
          .containsExactly("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");
    } finally {
      squidProxies().withName("defaults").delete();
    }
    // without an access block none is stored (docs/gitops-argocd.md: the operator compiles the same
    // defaults)
    GenericKubernetesResource bare = squidProxies().resource(squidProxy("bare", "{}")).create();
    try {
      Map<String, Object> spec = (Map<String, Object>) bare.getAdditionalProperties().get("spec");
      assertThat(spec).containsEntry("port", 3128).doesNotContainKey("access");
    } finally {
      squidProxies().withName("bare").delete();
    }
  }

  @Test
  void kubectlExplainShowsTheDescriptions() {
    JSONSchemaProps spec =
        crd.getSpec()
            .getVersions()
            .get(0)
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec");
    ControlPlane.CommandResult r = cp.kubectl("explain", "squidproxy.spec");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("KIND:       SquidProxy")
        .contains("FIELDS:")
        .contains("access")
        .contains("sslBump")
        .contains("upstream");
    // every documented top-level field shows the first words of its description
    spec.getProperties()
        .forEach(
            (field, props) -> {
              if (props.getDescription() != null) {
                String firstWords =
                    String.join(
                        " ",
                        List.of(props.getDescription().split("\\s+"))
                            .subList(0, Math.min(3, props.getDescription().split("\\s+").length)));
                assertThat(r.output())
                    .as("kubectl explain squidproxy.spec shows %s's description", field)
                    .contains(firstWords);
              }
            });
    ControlPlane.CommandResult domains =
        cp.kubectl("explain", "squidproxy.spec.access.allowedDomains");
    assertThat(domains.exitCode()).as(domains.output()).isZero();
    assertThat(domains.output()).contains("Allowlist").contains(".example.com");
  }

  private static NonNamespaceOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      squidProxies() {
    return admin
        .genericKubernetesResources("cephaloproxy.io/v1alpha1", "SquidProxy")
        .inNamespace(NS);
  }

  /**
   * Names that cannot be the proxy's Service name (a DNS-1035 label) are refused, naming the rule
   * and an example.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badNames")
  void nameThatCannotBeAServiceNameIsRejected(String name) {
    KubernetesClientException e =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> squidProxies().resource(squidProxy(name, "{}")).create());
    assertThat(e).as("the API server accepted the name %s", name).isNotNull();
    assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
    assertThat(e.getStatus().getMessage())
        .contains("metadata.name must be usable as the proxy's Service name")
        .contains("at most 63 characters")
        .contains("e.g. my-proxy");
  }

  static Stream<String> badNames() {
    return Stream.of("my.proxy", "1proxy", "a".repeat(64), "proxy.example.com");
  }

  @Test
  void longestServiceNameIsAccepted() {
    String name = "p" + "-".repeat(1) + "x".repeat(61); // 63 characters
    squidProxies().resource(squidProxy(name, "{}")).create();
    squidProxies().withName(name).delete();
  }

  static GenericKubernetesResource squidProxy(String name, String specYaml) {
    return Serialization.unmarshal(
        Proxies.manifest(name, NS, specYaml), GenericKubernetesResource.class);
  }
}
