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
 * kubectl explain shows a description for every node: the root, our own fields, and the embedded
 * Kubernetes types (their upstream descriptions, filled in by CrdGeneration from the API server's
 * OpenAPI).
 */
class CrdDescriptionsTest {
  @Test
  void everyNodeHasADescription() throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(
            Files.readString(RepoRoot.get().resolve("crds/" + CrdUpToDateTest.FILE)),
            CustomResourceDefinition.class);
    JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    assertThat(CrdGeneration.undescribed(root))
        .as(
            "nodes without a description (add @JsonPropertyDescription, or map an "
                + "embedded Kubernetes type in CrdGeneration.EMBEDDED)")
        .isEmpty();
    assertThat(root.getProperties().get("spec").getProperties())
        .containsKeys(
            "replicas",
            "image",
            "resources",
            "port",
            "workers",
            "service",
            "nodeSelector",
            "tolerations",
            "affinity",
            "topologySpreadConstraints",
            "podLabels",
            "podAnnotations",
            "priorityClassName",
            "imagePullSecrets",
            "securityContext",
            "terminationGracePeriodSeconds",
            "autoscaling",
            "podDisruptionBudget",
            "networkPolicy",
            "access",
            "sslBump",
            "cache",
            "auth",
            "upstream",
            "logging",
            "trustedCA",
            "extraConfig",
            "squidConfFrom");
    assertThat(root.getProperties().get("status").getProperties())
        .containsOnlyKeys(
            "conditions",
            "observedGeneration",
            "replicas",
            "readyReplicas",
            "replicasSummary",
            "mode",
            "selector",
            "endpoint",
            "configHash",
            "servingConfigHash",
            "desiredConfigHash");
    assertThat(CrdGeneration.at(root, "spec.affinity.nodeAffinity").getDescription())
        .as("upstream text, not ours")
        .startsWith("Describes node affinity scheduling rules for the pod.");
  }

  @Test
  void kubectlScansColumnsScalesAndFindsTheCategory() throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(
            Files.readString(RepoRoot.get().resolve("crds/" + CrdUpToDateTest.FILE)),
            CustomResourceDefinition.class);
    var v = crd.getSpec().getVersions().get(0);
    assertThat(v.getAdditionalPrinterColumns())
        .extracting(c -> c.getName())
        .containsExactly("Ready", "Reason", "Replicas", "Mode", "Endpoint", "Age");
    assertThat(crd.getSpec().getNames().getCategories()).containsExactly("cephaloproxy");
    assertThat(v.getSubresources().getScale().getSpecReplicasPath()).isEqualTo(".spec.replicas");
    assertThat(v.getSubresources().getScale().getStatusReplicasPath())
        .isEqualTo(".status.replicas");
    assertThat(v.getSubresources().getScale().getLabelSelectorPath()).isEqualTo(".status.selector");
    JSONSchemaProps conditions =
        CrdGeneration.at(v.getSchema().getOpenAPIV3Schema(), "status.conditions");
    assertThat(conditions.getXKubernetesListType()).isEqualTo("map");
    assertThat(conditions.getXKubernetesListMapKeys()).containsExactly("type");
    assertThat(conditions.getItems().getSchema().getRequired())
        .containsExactlyInAnyOrder("type", "status", "lastTransitionTime", "reason", "message");
  }
}
