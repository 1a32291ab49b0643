package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cephaloproxy.testsupport.Cmd;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SMP workers, access log formats, extraConfig and a full config from a ConfigMap. */
class ProcessAndLoggingIT extends SquidSuite {

  @Test
  void twoWorkersServeRequestsAndLogThem() {
    SquidInstance squid =
        start(
            "workers",
            """
        terminationGracePeriodSeconds: 2
        workers: 2
        """);
    for (int i = 0; i < 10; i++) {
      assertThat(get(squid, "http://origin.test/smp" + i).status()).isEqualTo(200);
    }
    assertThat(get(squid, "http://169.254.169.254/smp").status()).isEqualTo(403);
    // Squid started without -N (SMP) points stdout/stderr at /dev/null unless given -d: the access
    // log
    // and the cache log must still reach the container's stdout/stderr
    assertThat(squid.accessLog())
        .as(
            "access log lines on stdout with workers: 2 (command line "
                + squid.commandLine()
                + ")"
                + squid.describe())
        .anyMatch(l -> l.contains("GET http://origin.test/smp0"));
    assertThat(squid.children())
        .as("Squid's kids: two workers and the coordinator" + squid.describe())
        .filteredOn(c -> c.contains("squid"))
        .hasSize(3);
    assertThat(squid.cacheLog()).as("cache log on stderr").contains("Process Roles: worker");
  }

  @Test
  void commonAndCombinedFormats() {
    SquidInstance common =
        start(
            "log-common",
            """
        terminationGracePeriodSeconds: 2
        logging: {format: Common}
        """);
    assertThat(get(common, "http://origin.test/common").status()).isEqualTo(200);
    assertThat(get(common, "http://169.254.169.254/common-denied").status()).isEqualTo(403);
    // host ident user [time] "request" status bytes squid-code
    String clf = "^10\\.231\\.0\\.2 - - \\[[^]]+\\] \"GET %s HTTP/1\\.1\" %d \\d+ .*$";
    assertThat(
            common.awaitAccessLog(
                l -> l.matches(String.format(clf, "http://origin\\.test/common", 200)),
                Duration.ofSeconds(5)))
        .contains("TCP_MISS");
    assertThat(
            common.awaitAccessLog(
                l ->
                    l.matches(
                        String.format(clf, "http://169\\.254\\.169\\.254/common-denied", 403)),
                Duration.ofSeconds(5)))
        .contains("TCP_DENIED");
    common.stop();

    SquidInstance combined =
        start(
            "log-combined",
            """
        terminationGracePeriodSeconds: 2
        logging: {format: Combined}
        """);
    assertThat(
            get(
                    combined,
                    "http://origin.test/combined",
                    "-A",
                    "cephaloproxy-test/1.0",
                    "-e",
                    "http://referer.test/")
                .status())
        .isEqualTo(200);
    combined.awaitAccessLog(
        l ->
            l.contains("\"GET http://origin.test/combined HTTP/1.1\" 200 ")
                && l.contains("\"http://referer.test/\" \"cephaloproxy-test/1.0\""),
        Duration.ofSeconds(5));
  }

