package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Allowlist, denylist, lists from a ConfigMap, and Audit mode (issue 2 §4). */
class DomainRulesIT extends SquidSuite {

  @Test
  void allowlistAllowsExactAndSubdomainEntriesOnly() {
    SquidInstance squid =
        start(
            "allowlist",
            """
        terminationGracePeriodSeconds: 2
        access:
          allowedDomains: [exact.test, .allowed.test]
        """);
    assertAllowed(squid, "http://exact.test/a");
    assertDenied(squid, "http://www.exact.test/a"); // 'exact.test' is that host only
    assertAllowed(squid, "http://allowed.test/b"); // '.allowed.test' is the domain ...
    assertAllowed(squid, "http://www.allowed.test/b"); // ... and every subdomain
    assertAllowed(squid, "http://api.allowed.test/b");
    assertDenied(squid, "http://other.test/c");
    // an IP is not an allowed domain, and saying so needs no (reverse) DNS lookup
    long t0 = System.nanoTime();
    assertDenied(squid, "http://" + NetLab.UNNAMED_ORIGIN_IP + "/by-ip");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(java.time.Duration.ofSeconds(5));
    assertConnectDenied(squid, "other.test:443");
    Curl.Response tls =
        get(squid, "https://www.allowed.test/tls", "--cacert", lab.pki.originCaCert.toString());
    assertThat(tls.status()).as(tls + squid.describe()).isEqualTo(200);
    assertThat(lab.origin.count("http", "/c")).isZero();
  }

  @Test
  void denylistDeniesListedDomainsAndAllowsTheRest() {
    SquidInstance squid =
        start(
            "denylist",
            """
        terminationGracePeriodSeconds: 2
        access:
          deniedDomains: [.denied.test, exact.test]
        """);
    assertDenied(squid, "http://denied.test/a");
    assertDenied(squid, "http://www.denied.test/a");
    assertDenied(squid, "http://exact.test/a");
    assertAllowed(squid, "http://www.exact.test/a");
    assertAllowed(squid, "http://other.test/b");
    long t0 = System.nanoTime();
    assertAllowed(
        squid,
        "http://" + NetLab.UNNAMED_ORIGIN_IP + "/by-ip"); // no reverse lookup for the denylist
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(java.time.Duration.ofSeconds(5));
    assertConnectDenied(squid, "www.denied.test:443");
  }

  @Test
  void denylistWinsOverAllowlist() {
    SquidInstance squid =
        start(
            "allow-deny",
            """
        terminationGracePeriodSeconds: 2
        access:
          allowedDomains: [.allowed.test]
          deniedDomains: [api.allowed.test]
        """);
    assertAllowed(squid, "http://www.allowed.test/a");
    assertDenied(squid, "http://api.allowed.test/a");
  }

  @Test
  void largeAllowlistFromAConfigMapKey() {
    // 20,000 entries, '#' comments and blank lines, the allowed test domain in the middle
    String list =
        "# generated allowlist\n\n"
            + IntStream.range(0, 10_000)
                .mapToObj(i -> "host" + i + ".example.com")
                .collect(Collectors.joining("\n"))
            + "\n.allowed.test\n"
            + IntStream.range(0, 10_000)
                .mapToObj(i -> ".zone" + i + ".example.org")
                .collect(Collectors.joining("\n"))
            + "\n";
    SquidInstance squid =
        start(
            "allowlist-from",
            """
        terminationGracePeriodSeconds: 2
        access:
          allowedDomainsFrom: {name: big-allowlist, key: domains.txt}
        """,
            Map.of("configmap/big-allowlist/domains.txt", list));
    assertAllowed(squid, "http://www.allowed.test/a");
    assertDenied(squid, "http://other.test/a");
  }

  @Test
  void auditModeAllowsButLogsWhatEnforceWouldDeny() {
    SquidInstance squid =
        start(
            "audit",
            """
        terminationGracePeriodSeconds: 2
        access:
          mode: Audit
          allowedDomains: [.allowed.test]
          deniedDomains: [denied.test]
        """);
    assertAllowed(squid, "http://www.allowed.test/ok");
    assertThat(logLine(squid, "GET", "http://www.allowed.test/ok")).endsWith("would_deny=-");

    Curl.Response notAllowed = get(squid, "http://other.test/audit");
    assertThat(notAllowed.status()).as(notAllowed + squid.describe()).isEqualTo(200);
    assertThat(logLine(squid, "GET", "http://other.test/audit"))
        .contains("would_deny=not-allowed-domain");

    Curl.Response denied = get(squid, "http://denied.test/audit");
    assertThat(denied.status()).as(denied + squid.describe()).isEqualTo(200);
    assertThat(logLine(squid, "GET", "http://denied.test/audit"))
        .contains("would_deny=denied-domain");

    // the built-in block of link-local/metadata destinations holds in Audit mode too
    assertDenied(squid, "http://link-local.test/audit");

    // clients outside the allowed CIDRs are refused in Audit mode too
    Curl.Response outside =
        Curl.get(
            lab.net.client,
            NetLab.PROXY_IP + ":3128",
            "http://www.allowed.test/outside",
            "--interface",
            NetLab.OUTSIDE_CLIENT_IP);
    assertThat(outside.status()).as(outside.toString()).isEqualTo(403);
    assertThat(lab.origin.count("http", "/audit")).isEqualTo(2);
  }
}
