package io.cephaloproxy.tests.apiserver;

import static io.cephaloproxy.tests.apiserver.Proxies.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.marcnuri.helm.Helm;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 12 §5 on the real API server: a platform team's guardrails, set as the chart's {@code
 * admission.*} values. The operator, started with the environment the chart renders, refuses a
 * proxy that breaks them (one created before the policy existed) with ConfigValid=False naming the
 * value; then the chart's ValidatingAdmissionPolicy refuses each violation at admission with a
 * message naming the value that allows it, and admits a proxy that keeps them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionPolicyIT {
  static final String OPERATOR_NS = "guardrails-system";
  static final String NS = "guardrails-team";
  static final String RELEASE = "guardrails";

  static ControlPlane cp;
  static List<HasMetadata> rendered;
  static OperatorProcess operator;
  static ChartRbac.Installed rbac;
  static Proxies proxies;

  @BeforeAll
  static void render() {
    cp = ControlPlane.get();
    cp.installCrd();
    cp.namespace(NS);
    String yaml =
        new Helm(cp.repoRoot().resolve("helm/cephaloproxy-operator"))
            .template()
            .withName(RELEASE)
            .withNamespace(OPERATOR_NS)
            .withKubeVersion(cp.version().replaceFirst("^v", ""))
            .set("admission.allowedImagePrefixes", "{registry.example/squid@}")
            .set("admission.allowRawConfig", false)
            .call();
    rendered =
        cp.admin().load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    proxies = new Proxies(cp.admin(), NS);
  }

  @AfterAll
  static void cleanUp() {
    if (operator != null) {
      operator.close();
    }
    for (HasMetadata o : policyObjects()) {
      cp.admin().resource(o).delete();
    }
    if (rbac != null) {
      ChartRbac.uninstall(cp, rbac);
    }
  }

  static List<HasMetadata> policyObjects() {
    return rendered.stream()
        .filter(
            o ->
                o instanceof ValidatingAdmissionPolicy
                    || o instanceof ValidatingAdmissionPolicyBinding)
        .toList();
  }

  /** Defence in depth: without the policy, the operator refuses the same proxies. */
  @Test
  @Order(1)
  void theOperatorRefusesWhatBreaksTheGuardrails() {
    rbac = ChartRbac.install(cp, RELEASE, OPERATOR_NS, List.of(NS), false);
    Deployment d =
        rendered.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    Map<String, String> env = new HashMap<>();
    for (EnvVar e : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (e.getName().startsWith("ALLOW")) {
        env.put(e.getName(), e.getValue());
      }
    }
    assertThat(env)
        .containsEntry("ALLOWED_IMAGE_PREFIXES", "registry.example/squid@")
        .containsEntry("ALLOW_RAW_CONFIG", "false")
        .containsEntry("ALLOW_UPSTREAM_TO_DENIED_DESTINATIONS", "false");
    env.put("WATCH_NAMESPACES", NS);
    operator = OperatorProcess.start(cp, "operator-guardrails", rbac.kubeconfig(), env);

    Map<String, String> cases =
        Map.of(
            "raw", "extraConfig: 'via off'",
            "image", "image: docker.io/someone/squid:6",
            "metadata", "upstream: {host: 169.254.169.254}");
    Map<String, String> named =
        Map.of(
            "raw", "spec.extraConfig: raw Squid config is turned off",
            "image", "spec.image: 'docker.io/someone/squid:6' is not an allowed image",
            "metadata", "spec.upstream.host: '169.254.169.254' is inside 169.254.0.0/16");
    Map<String, String> value =
        Map.of(
            "raw", "admission.allowRawConfig",
            "image", "admission.allowedImagePrefixes",
            "metadata", "admission.allowUpstreamToDeniedDestinations");
    cases.forEach(proxies::apply);
    for (String name : cases.keySet()) {
      SquidProxy sp = proxies.await(name, "ConfigValid=False", p -> is(p, "ConfigValid", "False"));
      var c = Proxies.condition(sp, "ConfigValid").orElseThrow();
      System.out.printf("operator refused %s: %s: %s%n", name, c.getReason(), c.getMessage());
      assertThat(c.getReason()).isEqualTo("InvalidSpec");
      assertThat(c.getMessage()).contains(named.get(name)).contains(value.get(name));
      assertThat(proxies.deployment(name)).as("nothing rolled out for %s", name).isNull();
    }
    assertThat(operator.logText()).doesNotContainIgnoringCase("forbidden");
  }

  @Test
  @Order(2)
  void thePolicyRefusesEachViolationNamingTheValue() {
    assertThat(policyObjects()).hasSize(2);
    long start = System.nanoTime();
    for (HasMetadata o : policyObjects()) {
      cp.admin().resource(o).fieldManager("helm").forceConflicts().serverSideApply();
    }
    // the API server enforces a new policy after its type check and informer sync
    Awaitility.await("the policy in force")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> refusal("probe", "extraConfig: 'via off'") != null);
    System.out.printf(
        "policy enforced %d ms after it was applied%n", (System.nanoTime() - start) / 1_000_000);
    ValidatingAdmissionPolicy applied =
        cp.admin()
            .resources(ValidatingAdmissionPolicy.class)
            .withName(RELEASE + "-cephaloproxy-operator-guardrails")
            .get();
    assertThat(
            applied.getStatus().getTypeChecking() == null
                ? List.of()
                : applied.getStatus().getTypeChecking().getExpressionWarnings())
        .as("CEL type-check warnings of the policy")
        .isEmpty();

    record Case(String spec, String... expected) {}
    List<Case> refused =
        List.of(
            new Case(
                "image: docker.io/someone/squid:6",
                "spec.image: 'docker.io/someone/squid:6' is not an allowed image: it must start"
                    + " with 'registry.example/squid@' (chart value"
                    + " admission.allowedImagePrefixes)"),
            new Case(
                "extraConfig: 'via off'",
                "spec.extraConfig: raw Squid config is turned off in this cluster (chart value"
                    + " admission.allowRawConfig is false)"),
            new Case(
                "squidConfFrom: {name: full}",
                "spec.squidConfFrom: raw Squid config is turned off",
                "admission.allowRawConfig"),
            new Case(
                "upstream: {host: 169.254.169.254}",
                "spec.upstream.host: '169.254.169.254' is inside 169.254.0.0/16, which this proxy"
                    + " denies as a destination",
                "admission.allowUpstreamToDeniedDestinations"),
            new Case("upstream: {host: LocalHost}", "is inside 127.0.0.0/8"),
            new Case("upstream: {host: 'fd00:ec2::254'}", "is inside fd00:ec2::254/128"),
            new Case(
                "upstream: {host: 192.0.2.7}\naccess: {deniedDestinationCIDRs: [192.0.2.0/24]}",
                "is inside 192.0.2.0/24"));
    for (Case c : refused) {
      KubernetesClientException e = refusal("refused", c.spec());
      assertThat(e).as("refused at admission: %s", c.spec()).isNotNull();
      System.out.printf("refused (HTTP %d): %s%n", e.getCode(), e.getStatus().getMessage());
      assertThat(e.getCode()).isEqualTo(403);
      for (String part : c.expected()) {
        assertThat(e.getStatus().getMessage()).contains(part);
      }
    }
    for (String ok :
        List.of(
            "{}",
            "image: registry.example/squid@sha256:" + "0".repeat(64),
            "upstream: {host: proxy.corp.example}",
            "upstream: {host: 192.0.2.7}",
            "upstream: {host: 169.254.169.254}\naccess: {allowedDestinationCIDRs: [169.254.169.254/32]}")) {
      assertThat(refusal("admitted", ok)).as("admitted: %s", ok).isNull();
    }
  }

  /** A server-side dry-run create: null when admitted, else the API server's refusal. */
  static KubernetesClientException refusal(String name, String specYaml) {
    SquidProxy sp = Serialization.unmarshal(Proxies.manifest(name, NS, specYaml), SquidProxy.class);
    return catchThrowableOfType(
        KubernetesClientException.class, () -> cp.admin().resource(sp).dryRun().create());
  }
}
