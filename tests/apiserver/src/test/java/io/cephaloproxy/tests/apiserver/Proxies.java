package io.cephaloproxy.tests.apiserver;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** What a user does with SquidProxy resources, and what they look at, in one namespace. */
public final class Proxies {
  public static final String CONFIG_HASH = "cephaloproxy.io/config-hash";
  public static final String GENERATION = "cephaloproxy.io/config-generation";
  public static final Duration TIMEOUT = Duration.ofSeconds(90);

  private final KubernetesClient client;
  private final String namespace;

  public Proxies(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public String namespace() {
    return namespace;
  }

  /** kubectl apply --server-side of a SquidProxy with this spec (YAML, indented as under spec:). */
  public SquidProxy apply(String name, String specYaml) {
    SquidProxy sp = Serialization.unmarshal(manifest(name, namespace, specYaml), SquidProxy.class);
    return client
        .resources(SquidProxy.class)
        .inNamespace(namespace)
        .resource(sp)
        .fieldManager("kubectl")
        .forceConflicts()
        .serverSideApply();
  }

  /** The YAML of a SquidProxy with this spec (spec given as YAML, unindented). */
  public static String manifest(String name, String namespace, String specYaml) {
    return "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata:\n  name: "
        + name
        + "\n  namespace: "
        + namespace
        + "\nspec:\n"
        + specYaml.lines().map(l -> "  " + l).reduce((a, b) -> a + "\n" + b).orElse("  {}")
        + "\n";
  }

  public SquidProxy get(String name) {
    return client.resources(SquidProxy.class).inNamespace(namespace).withName(name).get();
  }

  public void delete(String name) {
    client.resources(SquidProxy.class).inNamespace(namespace).withName(name).delete();
  }

  public static Optional<Condition> condition(SquidProxy sp, String type) {
    if (sp == null || sp.getStatus() == null || sp.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return sp.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  public static boolean is(SquidProxy sp, String type, String status) {
    return condition(sp, type).map(c -> status.equals(c.getStatus())).orElse(false);
  }

  /** Waits until the SquidProxy satisfies the predicate; the failure shows its last status. */
  public SquidProxy await(String name, String what, Predicate<SquidProxy> p) {
    return await(name, what, p, TIMEOUT);
  }

  public SquidProxy await(String name, String what, Predicate<SquidProxy> p, Duration timeout) {
    SquidProxy[] last = new SquidProxy[1];
    try {
      return org.awaitility.Awaitility.await(name + ": " + what)
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> last[0] = get(name), sp -> sp != null && p.test(sp));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          name
              + ": "
              + what
              + " not reached in "
              + timeout
              + "; last status: "
              + (last[0] == null ? "(none)" : Serialization.asYaml(last[0].getStatus())),
          e);
    }
  }

  /** Ready=True for the current generation. */
  public SquidProxy awaitReady(String name) {
    return await(
        name,
        "Ready=True",
        sp ->
            is(sp, "Ready", "True")
                && sp.getStatus().getObservedGeneration() != null
                && sp.getStatus().getObservedGeneration().equals(sp.getMetadata().getGeneration()));
  }

  public Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  public Deployment awaitDeployment(String name, Predicate<Deployment> p) {
    return org.awaitility.Awaitility.await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> deployment(name), d -> d != null && p.test(d));
  }

  public static String templateHash(Deployment d) {
    Map<String, String> a = d.getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? null : a.get(CONFIG_HASH);
  }

  /**
   * The config generation ConfigMap the Deployment's pod template mounts, {@code
   * <name>-config-<hash>}; null when it does not exist.
   */
  public ConfigMap generation(String name) {
    return client
        .configMaps()
        .inNamespace(namespace)
        .withName(SquidProxyResources.generationName(name, templateHash(deployment(name))))
        .get();
  }

  /** Every object of the proxy's config generations (ConfigMaps and Secrets), by name. */
  public List<HasMetadata> generationObjects(String name) {
    List<HasMetadata> out = new ArrayList<>();
    out.addAll(
        client
            .configMaps()
            .inNamespace(namespace)
            .withLabel("app.kubernetes.io/instance", name)
            .withLabel(GENERATION)
            .list()
            .getItems());
    out.addAll(
        client
            .secrets()
            .inNamespace(namespace)
            .withLabel("app.kubernetes.io/instance", name)
            .withLabel(GENERATION)
            .list()
            .getItems());
    out.sort(java.util.Comparator.comparing(o -> o.getMetadata().getName()));
    return out;
  }

  /** The names of the proxy's generations (their ConfigMaps {@code <name>-config-<hash>}). */
  public List<String> generations(String name) {
    return generationObjects(name).stream()
        .filter(o -> o.getKind().equals("ConfigMap"))
        .map(o -> o.getMetadata().getName())
        .filter(n -> n.matches(java.util.regex.Pattern.quote(name) + "-config-[0-9a-f]{10}"))
        .toList();
  }

  public List<ReplicaSet> replicaSets(String name) {
    return client
        .apps()
        .replicaSets()
        .inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", name)
        .list()
        .getItems();
  }

  /** The namespace's config check pods (label app.kubernetes.io/component=config-check). */
  public List<io.fabric8.kubernetes.api.model.Pod> checkPods() {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel("app.kubernetes.io/component", "config-check")
        .list()
        .getItems();
  }

  /** An informer handler that runs {@code seen} on every added and updated object. */
  public static <T> io.fabric8.kubernetes.client.informers.ResourceEventHandler<T> onAddOrUpdate(
      java.util.function.Consumer<T> seen) {
    return new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
      @Override
      public void onAdd(T o) {
        seen.accept(o);
      }

      @Override
      public void onUpdate(T old, T o) {
        seen.accept(o);
      }

      @Override
      public void onDelete(T o, boolean unknown) {}
    };
  }
}
