package io.cephaloproxy.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/**
 * The check pod's verdict is read from its container as soon as the kubelet reports the exit: on
 * the node the pod's phase turns terminal only about a second later, after its sandbox is stopped.
 */
class ConfigCheckTest {

  /** A check pod as the kubelet reports it after its relist saw the container exit. */
  static Pod exited(String phase, Integer exitCode, String reason, String message) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web-check-0123456789")
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("init")
                .withState(
                    new ContainerStateBuilder()
                        .withNewTerminated()
                        .withExitCode(exitCode)
                        .withReason(reason)
                        .withMessage(message)
                        .endTerminated()
                        .build())
                .build())
        .endStatus()
        .build();
  }

  @Test
  void exitZeroPassesWhileThePhaseIsStillRunning() {
    assertThat(ConfigCheck.containerVerdict(exited("Running", 0, "Completed", null)))
        .isInstanceOf(ConfigCheck.Passed.class);
  }

  @Test
  void exitOneWithSquidsMessageFailsWithThatMessageWhileThePhaseIsStillRunning() {
    String squid = "squid -k parse rejected /etc/cephaloproxy/squid.conf (exit 1):\nFATAL: Bungled";
    assertThat(ConfigCheck.containerVerdict(exited("Running", 1, "Error", squid)))
        .isEqualTo(new ConfigCheck.Failed(squid));
  }

  @Test
  void anythingElseWaitsForThePhase() {
    // killed (deadline, eviction), out of memory, or an exit 1 that wrote no message: not the init
    // step's verdict, so the pod's terminal phase decides as before
    assertThat(ConfigCheck.containerVerdict(exited("Running", 137, "OOMKilled", null))).isNull();
    assertThat(ConfigCheck.containerVerdict(exited("Running", 143, "Error", ""))).isNull();
    assertThat(ConfigCheck.containerVerdict(exited("Running", 1, "Error", " "))).isNull();
    assertThat(
            ConfigCheck.containerVerdict(
                new PodBuilder()
                    .withNewStatus()
                    .withPhase("Running")
                    .addNewContainerStatus()
                    .withName("init")
                    .withNewState()
                    .withNewRunning()
                    .endRunning()
                    .endState()
                    .endContainerStatus()
                    .endStatus()
                    .build()))
        .isNull();
    assertThat(ConfigCheck.containerVerdict(new PodBuilder().withNewStatus().endStatus().build()))
        .isNull();
  }
}
