package io.cephaloproxy.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.SSABasedGenericKubernetesResourceMatcher;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppliedTemplateTest {
  final KubernetesSerialization serialization = new KubernetesSerialization();

  /** A proxy's Deployment as the API server returned it (defaults, the operator's Apply entry). */
  Deployment live() throws Exception {
    try (var in = getClass().getResourceAsStream("/informer-stores/deployment-as-read.json")) {
      return serialization.unmarshal(
          new String(in.readAllBytes(), StandardCharsets.UTF_8), Deployment.class);
    }
  }

  /** What the operator applied: the object cut by JOSDK's own pruning (package-private). */
  @SuppressWarnings("unchecked")
  Deployment applied(Deployment live) throws Exception {
    var tree =
        live.getMetadata().getManagedFields().stream()
            .filter(e -> e.getManager().equals("squidproxy") && e.getOperation().equals("Apply"))
            .findFirst()
            .orElseThrow()
            .getFieldsV1();
    Map<String, Object> applied = new HashMap<>();
    var prune =
        SSABasedGenericKubernetesResourceMatcher.class.getDeclaredMethod(
            "keepOnlyManagedFields",
            Map.class,
            Map.class,
            Map.class,
            KubernetesSerialization.class);
    prune.setAccessible(true);
    prune.invoke(
        null,
        applied,
        serialization.convertValue(live, Map.class),
        tree.getAdditionalProperties(),
        serialization);
    return serialization.convertValue(applied, Deployment.class);
  }

  /**
   * Issue 11: while a new config is checked (or was rejected) the operator applies the Deployment
   * with the pod template it carries. Taken from the live object, that template holds the API
   * server's defaults, and the apply differed from the last one: a write on every config change.
   * The template as the operator applied it is exactly what JOSDK's matcher compares, so the
   * Deployment is not written.
   */
  @Test
  void theKeptTemplateIsTheOneTheOperatorAppliedSoNothingIsWritten() throws Exception {
    Deployment live = live();
    Deployment applied = applied(live);
    PodTemplateSpec kept = AppliedTemplate.of(live, "squidproxy");
    assertThat(kept).isEqualTo(applied.getSpec().getTemplate());
    assertThat(live.getSpec().getTemplate())
        .as("the live template holds defaults the operator never set")
        .isNotEqualTo(kept);

    var matcher = SSABasedGenericKubernetesResourceMatcher.<Deployment>getInstance();
    var context = InformerStoresTest.MatcherContext.of(serialization);
    Deployment keptDesired = applied(live);
    keptDesired.getSpec().setTemplate(kept);
    assertThat(matcher.matches(live, keptDesired, context)).as("kept as applied").isTrue();
    Deployment liveDesired = applied(live);
    liveDesired.getSpec().setTemplate(live.getSpec().getTemplate());
    assertThat(matcher.matches(live, liveDesired, context))
        .as("kept as read (before): one write more")
        .isFalse();
  }

  @Test
  void withoutTheOperatorsApplyEntryTheLiveTemplateIsKept() throws Exception {
    Deployment live = live();
    assertThat(AppliedTemplate.of(live, "someone-else")).isSameAs(live.getSpec().getTemplate());
  }
}
