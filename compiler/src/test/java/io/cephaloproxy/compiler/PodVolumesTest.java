package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodVolumesTest {
  static List<PodVolume> volumes(String yaml) {
    return PodVolumes.of(SectionTests.resolved(yaml), Layout.defaults());
  }

  @Test
  void everyReferencedKeyIsMountedUnderTheContractsFileNameSortedByMountPath() {
    List<PodVolume> v =
        volumes(
            """
        access: {deniedDomainsFrom: {name: lists, key: deny}}
        sslBump: {enabled: true, caSecret: {name: ca, certificateKey: c, privateKeyKey: k}}
        auth: {mode: Basic, htpasswdSecret: {name: users, key: h}}
        upstream: {host: p, credentialsSecret: {name: creds, usernameKey: u, passwordKey: pw}}
        trustedCA: {secret: {name: cas, key: bundle}}
        """);
    assertThat(v).extracting(PodVolume::mountPath).isSorted();
    assertThat(v)
        .filteredOn(x -> x.source() != null)
        .extracting(x -> x.name() + " " + x.kind() + " " + x.source() + " " + x.items())
        .containsExactlyInAnyOrder(
            "denied-domains CONFIG_MAP lists {deny=domains.txt}",
            "tls SECRET ca {c=tls.crt, k=tls.key}",
            "auth SECRET users {h=htpasswd}",
            "upstream SECRET creds {pw=password, u=username}",
            "trusted-ca SECRET cas {bundle=ca.crt}");
  }

  @Test
  void theBaseVolumesAreAlwaysThereAndMountedWritableExceptTheConfig() {
    assertThat(volumes("{}"))
        .extracting(x -> x.name() + " " + x.readOnly())
        .containsExactly("config true", "tmp false", "state false", "run false");
  }

  @Test
  void aPersistentDiskCacheAndSmpSharedMemoryAreSized() {
    List<PodVolume> v =
        volumes(
            "workers: 2\ncache: {type: Disk, disk: {size: 2Gi, volume: PersistentVolumeClaim, "
                + "storageClassName: fast}}");
    assertThat(v)
        .filteredOn(x -> x.name().equals("cache"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.kind()).isEqualTo(PodVolume.Kind.PERSISTENT_VOLUME_CLAIM);
              assertThat(x.size()).isEqualTo("2Gi");
              assertThat(x.storageClassName()).isEqualTo("fast");
            });
    // 64 + 16 * 2 workers + 32 cache_mem + 2048 / 256 rock index
    assertThat(v)
        .filteredOn(x -> x.name().equals("shm"))
        .singleElement()
        .satisfies(x -> assertThat(x.size()).isEqualTo("136Mi"));
  }

  @Test
  void aFullConfigMountsOnlyTheUsersSquidConf() {
    assertThat(volumes("squidConfFrom: {name: expert}"))
        .filteredOn(x -> x.source() != null)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.mountPath()).isEqualTo("/etc/cephaloproxy/custom");
              assertThat(x.items()).isEqualTo(Map.of("squid.conf", "squid.conf"));
            });
  }
}
