package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * TLS interception with a CA made in the test; splice-listed domains are tunnelled as is (issue 2
 * §4).
 */
class SslBumpIT extends SquidSuite {

  static Map<String, String> secrets(SquidLab lab) {
    try {
      return Map.of(
          "secret/bump-ca/tls.crt", Files.readString(lab.pki.bumpCaCert),
          "secret/bump-ca/tls.key", Files.readString(lab.pki.bumpCaKey),
          "secret/origin-ca/ca.crt", Files.readString(lab.pki.originCaCert));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void bumpsWithTheGivenCaAndSplicesListedDomains() {
    SquidInstance squid =
        start(
            "bump",
            """
        terminationGracePeriodSeconds: 2
        sslBump:
          enabled: true
          caSecret: {name: bump-ca}
          spliceDomains: [.splice.test]
        trustedCA:
          secret: {name: origin-ca, key: ca.crt}
        """,
            secrets(lab));

    // bumped: the client sees a certificate for the host, issued by the bump CA, and Squid sees the
    // URL
    Curl.Response bumped =
        get(squid, "https://bump.test/secret-path", "--cacert", lab.pki.bumpCaCert.toString());
    assertThat(bumped.status()).as(bumped + squid.describe()).isEqualTo(200);
    assertThat(bumped.issuer()).contains(TestPki.BUMP_CA_CN);
    assertThat(bumped.body()).isEqualTo("origin https host=bump.test path=/secret-path\n");
    assertThat(logLine(squid, "GET", "https://bump.test/secret-path")).contains("/200 ");
    assertThat(lab.origin.count("https", "/secret-path")).isEqualTo(1);

    // a client that does not trust the bump CA refuses the connection: proof it is not the origin's
    // cert
    Curl.Response untrusting =
        get(squid, "https://bump.test/untrusting", "--cacert", lab.pki.originCaCert.toString());
    assertThat(untrusting.status()).as(untrusting.toString()).isZero();
    assertThat(untrusting.exit()).isEqualTo(60); // curl: peer certificate cannot be authenticated

    // spliced: tunnelled unbumped, the client sees the origin's own certificate
    for (String host : new String[] {"splice.test", "www.splice.test"}) {
      Curl.Response spliced =
          get(squid, "https://" + host + "/spliced", "--cacert", lab.pki.originCaCert.toString());
      assertThat(spliced.status()).as(spliced + squid.describe()).isEqualTo(200);
      assertThat(spliced.issuer()).contains(TestPki.ORIGIN_CA_CN);
    }
    assertThat(squid.accessLog()).noneMatch(l -> l.contains("https://splice.test/spliced"));
  }

  @Test
  void bumpedRequestsFollowTheDomainRules() {
    SquidInstance squid =
        start(
            "bump-rules",
            """
        terminationGracePeriodSeconds: 2
        access:
          allowedDomains: [bump.test, .splice.test]
        sslBump:
          enabled: true
          caSecret: {name: bump-ca}
        trustedCA:
          secret: {name: origin-ca, key: ca.crt}
        """,
            secrets(lab));
    Curl.Response ok =
        get(squid, "https://bump.test/ok", "--cacert", lab.pki.bumpCaCert.toString());
    assertThat(ok.status()).as(ok + squid.describe()).isEqualTo(200);
    assertThat(ok.issuer()).contains(TestPki.BUMP_CA_CN);
    Curl.Response other =
        get(squid, "https://other.test/nope", "--cacert", lab.pki.bumpCaCert.toString());
    assertThat(other.status() == 403 || other.connectStatus() == 403)
        .as(other + squid.describe())
        .isTrue();
    assertThat(lab.origin.count("https", "/nope")).isZero();
  }

  @Test
  void bumpedOriginWithAnUntrustedCertificateIsRefused() {
    // no trustedCA: Squid does not trust the test origin's CA and must not pass its content on
    SquidInstance squid =
        start(
            "bump-untrusted",
            """
        terminationGracePeriodSeconds: 2
        sslBump:
          enabled: true
          caSecret: {name: bump-ca}
        """,
            secrets(lab));
    Curl.Response r =
        get(squid, "https://bump.test/untrusted-origin", "--cacert", lab.pki.bumpCaCert.toString());
    assertThat(r.status()).as(r + squid.describe()).isEqualTo(503);
    assertThat(lab.origin.count("https", "/untrusted-origin")).isZero();
  }
}
