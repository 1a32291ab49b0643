package io.cephaloproxy.operator.render;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Generation;
import io.cephaloproxy.operator.model.ModelFactory;
import io.cephaloproxy.operator.model.ProxyDeployment;
import io.cephaloproxy.operator.model.ProxyModel;
import io.cephaloproxy.operator.model.ProxyObjects;
import io.cephaloproxy.operator.model.SecretAndConfigMapData;
import io.cephaloproxy.operator.model.UsableSecrets;
import io.cephaloproxy.operator.model.WatchedObject;
import io.cephaloproxy.operator.model.WatchedObjects;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The objects the reconciler's workflow would apply, from the same model and builders. */
public final class Renderer {
  private Renderer() {}

  public record Output(int proxies, List<HasMetadata> objects, List<String> problems) {}

  public static Output render(List<HasMetadata> input, String defaultImage) {
    List<HasMetadata> objects = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int proxies = 0;
    for (HasMetadata o : input) {
      if (!(o instanceof SquidProxy p)) {
        continue;
      }
      proxies++;
      if (p.getMetadata().getNamespace() == null) {
        p.getMetadata().setNamespace("default");
      }
      String ns = p.getMetadata().getNamespace();
      String who = "SquidProxy " + ns + "/" + p.getMetadata().getName();
      // as the operator: a Secret its owner has not labelled for proxies stops this proxy (nothing
      // of it is rendered), with the command that labels it
      List<String> unlabelled =
          WatchedObjects.of(p.getSpec()).stream()
              .filter(w -> WatchedObject.SECRET.equals(w.kind()))
              .filter(
                  w -> {
                    HasMetadata s = object(input, w.kind(), ns, w.name());
                    return s != null && !UsableSecrets.usable(s);
                  })
              .map(w -> who + ": " + UsableSecrets.unlabelled(p.getSpec(), ns, w.name()))
              .toList();
      if (!unlabelled.isEmpty()) {
        problems.addAll(unlabelled);
        continue;
      }
      ModelFactory.Result r =
          ModelFactory.create(p, defaultImage, (kind, name) -> find(input, kind, ns, name), false);
      r.missing().forEach(m -> problems.add(who + ": " + m + " (not in the file)"));
      r.configErrors().forEach(m -> problems.add(who + ": " + m));
      r.model()
          .ifPresent(
              m ->
                  objects.addAll(
                      objects(
                          m,
                          source ->
                              SecretAndConfigMapData.data(
                                  find(input, WatchedObject.SECRET, ns, source)))));
    }
    return new Output(proxies, objects, problems);
  }

  /**
   * In the reconciler's order: the config generation (its ConfigMap, the copies of referenced
   * ConfigMap keys, the copies of referenced Secret keys whose Secret {@code secretData} knows),
   * then the workflow's objects.
   *
   * @param secretData a referenced Secret's name → its data (base64 values), or null when unknown
   */
  public static List<HasMetadata> objects(
      ProxyModel m, Function<String, Map<String, String>> secretData) {
    List<HasMetadata> out = new ArrayList<>();
    out.add(Generation.configMap(m));
    out.addAll(Generation.configMapCopies(m));
    for (Generation.SecretCopy c : Generation.secretCopies(m)) {
      Map<String, String> data = secretData.apply(c.source());
      if (data != null) {
        out.add(Generation.secret(m, c, data));
      }
    }
    if (m.persistentCache() != null) {
      out.add(ProxyObjects.cacheClaim(m));
    }
    out.add(ProxyDeployment.deployment(m));
    out.add(ProxyObjects.service(m));
    if (m.pdbNeeded()) {
      out.add(ProxyObjects.podDisruptionBudget(m));
    }
    if (m.networkPolicy().enabled()) {
      out.add(ProxyObjects.networkPolicy(m));
    }
    if (m.autoscaling() != null) {
      out.add(ProxyObjects.horizontalPodAutoscaler(m));
    }
    return out;
  }

  /** The object of that kind and name in the file, or null (also when it holds no data). */
  private static HasMetadata find(List<HasMetadata> input, String kind, String ns, String name) {
    HasMetadata o = object(input, kind, ns, name);
    return o == null || SecretAndConfigMapData.data(o) == null ? null : o;
  }

  /** The object of that kind and name in the file, or null. */
  private static HasMetadata object(List<HasMetadata> input, String kind, String ns, String name) {
    for (HasMetadata o : input) {
      String ons =
          o.getMetadata().getNamespace() == null ? "default" : o.getMetadata().getNamespace();
      if (kind.equals(o.getKind()) && name.equals(o.getMetadata().getName()) && ns.equals(ons)) {
        return o;
      }
    }
    return null;
  }

  public static String yaml(HasMetadata o) {
    String y = Serialization.asYaml(o);
    return y.startsWith("---") ? y : "---\n" + y;
  }

  /** "deployment-my-proxy.yaml" (namespace prefix when not default). */
  public static String fileName(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    String prefix = ns == null || ns.equals("default") ? "" : ns + "-";
    return prefix + o.getKind().toLowerCase() + "-" + o.getMetadata().getName() + ".yaml";
  }
}
