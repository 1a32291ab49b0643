package io.cephaloproxy.operator.reconciler;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.operator.dependent.ProxyDependent;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyDeployment;
import io.cephaloproxy.operator.model.ProxyModel;
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

  /** Where a generation stands. */
  sealed interface Verdict permits Passed, Failed, Pending {}

  record Passed() implements Verdict {}

  record Failed(String message) implements Verdict {}

  record Pending() implements Verdict {}

  private final Supplier<InformerEventSource<GenericKubernetesResource, SquidProxy>> configMaps;

  ConfigCheck(Supplier<InformerEventSource<GenericKubernetesResource, SquidProxy>> configMaps) {
    this.configMaps = configMaps;
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
      Pod check = ProxyDeployment.checkPod(m);
      check.getMetadata().setOwnerReferences(List.of(ProxyDependent.controllerReference(proxy)));
      try {
        client.resource(check).create();
        LOG.info("{}/{}: checking config generation {}", ns, m.name(), m.generationName());
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
      }
      return new Pending();
    }
    String phase = pod.get().getStatus() == null ? null : pod.get().getStatus().getPhase();
    Verdict verdict;
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
    record(client, m, verdict);
    delete(client, ns, podName);
    LOG.info(
        "{}/{}: config generation {} {}",
        ns,
        m.name(),
        m.generationName(),
        verdict instanceof Failed f ? "rejected: " + f.message() : "accepted");
    return verdict;
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
