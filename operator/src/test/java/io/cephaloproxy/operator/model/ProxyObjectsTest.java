package io.cephaloproxy.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.operator.render.RenderCommand;
import io.cephaloproxy.operator.render.Renderer;
import io.cephaloproxy.operator.testing.Examples;
import io.cephaloproxy.operator.testing.PodSecurityChecker;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every builder, over every committed example. */
class ProxyObjectsTest {
  static Stream<Path> examples() {
    return Examples.files().stream();
  }

  static List<HasMetadata> render(Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    // through the CLI once, to prove the command line works on the example
    int rc =
        RenderCommand.run(
            List.of("-f", file.toString()), new PrintStream(out), new PrintStream(err));
    assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("kind: \"Deployment\"");
    return Renderer.render(readAll(file), "ghcr.io/cephaloproxy/squid:test").objects();
  }

  static List<HasMetadata> readAll(Path file) {
    try {
      return RenderCommand.read(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void buildingTwiceGivesEqualObjects(Path file) {
    List<HasMetadata> first = render(file);
    List<HasMetadata> second =
        Renderer.render(readAll(file), "ghcr.io/cephaloproxy/squid:test").objects();
    assertThat(second).isEqualTo(first);
    assertThat(first)
        .extracting(HasMetadata::getKind)
        .contains("ConfigMap", "Deployment", "Service");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void podTemplatePassesRestrictedAndRestrictedV2(Path file) {
    Deployment d = deployment(render(file));
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(
            PodSecurityChecker.violations(
                pod, d.getSpec().getTemplate().getMetadata().getAnnotations()))
        .isEmpty();
    assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("init");
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("run");
    assertThat(pod.getInitContainers().get(0).getArgs()).containsExactly("init");
    assertThat(pod.getContainers().get(0).getArgs()).containsExactly("run");
    // every writable path is an emptyDir (or the cache claim), and nothing else is writable
    for (Container c : List.of(pod.getInitContainers().get(0), pod.getContainers().get(0))) {
      c.getVolumeMounts()
          .forEach(
              m -> {
                Volume v =
                    pod.getVolumes().stream()
                        .filter(x -> x.getName().equals(m.getName()))
                        .findFirst()
                        .orElseThrow();
                boolean writable = !Boolean.TRUE.equals(m.getReadOnly());
                assertThat(writable)
                    .as(m.getMountPath())
                    .isEqualTo(v.getEmptyDir() != null || v.getPersistentVolumeClaim() != null);
              });
    }
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsKey(Labels.CONFIG_HASH_ANNOTATION);
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
  }

  @Test
  void workersGetAMemoryShmAndProbesUseTheHealthPort() {
    Deployment d = deployment(render(Examples.dir().resolve("workers.yaml")));
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Volume shm =
        pod.getVolumes().stream()
            .filter(
                v -> "Memory".equals(v.getEmptyDir() == null ? null : v.getEmptyDir().getMedium()))
            .findFirst()
            .orElseThrow();
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo(shm.getName());
              assertThat(m.getMountPath()).isEqualTo("/dev/shm");
            });
    assertThat(shm.getEmptyDir().getSizeLimit()).isNotNull();
    Container run = pod.getContainers().get(0);
    assertThat(run.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(run.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(run.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
    // probed every second from the start, for the same 3 minutes as before
    assertThat(run.getStartupProbe().getInitialDelaySeconds()).isNull();
    assertThat(run.getStartupProbe().getPeriodSeconds()).isEqualTo(1);
    assertThat(
            run.getStartupProbe().getPeriodSeconds() * run.getStartupProbe().getFailureThreshold())
        .isEqualTo(180);
    assertThat(run.getPorts())
        .anySatisfy(
            p -> {
              assertThat(p.getName()).isEqualTo("health");
              assertThat(p.getContainerPort()).isEqualTo(8080);
            });
  }

  @Test
  void noFixedUidOrFsGroupByDefault() {
    PodSpec pod =
        deployment(render(Examples.dir().resolve("basic.yaml"))).getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsUser()).isNull();
    assertThat(pod.getSecurityContext().getFsGroup()).isNull();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
  }

  @Test
  void checkerCatchesEveryViolation() {
    PodSpec pod =
        deployment(render(Examples.dir().resolve("basic.yaml"))).getSpec().getTemplate().getSpec();
    pod.getSecurityContext().setRunAsUser(1000L);
    pod.getSecurityContext().setFsGroup(1000L);
    Container run = pod.getContainers().get(0);
    run.getSecurityContext().setAllowPrivilegeEscalation(null);
    run.getSecurityContext().getCapabilities().setDrop(List.of());
    run.getSecurityContext().getCapabilities().setAdd(List.of("NET_ADMIN"));
    run.getSecurityContext().setReadOnlyRootFilesystem(false);
    run.getSecurityContext().getSeccompProfile().setType("Unconfined");
    pod.setHostNetwork(true);
    pod.getVolumes()
        .add(
            new io.fabric8.kubernetes.api.model.VolumeBuilder()
                .withName("h")
                .withNewHostPath("/", null)
                .build());
    List<String> v = PodSecurityChecker.violations(pod, Map.of());
    assertThat(v)
        .anyMatch(s -> s.contains("fixed pod runAsUser"))
        .anyMatch(s -> s.contains("fixed fsGroup"))
        .anyMatch(s -> s.contains("allowPrivilegeEscalation"))
        .anyMatch(s -> s.contains("drop ALL"))
        .anyMatch(s -> s.contains("adds capability NET_ADMIN"))
        .anyMatch(s -> s.contains("readOnlyRootFilesystem"))
        .anyMatch(s -> s.contains("seccomp Unconfined"))
        .anyMatch(s -> s.contains("hostNetwork"))
        .anyMatch(s -> s.contains("hostPath"));
  }

  @Test
  void pdbOnlyWithMoreThanOneReplica() {
    assertThat(render(Examples.dir().resolve("basic.yaml")))
        .extracting(HasMetadata::getKind)
        .doesNotContain("PodDisruptionBudget");
    assertThat(render(Examples.dir().resolve("production.yaml")))
        .extracting(HasMetadata::getKind)
        .contains("PodDisruptionBudget");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void noContainerCopiesItsLogIntoTheTerminationMessage(Path file) {
    PodSpec pod = deployment(render(file)).getSpec().getTemplate().getSpec();
    // FallbackToLogsOnError would put the log tail (access-log lines: client IPs, URLs) into the
    // pod status
    assertThat(Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()))
        .allSatisfy(
            c -> assertThat(c.getTerminationMessagePolicy()).as(c.getName()).isEqualTo("File"));
  }

  @Test
  void egressFollowsSquidsDestinationRules() {
    // the defaults: Squid's always-blocked networks are closed at the network level too
    assertThat(egressBlocks("networkPolicy: {enabled: true}"))
        .containsExactly(
            "0.0.0.0/0 except [0.0.0.0/8, 100.100.100.200/32, 127.0.0.0/8, 168.63.129.16/32, 169.254.0.0/16]",
            "::/0 except [::/128, ::1/128, fd00:ec2::254/128, fe80::/10]");
    // everything IPv4 denied: no except equal to its cidr; allowed networks are carved back out
    assertThat(
            egressBlocks(
                "networkPolicy: {enabled: true}\naccess: {deniedDestinationCIDRs: [0.0.0.0/0, 10.0.0.0/8, "
                    + "'fd00::/8'], allowedDestinationCIDRs: [169.254.169.254/32, 10.1.0.0/16, 10.1.2.0/24, 192.0.2.0/24]}"))
        .containsExactly(
            "::/0 except [::/128, ::1/128, fd00::/8, fe80::/10]",
            "10.1.0.0/16",
            "169.254.169.254/32",
            "192.0.2.0/24");
    // an allowed network nothing denies needs no block of its own
    assertThat(
            egressBlocks(
                "networkPolicy: {enabled: true}\naccess: {allowedDestinationCIDRs: [192.0.2.0/24]}"))
        .containsExactly(
            "0.0.0.0/0 except [0.0.0.0/8, 100.100.100.200/32, 127.0.0.0/8, 168.63.129.16/32, 169.254.0.0/16]",
            "::/0 except [::/128, ::1/128, fd00:ec2::254/128, fe80::/10]");
  }

  @Test
  void externalServicesKeepTheClientAddressAndNeverPublishTheHealthPort() {
    // ClusterIP: only the proxy port, no external settings
    io.fabric8.kubernetes.api.model.Service cluster = service("{}");
    assertThat(cluster.getSpec().getPorts())
        .extracting(p -> p.getName() + ":" + p.getPort())
        .containsExactly("proxy:3128");
    assertThat(cluster.getSpec().getExternalTrafficPolicy()).isNull();
    assertThat(cluster.getSpec().getLoadBalancerSourceRanges()).isEmpty();
    // NodePort: kube-proxy must not SNAT outside clients to a node address in 10.0.0.0/8
    io.fabric8.kubernetes.api.model.Service nodePort = service("service: {type: NodePort}");
    assertThat(nodePort.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
    assertThat(nodePort.getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("proxy");
    assertThat(nodePort.getSpec().getLoadBalancerSourceRanges()).isEmpty();
    // LoadBalancer: the cloud's load balancer admits only the allowed clients
    io.fabric8.kubernetes.api.model.Service lb =
        service(
            "service: {type: LoadBalancer}\naccess: {allowedClientCIDRs: [203.0.113.0/24, '2001:db8::/32']}");
    assertThat(lb.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
    assertThat(lb.getSpec().getLoadBalancerSourceRanges())
        .containsExactly("203.0.113.0/24", "2001:db8::/32");
    assertThat(lb.getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("proxy");
    assertThat(service("service: {type: LoadBalancer}").getSpec().getLoadBalancerSourceRanges())
        .containsExactly("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");
  }

  @Test
  void healthPortIsAdmittedOnlyFromTheMetricsScrapers() {
    // default: the Prometheus pods of the usual monitoring namespaces
    var rules = networkPolicy("networkPolicy: {enabled: true}").getSpec().getIngress();
    assertThat(rules).hasSize(2);
    assertThat(rules.get(0).getPorts().get(0).getPort().getStrVal()).isEqualTo("proxy");
    var health = rules.get(1);
    assertThat(health.getPorts().get(0).getPort().getStrVal()).isEqualTo("health");
    assertThat(health.getFrom()).hasSize(1);
    var peer = health.getFrom().get(0);
    assertThat(peer.getIpBlock()).isNull();
    assertThat(peer.getPodSelector().getMatchLabels())
        .containsExactlyEntriesOf(Map.of("app.kubernetes.io/name", "prometheus"));
    assertThat(peer.getNamespaceSelector().getMatchExpressions().get(0).getValues())
        .containsExactly(
            "monitoring", "openshift-monitoring", "openshift-user-workload-monitoring");
    // the user's own scrapers
    var own =
        networkPolicy(
                "networkPolicy:\n  enabled: true\n  metricsFrom:\n"
                    + "  - namespaceSelector: {matchLabels: {team: observability}}\n"
                    + "    podSelector: {matchLabels: {app: vmagent}}\n"
                    + "  - {}")
            .getSpec()
            .getIngress()
            .get(1)
            .getFrom();
    assertThat(own).hasSize(2);
    assertThat(own.get(0).getNamespaceSelector().getMatchLabels())
        .containsExactlyEntriesOf(Map.of("team", "observability"));
    assertThat(own.get(0).getPodSelector().getMatchLabels())
        .containsExactlyEntriesOf(Map.of("app", "vmagent"));
    // neither selector: the proxy's namespace's pods, never "from anywhere"
    assertThat(own.get(1).getPodSelector()).isNotNull();
    assertThat(own.get(1).getNamespaceSelector()).isNull();
    // no scrapers: no rule for the health port at all (a rule without peers would admit everyone)
    assertThat(
            networkPolicy("networkPolicy: {enabled: true, metricsFrom: []}").getSpec().getIngress())
        .extracting(r -> r.getPorts().get(0).getPort().getStrVal())
        .containsExactly("proxy");
  }

  @Test
  void theOperatorsOwnPodsAreAdmittedToTheHealthPortForTheDenialSummaries() {
    var peers =
        HealthPeers.operator(
            true,
            java.util.Optional.of("cephaloproxy-system"),
            Map.of(
                "app.kubernetes.io/name", "cephaloproxy-operator",
                "app.kubernetes.io/component", "operator"));
    // the user admits no scrapers: only the operator's pods reach the health port
    var none = healthRule("networkPolicy: {enabled: true, metricsFrom: []}", peers);
    assertThat(none.getPorts().get(0).getPort().getStrVal()).isEqualTo("health");
    assertThat(none.getFrom()).hasSize(1);
    var operator = none.getFrom().get(0);
    assertThat(operator.getNamespaceSelector().getMatchLabels())
        .containsExactlyEntriesOf(Map.of("kubernetes.io/metadata.name", "cephaloproxy-system"));
    assertThat(operator.getPodSelector().getMatchLabels())
        .isEqualTo(
            Map.of(
                "app.kubernetes.io/name", "cephaloproxy-operator",
                "app.kubernetes.io/component", "operator"));
    assertThat(operator.getIpBlock()).isNull();
    // with the default scrapers: Prometheus first, then the operator
    assertThat(healthRule("networkPolicy: {enabled: true}", peers).getFrom())
        .hasSize(2)
        .element(1)
        .isEqualTo(operator);
    // Events off, or the operator does not know where it runs: no peer
    assertThat(
            HealthPeers.operator(
                false, java.util.Optional.of("ns"), Map.of("app.kubernetes.io/name", "x")))
        .isEmpty();
    assertThat(
            HealthPeers.operator(
                true, java.util.Optional.empty(), Map.of("app.kubernetes.io/name", "x")))
        .isEmpty();
  }

  static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule healthRule(
      String specYaml,
      List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> peers) {
    io.cephaloproxy.api.v1alpha1.SquidProxy sp =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata: {name: np, namespace: ns}\nspec:\n"
                + specYaml.indent(2),
            io.cephaloproxy.api.v1alpha1.SquidProxy.class);
    ProxyModel m =
        ModelFactory.create(sp, "ghcr.io/cephaloproxy/squid:test", (k, n) -> null, false)
            .model()
            .orElseThrow();
    var rules = ProxyObjects.networkPolicy(m.withHealthPeers(peers)).getSpec().getIngress();
    return rules.stream()
        .filter(r -> r.getPorts().get(0).getPort().getStrVal().equals("health"))
        .findFirst()
        .orElseThrow();
  }

  static List<HasMetadata> renderSpec(String specYaml) {
    io.cephaloproxy.api.v1alpha1.SquidProxy sp =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata: {name: np, namespace: ns}\nspec:\n"
                + specYaml.indent(2),
            io.cephaloproxy.api.v1alpha1.SquidProxy.class);
    return Renderer.render(List.of(sp), "ghcr.io/cephaloproxy/squid:test").objects();
  }

  static io.fabric8.kubernetes.api.model.Service service(String specYaml) {
    return renderSpec(specYaml).stream()
        .filter(io.fabric8.kubernetes.api.model.Service.class::isInstance)
        .map(io.fabric8.kubernetes.api.model.Service.class::cast)
        .findFirst()
        .orElseThrow();
  }

  static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy networkPolicy(
      String specYaml) {
    return renderSpec(specYaml).stream()
        .filter(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class::isInstance)
        .map(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class::cast)
        .findFirst()
        .orElseThrow();
  }

  static List<String> egressBlocks(String specYaml) {
    var np = networkPolicy(specYaml);
    return np.getSpec().getEgress().get(1).getTo().stream()
        .map(p -> p.getIpBlock())
        .map(
            b ->
                b.getCidr()
                    + (b.getExcept() == null || b.getExcept().isEmpty()
                        ? ""
                        : " except " + b.getExcept()))
        .toList();
  }

  static Deployment deployment(List<HasMetadata> objects) {
    return objects.stream()
        .filter(Deployment.class::isInstance)
        .map(Deployment.class::cast)
        .findFirst()
        .orElseThrow();
  }
}
