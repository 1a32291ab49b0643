package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.AuthMode;
import io.cephaloproxy.api.v1alpha1.CacheSpec;
import io.cephaloproxy.api.v1alpha1.CacheType;
import io.cephaloproxy.api.v1alpha1.CacheVolumeType;
import io.cephaloproxy.api.v1alpha1.ConfigMapKeyRef;
import io.cephaloproxy.api.v1alpha1.DiskCacheSpec;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The volumes of the Squid pod, sorted by mount path: the generated config, the writable
 * directories, the cache, the shared memory of SMP workers, and each referenced ConfigMap or Secret
 * key mounted under the file name the container contract (docs/architecture.md) fixes, whatever the
 * key is called.
 */
final class PodVolumes {
  private PodVolumes() {}

  static List<PodVolume> of(ResolvedSpec r, Layout layout) {
    List<PodVolume> volumes = new ArrayList<>();
    volumes.add(
        new PodVolume(
            "config",
            PodVolume.Kind.GENERATED_CONFIG,
            layout.configDir(),
            true,
            null,
            null,
            null,
            null));
    volumes.add(PodVolume.emptyDir("run", layout.runDir(), null));
    volumes.add(PodVolume.emptyDir("state", layout.stateDir(), null));
    volumes.add(PodVolume.emptyDir("tmp", layout.tmpDir(), null));
    CacheSpec cache = r.cache();
    if (cache.getType() == CacheType.Disk) {
      DiskCacheSpec d = cache.getDisk();
      volumes.add(
          d.getVolume() == CacheVolumeType.PersistentVolumeClaim
              ? new PodVolume(
                  "cache",
                  PodVolume.Kind.PERSISTENT_VOLUME_CLAIM,
                  layout.cacheDir(),
                  false,
                  null,
                  null,
                  d.getSize(),
                  d.getStorageClassName())
              : PodVolume.emptyDir("cache", layout.cacheDir(), d.getSize()));
    }
    if (r.workers() > 1) {
      volumes.add(
          new PodVolume(
              "shm",
              PodVolume.Kind.MEMORY_EMPTY_DIR,
              layout.shmDir(),
              false,
              null,
              null,
              shmMebibytes(cache, r.workers()) + "Mi",
              null));
    }
    SquidProxySpec s = r.spec();
    if (r.fullConfig()) {
      volumes.add(
          configMapKey(
              "custom-config",
              layout.customConfigDir(),
              s.getSquidConfFrom().getName(),
              s.getSquidConfFrom().getKey(),
              CompiledConfig.SQUID_CONF));
    } else {
      referencedVolumes(r, layout, volumes);
    }
    volumes.sort(Comparator.comparing(PodVolume::mountPath));
    return volumes;
  }

  private static void referencedVolumes(ResolvedSpec r, Layout layout, List<PodVolume> volumes) {
    SquidProxySpec s = r.spec();
    domainList(volumes, layout, Layout.DENIED, r.access().getDeniedDomainsFrom());
    domainList(volumes, layout, Layout.ALLOWED, r.access().getAllowedDomainsFrom());
    if (s.getAuth() != null && s.getAuth().getMode() == AuthMode.Basic) {
      volumes.add(
          PodVolume.projected(
              "auth",
              PodVolume.Kind.SECRET,
              layout.authDir(),
              s.getAuth().getHtpasswdSecret().getName(),
              Map.of(s.getAuth().getHtpasswdSecret().getKey(), "htpasswd")));
    }
    if (r.sslBump() != null) {
      var ca = r.sslBump().getCaSecret();
      volumes.add(
          PodVolume.projected(
              "tls",
              PodVolume.Kind.SECRET,
              layout.tlsDir(),
              ca.getName(),
              Map.of(ca.getCertificateKey(), "tls.crt", ca.getPrivateKeyKey(), "tls.key")));
    }
    if (s.getUpstream() != null && s.getUpstream().getCredentialsSecret() != null) {
      var creds = s.getUpstream().getCredentialsSecret();
      volumes.add(
          PodVolume.projected(
              "upstream",
              PodVolume.Kind.SECRET,
              layout.upstreamCredentialsDir(),
              creds.getName(),
              Map.of(creds.getUsernameKey(), "username", creds.getPasswordKey(), "password")));
    }
    var trusted = s.getTrustedCA();
    if (trusted != null && trusted.getConfigMap() != null) {
      volumes.add(
          configMapKey(
              "trusted-ca",
              layout.trustedCaDir(),
              trusted.getConfigMap().getName(),
              trusted.getConfigMap().getKey(),
              "ca.crt"));
    } else if (trusted != null) {
      volumes.add(
          PodVolume.projected(
              "trusted-ca",
              PodVolume.Kind.SECRET,
              layout.trustedCaDir(),
              trusted.getSecret().getName(),
              Map.of(trusted.getSecret().getKey(), "ca.crt")));
    }
  }

  private static void domainList(
      List<PodVolume> volumes, Layout layout, String which, ConfigMapKeyRef ref) {
    if (ref != null) {
      volumes.add(
          configMapKey(
              which + "-domains",
              layout.listDir(which),
              ref.getName(),
              ref.getKey(),
              Layout.LIST_FILE));
    }
  }

  private static PodVolume configMapKey(
      String name, String dir, String configMap, String key, String file) {
    return PodVolume.projected(name, PodVolume.Kind.CONFIG_MAP, dir, configMap, Map.of(key, file));
  }

  /**
   * /dev/shm for SMP: 64 MiB base + 16 MiB per worker + the shared memory cache + the rock index
   * (~1/256 of the disk cache).
   */
  static long shmMebibytes(CacheSpec cache, int workers) {
    long mb = 64 + 16L * workers;
    if (cache.getType() == CacheType.Memory) {
      mb += Quantities.mebibytes(Quantities.bytes(cache.getMemory().getSize()));
    } else if (cache.getType() == CacheType.Disk) {
      mb +=
          CacheSection.DISK_CACHE_MEM_MB
              + Quantities.mebibytes(Quantities.bytes(cache.getDisk().getSize())) / 256;
    }
    return mb;
  }
}
