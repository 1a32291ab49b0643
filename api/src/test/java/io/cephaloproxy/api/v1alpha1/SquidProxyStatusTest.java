package io.cephaloproxy.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status is a value: equal when every field is, whatever the order of the conditions. */
class SquidProxyStatusTest {
  static Condition cond(String type, String status) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason("R")
        .withMessage("m")
        .withObservedGeneration(2L)
        .withLastTransitionTime("2026-01-01T00:00:00Z")
        .build();
  }

  static SquidProxyStatus status(List<Condition> conditions, String hash) {
    return new SquidProxyStatus(conditions, 2L, 1, 1, "p.ns.svc:3128", hash);
  }

  @Test
  void equalWhateverTheConditionOrderAndAfterAJsonRoundTrip() {
    SquidProxyStatus a = status(List.of(cond("Ready", "True"), cond("Degraded", "False")), "h");
    SquidProxyStatus b = status(List.of(cond("Degraded", "False"), cond("Ready", "True")), "h");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    SquidProxyStatus read =
        Serialization.unmarshal(Serialization.asJson(a), SquidProxyStatus.class);
    assertThat(read).isEqualTo(a);
    assertThat(new SquidProxyStatus()).isEqualTo(new SquidProxyStatus()).isNotEqualTo(null);
  }

  @Test
  void anyChangedFieldOrConditionMakesItDifferent() {
    SquidProxyStatus a = status(List.of(cond("Ready", "True")), "h");
    assertThat(a)
        .isNotEqualTo(status(List.of(cond("Ready", "False")), "h"))
        .isNotEqualTo(status(List.of(cond("Ready", "True")), "other"))
        .isNotEqualTo(new SquidProxyStatus(a.getConditions(), 3L, 1, 1, a.getEndpoint(), "h"));
    SquidProxyStatus changed = a.withConditions(List.of(cond("Ready", "False")));
    assertThat(changed.getConfigHash()).isEqualTo("h");
    assertThat(changed).isNotEqualTo(a);
    assertThat(a.getConditions()).containsExactly(cond("Ready", "True"));
    SquidProxyStatus hashes = a.withConfigHashes("old", "new");
    assertThat(hashes).isNotEqualTo(a).isNotEqualTo(a.withConfigHashes("old", "newer"));
    assertThat(hashes.withConditions(List.of()).withKubectlFields("1/1", "Enforce", "x"))
        .extracting(SquidProxyStatus::getServingConfigHash, SquidProxyStatus::getDesiredConfigHash)
        .containsExactly("old", "new");
    assertThat(Serialization.unmarshal(Serialization.asJson(hashes), SquidProxyStatus.class))
        .isEqualTo(hashes);
  }
}
