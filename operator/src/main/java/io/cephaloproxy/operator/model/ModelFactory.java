package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.AutoscalingSpec;
import io.cephaloproxy.api.v1alpha1.CacheType;
import io.cephaloproxy.api.v1alpha1.CacheVolumeType;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Resolves one SquidProxy into a {@link ProxyModel}: references, compiler, mounts, hash. Pure
 * given its lookup function (the reconciler passes the informer caches, render passes the file).
 */
public final class ModelFactory {
  public static final String CACHE_PATH = "/var/cache/squid";
  public static final String SHM_PATH = "/dev/shm";
  static final List<String> DEFAULT_WRITABLE = List.of("/var/run/squid", "/var/lib/squid", "/tmp");

  private ModelFactory() {}

  /**
   * @param model the model, absent when references are missing or the spec does not compile
   * @param references every reference of the spec
   * @param missing descriptions of missing Secrets/ConfigMaps or keys
   * @param configErrors the compiler's errors
   */
  public record Result(Optional<ProxyModel> model, List<Reference> references, List<String> missing, List<String> configErrors) {}

  /**
   * @param lookup (kind, name) → the object's data (Secret data base64 as stored), or null when it
   *     does not exist
   */
  public static Result create(
      SquidProxy cr, String defaultImage, BiFunction<String, String, Map<String, String>> lookup, ConfigCompiler compiler) {
    String ns = cr.getMetadata().getNamespace();
    String name = cr.getMetadata().getName();
    SquidProxySpec spec = cr.getSpec() == null ? new SquidProxySpec() : cr.getSpec();
    List<Reference> refs = References.of(spec);
    List<String> missing = new ArrayList<>();
    Map<String, Map<String, String>> configMapData = new TreeMap<>();
    // hash input: every referenced object's data, in a stable order
    TreeMap<String, TreeMap<String, String>> referenced = new TreeMap<>();
    Set<String> seen = new LinkedHashSet<>();
    for (Reference r : refs) {
      Map<String, String> data = lookup.apply(r.kind(), r.name());
      if (data == null) {
        if (seen.add(r.kind() + "/" + r.name())) {
          missing.add(r.describe(ns));
        }
        continue;
      }
      for (String key : new TreeMap<>(r.items()).keySet()) {
        if (!data.containsKey(key)) {
          missing.add(r.describe(ns) + " has no key '" + key + "'");
        }
      }
      referenced.put(r.kind() + "/" + r.name(), new TreeMap<>(data));
      if ("ConfigMap".equals(r.kind())) {
        configMapData.put(r.name(), data);
      }
    }
    if (!missing.isEmpty()) {
      return new Result(Optional.empty(), refs, missing, List.of());
    }
    ConfigCompiler.Compiled compiled = compiler.compile(name, spec, configMapData);
    if (!compiled.errors().isEmpty()) {
      return new Result(Optional.empty(), refs, List.of(), compiled.errors());
    }
    String hash = hash(compiled.hash(), referenced);
    return new Result(Optional.of(model(cr, spec, defaultImage, refs, compiled, hash)), refs, List.of(), List.of());
  }

