package io.cephaloproxy.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.RepoRoot;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD's defaults and the Java fallbacks are the same {@link Defaults}; the names are
 * derived once.
 */
class DefaultsTest {
  static JSONSchemaProps field(JSONSchemaProps root, String path) {
    JSONSchemaProps s = root;
    for (String p : path.split("\\.")) {
      s = s.getProperties().get(p);
    }
    return s;
  }

  @Test
  void theCrdDefaultsAreTheDefaultsClass() throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(
            Files.readString(RepoRoot.get().resolve("crds/" + CrdUpToDateTest.FILE)),
            CustomResourceDefinition.class);
    JSONSchemaProps spec =
        crd.getSpec()
            .getVersions()
            .get(0)
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec");
    assertThat(field(spec, "port").getDefault().asInt()).isEqualTo(Defaults.PORT);
    assertThat(field(spec, "replicas").getDefault().asInt()).isEqualTo(Defaults.REPLICAS);
    assertThat(field(spec, "workers").getDefault().asInt()).isEqualTo(Defaults.WORKERS);
    assertThat(field(spec, "terminationGracePeriodSeconds").getDefault().asLong())
        .isEqualTo(Defaults.TERMINATION_GRACE_PERIOD_SECONDS);
    assertThat(field(spec, "upstream.port").getDefault().asInt()).isEqualTo(Defaults.UPSTREAM_PORT);
    assertThat(field(spec, "cache.maximumObjectSize").getDefault().asText())
        .isEqualTo(Defaults.MAXIMUM_OBJECT_SIZE);
    assertThat(field(spec, "sslBump.certificateDbSize").getDefault().asText())
        .isEqualTo(Defaults.CERTIFICATE_DB_SIZE);
    assertThat(field(spec, "auth.realm").getDefault().asText()).isEqualTo(Defaults.AUTH_REALM);
    assertThat(field(spec, "podDisruptionBudget.maxUnavailable").getDefault().asInt())
        .isEqualTo(Defaults.PDB_MAX_UNAVAILABLE);
    // a spec built in Java (render, tests) starts from the same values
    SquidProxySpec fresh = new SquidProxySpec();
    assertThat(fresh.getPort()).isEqualTo(Defaults.PORT);
    assertThat(fresh.getTerminationGracePeriodSeconds())
        .isEqualTo(Defaults.TERMINATION_GRACE_PERIOD_SECONDS);
    assertThat(
            crd.getSpec()
                .getVersions()
                .get(0)
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("spec")
                .getXKubernetesValidations())
        .anySatisfy(
            r -> {
              assertThat(r.getRule()).isEqualTo("self.port != " + Defaults.HEALTH_PORT);
              assertThat(r.getMessage()).isEqualTo(Defaults.HEALTH_PORT_MESSAGE);
            });
  }

  @Test
  void namesAndTheEndpointDeriveFromTheProxyName() {
    assertThat(SquidProxyResources.configMapName("egress")).isEqualTo("egress-config");
    assertThat(SquidProxyResources.cacheClaimName("egress")).isEqualTo("egress-cache");
    assertThat(SquidProxyResources.serviceName("egress")).isEqualTo("egress");
    assertThat(SquidProxyResources.endpoint("egress", "team-a", 3128))
        .isEqualTo("egress.team-a.svc:3128");
    String hash = "0123456789abcdef".repeat(4);
    assertThat(SquidProxyResources.generationName("egress", hash))
        .isEqualTo("egress-config-0123456789");
    assertThat(SquidProxyResources.generationPartName("egress", hash, "tls"))
        .isEqualTo("egress-config-0123456789-tls");
  }
}
