package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.agent.AccessLog;
import io.cephaloproxy.agent.Metrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 §1 on real Squid: every generated http_access rule names itself in the access log when
 * it decides (cp_rule, cp_decision; would_deny in Audit mode), and the agent's {@link AccessLog}
 * counts Squid's own lines by rule and forwards them without the prefix.
 */
class DecisionsIT extends SquidSuite {
  static final String PASSWORD = "s3cret-A";

  /** Squid's access log line for a request, whose decision prefix must start with {@code head}. */
  static void assertDecision(SquidInstance squid, String method, String url, String head) {
    String line =
        squid.awaitRawAccessLog(
            l -> l.contains(" " + method + " " + url + " ") || l.endsWith(" " + method + " " + url),
            java.time.Duration.ofSeconds(5));
    assertThat(line).as(method + " " + url).startsWith(head);
    // the prefix's ninth field: the request's host, which the agent keeps for denied requests
    assertThat(line.split(" ")[8]).as("host field of " + line).isEqualTo(host(method, url));
  }

  /** The host of a request as Squid logs it (%>rd): the URL's, or a CONNECT target's. */
  static String host(String method, String url) {
    if (method.equals("CONNECT")) {
      return url.substring(0, url.lastIndexOf(':'));
    }
    return java.net.URI.create(url).getHost();
  }

  static String counted(SquidInstance squid, String mode, StringBuilder forwarded)
      throws IOException {
    AccessLog log = new AccessLog(mode);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    log.pump(
        new ByteArrayInputStream(
            (String.join("\n", squid.rawAccessLog()) + "\n").getBytes(StandardCharsets.UTF_8)),
        out);
    forwarded.append(out.toString(StandardCharsets.UTF_8));
    Metrics m = new Metrics();
    log.metrics(m);
    return m.text();
  }

  static String requests(String decision, String rule, String mode, int n) {
    return "cephaloproxy_requests_total{decision=\""
        + decision
        + "\",rule=\""
        + rule
        + "\",mode=\""
        + mode
        + "\"} "
        + n
        + "\n";
  }

