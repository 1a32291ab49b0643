package io.cephaloproxy.operator.runtime;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 19 §3: an operator that ran out of memory says so where users look, not only as a restart.
 * At start the operator reads its own pod: when the last termination of its container was for lack
 * of memory (the kernel's OOM kill at the container's memory limit, {@code OOMKilled}, or the JVM's
 * own exit on an {@code OutOfMemoryError}, exit code 3 with that line as the termination message),
 * it posts one Warning Event {@value #REASON} on the pod naming {@code resources.limits.memory} and
 * logs the same line. Best effort: the operator starts whatever happens here.
 */
public final class OutOfMemoryReport {
  /** The Event's reason. */
  public static final String REASON = "OperatorOutOfMemory";

  /** The JVM's exit code on an OutOfMemoryError ({@code -XX:+ExitOnOutOfMemoryError}). */
  static final int JVM_OOM_EXIT_CODE = 3;

  private static final Logger LOG = LoggerFactory.getLogger(OutOfMemoryReport.class);

  private OutOfMemoryReport() {}

  /** What to tell the user when one of the pod's containers last stopped for lack of memory. */
  static Optional<String> message(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
      ContainerStateTerminated t =
          s.getLastState() == null ? null : s.getLastState().getTerminated();
      if (t == null) {
        continue;
      }
      String what;
      if ("OOMKilled".equals(t.getReason())) {
        what = "was killed for using more memory than its limit (OOMKilled)";
      } else if (Integer.valueOf(JVM_OOM_EXIT_CODE).equals(t.getExitCode())
          && t.getMessage() != null
          && t.getMessage().contains("OutOfMemoryError")) {
        what = "ran out of Java heap (java.lang.OutOfMemoryError, exit code 3)";
      } else {
        continue;
      }
      return Optional.of(
          "the operator container "
              + s.getName()
              + " "
              + what
              + (t.getFinishedAt() == null ? "" : " at " + t.getFinishedAt())
              + " and was restarted ("
              + s.getRestartCount()
              + " restarts): raise resources.limits.memory (now "
              + memoryLimit(pod, s.getName())
              + "; the heap is 70 % of it) or narrow watchNamespaces; the sizing table is in"
              + " docs/operator.md");
    }
    return Optional.empty();
  }

  private static String memoryLimit(Pod pod, String container) {
    if (pod.getSpec() != null) {
      for (Container c : pod.getSpec().getContainers()) {
        if (c.getName().equals(container)
            && c.getResources() != null
            && c.getResources().getLimits() != null) {
          Quantity q = c.getResources().getLimits().get("memory");
          if (q != null) {
            return q.toString();
          }
        }
      }
    }
    return "not set";
  }

  /**
   * Reads the pod and posts the Warning Event when its last termination was for lack of memory.
   * Returns the message posted, if any. Never throws.
   */
  static Optional<String> report(
      KubernetesClient client, String namespace, String podName, Clock clock) {
    Pod pod;
    try {
      pod = client.pods().inNamespace(namespace).withName(podName).get();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "cannot read the operator's own pod {}/{} to report an earlier out-of-memory exit: {}",
          namespace,
          podName,
          e.getMessage());
      return Optional.empty();
    }
    if (pod == null) {
      return Optional.empty();
    }
    Optional<String> message = message(pod);
    if (message.isEmpty()) {
      return message;
    }
    LOG.warn("{}", message.get());
    String ts = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(podName + ".")
                  .withNamespace(namespace)
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion("v1")
                          .withKind("Pod")
                          .withName(podName)
                          .withNamespace(namespace)
                          .withUid(pod.getMetadata().getUid())
                          .build())
                  .withType("Warning")
                  .withReason(REASON)
                  .withMessage(message.get())
                  .withFirstTimestamp(ts)
                  .withLastTimestamp(ts)
                  .withCount(1)
                  .withNewSource()
                  .withComponent("cephaloproxy-operator")
                  .endSource()
                  .withReportingComponent("cephaloproxy-operator")
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn("cannot post the {} Event on pod {}: {}", REASON, podName, e.getMessage());
    }
    return message;
  }
}
