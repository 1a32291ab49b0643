package io.cephaloproxy.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SquidProxy resources as a user sees them: YAML in, status conditions and pods out. */
final class SquidProxies {
  static final String API_VERSION = "cephaloproxy.io/v1alpha1";
  static final String KIND = "SquidProxy";
  static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

  private SquidProxies() {}

  static MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      api() {
    return Cluster.client().genericKubernetesResources(API_VERSION, KIND);
  }

  /** Creates or updates (server-side apply, field manager "e2e") the SquidProxy in {@code yaml}. */
  static GenericKubernetesResource apply(String namespace, String yaml) {
    GenericKubernetesResource r =
        Cluster.client()
            .getKubernetesSerialization()
            .unmarshal(
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                GenericKubernetesResource.class);
    r.getMetadata().setNamespace(namespace);
    return api()
        .inNamespace(namespace)
        .resource(r)
        .fieldManager("e2e")
        .forceConflicts()
        .serverSideApply();
  }

  static GenericKubernetesResource get(String namespace, String name) {
    return api().inNamespace(namespace).withName(name).get();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> status(GenericKubernetesResource r) {
    Object status = r == null ? null : r.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** The condition {@code type} of the resource's status, if present. */
  @SuppressWarnings("unchecked")
  static Optional<Map<String, Object>> condition(GenericKubernetesResource r, String type) {
    Object conditions = status(r).get("conditions");
    if (!(conditions instanceof List<?> list)) {
      return Optional.empty();
    }
    return list.stream()
        .map(c -> (Map<String, Object>) c)
        .filter(c -> type.equals(c.get("type")))
        .findFirst();
  }

  static boolean conditionIs(GenericKubernetesResource r, String type, String value) {
    return condition(r, type).map(c -> value.equals(c.get("status"))).orElse(false);
  }

  /** Ready=True for the current generation. */
  static boolean ready(GenericKubernetesResource r) {
    Object observed = status(r).get("observedGeneration");
    return r != null
        && conditionIs(r, "Ready", "True")
        && observed != null
        && ((Number) observed).longValue() == r.getMetadata().getGeneration();
  }

  static GenericKubernetesResource awaitReady(String namespace, String name, Duration timeout) {
    Cluster.await(
        "SquidProxy " + namespace + "/" + name + " Ready",
        timeout,
        () -> ready(get(namespace, name)),
        () -> "status " + status(get(namespace, name)) + "; " + Diagnostics.pods(namespace));
    return get(namespace, name);
  }

  /** Host and port clients use, from status.endpoint (e.g. name.namespace.svc:3128). */
  static String endpoint(GenericKubernetesResource r) {
    Object endpoint = status(r).get("endpoint");
    if (endpoint == null) {
      throw new AssertionError("status.endpoint is not set: " + status(r));
    }
    return endpoint.toString();
  }

  /** The proxy pods of a SquidProxy (label app.kubernetes.io/instance), running or not. */
  static List<Pod> pods(String namespace, String name) {
    return Cluster.client()
        .pods()
        .inNamespace(namespace)
        .withLabel(INSTANCE_LABEL, name)
        .withLabel("app.kubernetes.io/name", "squid")
        .list()
        .getItems();
  }

  static List<Pod> readyPods(String namespace, String name) {
    return pods(namespace, name).stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(
            p ->
                p.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .toList();
  }

  /** Logs of the proxy container of every current pod of the SquidProxy, concatenated. */
  static String logs(String namespace, String name) {
    StringBuilder s = new StringBuilder();
    for (Pod p : pods(namespace, name)) {
      String container = p.getSpec().getContainers().get(0).getName();
      s.append(
          Cluster.client()
              .pods()
              .inNamespace(namespace)
              .withName(p.getMetadata().getName())
              .inContainer(container)
              .getLog());
    }
    return s.toString();
  }
}
