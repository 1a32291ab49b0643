package io.cephaloproxy.operator.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.AutoscalingSpec;
import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.compiler.CompiledConfig;
import io.cephaloproxy.compiler.InvalidConfigException;
import io.cephaloproxy.compiler.Layout;
import io.cephaloproxy.compiler.PodVolume;
import io.cephaloproxy.compiler.ReferencedData;
import io.cephaloproxy.compiler.SquidConfCompiler;
import io.cephaloproxy.compiler.ValidationError;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Resolves one SquidProxy into a {@link ProxyModel}: references, the API module's compiler, the
 * pod's volumes and the config hash. Pure given its lookup function (the reconciler passes the
 * informer caches, {@code render} the objects of the file).
 */
public final class ModelFactory {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelFactory() {}

  /**
   * @param model the model, absent when references are missing or the spec does not compile
   * @param problems the compiler's validation errors, each with its reason (InvalidSpec,
   *     InvalidReferencedData, MissingReference), in the compiler's order
   */
  public record Result(Optional<ProxyModel> model, List<ValidationError> problems) {
    public Result {
      problems = List.copyOf(problems);
    }

    /** The messages about missing Secrets/ConfigMaps or keys. */
    public List<String> missing() {
      return messages(true);
    }

    /** The other problems' messages. */
    public List<String> configErrors() {
      return messages(false);
    }

    private List<String> messages(boolean missing) {
      return problems.stream()
          .filter(p -> (p.reason() == ConditionReason.MissingReference) == missing)
          .map(ValidationError::toString)
          .toList();
    }
  }

  /**
   * {@link #create(SquidProxy, String, BiFunction, BiFunction, boolean, List)} with whole objects
   * (render).
   */
  public static Result create(
      SquidProxy cr,
      String defaultImage,
      BiFunction<String, String, HasMetadata> lookup,
      boolean complete) {
    return create(
        cr,
        defaultImage,
        (kind, name) -> {
          HasMetadata o = lookup.apply(kind, name);
          return o == null ? null : SecretAndConfigMapData.data(o);
        },
        (kind, name) -> version(lookup.apply(kind, name)),
        complete,
        List.of());
  }

  /**
   * A Secret's uid and resourceVersion, what the config hash covers instead of its content; null
   * when unknown.
   */
  public static String version(HasMetadata o) {
    if (o == null
        || o.getMetadata().getUid() == null
        || o.getMetadata().getResourceVersion() == null) {
      return null;
    }
    return o.getMetadata().getUid() + "/" + o.getMetadata().getResourceVersion();
  }

  /**
   * @param lookup (kind, name) → the object's data as stored (Secret values base64), or null when
   *     it does not exist
   * @param version (kind, name) → the object's {@link #version}, or null: the config hash covers a
   *     Secret's version, never its content (status.configHash and the pod annotation are readable
   *     by more people than the Secret)
   * @param complete true when lookup knows every object (the cluster); false for render, where
   *     objects not in the file are neither checked nor hashed
   * @param clusterNetworks the cluster's Service and Pod networks (the operator's discovery; empty
   *     for render), denied unless the proxy allows them
   */
  public static Result create(
      SquidProxy cr,
      String defaultImage,
      BiFunction<String, String, Map<String, String>> lookup,
      BiFunction<String, String, String> version,
      boolean complete,
      List<String> clusterNetworks) {
    return create(cr, defaultImage, lookup, version, complete, clusterNetworks, ClusterProxy.NONE);
  }

