package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class RuntimePropertiesTest {
  static SortedMap<String, String> props(String yaml) {
    return RuntimeProperties.of(SectionTests.resolved(yaml), Layout.defaults());
  }

  @Test
  void everyKeyIsWrittenWithTheContractsDefaults() {
    SortedMap<String, String> p = props("{}");
    assertThat(p)
        .containsEntry("squid.port", "3128")
        .containsEntry("squid.workers", "1")
        .containsEntry("health.port", "8080")
        .containsEntry("sslBump.enabled", "false")
        .containsEntry("sslBump.dbSize", "4MB")
        .containsEntry("cache.dirs", "")
        .containsEntry("writable.paths", "/var/run/squid,/var/lib/squid,/tmp")
        .containsEntry("upstream.cachePeer", "")
        .containsEntry("trustedCA.sources", "");
  }

  @Test
  void theSpecFillsTheAgentsInitSteps() {
    SortedMap<String, String> p =
        props(
            """
        cache: {type: Disk, disk: {size: 1Gi}}
        sslBump: {enabled: true, caSecret: {name: ca}, certificateDbSize: 8Mi}
        upstream: {host: parent, credentialsSecret: {name: creds}}
        trustedCA: {configMap: {name: cas, key: ca.pem}}
        """);
    assertThat(p)
        .containsEntry("cache.dirs", "/var/cache/squid")
        .containsEntry("writable.paths", "/var/run/squid,/var/lib/squid,/tmp,/var/cache/squid")
        .containsEntry("sslBump.enabled", "true")
        .containsEntry("sslBump.dbSize", "8MB")
        .containsEntry(
            "upstream.cachePeer",
            "cache_peer parent parent 3128 0 no-query no-digest default name=upstream")
        .containsEntry("upstream.credentials", "/etc/cephaloproxy/upstream")
        .containsEntry("trustedCA.sources", "/etc/cephaloproxy/trusted-ca");
  }

  @Test
  void theAgentCountsDecisionsInTheProxysMode() {
    assertThat(props("{}"))
        .containsEntry("accessLog.decisions", "true")
        .containsEntry("accessLog.mode", "enforce");
    assertThat(props("access: {mode: Audit}")).containsEntry("accessLog.mode", "audit");
    assertThat(props("squidConfFrom: {name: full, key: squid.conf}"))
        .containsEntry("accessLog.mode", "custom");
  }

  @Test
  void backslashesAreEscapedForJavaProperties() {
    assertThat(RuntimeProperties.text(new java.util.TreeMap<>(java.util.Map.of("k", "a\\b"))))
        .isEqualTo(RuntimeProperties.HEADER + "k=a\\\\b\n");
  }
}
