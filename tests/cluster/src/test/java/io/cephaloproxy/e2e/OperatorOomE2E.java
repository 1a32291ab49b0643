package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 19 §3: an operator whose heap is too small says so where a user looks. The released chart
 * with the operator's heap capped below what it needs at start ({@code JAVA_TOOL_OPTIONS=-Xmx8m}
 * through {@code extraEnv}, standing in for a cluster too large for the pod's memory): the JVM
 * exits on the OutOfMemoryError (exit code 3, {@code -XX:+ExitOnOutOfMemoryError} in the image),
 * and the kubelet shows its last log line as the container's termination message ({@code
 * terminationMessagePolicy: FallbackToLogsOnError} in the chart), which {@code kubectl describe
 * pod} prints under Last State, with Exit Code 3 and the restart count. (The kubelet's Events here
 * were Unhealthy/Killing from the startup probe; no BackOff Event came within 4 minutes, so the
 * termination message is what is asserted.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorOomE2E {
  static final String RELEASE = "cephaloproxy-oom";
  static final String OOM_LINE = "Terminating due to java.lang.OutOfMemoryError: Java heap space";

  String ns;
  OperatorRelease release;

  @BeforeAll
  void setUp() {
    Cluster.client();
    ns = Cluster.restrictedNamespace("cephaloproxy-oom");
    release =
        OperatorRelease.installUnready(
            RELEASE,
            ns,
            Map.of(
                "watchNamespaces", ns,
                "extraEnv[0].name", "JAVA_TOOL_OPTIONS",
                "extraEnv[0].value", "-Xmx8m"));
  }

  @AfterAll
  void tearDown() {
    if (release != null) {
      release.uninstallIfPresent();
    }
    if (ns != null && Cluster.client().namespaces().withName(ns).get() != null) {
      Cluster.deleteNamespace(ns, Duration.ofSeconds(120));
    }
  }

  @Test
  void anOutOfMemoryErrorIsTheContainersTerminationMessage() {
    AtomicReference<ContainerStateTerminated> seen = new AtomicReference<>();
    AtomicReference<Pod> pod = new AtomicReference<>();
    Cluster.await(
        "the operator container terminated with the JVM's OutOfMemoryError line",
        Duration.ofSeconds(240),
        () -> {
          for (Pod p :
              Cluster.client()
                  .pods()
                  .inNamespace(ns)
                  .withLabel("app.kubernetes.io/instance", RELEASE)
                  .list()
                  .getItems()) {
            List<ContainerStatus> statuses =
                p.getStatus() == null ? null : p.getStatus().getContainerStatuses();
            if (statuses == null) {
              continue;
            }
            for (ContainerStatus s : statuses) {
              ContainerStateTerminated t =
                  s.getLastState() != null && s.getLastState().getTerminated() != null
                      ? s.getLastState().getTerminated()
                      : s.getState() == null ? null : s.getState().getTerminated();
              if (t != null && t.getMessage() != null) {
                seen.set(t);
                pod.set(p);
                return t.getMessage().contains("OutOfMemoryError");
              }
            }
          }
          return false;
        },
        () -> Diagnostics.pods(ns));
    ContainerStateTerminated t = seen.get();
    assertThat(t.getExitCode()).as("the JVM's exit code on an OutOfMemoryError").isEqualTo(3);
    assertThat(t.getMessage().strip())
        .as("the termination message (kubectl describe pod: Last State) ends with the JVM's line")
        .endsWith(OOM_LINE);
    String podName = pod.get().getMetadata().getName();
    Cluster.await(
        "the kubelet restarts the operator container",
        Duration.ofSeconds(120),
        () -> {
          Pod p = Cluster.client().pods().inNamespace(ns).withName(podName).get();
          return p != null && p.getStatus().getContainerStatuses().get(0).getRestartCount() > 0;
        },
        () -> Diagnostics.pods(ns));
  }
}
