package io.cephaloproxy.operator.reconciler;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.operator.dependent.ProxyDependent;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyDeployment;
import io.cephaloproxy.operator.model.ProxyModel;
import io.cephaloproxy.operator.status.DegradedMessages;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validate before promote: a new config generation is checked by a short-lived pod of the proxy's
 * own image ({@link ProxyDeployment#checkPod}) before the Deployment's pod template may refer to
 * it. The verdict is kept on the generation's ConfigMap (label {@link Labels#CHECK}, Squid's
 * message in {@link Labels#CHECK_MESSAGE}; both metadata, which an immutable ConfigMap accepts), so
 * each generation is checked once, and the pod is deleted as soon as it has finished.
 */
final class ConfigCheck {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigCheck.class);

  /** The longest message kept (the kubelet keeps at most 4096 bytes of a termination message). */
  static final int MAX_MESSAGE = 4096;

  /** How long a check pod the API server refused waits before it is tried again. */
  static final java.time.Duration RETRY_REFUSED = java.time.Duration.ofSeconds(15);

  /** Where a generation stands. */
  sealed interface Verdict permits Passed, Failed, Pending, Refused {}

  record Passed() implements Verdict {}

  record Failed(String message) implements Verdict {}

  record Pending() implements Verdict {}

  /**
   * The API server refused the check pod (a PriorityClass that does not exist, a ResourceQuota
   * without room, a LimitRange, Pod Security or another admission check): nothing was checked, the
   * Deployment keeps its pod template, and the pod is tried again after {@link #RETRY_REFUSED}.
   *
   * @param message one bounded line: which pod, what the API server said, what to change
   */
  record Refused(String message) implements Verdict {}

  private final Supplier<InformerEventSource<GenericKubernetesResource, SquidProxy>> configMaps;

  /** Told each recorded verdict: true when the generation passed. */
  private final java.util.function.Consumer<Boolean> verdicts;

  ConfigCheck(
      Supplier<InformerEventSource<GenericKubernetesResource, SquidProxy>> configMaps,
      java.util.function.Consumer<Boolean> verdicts) {
    this.configMaps = configMaps;
    this.verdicts = verdicts;
  }

  /**
   * The verdict on the model's generation; starts its check pod when there is none, records the
   * verdict and deletes the pod when it has finished.
   *
   * @param pods the proxy's pods (informer cache, check pods included)
   */
  Verdict verdict(SquidProxy proxy, ProxyModel m, List<Pod> pods, KubernetesClient client) {
    String ns = m.namespace();
    Optional<GenericKubernetesResource> generation =
        configMaps.get().get(new ResourceID(m.generationName(), ns));
    Map<String, String> labels = generation.map(g -> g.getMetadata().getLabels()).orElse(Map.of());
    String recorded = labels == null ? null : labels.get(Labels.CHECK);
    if (Labels.CHECK_PASSED.equals(recorded)) {
      return new Passed();
    }
    if (Labels.CHECK_FAILED.equals(recorded)) {
      Map<String, String> a = generation.get().getMetadata().getAnnotations();
      String msg = a == null ? null : a.get(Labels.CHECK_MESSAGE);
      return new Failed(msg == null || msg.isBlank() ? "Squid rejected the configuration" : msg);
    }
    String podName = SquidProxyResources.checkPodName(m.name(), m.configHash());
    Optional<Pod> pod =
        pods.stream().filter(p -> podName.equals(p.getMetadata().getName())).findFirst();
    if (pod.isEmpty()) {
      isolate(proxy, m, client);
      Pod check = ProxyDeployment.checkPod(m);
      check.getMetadata().setOwnerReferences(List.of(ProxyDependent.controllerReference(proxy)));
      try {
        client.resource(check).create();
        LOG.info("{}/{}: checking config generation {}", ns, m.name(), m.generationName());
      } catch (KubernetesClientException e) {
        if (refusedByAdmission(e)) {
          // the API server's words go to the status (Degraded=PodsRejected) and its Event
          LOG.info(
              "{}/{}: the API server refused config check pod {} (HTTP {}); config generation {}"
                  + " waits, see the SquidProxy's Degraded condition",
              ns,
              m.name(),
              podName,
              e.getCode(),
              m.generationName());
          return new Refused(DegradedMessages.checkPodRefused(podName, said(e, podName)));
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
      }
      return new Pending();
    }
    // the check container's own verdict as soon as the kubelet reports it, else the pod's phase
    Verdict verdict = containerVerdict(pod.get());
    if (verdict == null) {
      String phase = pod.get().getStatus() == null ? null : pod.get().getStatus().getPhase();
      if ("Succeeded".equals(phase)) {
        verdict = new Passed();
      } else if ("Failed".equals(phase) && terminated(pod.get())) {
        verdict = new Failed(message(pod.get()));
      } else if ("Failed".equals(phase)) {
        // not Squid's verdict (deadline exceeded, evicted): checked again by a new pod
        LOG.info(
            "{}/{}: check pod {} failed without a verdict ({}); checking again",
            ns,
            m.name(),
            podName,
            message(pod.get()));
        delete(client, ns, podName);
        return new Pending();
      } else {
        return new Pending();
      }
    }
    record(client, m, verdict);
    verdicts.accept(verdict instanceof Passed);
    delete(client, ns, podName);
    LOG.info(
        "{}/{}: config generation {} {}",
        ns,
        m.name(),
        m.generationName(),
        verdict instanceof Failed f ? "rejected: " + f.message() : "accepted");
    return verdict;
  }

  /**
   * Creates the NetworkPolicy that isolates the proxy's check pods ({@link
   * ProxyDeployment#checkNetworkPolicy}) unless it exists: one per proxy, owned by it, made before
   * its first check pod. An admission check that refuses it does not stop the check (the check
   * needs no network; the policy only takes away what it does not need).
   */
  private static void isolate(SquidProxy proxy, ProxyModel m, KubernetesClient client) {
    var np = ProxyDeployment.checkNetworkPolicy(m);
    np.getMetadata().setOwnerReferences(List.of(ProxyDependent.controllerReference(proxy)));
    try {
      client.resource(np).create();
      LOG.info(
          "{}/{}: created NetworkPolicy {}", m.namespace(), m.name(), np.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return;
      }
      if (!refusedByAdmission(e)) {
        throw e;
      }
      LOG.info(
          "{}/{}: the API server refused NetworkPolicy {} (HTTP {}); the check pod runs without it",
          m.namespace(),
          m.name(),
          np.getMetadata().getName(),
          e.getCode());
    }
  }

  /**
   * True when an admission check refused the pod (HTTP 400/422, or 403 from admission: a
   * PriorityClass, a ResourceQuota, a LimitRange, Pod Security, a policy or webhook), not the
   * operator's RBAC (a 403 that says the operator "cannot create resource"): that one stays a
   * reconcile error.
   */
  static boolean refusedByAdmission(KubernetesClientException e) {
    int code = e.getCode();
    return code == 400
        || code == 422
        || (code == HttpURLConnection.HTTP_FORBIDDEN
            && !said(e, "").contains("cannot create resource"));
  }

  /** The API server's message without its {@code pods "NAME" is forbidden: } preamble. */
  static String said(KubernetesClientException e, String podName) {
    String said =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage() == null ? "" : e.getMessage();
    String preamble = "pods \"" + podName + "\" is forbidden: ";
    return said.startsWith(preamble) ? said.substring(preamble.length()) : said;
  }

  /**
   * Deletes the proxy's check pods other than {@code current} (a superseded config's, whose verdict
   * nobody waits for any more), so a proxy has at most one check pod at a time.
   *
   * @param current the check pod of the config being checked now, or null when none is
   */
  static void deleteSuperseded(
      List<Pod> pods, String current, String ns, String proxy, KubernetesClient client) {
    for (Pod p : pods) {
      Map<String, String> l = p.getMetadata().getLabels();
      if (l != null
          && Labels.CHECK_COMPONENT.equals(l.get(Labels.COMPONENT))
          && p.getMetadata().getDeletionTimestamp() == null
          && !p.getMetadata().getName().equals(current)) {
        delete(client, ns, p.getMetadata().getName());
        LOG.info(
            "{}/{}: deleted check pod {} of a superseded config",
            ns,
            proxy,
            p.getMetadata().getName());
      }
    }
  }

  private static void delete(KubernetesClient client, String ns, String podName) {
    try {
      client.pods().inNamespace(ns).withName(podName).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
  }

  /**
   * The check container's own verdict, as soon as the kubelet reports it terminated: exit 0 (Squid,
   * and the CA check where there is one, accepted the config) or exit 1 with a termination message
   * (the init step's bounded message). The kubelet reports that state when its relist notices the
   * exit, but turns the pod's phase Succeeded or Failed only once it has also stopped the pod's
   * sandbox, about a second later (1.2 s on the node, issue 11's benchmark). Null for anything else
   * (still running, killed, out of memory, no message): that waits for the phase as before.
   */
  static Verdict containerVerdict(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return null;
    }
    for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
      ContainerStateTerminated t = cs.getState() == null ? null : cs.getState().getTerminated();
      if (t == null || t.getExitCode() == null) {
        continue;
      }
      if (t.getExitCode() == 0) {
        return new Passed();
      }
      if (t.getExitCode() == 1 && t.getMessage() != null && !t.getMessage().isBlank()) {
        return new Failed(message(pod));
      }
    }
    return null;
  }

  /** Whether the check container ran to its end (its exit code is Squid's verdict). */
  static boolean terminated(Pod pod) {
    return pod.getStatus().getContainerStatuses() != null
        && pod.getStatus().getContainerStatuses().stream()
            .anyMatch(cs -> cs.getState() != null && cs.getState().getTerminated() != null);
  }

  /** Squid's message from the check container's termination message, or what is known. */
  static String message(Pod pod) {
    if (pod.getStatus().getContainerStatuses() != null) {
      for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
        ContainerStateTerminated t = cs.getState() == null ? null : cs.getState().getTerminated();
        if (t != null) {
          String msg = t.getMessage() == null ? "" : t.getMessage().strip();
          if (!msg.isEmpty()) {
            return msg.length() > MAX_MESSAGE ? msg.substring(0, MAX_MESSAGE) : msg;
          }
          return "the config check exited with code "
              + t.getExitCode()
              + (t.getReason() == null ? "" : " (" + t.getReason() + ")")
              + " without a message";
        }
      }
    }
    String reason = pod.getStatus().getReason();
    String msg = pod.getStatus().getMessage();
    return "the config check pod failed"
        + (reason == null ? "" : ": " + reason)
        + (msg == null ? "" : " " + msg);
  }

  /** The verdict as metadata of the generation's ConfigMap (a merge patch of metadata only). */
  private static void record(KubernetesClient client, ProxyModel m, Verdict verdict) {
    Map<String, Object> metadata =
        verdict instanceof Failed f
            ? Map.of(
                "labels",
                Map.of(Labels.CHECK, Labels.CHECK_FAILED),
                "annotations",
                Map.of(Labels.CHECK_MESSAGE, f.message()))
            : Map.of("labels", Map.of(Labels.CHECK, Labels.CHECK_PASSED));
    client
        .configMaps()
        .inNamespace(m.namespace())
        .withName(m.generationName())
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("metadata", metadata)));
  }
}
