package io.cephaloproxy.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiErrorsTest {
  /** What kube-apiserver 1.37 answers for a toleration with operator Exists and a value. */
  static Status invalidToleration() {
    return new StatusBuilder()
        .withStatus("Failure")
        .withCode(422)
        .withReason("Invalid")
        .withMessage(
            "Deployment.apps \"web\" is invalid: spec.template.spec.tolerations[0].operator:"
                + " Invalid value: \"Exists\": value must be empty when `operator` is 'Exists'")
        .withNewDetails()
        .withName("web")
        .withGroup("apps")
        .withKind("Deployment")
        .addNewCause()
        .withReason("FieldValueInvalid")
        .withField("spec.template.spec.tolerations[0].operator")
        .withMessage("Invalid value: \"Exists\": value must be empty when `operator` is 'Exists'")
        .endCause()
        .endDetails()
        .build();
  }

  @Test
  void aRejectedDependentApplyIsOneLineNamingObjectFieldAndWhatToChange() {
    KubernetesClientException api =
        new KubernetesClientException(
            "Failure executing: PATCH at: https://127.0.0.1/apis/apps/v1/namespaces/x/deployments/web."
                + " Message: ...\n\tat io.fabric8.Foo.bar(Foo.java:1)",
            422,
            invalidToleration());
    Exception e =
        new AggregatedOperatorException(
            "Exception(s) during workflow execution.",
            Map.of("deployment", new RuntimeException(api)));
    assertThat(ApiErrors.rejected(e)).isTrue();
    String line = ApiErrors.oneLine(e);
    assertThat(line)
        .isEqualTo(
            "the API server refused Deployment \"web\":"
                + " spec.template.spec.tolerations[0].operator: Invalid value: \"Exists\": value"
                + " must be empty when `operator` is 'Exists' (HTTP 422); change"
                + " spec.tolerations[0] in the SquidProxy");
    assertThat(line)
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("\n")
        .doesNotContain("io.fabric8");
  }

  @Test
  void anythingElseIsStillOneBoundedLineWithoutClassNames() {
    Exception e = new RuntimeException(new IllegalStateException("x".repeat(5000) + "\n\tat a.b"));
    String line = ApiErrors.oneLine(e);
    assertThat(line).hasSizeLessThanOrEqualTo(ApiErrors.MAX).doesNotContain("\n");
    assertThat(ApiErrors.rejected(e)).isFalse();
    assertThat(ApiErrors.oneLine(new KubernetesClientException("gone", 503, null)))
        .startsWith("the API server answered HTTP 503");
  }
}