  /**
   * As above; {@code clusterProxy} is the operator's cluster proxy, the parent of proxies with
   * {@code upstream.fromClusterProxy: true} (its host and port are compiled in, and its NO_PROXY as
   * the destinations those proxies reach directly, so the config hash changes and the proxies roll
   * when either changes).
   */
  public static Result create(
      SquidProxy cr,
      String defaultImage,
      BiFunction<String, String, Map<String, String>> lookup,
      BiFunction<String, String, String> version,
      boolean complete,
      List<String> clusterNetworks,
      ClusterProxy clusterProxy) {
    SquidProxySpec spec = cr.getSpec() == null ? new SquidProxySpec() : cr.getSpec();
    if (spec.getUpstream() != null
        && Boolean.TRUE.equals(spec.getUpstream().getFromClusterProxy())) {
      if (clusterProxy.problem() != null) {
        return new Result(
            Optional.empty(),
            List.of(
                new ValidationError(
                    "spec.upstream.fromClusterProxy",
                    clusterProxy.problem(),
                    ConditionReason.InvalidSpec)));
      }
      if (clusterProxy.present() && spec.getUpstream().getHost() == null) {
        spec = JSON.convertValue(spec, SquidProxySpec.class);
        spec.getUpstream().setHost(clusterProxy.host());
        spec.getUpstream().setPort(clusterProxy.port());
      }
    }
    List<WatchedObject> refs = WatchedObjects.of(spec);
    ReferencedData.Builder data = ReferencedData.builder().complete(complete);
    for (WatchedObject r : refs) {
      Map<String, String> d = lookup.apply(r.kind(), r.name());
      if (d == null) {
        continue;
      }
      if (WatchedObject.SECRET.equals(r.kind())) {
        Map<String, byte[]> decoded = new TreeMap<>();
        d.forEach((k, v) -> decoded.put(k, decode(v)));
        String v = version.apply(r.kind(), r.name());
        if (v != null) {
          data.secret(r.name(), decoded, v);
        } else {
          data.secret(r.name(), decoded);
        }
      } else {
        data.configMap(r.name(), d);
      }
    }
    CompiledConfig compiled;
    try {
      Layout layout =
          Layout.defaults().toBuilder()
              .visibleHostname(
                  Layout.visibleHostnameFor(
                      cr.getMetadata().getName(), cr.getMetadata().getNamespace()))
              .build();
      compiled =
          SquidConfCompiler.compile(
              spec,
              data.build().withClusterNetworks(clusterNetworks).withNoProxy(clusterProxy.noProxy()),
              layout);
    } catch (InvalidConfigException e) {
      return new Result(Optional.empty(), e.errors());
    }
    SortedMap<String, SortedMap<String, String>> copied = new TreeMap<>();
    for (PodVolume v : compiled.volumes()) {
      if (v.kind() != PodVolume.Kind.CONFIG_MAP) {
        continue;
      }
      Map<String, String> d = lookup.apply(WatchedObject.CONFIG_MAP, v.source());
      if (d == null) {
        continue;
      }
      SortedMap<String, String> files = new TreeMap<>();
      v.items().forEach((key, file) -> files.put(file, d.getOrDefault(key, "")));
      copied.put(v.name(), files);
    }
    List<ValidationError> tooLarge = Generation.tooLarge(spec, compiled, copied);
    if (!tooLarge.isEmpty()) {
      return new Result(Optional.empty(), tooLarge);
    }
    return new Result(Optional.of(model(cr, spec, defaultImage, compiled, copied)), List.of());
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      // the API server only stores valid base64; an empty value makes the compiler report the key
      return new byte[0];
    }
  }

  static ProxyModel model(
      SquidProxy cr,
      SquidProxySpec spec,
      String defaultImage,
      CompiledConfig compiled,
      SortedMap<String, SortedMap<String, String>> copied) {
    String name = cr.getMetadata().getName();
    ProxyModel.PersistentCache persistentCache =
        compiled.volumes().stream()
            .filter(v -> v.kind() == PodVolume.Kind.PERSISTENT_VOLUME_CLAIM)
            .findFirst()
            .map(
                v ->
                    new ProxyModel.PersistentCache(
                        SquidProxyResources.cacheClaimName(name), v.size(), v.storageClassName()))
            .orElse(null);
    AutoscalingSpec as = spec.getAutoscaling();
    ProxyModel.Autoscaling autoscaling =
        as != null && Boolean.TRUE.equals(as.getEnabled())
            ? new ProxyModel.Autoscaling(
                as.getMinReplicas(), as.getMaxReplicas(), as.getTargetCPUUtilizationPercentage())
            : null;
    var pdbSpec = spec.getPodDisruptionBudget();
    ProxyModel.Pdb pdb =
        new ProxyModel.Pdb(
            pdbSpec == null || !Boolean.FALSE.equals(pdbSpec.getEnabled()),
            pdbSpec == null || pdbSpec.getMaxUnavailable() == null
                ? Defaults.PDB_MAX_UNAVAILABLE
                : pdbSpec.getMaxUnavailable());
    AccessSpec access = spec.getAccess();
    List<String> clients =
        access == null || access.getAllowedClientCIDRs() == null
            ? AccessSpec.DEFAULT_CLIENT_CIDRS
            : access.getAllowedClientCIDRs();
    List<String> denied = new ArrayList<>(SquidConfCompiler.ALWAYS_BLOCKED_DESTINATIONS);
    if (access != null && access.getDeniedDestinationCIDRs() != null) {
      denied.addAll(access.getDeniedDestinationCIDRs());
    }
    List<String> allowedDst =
        access == null || access.getAllowedDestinationCIDRs() == null
            ? List.of()
            : access.getAllowedDestinationCIDRs();
    ProxyModel.NetworkPolicy np =
        new ProxyModel.NetworkPolicy(
            spec.getNetworkPolicy() != null
                && Boolean.TRUE.equals(spec.getNetworkPolicy().getEnabled()),
            List.copyOf(clients),
            List.copyOf(denied),
            List.copyOf(allowedDst),
            MetricsScrapers.peers(
                spec.getNetworkPolicy() == null ? null : spec.getNetworkPolicy().getMetricsFrom()));
    var sc = spec.getSecurityContext();
    long grace =
        spec.getTerminationGracePeriodSeconds() == null
            ? Defaults.TERMINATION_GRACE_PERIOD_SECONDS
            : spec.getTerminationGracePeriodSeconds();
    // the pod must outlive preStop + Squid's shutdown_lifetime + the agent's 5 s margin
    grace =
        Math.max(
            grace, ProxyModel.PRE_STOP_SLEEP_SECONDS + compiled.shutdownLifetimeSeconds() + 5L);
    var service = spec.getService();
    return new ProxyModel(
        name,
        cr.getMetadata().getNamespace(),
        spec.getImage() != null ? spec.getImage() : defaultImage,
        spec.getImagePullPolicy() == null ? null : spec.getImagePullPolicy().name(),
        spec.getImagePullSecrets(),
        spec.getReplicas() == null ? Defaults.REPLICAS : spec.getReplicas(),
        autoscaling,
        compiled.port(),
        compiled.workers(),
        service == null || service.getType() == null ? "ClusterIP" : service.getType().name(),
        service == null ? null : service.getAnnotations(),
        DefaultResources.apply(spec.getResources(), compiled.squidConf(), compiled.workers()),
        spec.getNodeSelector(),
        spec.getTolerations(),
        spec.getAffinity(),
        spec.getTopologySpreadConstraints(),
        spec.getPodLabels(),
        spec.getPodAnnotations(),
        spec.getPriorityClassName(),
        sc == null ? null : sc.getRunAsUser(),
        sc == null ? null : sc.getRunAsGroup(),
        sc == null ? null : sc.getFsGroup(),
        grace,
        compiled.shutdownLifetimeSeconds(),
        pdb,
        np,
        persistentCache,
        new TreeMap<>(compiled.configMapData()),
        compiled.volumes(),
        compiled.hash(),
        copied);
  }
}
