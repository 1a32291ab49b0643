package io.cephaloproxy.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class SerializationTest {
  @Test
  void minimalYamlGetsJavaDefaultsEqualToSchemaDefaults() {
    SquidProxy p =
        Serialization.unmarshal(
            """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: p, namespace: ns}
        spec:
          access:
            allowedDomains: [.example.com]
        """,
            SquidProxy.class);
    assertThat(p.getSpec().getPort()).isEqualTo(3128);
    assertThat(p.getSpec().getWorkers()).isEqualTo(1);
    assertThat(p.getSpec().getReplicas()).isEqualTo(1);
    assertThat(p.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(p.getSpec().getAccess().getMode()).isEqualTo(AccessMode.Enforce);
    assertThat(p.getSpec().getAccess().getAllowedClientCIDRs())
        .containsExactlyElementsOf(AccessSpec.DEFAULT_CLIENT_CIDRS);
    assertThat(p.getSpec().getAccess().getAllowedPorts()).hasSize(10);
    assertThat(p.getSpec().getAccess().getAllowedDomains()).containsExactly(".example.com");
    assertThat(p.getSpec().getSslBump()).isNull();
  }

  @Test
  void roundTripKeepsEveryField() {
    SquidProxy p = new SquidProxy();
    p.getMetadata().setName("x");
    SslBumpSpec bump = new SslBumpSpec();
    bump.setEnabled(true);
    bump.setCaSecret(new CaSecretRef("ca"));
    p.getSpec().setSslBump(bump);
    String yaml = Serialization.asYaml(p);
    assertThat(yaml)
        .contains(
            "caSecret:",
            "name: \"ca\"",
            "certificateKey: \"tls.crt\"",
            "kind: \"SquidProxy\"",
            "apiVersion: \"cephaloproxy.io/v1alpha1\"");
    SquidProxy back = Serialization.unmarshal(yaml, SquidProxy.class);
    assertThat(back.getSpec().getSslBump().getCaSecret().getName()).isEqualTo("ca");
  }
}
