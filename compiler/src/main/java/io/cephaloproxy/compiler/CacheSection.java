package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.CacheSpec;
import io.cephaloproxy.api.v1alpha1.CacheType;
import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.DiskCacheSpec;
import java.math.BigInteger;

/**
 * spec.cache: no cache, a memory cache, or a rock cache_dir on the cache volume (90% of its size).
 */
final class CacheSection {
  /** cache_mem beside a disk cache, in MB. */
  static final long DISK_CACHE_MEM_MB = 32;

  private CacheSection() {}

  static void write(SquidConfWriter out, CacheSpec c, Layout layout) {
    out.section("Cache");
    CacheType type = ResolvedSpec.or(c.getType(), () -> CacheType.None);
    BigInteger maxObject =
        Quantities.bytes(
            ResolvedSpec.or(c.getMaximumObjectSize(), () -> Defaults.MAXIMUM_OBJECT_SIZE));
    long maxObjectKb =
        Math.max(
            1,
            maxObject
                .add(BigInteger.valueOf(1023))
                .divide(BigInteger.valueOf(1024))
                .longValueExact());
    switch (type) {
      case None -> {
        out.line("cache deny all");
        out.line("cache_mem 0 MB");
      }
      case Memory -> {
        out.line(
            "cache_mem " + Quantities.mebibytes(Quantities.bytes(c.getMemory().getSize())) + " MB");
        out.line("maximum_object_size_in_memory " + maxObjectKb + " KB");
        out.line("maximum_object_size " + maxObjectKb + " KB");
      }
      case Disk -> {
        DiskCacheSpec d = c.getDisk();
        long mb =
            Math.max(
                1,
                Quantities.bytes(d.getSize())
                    .multiply(BigInteger.valueOf(9))
                    .divide(BigInteger.valueOf(10 * Quantities.MIB))
                    .longValueExact());
        out.line("cache_mem " + DISK_CACHE_MEM_MB + " MB");
        out.line("maximum_object_size " + maxObjectKb + " KB");
        out.line("cache_dir rock " + layout.cacheDir() + " " + mb + " max-size=" + maxObject);
      }
      default -> throw new IllegalStateException("unknown cache type " + type);
    }
  }
}
