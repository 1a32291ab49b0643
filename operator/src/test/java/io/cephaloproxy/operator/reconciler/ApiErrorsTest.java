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
    // a webhook nobody answers (OperatorIT's "failing"): which one, and that it is the cluster's
    Exception unanswered =
        failed(
            500,
            "InternalError",
            "Internal error occurred: failed calling webhook \"unreachable.example.com\":"
                + " failed to call webhook: Post \"https://127.0.0.1:1/validate\": dial tcp"
                + " 127.0.0.1:1: connect: connection refused");
    assertThat(ApiErrors.rejected(unanswered)).isFalse();
    assertThat(ApiErrors.oneLine(unanswered))
        .endsWith(
            "; the cluster's admission webhook unreachable.example.com does not answer: its"
                + " service must run, or the cluster's administrators must fix or remove it"
                + " (kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations);"
                + " retrying");
  }

  /** A dependent's apply that failed with the API server's answer, as the workflow reports it. */
  static Exception failed(int code, String reason, String message) {
    return new RuntimeException(refusal(code, reason, message));
  }

  static KubernetesClientException refusal(int code, String reason, String message) {
    return new KubernetesClientException(
        message,
        code,
        new StatusBuilder()
            .withStatus("Failure")
            .withCode(code)
            .withReason(reason)
            .withMessage(message)
            .withNewDetails()
            .withName("web")
            .withGroup("apps")
            .withKind("deployments")
            .endDetails()
            .build());
  }

  @Test
  void anAdmissionPolicysRefusalNamesThePolicyAndHowToReadIt() {
    // what kube-apiserver answers for a ValidatingAdmissionPolicy with reason Invalid (OperatorIT)
    Exception e =
        failed(
            422,
            "Invalid",
            "ValidatingAdmissionPolicy 'frozen' with binding 'frozen' denied request:"
                + " deployment web is frozen");
    assertThat(ApiErrors.rejected(e)).isTrue();
    assertThat(ApiErrors.oneLine(e))
        .isEqualTo(
            "the API server refused Deployment \"web\": ValidatingAdmissionPolicy 'frozen' with"
                + " binding 'frozen' denied request: deployment web is frozen (HTTP 422); the"
                + " cluster's ValidatingAdmissionPolicy frozen forbids it: change the SquidProxy so"
                + " that the object passes the policy's rule (kubectl get"
                + " validatingadmissionpolicy frozen -o yaml), or ask the cluster's administrators"
                + " to exempt it");
  }

  @Test
  void aWebhooksOrQuotasRefusalIsRejectedWithItsOwnAdvice() {
    Exception webhook =
        failed(
            400,
            "BadRequest",
            "admission webhook \"policy.example.com\" denied the request: no proxies here");
    assertThat(ApiErrors.rejected(webhook)).isTrue();
    assertThat(ApiErrors.oneLine(webhook))
        .contains("(HTTP 400); the cluster's admission webhook policy.example.com forbids it")
        .contains("kubectl get validatingwebhookconfigurations");
    // a webhook answering 403 is a refusal of the object too, not a missing permission
    Exception forbidding =
        failed(
            403,
            "Forbidden",
            "admission webhook \"policy.example.com\" denied the request: no proxies here");
    assertThat(ApiErrors.rejected(forbidding)).isTrue();
    assertThat(ApiErrors.oneLine(forbidding))
        .contains("(HTTP 403); the cluster's admission webhook policy.example.com")
        .doesNotContain("RBAC");
    Exception quota =
        failed(
            403,
            "Forbidden",
            "persistentvolumeclaims \"web-cache\" is forbidden: exceeded quota: storage,"
                + " requested: requests.storage=10Gi, used: requests.storage=0,"
                + " limited: requests.storage=1Gi");
    assertThat(ApiErrors.rejected(quota)).isTrue();
    assertThat(ApiErrors.oneLine(quota))
        .contains("(HTTP 403); the namespace's ResourceQuota has no room for it")
        .endsWith("lower spec.replicas, spec.resources or spec.cache in the SquidProxy");
    // RBAC's own 403 is not the object's fault
    Exception rbac =
        failed(
            403,
            "Forbidden",
            "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:x:op\""
                + " cannot patch resource \"deployments\"");
    assertThat(ApiErrors.rejected(rbac)).isFalse();
    assertThat(ApiErrors.oneLine(rbac)).contains("grant the operator's ServiceAccount");
  }
}
