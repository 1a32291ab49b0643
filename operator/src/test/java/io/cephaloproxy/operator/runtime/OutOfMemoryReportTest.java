package io.cephaloproxy.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

/** Which last terminations of the operator's container are reported as running out of memory. */
class OutOfMemoryReportTest {
  static Pod pod(String limit, String reason, int exitCode, String message) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName("op-1")
            .withNamespace("ops")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("operator")
            .withNewResources()
            .endResources()
            .endContainer()
            .endSpec();
    if (limit != null) {
      b.editSpec()
          .editFirstContainer()
          .editResources()
          .addToLimits("memory", new Quantity(limit))
          .endResources()
          .endContainer()
          .endSpec();
    }
    b.withNewStatus()
        .addNewContainerStatus()
        .withName("operator")
        .withRestartCount(2)
        .withNewLastState()
        .withNewTerminated()
        .withReason(reason)
        .withExitCode(exitCode)
        .withMessage(message)
        .withFinishedAt("2026-12-03T10:00:00Z")
        .endTerminated()
        .endLastState()
        .endContainerStatus()
        .endStatus();
    return b.build();
  }

  @Test
  void theKernelsOomKillNamesTheMemoryLimit() {
    assertThat(OutOfMemoryReport.message(pod("512Mi", "OOMKilled", 137, null)))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .startsWith(
                        "the operator container operator was killed for using more memory than"
                            + " its limit (OOMKilled) at 2026-12-03T10:00:00Z and was restarted (2"
                            + " restarts): raise resources.limits.memory (now 512Mi;"));
  }

  @Test
  void theJvmsOwnExitOnAnOutOfMemoryErrorIsReportedToo() {
    assertThat(
            OutOfMemoryReport.message(
                pod(
                    "256Mi",
                    "Error",
                    3,
                    "Terminating due to java.lang.OutOfMemoryError: Java heap space\n")))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains("ran out of Java heap (java.lang.OutOfMemoryError, exit code 3)")
                    .contains("(now 256Mi;"));
    assertThat(OutOfMemoryReport.message(pod(null, "OOMKilled", 137, null)))
        .hasValueSatisfying(m -> assertThat(m).contains("(now not set;"));
  }

  @Test
  void otherExitsAndAFirstStartAreNotReported() {
    assertThat(OutOfMemoryReport.message(pod("512Mi", "Error", 1, "lost the leader lease")))
        .isEmpty();
    assertThat(OutOfMemoryReport.message(pod("512Mi", "Error", 3, "something else"))).isEmpty();
    assertThat(OutOfMemoryReport.message(pod("512Mi", "Completed", 0, null))).isEmpty();
    Pod fresh = pod("512Mi", "OOMKilled", 137, null);
    fresh.getStatus().getContainerStatuses().get(0).setLastState(null);
    assertThat(OutOfMemoryReport.message(fresh)).isEmpty();
    fresh.setStatus(null);
    assertThat(OutOfMemoryReport.message(fresh)).isEmpty();
  }
}
