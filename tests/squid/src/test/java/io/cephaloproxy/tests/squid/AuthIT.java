package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Cmd;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Basic authentication from an htpasswd Secret (issue 2 §4). */
class AuthIT extends SquidSuite {

  /** An htpasswd line made with openssl's Apache MD5 (what htpasswd -m writes). */
  static String htpasswd(String user, String password) {
    return user + ":" + Cmd.check("openssl", "passwd", "-apr1", password).out().trim() + "\n";
  }

  @Test
  void requiresValidCredentials() {
    SquidInstance squid =
        start(
            "auth",
            """
        terminationGracePeriodSeconds: 2
        auth:
          mode: Basic
          htpasswdSecret: {name: proxy-users}
          realm: Test Realm
        """,
            Map.of(
                "secret/proxy-users/htpasswd",
                htpasswd("alice", "s3cret-A") + htpasswd("bob", "hunter2")));

    Curl.Response none = get(squid, "http://origin.test/anonymous");
    assertThat(none.status()).as(none + squid.describe()).isEqualTo(407);
    assertThat(none.verbose()).contains("Proxy-Authenticate: Basic realm=\"Test Realm\"");

    Curl.Response wrong = get(squid, "http://origin.test/wrong", "--proxy-user", "alice:wrong");
    assertThat(wrong.status()).as(wrong.toString()).isEqualTo(407);

    Curl.Response unknown =
        get(squid, "http://origin.test/unknown", "--proxy-user", "mallory:s3cret-A");
    assertThat(unknown.status()).as(unknown.toString()).isEqualTo(407);

    Curl.Response ok =
        get(squid, "http://origin.test/authenticated", "--proxy-user", "alice:s3cret-A");
    assertThat(ok.status()).as(ok + squid.describe()).isEqualTo(200);
    assertThat(logLine(squid, "GET", "http://origin.test/authenticated"))
        .contains(" alice ")
        .contains("/200 ");

    Curl.Response bob =
        get(
            squid,
            "https://origin.test/tls",
            "--proxy-user",
            "bob:hunter2",
            "--cacert",
            lab.pki.originCaCert.toString());
    assertThat(bob.status()).as(bob + squid.describe()).isEqualTo(200);

    assertThat(
            lab.origin.count("http", "/anonymous")
                + lab.origin.count("http", "/wrong")
                + lab.origin.count("http", "/unknown"))
        .isZero();
  }

  @Test
  void authDoesNotOpenTheProxyToOtherNetworks() {
    SquidInstance squid =
        start(
            "auth-cidr",
            """
        terminationGracePeriodSeconds: 2
        auth:
          mode: Basic
          htpasswdSecret: {name: proxy-users}
        """,
            Map.of("secret/proxy-users/htpasswd", htpasswd("alice", "s3cret-A")));
    Curl.Response outside =
        Curl.get(
            lab.net.client,
            NetLab.PROXY_IP + ":3128",
            "http://origin.test/outside-auth",
            "--interface",
            NetLab.OUTSIDE_CLIENT_IP,
            "--proxy-user",
            "alice:s3cret-A");
    assertThat(outside.status()).as(outside + squid.describe()).isEqualTo(403);
  }
}
