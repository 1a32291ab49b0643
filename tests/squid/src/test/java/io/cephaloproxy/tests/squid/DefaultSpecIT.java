package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Cmd;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An empty spec: a working, locked-down proxy (issue 2 §4 "default", metadata/link-local, access
 * log).
 */
class DefaultSpecIT extends SquidSuite {

  @Test
  void proxiesForPrivateClientsAndLogsToStdout() {
    SquidInstance squid = start("default", "{}");
    assertThat(squid.settings().port()).isEqualTo(3128);

    Curl.Response r = get(squid, "http://origin.test/hello");
    assertThat(r.status()).as(r + squid.describe()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("origin http host=origin.test path=/hello\n");
    assertThat(logLine(squid, "GET", "http://origin.test/hello"))
        .contains(NetLab.CLIENT_IP)
        .contains("TCP_MISS/200")
        .contains("10.231.0.66");

    // an IPv6 unique-local client is a private client too
    Curl.Response v6 =
        Curl.get(
            lab.net.client, "[" + NetLab.PROXY_IP6 + "]:3128", "http://origin.test/ipv6-client");
    assertThat(v6.status()).as(v6 + squid.describe()).isEqualTo(200);
    assertThat(logLine(squid, "GET", "http://origin.test/ipv6-client")).contains(NetLab.CLIENT_IP6);

    // an IP URL of an allowed destination: answered at once (no reverse lookup stalls the rules)
    long t0 = System.nanoTime();
    Curl.Response ip = get(squid, "http://" + NetLab.UNNAMED_ORIGIN_IP + "/allowed-ip");
    assertThat(ip.status()).as(ip.toString()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));

    // CONNECT to 443 is tunnelled: the client sees the origin's own certificate
    Curl.Response tls =
        get(squid, "https://origin.test/tls", "--cacert", lab.pki.originCaCert.toString());
    assertThat(tls.status()).as(tls + squid.describe()).isEqualTo(200);
    assertThat(tls.issuer()).contains(TestPki.ORIGIN_CA_CN);
    assertThat(logLine(squid, "CONNECT", "origin.test:443")).contains("TCP_TUNNEL/200");

    // SIGTERM with the default 30 s termination grace: Squid exits cleanly, well within the grace
    // period
    assertThat(squid.settings().shutdownLifetimeSeconds()).isBetween(1, 25);
    long t0Stop = System.nanoTime();
    assertThat(squid.stop()).as("exit code after SIGTERM" + squid.describe()).isZero();
    assertThat(Duration.ofNanos(System.nanoTime() - t0Stop)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void deniesClientsOutsideTheAllowedCidrs() {
    SquidInstance squid = start("default-clients", "terminationGracePeriodSeconds: 2");
    Curl.Response outside =
        Curl.get(
            lab.net.client,
            NetLab.PROXY_IP + ":3128",
            "http://origin.test/outside",
            "--interface",
            NetLab.OUTSIDE_CLIENT_IP);
    assertThat(outside.status()).as(outside + squid.describe()).isEqualTo(403);
    assertThat(logLine(squid, "GET", "http://origin.test/outside"))
        .contains(NetLab.OUTSIDE_CLIENT_IP)
        .contains("TCP_DENIED/403");

    // the proxy's own loopback is not a private network either
    Curl.Response loopback =
        Curl.get(
            lab.net.proxy,
            "127.0.0.1:3128",
            "http://origin.test/loopback",
            "--interface",
            "127.0.0.2");
    assertThat(loopback.status()).as(loopback + squid.describe()).isEqualTo(403);
    assertThat(logLine(squid, "GET", "http://origin.test/loopback"))
        .contains("127.0.0.2")
        .contains("TCP_DENIED/403");
    assertThat(lab.origin.count("http", "/outside") + lab.origin.count("http", "/loopback"))
        .isZero();
  }

  @Test
  void deniesLinkLocalMetadataAndLocalhostDestinations() {
    SquidInstance squid = start("default-dst", "terminationGracePeriodSeconds: 2");
    long t0 = System.nanoTime();
    assertDenied(squid, "http://169.254.169.254/latest/meta-data/");
    assertDenied(squid, "http://metadata.test/latest/meta-data/");
    assertDenied(squid, "http://" + NetLab.LINK_LOCAL_ORIGIN_IP + "/by-ip");
    assertDenied(squid, "http://link-local.test/by-name");
    assertDenied(squid, "http://127.0.0.1/");
    assertDenied(squid, "http://localhost/");
    assertDenied(squid, "http://[::1]/");
    assertDenied(squid, "http://[fe80::1]/");
    assertConnectDenied(squid, "link-local.test:443");
    // every one of these is decided without waiting on DNS
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(lab.origin.count("http", "/by-ip") + lab.origin.count("http", "/by-name")).isZero();
  }

  @Test
  void deniesUnsafePorts() {
    SquidInstance squid = start("default-ports", "terminationGracePeriodSeconds: 2");
    assertDenied(squid, "http://origin.test:25/smtp");
    assertConnectDenied(squid, "origin.test:80");
    assertAllowed(squid, "http://origin.test/port-80");
  }

  @Test
  void cacheManagerAnswersLocalhostOnly() {
    SquidInstance squid = start("default-mgr", "terminationGracePeriodSeconds: 2");
    Cmd.Result local =
        lab.net.exec(
            lab.net.proxy,
            Duration.ofSeconds(20),
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "http://127.0.0.1:3128/squid-internal-mgr/info");
    assertThat(local.out()).as(local + squid.describe()).isEqualTo("200");
    Curl.Response remote =
        get(squid, "http://" + NetLab.PROXY_IP + ":3128/squid-internal-mgr/info");
    assertThat(remote.status()).as(remote.toString()).isEqualTo(403);
  }

  @Test
  void aRequestInFlightCompletesDuringShutdown() throws Exception {
    // grace 10 s -> shutdown_lifetime 5 s: a 2 s answer that is under way when SIGTERM arrives
    // still completes
    SquidInstance squid = start("default-drain", "terminationGracePeriodSeconds: 10");
    assertThat(squid.settings().shutdownLifetimeSeconds()).isEqualTo(5);
    java.util.concurrent.CompletableFuture<Curl.Response> inFlight =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> get(squid, "http://origin.test/slow?ms=2000"));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (lab.origin.count("http", "/slow") == 0 && System.nanoTime() < deadline) {
      NetLab.sleep(50);
    }
    assertThat(lab.origin.count("http", "/slow"))
        .as("the slow request reached the origin")
        .isEqualTo(1);
    long t0 = System.nanoTime();
    assertThat(squid.stop()).as("exit code after SIGTERM" + squid.describe()).isZero();
    Duration stopped = Duration.ofNanos(System.nanoTime() - t0);
    Curl.Response r = inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.status()).as(r + squid.describe()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("slow\n");
    assertThat(stopped).isLessThan(Duration.ofSeconds(5 + 5));
  }
}
