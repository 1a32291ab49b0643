package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Link-local and metadata destinations: denied by default, reachable only when listed (issue 2 §4).
 */
class DestinationCidrsIT extends SquidSuite {

  @Test
  void explicitlyAllowedLinkLocalAddressIsReachable() {
    SquidInstance squid =
        start(
            "linklocal-allowed",
            """
        terminationGracePeriodSeconds: 2
        access:
          allowedDestinationCIDRs: [169.254.231.2/32]
        """);
    assertAllowed(squid, "http://link-local.test/allowed");
    assertAllowed(squid, "http://" + NetLab.LINK_LOCAL_ORIGIN_IP + "/allowed-ip");
    assertThat(lab.origin.count("http", "/allowed")).isEqualTo(1);
    // only the listed address: the metadata endpoint stays denied
    assertDenied(squid, "http://169.254.169.254/latest/meta-data/");
    assertDenied(squid, "http://metadata.test/latest/meta-data/");
  }

  @Test
  void deniedDestinationCidrsBlockClusterRanges() {
    SquidInstance squid =
        start(
            "cluster-cidrs",
            """
        terminationGracePeriodSeconds: 2
        access:
          deniedDestinationCIDRs: [10.231.0.64/26]
        """);
    assertDenied(squid, "http://origin.test/internal");
    assertDenied(squid, "http://" + NetLab.ORIGIN_IP + "/internal-ip");
    assertThat(lab.origin.count("http", "/internal") + lab.origin.count("http", "/internal-ip"))
        .isZero();
  }

  @Test
  void auditModeLogsDeniedDestinationCidrs() {
    SquidInstance squid =
        start(
            "cluster-cidrs-audit",
            """
        terminationGracePeriodSeconds: 2
        access:
          mode: Audit
          deniedDestinationCIDRs: [10.231.0.64/26]
        """);
    Curl.Response r = get(squid, "http://origin.test/audited-internal");
    assertThat(r.status()).as(r + squid.describe()).isEqualTo(200);
    assertThat(logLine(squid, "GET", "http://origin.test/audited-internal"))
        .contains("would_deny=denied-destination");
    assertDenied(squid, "http://169.254.169.254/latest/meta-data/");
  }
}
