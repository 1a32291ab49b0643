package io.cephaloproxy.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.ClusterNetworkAccess;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterNetworksTest {
  @Test
  void clusterIpsBecomeSingleAddressCidrs() {
    assertThat(
            ClusterNetworks.singleAddresses(
                Arrays.asList("10.96.0.1", "fd00:10:96::1", "None", "", null)))
        .containsExactly("10.96.0.1/32", "fd00:10:96::1/128");
    assertThat(ClusterNetworks.singleAddresses(null)).isEmpty();
  }

  @Test
  void serviceAndPodNetworksAreOneSortedDistinctList() {
    assertThat(
            ClusterNetworks.union(
                List.of(List.of("10.96.0.0/16", "fd00:10:96::/112")),
                List.of(List.of("10.244.1.0/24"), List.of("10.244.0.0/24", " 10.244.1.0/24 "))))
        .containsExactly("10.244.0.0/24", "10.244.1.0/24", "10.96.0.0/16", "fd00:10:96::/112");
  }

  @Test
  void onlyProxiesThatAllowTheClusterNetworksAreLeftAlone() {
    assertThat(ClusterNetworks.deniesClusterNetworks(proxy(null))).isTrue();
    assertThat(ClusterNetworks.deniesClusterNetworks(proxy(ClusterNetworkAccess.Deny))).isTrue();
    assertThat(ClusterNetworks.deniesClusterNetworks(proxy(ClusterNetworkAccess.Allow))).isFalse();
    assertThat(ClusterNetworks.deniesClusterNetworks(new SquidProxy())).isTrue();
  }

  static SquidProxy proxy(ClusterNetworkAccess access) {
    SquidProxy p = new SquidProxy();
    SquidProxySpec spec = new SquidProxySpec();
    AccessSpec a = new AccessSpec();
    a.setClusterNetworks(access);
    spec.setAccess(a);
    p.setSpec(spec);
    return p;
  }
}