  static ProxyModel model(
      SquidProxy cr, SquidProxySpec spec, String defaultImage, List<Reference> refs, ConfigCompiler.Compiled compiled, String hash) {
    String name = cr.getMetadata().getName();
    String ns = cr.getMetadata().getNamespace();
    int workers = spec.getWorkers() == null ? 1 : spec.getWorkers();
    var cache = spec.getCache();
    boolean diskCache = cache != null && cache.getType() == CacheType.Disk && cache.getDisk() != null;
    boolean pvc = diskCache && cache.getDisk().getVolume() == CacheVolumeType.PersistentVolumeClaim;
    ProxyModel.PersistentCache persistentCache =
        pvc ? new ProxyModel.PersistentCache(name + "-cache", cache.getDisk().getSize(), cache.getDisk().getStorageClassName()) : null;

    List<Mount> mounts = new ArrayList<>();
    mounts.add(new Mount("config", ProxyModel.CONFIG_DIR, Mount.Kind.CONFIG_MAP, name + "-config", null, null, true));
    for (Reference r : refs) {
      if (r.mountPath() != null) {
        mounts.add(new Mount(volumeName(r), r.mountPath(), r.isSecret() ? Mount.Kind.SECRET : Mount.Kind.CONFIG_MAP,
            r.name(), r.items(), null, true));
      }
    }
    List<String> writable = compiled.writablePaths().isEmpty() ? DEFAULT_WRITABLE : compiled.writablePaths();
    Set<String> writableAll = new LinkedHashSet<>(writable);
    if (diskCache) {
      writableAll.add(CACHE_PATH);
    }
    for (String path : writableAll) {
      if (path.equals(CACHE_PATH) && pvc) {
        mounts.add(new Mount("cache", path, Mount.Kind.PVC, persistentCache.claimName(), null, null, false));
      } else if (path.equals(CACHE_PATH) && diskCache) {
        mounts.add(new Mount("cache", path, Mount.Kind.EMPTY_DIR, null, null, cache.getDisk().getSize(), false));
      } else {
        mounts.add(Mount.emptyDir(volumeName(path), path));
      }
    }
    if (workers > 1) {
      int memCacheMi = 0;
      if (cache != null && cache.getType() == CacheType.Memory && cache.getMemory() != null && cache.getMemory().getSize() != null) {
        memCacheMi = mebibytes(cache.getMemory().getSize());
      }
      mounts.add(new Mount("dshm", SHM_PATH, Mount.Kind.MEMORY, null, null, (256 + memCacheMi) + "Mi", false));
    }

    AutoscalingSpec as = spec.getAutoscaling();
    ProxyModel.Autoscaling autoscaling = as != null && Boolean.TRUE.equals(as.getEnabled())
        ? new ProxyModel.Autoscaling(as.getMinReplicas(), as.getMaxReplicas(), as.getTargetCPUUtilizationPercentage())
        : null;
    var pdbSpec = spec.getPodDisruptionBudget();
    ProxyModel.Pdb pdb = new ProxyModel.Pdb(
        pdbSpec == null || !Boolean.FALSE.equals(pdbSpec.getEnabled()),
        pdbSpec == null || pdbSpec.getMaxUnavailable() == null ? 1 : pdbSpec.getMaxUnavailable());
    var access = spec.getAccess();
    List<String> clients = access == null || access.getAllowedClientCIDRs() == null
        ? io.cephaloproxy.api.v1alpha1.AccessSpec.DEFAULT_CLIENT_CIDRS : access.getAllowedClientCIDRs();
    List<String> denied = access == null || access.getDeniedDestinationCIDRs() == null ? List.of() : access.getDeniedDestinationCIDRs();
    ProxyModel.NetworkPolicy np = new ProxyModel.NetworkPolicy(
        spec.getNetworkPolicy() != null && Boolean.TRUE.equals(spec.getNetworkPolicy().getEnabled()),
        List.copyOf(clients), List.copyOf(denied));
    var sc = spec.getSecurityContext();
    long grace = spec.getTerminationGracePeriodSeconds() == null ? 30 : spec.getTerminationGracePeriodSeconds();
    // the pod must outlive preStop + Squid's shutdown_lifetime + the agent's 5 s margin
    grace = Math.max(grace, ProxyModel.PRE_STOP_SLEEP_SECONDS + compiled.shutdownLifetimeSeconds() + 5L);
    var service = spec.getService();
    return new ProxyModel(
        name,
        ns,
        spec.getImage() != null ? spec.getImage() : defaultImage,
        spec.getImagePullPolicy() == null ? null : spec.getImagePullPolicy().name(),
        spec.getImagePullSecrets(),
        spec.getReplicas() == null ? 1 : spec.getReplicas(),
        autoscaling,
        spec.getPort() == null ? 3128 : spec.getPort(),
        workers,
        service == null || service.getType() == null ? "ClusterIP" : service.getType().name(),
        service == null ? null : service.getAnnotations(),
        spec.getResources(),
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
        new TreeMap<>(compiled.files()),
        mounts,
        hash);
  }

  static String volumeName(Reference r) {
    String base = switch (r.field()) {
      case "spec.sslBump.caSecret" -> "tls";
      case "spec.auth.htpasswdSecret" -> "auth";
      case "spec.upstream.credentialsSecret" -> "upstream";
      case "spec.trustedCA.configMap" -> "trusted-ca-configmap";
      case "spec.trustedCA.secret" -> "trusted-ca-secret";
      default -> "ref-" + r.name();
    };
    return base;
  }

  /** "/var/run/squid" → "var-run-squid". */
  static String volumeName(String path) {
    String n = path.replaceAll("^/+", "").replaceAll("[^a-z0-9]+", "-").replaceAll("-+$", "");
    return n.isEmpty() ? "root" : n;
  }

  static int mebibytes(String quantity) {
    var q = new io.fabric8.kubernetes.api.model.Quantity(quantity);
    return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(q)
        .divide(java.math.BigDecimal.valueOf(1024L * 1024L), java.math.RoundingMode.CEILING)
        .intValue();
  }

  /** SHA-256 over the compiled config's hash and every referenced object's data (sorted). */
  public static String hash(String compiledHash, TreeMap<String, TreeMap<String, String>> referenced) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      update(d, "compiled");
      update(d, compiledHash);
      for (var e : referenced.entrySet()) {
        update(d, e.getKey());
        for (var kv : e.getValue().entrySet()) {
          update(d, kv.getKey());
          update(d, kv.getValue());
        }
      }
      return HexFormat.of().formatHex(d.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest d, String s) {
    byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    d.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
    d.update((byte) ':');
    d.update(b);
  }
}
