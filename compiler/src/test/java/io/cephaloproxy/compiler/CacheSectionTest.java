package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CacheSectionTest {
  static java.util.List<String> write(String yaml) {
    SquidConfWriter out = new SquidConfWriter();
    CacheSection.write(out, SectionTests.resolved(yaml).cache(), Layout.defaults());
    return SectionTests.directives(out);
  }

  @Test
  void noCacheByDefault() {
    assertThat(write("{}")).containsExactly("cache deny all", "cache_mem 0 MB");
  }

  @Test
  void memoryCacheRoundsTheObjectLimitUpToKilobytes() {
    assertThat(write("cache: {type: Memory, memory: {size: 256Mi}, maximumObjectSize: 1500}"))
        .containsExactly(
            "cache_mem 256 MB", "maximum_object_size_in_memory 2 KB", "maximum_object_size 2 KB");
  }

  @Test
  void diskCacheUsesNinetyPercentOfTheVolumeForARockDir() {
    assertThat(write("cache: {type: Disk, disk: {size: 10Gi}}"))
        .containsExactly(
            "cache_mem 32 MB",
            "maximum_object_size 4096 KB",
            "cache_dir rock /var/cache/squid 9216 max-size=4194304");
  }
}
