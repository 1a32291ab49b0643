package io.cephaloproxy.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.RepoRoot;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** kubectl explain shows a description for every field of our own types. */
class CrdDescriptionsTest {
  /** Kubernetes-native types, documented upstream (kubectl explain pod.spec.affinity etc.). */
  static final Set<String> NATIVE = Set.of("spec.affinity", "spec.tolerations", "spec.topologySpreadConstraints",
      "spec.resources", "spec.imagePullSecrets", "status.conditions");

  @Test
  void everyFieldHasADescription() throws IOException {
    CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(RepoRoot.get()
        .resolve("crds/" + CrdUpToDateTest.FILE)), CustomResourceDefinition.class);
    JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    List<String> missing = new ArrayList<>();
    walk("", root, missing);
    assertThat(missing).as("fields without a description (add @JsonPropertyDescription)").isEmpty();
    assertThat(root.getProperties().get("spec").getProperties()).containsKeys("replicas", "image", "resources",
        "port", "workers", "service", "nodeSelector", "tolerations", "affinity", "topologySpreadConstraints",
        "podLabels", "podAnnotations", "priorityClassName", "imagePullSecrets", "securityContext",
        "terminationGracePeriodSeconds", "autoscaling", "podDisruptionBudget", "networkPolicy", "access", "sslBump",
        "cache", "auth", "upstream", "logging", "trustedCA", "extraConfig", "squidConfFrom");
    assertThat(root.getProperties().get("status").getProperties()).containsOnlyKeys("conditions",
        "observedGeneration", "replicas", "readyReplicas", "endpoint", "configHash");
  }

  static void walk(String path, JSONSchemaProps s, List<String> missing) {
    if (s.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> e : s.getProperties().entrySet()) {
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (path.isEmpty() && Set.of("apiVersion", "kind", "metadata").contains(e.getKey())) {
          continue;
        }
        String d = e.getValue().getDescription();
        if (d == null || d.isBlank()) {
          missing.add(p);
        }
        if (!NATIVE.contains(p)) {
          walk(p, e.getValue(), missing);
        }
      }
    }
    if (s.getItems() != null && s.getItems().getSchema() != null) {
      walk(path + "[]", s.getItems().getSchema(), missing);
    }
  }
}