  @Test
  void jsonFormatIsOneJsonObjectPerLine() throws Exception {
    SquidInstance squid =
        start(
            "log-json",
            """
        terminationGracePeriodSeconds: 2
        logging: {format: JSON}
        access:
          mode: Audit
          allowedDomains: [origin.test]
        """);
    assertThat(
            get(
                    squid,
                    "http://origin.test/json?token=secret",
                    "-A",
                    "agent \"quoted\" \\ backslash \u00e9")
                .status())
        .isEqualTo(200);
    assertThat(get(squid, "http://other.test/json-audit").status()).isEqualTo(200);
    assertThat(get(squid, "http://169.254.169.254/json-denied").status()).isEqualTo(403);
    ObjectMapper json = new ObjectMapper();
    squid.awaitAccessLog(l -> l.contains("json-denied"), Duration.ofSeconds(5));
    List<JsonNode> lines =
        squid.accessLog().stream()
            .filter(l -> l.contains("/json"))
            .map(
                l -> {
                  try {
                    return json.readTree(l);
                  } catch (Exception e) {
                    throw new AssertionError("access log line is not JSON: " + l, e);
                  }
                })
            .toList();
    assertThat(lines).hasSize(3);
    // the documented fields (docs/agent.md), always all of them, in this order
    for (JsonNode n : lines) {
      assertThat(n.fieldNames())
          .toIterable()
          .containsExactlyElementsOf(io.cephaloproxy.testsupport.DecisionLog.KEYS);
      assertThat(n.path("time").asText())
          .matches(io.cephaloproxy.testsupport.DecisionLog.TIME_PATTERN);
      assertThat(n.path("client").asText()).isEqualTo(NetLab.CLIENT_IP);
      assertThat(n.path("status").isInt()).isTrue();
      assertThat(n.path("bytes").isInt()).isTrue();
      assertThat(n.path("duration_ms").isInt()).isTrue();
      assertThat(n.path("user").isNull()).isTrue();
      assertThat(n.path("sni").isNull()).isTrue();
    }
    JsonNode ok = byPath(lines, "/json");
    assertThat(ok.path("method").asText()).isEqualTo("GET");
    assertThat(ok.path("scheme").asText()).isEqualTo("http");
    assertThat(ok.path("host").asText()).isEqualTo("origin.test");
    assertThat(ok.path("port").asInt()).isEqualTo(80);
    assertThat(ok.path("status").asInt()).isEqualTo(200);
    assertThat(ok.path("result").asText()).isEqualTo("TCP_MISS");
    assertThat(ok.path("decision").asText()).isEqualTo("allow");
    assertThat(ok.path("rule").asText()).isEqualTo("allow");
    assertThat(ok.path("would_deny").isNull()).isTrue();
    assertThat(ok.path("user_agent").asText()).isEqualTo("agent \"quoted\" \\ backslash \u00e9");
    assertThat(ok.toString()).doesNotContain("secret").doesNotContain("token");
    JsonNode audit = byPath(lines, "/json-audit");
    assertThat(audit.path("decision").asText()).isEqualTo("allow");
    assertThat(audit.path("would_deny").asText()).isEqualTo("not-allowed-domain");
    JsonNode denied = byPath(lines, "/json-denied");
    assertThat(denied.path("status").asInt()).isEqualTo(403);
    assertThat(denied.path("decision").asText()).isEqualTo("deny");
    assertThat(denied.path("rule").asText()).isEqualTo("blocked-destination");
    assertThat(denied.path("result").asText()).isEqualTo("TCP_DENIED");
  }

  static JsonNode byPath(List<JsonNode> lines, String path) {
    return lines.stream()
        .filter(n -> n.path("path").asText().equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line with path " + path + ": " + lines));
  }

  @Test
  void extraConfigAddsDeniesButCannotUndoTheGeneratedOnes() {
    SquidInstance squid =
        start(
            "extra",
            """
        terminationGracePeriodSeconds: 2
        extraConfig: |
          acl blocked_path urlpath_regex ^/blocked
          http_access deny blocked_path
          http_access allow all
        """);
    assertDenied(squid, "http://origin.test/blocked/x");
    assertAllowed(squid, "http://origin.test/open");
    // 'http_access allow all' in extraConfig comes after the generated denies: metadata stays
    // denied
    assertDenied(squid, "http://169.254.169.254/extra");
  }

  @Test
  void fullConfigFromAConfigMapKeepsTheContainerContract() {
    SquidInstance squid =
        start(
            "full-config",
            """
        terminationGracePeriodSeconds: 2
        squidConfFrom: {name: my-squid-conf, key: squid.conf}
        """,
            Map.of(
                "configmap/my-squid-conf/squid.conf",
                String.join(
                    "\n",
                    "acl lab_clients src 10.231.0.0/26",
                    "acl only_origin dstdomain -n origin.test",
                    "http_access deny !only_origin",
                    "http_access allow lab_clients",
                    "http_access deny all",
                    "")));
    assertAllowed(squid, "http://origin.test/full");
    assertDenied(squid, "http://other.test/full");
    // the operator's own parts still hold: logs on stdout (checked above), cache manager from
    // localhost only
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
  }

  @Test
  void peekAndSpliceNeverDecryptsAndTerminatesDeniedServerNames() {
    SquidInstance squid =
        start(
            "peek-splice",
            """
        terminationGracePeriodSeconds: 2
        access:
          allowedDomains: [.allowed.test]
        sslBump:
          enabled: true
          policy: PeekAndSplice
          caSecret: {name: bump-ca}
        """,
            SslBumpIT.secrets(lab));
    Curl.Response spliced =
        get(squid, "https://www.allowed.test/peek", "--cacert", lab.pki.originCaCert.toString());
    assertThat(spliced.status()).as(spliced + squid.describe()).isEqualTo(200);
    assertThat(spliced.issuer()).contains(TestPki.ORIGIN_CA_CN);
    // a server name outside the allowlist, reached by IP so the CONNECT itself names no domain
    Curl.Response denied =
        get(
            squid,
            "https://other.test/peek-denied",
            "--cacert",
            lab.pki.originCaCert.toString(),
            "--connect-to",
            "other.test:443:" + NetLab.ORIGIN_IP + ":443");
    assertThat(denied.status()).as(denied + squid.describe()).isNotEqualTo(200);
    assertThat(lab.origin.count("https", "/peek-denied")).isZero();
  }
}
