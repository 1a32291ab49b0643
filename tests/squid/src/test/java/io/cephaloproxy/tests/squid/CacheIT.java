package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Memory and disk caches: the second GET of a cacheable object is a HIT (issue 2 §4). */
class CacheIT extends SquidSuite {

  @Test
  void noCacheByDefault() {
    SquidInstance squid = start("nocache", "terminationGracePeriodSeconds: 2");
    long before = lab.origin.count("http", "/cacheable");
    assertThat(get(squid, "http://cache.test/cacheable").status()).isEqualTo(200);
    assertThat(get(squid, "http://cache.test/cacheable").status()).isEqualTo(200);
    assertThat(squid.accessLog()).noneMatch(l -> l.contains("HIT/"));
    assertThat(lab.origin.count("http", "/cacheable") - before).isEqualTo(2);
  }

  @Test
  void memoryCacheServesTheSecondGetAndRespectsTheMaximumObjectSize() {
    SquidInstance squid =
        start(
            "memcache",
            """
        terminationGracePeriodSeconds: 2
        cache:
          type: Memory
          memory: {size: 64Mi}
          maximumObjectSize: 1Mi
        """);
    String url = "http://cache.test/cacheable/mem";
    assertThat(get(squid, url).status()).isEqualTo(200);
    assertThat(logLine(squid, "GET", url)).contains("TCP_MISS/200");
    Curl.Response second = get(squid, url);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.body()).isEqualTo("cacheable object from cache.test\n");
    assertThat(
            squid.awaitAccessLog(
                l -> l.contains(url) && l.contains("HIT/200"), java.time.Duration.ofSeconds(5)))
        .containsPattern("TCP_(MEM_)?HIT/200");
    assertThat(lab.origin.count("http", "/cacheable/mem")).isEqualTo(1);

    // larger than maximumObjectSize: fetched from the origin every time
    String large = "http://cache.test/large?bytes=2097152";
    assertThat(get(squid, large).status()).isEqualTo(200);
    assertThat(get(squid, large).status()).isEqualTo(200);
    assertThat(lab.origin.count("http", "/large")).isEqualTo(2); // only this test asks for /large
  }

  @Test
  void diskCacheKeepsObjectsAcrossARestart() {
    CompiledSquid compiled =
        CompiledSquid.compile(
            lab,
            "diskcache",
            """
        terminationGracePeriodSeconds: 2
        cache:
          type: Disk
          disk: {size: 200Mi}
        """,
            java.util.Map.of());
    assertThat(compiled.instance().settings().cacheDirs())
        .as("runtime.properties cache.dirs")
        .isNotEmpty();
    String url = "http://cache.test/cacheable/disk";
    try (SquidInstance first = compiled.instance()) {
      first.init();
      first.start();
      assertNoErrors(first);
      assertThat(get(first, url).status()).isEqualTo(200);
      assertThat(get(first, url).status()).isEqualTo(200);
      first.awaitAccessLog(
          l -> l.contains(url) && l.contains("HIT/200"), java.time.Duration.ofSeconds(5));
      assertThat(first.stop()).isZero();
    }
    // a new Squid on the same cache volume (a restarted container) still has the object
    try (SquidInstance second = compiled.instance()) {
      second.init();
      second.start();
      Curl.Response r = get(second, url);
      assertThat(r.status()).isEqualTo(200);
      second.awaitAccessLog(
          l -> l.contains(url) && l.contains("TCP_HIT/200"), java.time.Duration.ofSeconds(5));
    }
    assertThat(lab.origin.count("http", "/cacheable/disk")).isEqualTo(1);
  }
}
