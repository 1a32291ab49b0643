package io.cephaloproxy.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.compiler.SquidConfCompiler;
import io.cephaloproxy.compiler.ValidationError;
import io.cephaloproxy.testsupport.RepoRoot;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's copy of the chart's admission guardrails (issue 12 §5). */
class GuardrailsTest {
  static final List<String> CLUSTER = List.of("10.96.0.0/12", "10.244.0.0/16");

  static SquidProxySpec spec(String yaml) {
    return Serialization.unmarshal(
            "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata: {name: p}\nspec:\n"
                + yaml.indent(2),
            SquidProxy.class)
        .getSpec();
  }

  static List<String> refused(Guardrails g, String yaml) {
    return g.check(spec(yaml), CLUSTER).stream().map(ValidationError::toString).toList();
  }

  @Test
  void imagesMustStartWithAnAllowedPrefix() {
    Guardrails g =
        new Guardrails(List.of("registry.example/squid@", "ghcr.io/cephaloproxy/"), true, true);
    assertThat(refused(g, "image: ghcr.io/cephaloproxy/squid:1")).isEmpty();
    assertThat(refused(g, "{}")).as("the operator's default image").isEmpty();
    assertThat(refused(g, "image: docker.io/evil/squid:1"))
        .singleElement()
        .asString()
        .startsWith("spec.image: 'docker.io/evil/squid:1' is not an allowed image")
        .contains("'registry.example/squid@' or 'ghcr.io/cephaloproxy/'")
        .contains("admission.allowedImagePrefixes");
    assertThat(refused(Guardrails.DEFAULTS, "image: docker.io/evil/squid:1")).isEmpty();
  }

  @Test
  void rawConfigCanBeTurnedOff() {
    Guardrails off = new Guardrails(List.of(), false, true);
    assertThat(refused(off, "extraConfig: 'via off'"))
        .singleElement()
        .asString()
        .startsWith("spec.extraConfig: raw Squid config is turned off")
        .contains("admission.allowRawConfig");
    assertThat(refused(off, "squidConfFrom: {name: conf}"))
        .singleElement()
        .asString()
        .startsWith("spec.squidConfFrom: ");
    assertThat(refused(Guardrails.DEFAULTS, "extraConfig: 'via off'")).isEmpty();
  }

  /** The chart's admission policy checks the upstream against the same always-denied list. */
  @Test
  void theChartsPolicyDeniesTheCompilersAlwaysDeniedDestinations() throws Exception {
    String template =
        java.nio.file.Files.readString(
            RepoRoot.get().resolve("helm/cephaloproxy-operator/templates/admission-policy.yaml"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\(\\[(\"[0-9a-f.:/]+\"[,\\s]*)+\\]").matcher(template);
    assertThat(m.find()).as("the policy's list of denied networks").isTrue();
    List<String> listed =
        java.util.Arrays.stream(m.group().replaceAll("[()\\[\\]\"\\s]", "").split(",")).toList();
    assertThat(listed).isEqualTo(SquidConfCompiler.ALWAYS_BLOCKED_DESTINATIONS);
  }

  @Test
  void aParentProxyAtADeniedAddressIsRefusedByDefault() {
    Guardrails g = Guardrails.DEFAULTS;
    assertThat(refused(g, "upstream: {host: 169.254.169.254}"))
        .singleElement()
        .asString()
        .startsWith("spec.upstream.host: '169.254.169.254' is inside 169.254.0.0/16")
        .contains("admission.allowUpstreamToDeniedDestinations");
    assertThat(refused(g, "upstream: {host: localhost}"))
        .singleElement()
        .asString()
        .contains("127.0.0.0/8");
    assertThat(refused(g, "upstream: {host: 'fd00:ec2::254'}")).hasSize(1);
    assertThat(refused(g, "upstream: {host: 10.96.0.1}"))
        .as("the cluster's networks")
        .singleElement()
        .asString()
        .contains("10.96.0.0/12");
    assertThat(refused(g, "upstream: {host: 10.96.0.1}\naccess: {clusterNetworks: Allow}"))
        .isEmpty();
    assertThat(
            refused(
                g,
                "upstream: {host: 192.0.2.10}\naccess: {deniedDestinationCIDRs: [192.0.2.0/24]}"))
        .singleElement()
        .asString()
        .contains("192.0.2.0/24");
    assertThat(
            refused(
                g,
                "upstream: {host: 10.96.0.1}\naccess: {allowedDestinationCIDRs: [10.96.0.1/32]}"))
        .as("an allowed destination is an exception")
        .isEmpty();
    assertThat(refused(g, "upstream: {host: proxy.corp.example}"))
        .as("names are not resolved")
        .isEmpty();
    assertThat(refused(g, "upstream: {host: 192.0.2.10}")).isEmpty();
    assertThat(refused(new Guardrails(List.of(), true, true), "upstream: {host: 169.254.169.254}"))
        .isEmpty();
  }
}
