package io.cephaloproxy.operator.status;

import io.cephaloproxy.operator.model.Labels;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Degraded messages whose cause a kubelet or the Deployment controller reports
 * (ImagePullFailed, CrashLoop, ProgressDeadlineExceeded): one line each, saying what happened (with
 * the kubelet's or controller's own words, cut to {@link #QUOTED} characters) and what to change,
 * naming the SquidProxy field or the kubectl command that shows more.
 */
public final class DegradedMessages {
  /** The most characters of a kubelet's or controller's message quoted in a condition. */
  static final int QUOTED = 300;

  private static final Pattern REFUSED =
      Pattern.compile(
          "unauthorized|authentication required|authorization failed|access denied|denied"
              + "|forbidden|\\b401\\b|\\b403\\b|no basic auth credentials");
  private static final Pattern NOT_FOUND =
      Pattern.compile("not found|manifest unknown|name unknown|no such image|does not exist");
  private static final Pattern UNREACHABLE =
      Pattern.compile(
          "dial tcp|connection refused|no such host|i/o timeout|timeout|x509|certificate"
              + "|server gave http response to https client|network is unreachable");

  private DegradedMessages() {}

  /**
   * {@code pod P cannot pull image I: <kubelet>; <what to change>}: the kubelet's words decide the
   * advice (no such image, refused credentials, unreachable registry, invalid name, pull policy
   * Never).
   */
  static String imagePull(Pod p, ContainerStatus cs, ContainerStateWaiting w) {
    String said = w.getMessage() == null || w.getMessage().isBlank() ? "" : w.getMessage();
    String text = said.toLowerCase(Locale.ROOT);
    String image = "spec.image (unset: the operator's default, the chart's squidImage value)";
    String advice;
    if ("InvalidImageName".equals(w.getReason())) {
      advice = "the name is not an image reference: fix " + image;
    } else if ("ErrImageNeverPull".equals(w.getReason())) {
      advice =
          "spec.imagePullPolicy is Never and the node does not have the image: set"
              + " spec.imagePullPolicy to IfNotPresent or load the image onto the node";
    } else if (NOT_FOUND.matcher(text).find()) {
      advice = "the registry has no such image: fix the repository, tag or digest in " + image;
    } else if (REFUSED.matcher(text).find()) {
      advice =
          "the registry refused the pull: list a Secret with its credentials in"
              + " spec.imagePullSecrets (a kubernetes.io/dockerconfigjson Secret in the proxy's"
              + " namespace)";
    } else if (UNREACHABLE.matcher(text).find()) {
      advice =
          "the node cannot reach the registry: check the registry host in "
              + image
              + ", the node's network and the registry's certificate";
    } else {
      advice =
          "see why with "
              + kubectl(p, "describe pod " + p.getMetadata().getName())
              + " (its Events), then fix "
              + image
              + " or spec.imagePullSecrets";
    }
    return "pod "
        + p.getMetadata().getName()
        + " cannot pull image "
        + cs.getImage()
        + ": "
        + quote(said.isEmpty() ? w.getReason() : said)
        + "; "
        + advice;
  }

  /**
   * {@code container C of pod P keeps crashing, N restarts (last exit code X: <termination
   * message>); <what to change>}: out of memory names the memory limit, anything else the log that
   * says why.
   */
  static String crashLoop(Pod p, ContainerStatus cs) {
    ContainerStateTerminated last =
        cs.getLastState() == null ? null : cs.getLastState().getTerminated();
    String detail = "";
    if (last != null) {
      String msg = last.getMessage() == null ? "" : last.getMessage().strip();
      detail =
          " (last exit code " + last.getExitCode() + (msg.isEmpty() ? "" : ": " + quote(msg)) + ")";
    }
    String advice;
    if (last != null && "OOMKilled".equals(last.getReason())) {
      advice =
          "it ran out of memory (OOMKilled): raise spec.resources.limits.memory, or lower"
              + " spec.cache.memory or spec.workers";
    } else {
      advice =
          "read why in its log, "
              + kubectl(
                  p, "logs " + p.getMetadata().getName() + " -c " + cs.getName() + " --previous")
              + ", and fix what it names (often a line of spec.extraConfig or spec.squidConfFrom"
              + " that squid -k parse accepts but Squid cannot run)";
    }
    return "container "
        + cs.getName()
        + " of pod "
        + p.getMetadata().getName()
        + " keeps crashing, "
        + (cs.getRestartCount() == null ? 0 : cs.getRestartCount())
        + " restarts"
        + detail
        + "; "
        + advice;
  }

  /**
   * The Deployment controller's {@code ReplicaSet "x" has timed out progressing} and why, from the
   * first pod that is not ready: unschedulable (the scheduler's words and the placement and size
   * fields), or not ready (its readiness and where to look).
   */
  static String progressDeadline(Deployment deployment, DeploymentCondition c, List<Pod> pods) {
    String head =
        "the Deployment's pods did not become ready within its progress deadline ("
            + quote(c.getMessage() == null ? "no message" : c.getMessage())
            + ")";
    Optional<Pod> unscheduled =
        sorted(pods).stream()
            .filter(p -> condition(p, "PodScheduled").filter(DegradedMessages::isFalse).isPresent())
            .findFirst();
    if (unscheduled.isPresent()) {
      Pod p = unscheduled.get();
      String why = condition(p, "PodScheduled").map(PodCondition::getMessage).orElse("");
      return head
          + ": pod "
          + p.getMetadata().getName()
          + " cannot be scheduled"
          + (why == null || why.isBlank() ? "" : " (" + quote(why) + ")")
          + "; lower spec.resources.requests or change spec.nodeSelector, spec.affinity,"
          + " spec.tolerations or spec.topologySpreadConstraints so that a node fits, or add"
          + " nodes";
    }
    Optional<Pod> unready =
        sorted(pods).stream()
            .filter(p -> condition(p, "Ready").filter(DegradedMessages::isFalse).isPresent())
            .findFirst();
    if (unready.isPresent()) {
      Pod p = unready.get();
      return head
          + ": pod "
          + p.getMetadata().getName()
          + " is not ready; see why with "
          + kubectl(p, "describe pod " + p.getMetadata().getName())
          + " (readiness probe, Events) and "
          + kubectl(p, "logs " + p.getMetadata().getName() + " -c " + Labels.RUN_CONTAINER);
    }
    return head
        + "; see why with "
        + kubectl(deployment, "describe deployment " + deployment.getMetadata().getName())
        + " and the ReplicaSet it names (quota, admission), then change the SquidProxy field it"
        + " points at";
  }

  /**
   * {@code WHO cannot create pods: <API server>; <what to change>}: a PriorityClass that does not
   * exist, an exhausted quota, a LimitRange, Pod Security or another admission check.
   */
  static String podsRejected(String who, String said) {
    String text = said == null ? "" : said;
    return who
        + " cannot create pods: "
        + quote(text.isEmpty() ? "no message" : text)
        + "; "
        + podAdvice(text);
  }

  /**
   * {@code the config check pod P cannot be created: <API server>; <what to change>} (issue 11: the
   * API server refused the pod that checks a new config; the previous config keeps serving).
   */
  public static String checkPodRefused(String pod, String said) {
    String text = said == null ? "" : said;
    return "the config check pod "
        + pod
        + " cannot be created: "
        + quote(text.isEmpty() ? "no message" : text)
        + "; "
        + podAdvice(text);
  }

  /** What to change when the API server refuses a proxy's pod, from what it said. */
  private static String podAdvice(String text) {
    String advice;
    if (text.contains("no PriorityClass with name")) {
      advice =
          "spec.priorityClassName names a PriorityClass the cluster does not have: fix the name"
              + " (kubectl get priorityclasses) or remove it";
    } else if (text.contains("exceeded quota")) {
      advice =
          "the namespace's ResourceQuota has no room: raise the quota, or lower spec.replicas or"
              + " spec.resources";
    } else if (text.contains("violates PodSecurity")) {
      advice =
          "the namespace's Pod Security level refuses the pod: change what the message names"
              + " (spec.securityContext) or give the namespace a level that allows it";
    } else if (text.contains("LimitRange")
        || text.contains("maximum")
        || text.contains("minimum")) {
      advice = "a LimitRange of the namespace refuses the pod's size: set spec.resources within it";
    } else if (text.contains("admission webhook") || text.contains("ValidatingAdmissionPolicy")) {
      advice =
          "an admission check of the cluster refuses the pod: change the SquidProxy field it"
              + " names, or ask the cluster's administrators about the policy";
    } else {
      advice = "change the SquidProxy field the API server's message points at";
    }
    return advice;
  }

  private static List<Pod> sorted(List<Pod> pods) {
    return pods.stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
  }

  private static Optional<PodCondition> condition(Pod p, String type) {
    if (p.getStatus() == null || p.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return p.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static boolean isFalse(PodCondition c) {
    return "False".equals(c.getStatus());
  }

  /** {@code kubectl -n NS ARGS}, the namespace (of {@code o}) left out when unknown. */
  private static String kubectl(HasMetadata o, String args) {
    String ns = o.getMetadata().getNamespace();
    return "kubectl " + (ns == null || ns.isBlank() ? "" : "-n " + ns + " ") + args;
  }

  /** Someone else's words, on one line and at most {@link #QUOTED} characters. */
  static String quote(String s) {
    String one = s.replaceAll("\\s*[\\r\\n]+\\s*", " ").replace('\t', ' ').strip();
    return one.length() > QUOTED ? one.substring(0, QUOTED - 3) + "..." : one;
  }
}
