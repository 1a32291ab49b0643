package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.compiler.ReferencedData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** Squid started from a spec compiled with the given cluster networks (as the operator would). */
  SquidInstance startWithClusterNetworks(String name, String specYaml, List<String> networks) {
    CompiledSquid compiled =
        CompiledSquid.compile(
            lab,
            name,
            CompiledSquid.proxy(name, specYaml),
            ReferencedData.builder().build().withClusterNetworks(networks),
            (source, key, file) -> null);
    SquidInstance squid = compiled.instance();
    track(squid);
    squid.init();
    squid.start();
    assertNoErrors(squid);
    return squid;
  }

  /**
   * Issue 12 §4: the proxy's own host under every spelling (a decimal IPv4, IPv4-mapped IPv6, the
   * unspecified address, the name localhost) and the cloud metadata addresses outside link-local
   * are 403 by default: TCP_DENIED, not a failed connection (nothing listens there, which would be
   * a 503).
   */
  @Test
  void theHostItselfUnderEverySpellingAndMetadataAddressesAreDenied() {
    SquidInstance squid = start("host-spellings", "terminationGracePeriodSeconds: 2");
    // URL → how Squid logs it (it normalizes the host: a decimal or IPv4-mapped address is logged
    // as the IPv4 address it reads)
    Map<String, String> urls = new LinkedHashMap<>();
    urls.put("http://2130706433:8080/decimal", "http://127.0.0.1:8080/decimal");
    urls.put("http://[::ffff:127.0.0.1]:8080/mapped", "http://127.0.0.1:8080/mapped");
    urls.put("http://[::ffff:7f00:1]:8080/mapped-hex", "http://127.0.0.1:8080/mapped-hex");
    urls.put("http://localhost:8080/name", "http://localhost:8080/name");
    urls.put("http://127.0.0.1:8080/v4", "http://127.0.0.1:8080/v4");
    urls.put("http://[::1]:8080/v6", "http://[::1]:8080/v6");
    urls.put("http://[::]:8080/unspecified", "http://:::8080/unspecified"); // sic
    urls.put("http://0.0.0.0:8080/zero", "http://0.0.0.0:8080/zero");
    urls.put(
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://169.254.169.254/latest/meta-data/");
    urls.put(
        "http://100.100.100.200/latest/meta-data/", "http://100.100.100.200/latest/meta-data/");
    urls.put("http://168.63.129.16/machine/", "http://168.63.129.16/machine/");
    urls.put(
        "http://[fd00:ec2::254]/latest/meta-data/", "http://[fd00:ec2::254]/latest/meta-data/");
    urls.forEach((url, logged) -> assertDeniedLoggedAs(squid, url, logged));
    // a normal destination still works, also written as an IPv4-mapped address (Squid reads it as
    // the IPv4 address: that is why the IPv4 entries cover the mapped forms)
    assertAllowed(squid, "http://origin.test/ok");
    Curl.Response r = get(squid, "http://[::ffff:" + NetLab.ORIGIN_IP + "]/ok-mapped");
    assertThat(r.status()).as(r + squid.describe()).isEqualTo(200);
    assertThat(lab.origin.count("http", "/ok-mapped")).isEqualTo(1);
  }

  void assertDeniedLoggedAs(SquidInstance squid, String url, String logged) {
    Curl.Response r = get(squid, url);
    assertThat(r.status())
        .as("GET " + url + " through the proxy: " + r + squid.describe())
        .isEqualTo(403);
    assertThat(logLine(squid, "GET", logged)).as(url).contains("TCP_DENIED/403");
  }

  @Test
  void aDeniedIpv4RangeAlsoDeniesItsIpv4MappedForm() {
    SquidInstance squid =
        start(
            "mapped-denied",
            """
        terminationGracePeriodSeconds: 2
        access:
          deniedDestinationCIDRs: [10.231.0.64/26]
        """);
    assertDeniedLoggedAs(
        squid,
        "http://[::ffff:" + NetLab.ORIGIN_IP + "]/mapped",
        "http://" + NetLab.ORIGIN_IP + "/mapped");
    assertDeniedLoggedAs(
        squid, "http://[::ffff:ae7:42]/mapped-hex", "http://" + NetLab.ORIGIN_IP + "/mapped-hex");
    assertThat(lab.origin.count("http", "/mapped") + lab.origin.count("http", "/mapped-hex"))
        .isZero();
  }

  /**
   * The cluster's Service and Pod networks (the operator's discovery, given here as the compiler's
   * input): denied by default, in Audit mode too; {@code clusterNetworks: Allow} opens them.
   */
  @Test
  void clusterNetworksAreDeniedByDefaultAndOpenWithAllow() {
    List<String> cluster = List.of("10.231.0.64/26", "fd00:10:96::/108");
    SquidInstance squid =
        startWithClusterNetworks("cluster-default", "terminationGracePeriodSeconds: 2", cluster);
    assertDenied(squid, "http://origin.test/in-cluster");
    assertDenied(squid, "http://" + NetLab.ORIGIN_IP + "/in-cluster-ip");
    assertDeniedLoggedAs(
        squid,
        "http://[::ffff:" + NetLab.ORIGIN_IP + "]/in-cluster-mapped",
        "http://" + NetLab.ORIGIN_IP + "/in-cluster-mapped");
    squid.close();
    SquidInstance audit =
        startWithClusterNetworks(
            "cluster-audit",
            """
        terminationGracePeriodSeconds: 2
        access: {mode: Audit}
        """,
            cluster);
    assertDenied(audit, "http://origin.test/in-cluster-audit");
    audit.close();
    assertThat(lab.origin.count("http", "/in-cluster") + lab.origin.count("http", "/in-cluster-ip"))
        .isZero();
    SquidInstance allowed =
        startWithClusterNetworks(
            "cluster-allow",
            """
        terminationGracePeriodSeconds: 2
        access: {clusterNetworks: Allow}
        """,
            cluster);
    assertAllowed(allowed, "http://origin.test/allowed-in-cluster");
    assertDenied(allowed, "http://169.254.169.254/latest/meta-data/");
    allowed.close();
    SquidInstance oneService =
        startWithClusterNetworks(
            "cluster-one-open",
            """
        terminationGracePeriodSeconds: 2
        access: {allowedDestinationCIDRs: [10.231.0.66/32]}
        """,
            cluster);
    assertAllowed(oneService, "http://origin.test/one-open");
    assertDenied(oneService, "http://" + NetLab.UNNAMED_ORIGIN_IP + "/other-closed");
  }
}