  @Test
  void enforceNamesEveryRuleThatDenied() throws IOException {
    SquidInstance squid =
        start(
            "decisions",
            """
        terminationGracePeriodSeconds: 2
        access:
          allowedDomains: [.allowed.test, link-local.test, metadata.test]
          deniedDomains: [denied.test]
          deniedDestinationCIDRs: [169.254.231.0/24]
        auth: {mode: Basic, htpasswdSecret: {name: proxy-users}}
        extraConfig: |
          acl posts method POST
          http_access deny posts
        """,
            Map.of("secret/proxy-users/htpasswd", AuthIT.htpasswd("alice", PASSWORD)));
    String[] user = {"--proxy-user", "alice:" + PASSWORD};

    assertThat(get(squid, "http://www.allowed.test/anonymous").status()).isEqualTo(407);
    assertDecision(
        squid, "GET", "http://www.allowed.test/anonymous", "cp2 deny auth - TCP_DENIED 407 ");

    Curl.Response outside =
        Curl.get(
            lab.net.client,
            NetLab.PROXY_IP + ":" + squid.settings().port(),
            "http://www.allowed.test/outside",
            "--interface",
            NetLab.OUTSIDE_CLIENT_IP);
    assertThat(outside.status()).as(outside.toString()).isEqualTo(403);
    assertDecision(
        squid, "GET", "http://www.allowed.test/outside", "cp2 deny client - TCP_DENIED 403 ");

    String manager = "http://" + NetLab.PROXY_IP + ":3128/squid-internal-mgr/info";
    assertThat(get(squid, manager, user).status()).isEqualTo(403);
    assertDecision(squid, "GET", manager, "cp2 deny manager - TCP_DENIED 403 ");

    assertThat(get(squid, "http://www.allowed.test:25/smtp", user).status()).isEqualTo(403);
    assertDecision(
        squid, "GET", "http://www.allowed.test:25/smtp", "cp2 deny unsafe-port - TCP_DENIED 403 ");

    Curl.Response connect =
        get(
            squid,
            "https://www.allowed.test:8443/",
            "--proxy-user",
            "alice:" + PASSWORD,
            "--cacert",
            lab.pki.originCaCert.toString());
    assertThat(connect.connectStatus()).as(connect.toString()).isEqualTo(403);
    assertDecision(
        squid, "CONNECT", "www.allowed.test:8443", "cp2 deny connect-port - TCP_DENIED 403 ");

    assertThat(get(squid, "http://denied.test/d", user).status()).isEqualTo(403);
    assertDecision(
        squid, "GET", "http://denied.test/d", "cp2 deny denied-domain - TCP_DENIED 403 ");

    assertThat(get(squid, "http://other.test/n", user).status()).isEqualTo(403);
    assertDecision(
        squid, "GET", "http://other.test/n", "cp2 deny not-allowed-domain - TCP_DENIED 403 ");

    assertThat(get(squid, "http://link-local.test/l", user).status()).isEqualTo(403);
    assertDecision(
        squid, "GET", "http://link-local.test/l", "cp2 deny denied-destination - TCP_DENIED 403 ");

    assertThat(get(squid, "http://metadata.test/m", user).status()).isEqualTo(403);
    assertDecision(
        squid, "GET", "http://metadata.test/m", "cp2 deny blocked-destination - TCP_DENIED 403 ");

    Curl.Response post =
        get(squid, "http://www.allowed.test/post", "--proxy-user", "alice:" + PASSWORD, "-d", "x");
    assertThat(post.status()).as(post.toString()).isEqualTo(403);
    assertDecision(
        squid, "POST", "http://www.allowed.test/post", "cp2 - extra-config - TCP_DENIED 403 ");

    Curl.Response ok = get(squid, "http://www.allowed.test/ok", user);
    assertThat(ok.status()).as(ok + squid.describe()).isEqualTo(200);
    assertDecision(squid, "GET", "http://www.allowed.test/ok", "cp2 allow allow - TCP_MISS 200 ");

    StringBuilder forwarded = new StringBuilder();
    String metrics = counted(squid, "enforce", forwarded);
    assertThat(metrics)
        .as(squid.describe())
        .contains(
            requests("deny", "auth", "enforce", 1),
            requests("deny", "client", "enforce", 1),
            requests("deny", "manager", "enforce", 1),
            requests("deny", "unsafe-port", "enforce", 1),
            requests("deny", "connect-port", "enforce", 1),
            requests("deny", "denied-domain", "enforce", 1),
            requests("deny", "not-allowed-domain", "enforce", 1),
            requests("deny", "denied-destination", "enforce", 1),
            requests("deny", "blocked-destination", "enforce", 1),
            requests("deny", "extra-config", "enforce", 1),
            requests("allow", "allow", "enforce", 1))
        .doesNotContain("rule=\"unknown\"")
        // (a port check that connects and closes is logged as NONE_NONE/000: decision "none")
        .doesNotContain("decision=\"allow\",rule=\"none\"");
    // what reaches the container log: Squid's native format, as before the prefix existed
    assertThat(forwarded.toString().lines())
        .hasSizeGreaterThanOrEqualTo(11)
        .allMatch(l -> l.matches("^[0-9]+\\.[0-9]{3} +[0-9]+ [0-9a-f.:]+ [A-Z_]+/[0-9]{3} .*"));
  }

  @Test
  void auditNamesTheRuleThatWouldHaveDenied() throws IOException {
    SquidInstance squid =
        start(
            "decisions-audit",
            """
        terminationGracePeriodSeconds: 2
        access:
          mode: Audit
          allowedDomains: [.allowed.test, metadata.test]
          deniedDomains: [denied.test]
        """);
    assertThat(get(squid, "http://other.test/n").status()).isEqualTo(200);
    assertDecision(
        squid, "GET", "http://other.test/n", "cp2 allow allow not-allowed-domain TCP_MISS 200 ");
    assertThat(get(squid, "http://denied.test/d").status()).isEqualTo(200);
    assertDecision(
        squid, "GET", "http://denied.test/d", "cp2 allow allow denied-domain TCP_MISS 200 ");
    // the built-in block still denies in Audit mode, and names itself
    assertThat(get(squid, "http://metadata.test/m").status()).isEqualTo(403);
    assertDecision(
        squid, "GET", "http://metadata.test/m", "cp2 deny blocked-destination - TCP_DENIED 403 ");
    assertThat(get(squid, "http://www.allowed.test/ok").status()).isEqualTo(200);
    assertDecision(squid, "GET", "http://www.allowed.test/ok", "cp2 allow allow - TCP_MISS 200 ");

    String metrics = counted(squid, "audit", new StringBuilder());
    assertThat(metrics)
        .contains(
            requests("would_deny", "not-allowed-domain", "audit", 1),
            requests("would_deny", "denied-domain", "audit", 1),
            requests("deny", "blocked-destination", "audit", 1),
            requests("allow", "allow", "audit", 1));
  }
}
