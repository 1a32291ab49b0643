package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.compiler.ReferencedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Forwarding through a parent proxy: a second real Squid on the proxy's loopback (issue 2 §4). */
class UpstreamIT extends SquidSuite {
  static final int PARENT_PORT = 3129;

  /** A plain Squid as the parent (a corporate proxy, say), optionally with Basic auth. */
  SquidInstance startPlainParent(String name, String htpasswd) {
    Path d = lab.newInstanceDir(name);
    try {
      Path run = Files.createDirectories(d.resolve("run"));
      List<String> conf =
          new ArrayList<>(
              List.of(
                  "http_port " + PARENT_PORT,
                  "visible_hostname corporate-parent",
                  "pid_filename " + run.resolve("squid.pid"),
                  "access_log stdio:/dev/stdout squid",
                  "cache_log stdio:/dev/stderr",
                  "logfile_rotate 0",
                  "pinger_enable off",
                  "shutdown_lifetime 1 seconds",
                  "coredump_dir " + run,
                  "hosts_file " + lab.hostsFile,
                  "dns_nameservers 127.0.0.1",
                  "cache deny all",
                  "acl from_loopback src 127.0.0.0/8"));
      if (htpasswd != null) {
        Files.writeString(d.resolve("htpasswd"), htpasswd);
        conf.add("auth_param basic program " + Prereqs.NCSA_AUTH + " " + d.resolve("htpasswd"));
        conf.add("acl users proxy_auth REQUIRED");
        conf.add("http_access deny !users");
      }
      conf.add("http_access allow from_loopback");
      conf.add("http_access deny all");
      Files.write(d.resolve("squid.conf"), conf);
      SquidInstance.groupWritable(d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SquidInstance parent =
        new SquidInstance(
            lab.net,
            new SquidInstance.Settings(
                d.resolve("squid.conf"),
                lab.serviceName(name),
                PARENT_PORT,
                1,
                1,
                d.resolve("run"),
                List.of(),
                null,
                "4MB"),
            d);
    track(parent);
    parent.init();
    parent.start();
    return parent;
  }

  @Test
  void everyRequestGoesThroughTheParent() {
    SquidInstance parent = startPlainParent("parent", null);
    SquidInstance child =
        start(
            "child",
            """
        terminationGracePeriodSeconds: 2
        upstream:
          host: 127.0.0.1
          port: 3129
        """);
    Curl.Response r = get(child, "http://origin.test/via-parent");
    assertThat(r.status()).as(r + child.describe() + parent.describe()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("origin http host=origin.test path=/via-parent\n");
    assertThat(logLine(child, "GET", "http://origin.test/via-parent")).contains("PARENT/127.0.0.1");
    assertThat(logLine(parent, "GET", "http://origin.test/via-parent"))
        .contains("127.0.0.1")
        .contains("TCP_MISS/200")
        .contains("HIER_DIRECT/10.231.0.66");

    servedOverTls(child, "https://origin.test/tls-via-parent");
    assertThat(logLine(parent, "CONNECT", "origin.test:443")).contains("TCP_TUNNEL/200");

    // the child's own rules still apply before anything is forwarded
    assertDenied(child, "http://169.254.169.254/latest/meta-data/");
    assertThat(parent.accessLog()).noneMatch(l -> l.contains("169.254.169.254"));
  }

  /**
   * upstream.fromClusterProxy (issue 14 §6) as the operator compiles it: the cluster proxy is the
   * parent, and the operator's NO_PROXY destinations go direct. A domain entry sends its domain
   * direct, for GET and CONNECT, and only those requests never reach the parent; an address entry
   * matches the destination's address, also of a host name that resolves to it (Squid's dst).
   */
  @Test
  void theClusterProxysNoProxyDestinationsGoDirect() {
    List<String> noProxy = List.of(".svc", "allowed.test", "192.0.2.0/24", "[fd00::1]");
    SquidInstance parent = startPlainParent("cluster-proxy", null);
    SquidInstance child =
        start(
            "chained",
            chainedToThePlainParent(3128),
            ReferencedData.builder().build().withNoProxy(noProxy));
    String via = "http://origin.test/through-the-cluster-proxy";
    assertThat(served(child, via)).contains("PARENT/127.0.0.1");
    assertThat(logLine(parent, "GET", via)).contains("HIER_DIRECT/10.231.0.66");

    assertThat(served(child, "http://www.allowed.test/no-proxy"))
        .contains("HIER_DIRECT/10.231.0.66");
    servedOverTls(child, "https://api.allowed.test/no-proxy-tls");
    assertThat(logLine(child, "CONNECT", "api.allowed.test:443"))
        .contains("HIER_DIRECT/10.231.0.66");
    assertThat(parent.accessLog())
        .as("the cluster proxy never sees a NO_PROXY destination")
        .noneMatch(l -> l.contains("allowed.test"));

    SquidInstance byAddress =
        start(
            "chained-by-address",
            chainedToThePlainParent(3131),
            ReferencedData.builder().build().withNoProxy(List.of("10.231.0.0/24")));
    assertThat(served(byAddress, "http://other.test/resolves-into-no-proxy"))
        .contains("HIER_DIRECT/10.231.0.66");
    assertThat(parent.accessLog()).noneMatch(l -> l.contains("resolves-into-no-proxy"));
  }

  /** A spec with fromClusterProxy as the operator compiles it for the plain parent, on a port. */
  static String chainedToThePlainParent(int port) {
    return "terminationGracePeriodSeconds: 2\nport: %d\nupstream: {host: 127.0.0.1, port: %d,"
            .formatted(port, PARENT_PORT)
        + " fromClusterProxy: true}\n";
  }

  /** GET of an https {@code url} through {@code squid} (CONNECT): answered 200. */
  void servedOverTls(SquidInstance squid, String url) {
    Curl.Response r = get(squid, url, "--cacert", lab.pki.originCaCert.toString());
    assertThat(r.status()).as(r + squid.describe()).isEqualTo(200);
  }

  /** GET {@code url} through {@code squid}: answered 200; its access log line. */
  String served(SquidInstance squid, String url) {
    Curl.Response r = get(squid, url);
    assertThat(r.status()).as(r + squid.describe()).isEqualTo(200);
    return logLine(squid, "GET", url);
  }

  @Test
  void parentCredentialsComeFromTheSecret() {
    // ':', '%' and a space in the password: the init step percent-encodes it into login=
    SquidInstance parent =
        startPlainParent("parent-auth", AuthIT.htpasswd("egress", "p@ss w0rd:%"));
    SquidInstance child =
        start(
            "child-auth",
            """
        terminationGracePeriodSeconds: 2
        upstream:
          host: 127.0.0.1
          port: 3129
          credentialsSecret: {name: parent-login}
        """,
            Map.of(
                "secret/parent-login/username",
                "egress",
                "secret/parent-login/password",
                "p@ss w0rd:%"));
    Curl.Response r = get(child, "http://origin.test/with-login");
    assertThat(r.status()).as(r + child.describe() + parent.describe()).isEqualTo(200);
    assertThat(logLine(parent, "GET", "http://origin.test/with-login"))
        .contains(" egress ")
        .contains("/200 ");
  }

  @Test
  void aCephaloProxyCanBeTheParentOfAnother() {
    // e.g. a namespace's egress proxy forwarding to a central one: both rendered by the operator
    SquidInstance parent =
        start(
            "central",
            """
        terminationGracePeriodSeconds: 2
        port: 3129
        access:
          allowedClientCIDRs: [127.0.0.0/8]
        """);
    SquidInstance child =
        start(
            "namespace-proxy",
            """
        terminationGracePeriodSeconds: 2
        upstream:
          host: 127.0.0.1
          port: 3129
        """);
    Curl.Response r = get(child, "http://origin.test/chained");
    assertThat(r.status())
        .as(
            "two chained CephaloProxy Squids (a forwarding loop is reported when both use the same "
                + "visible_hostname/unique_hostname): "
                + r
                + child.describe()
                + parent.describe())
        .isEqualTo(200);
    assertThat(logLine(parent, "GET", "http://origin.test/chained")).contains("TCP_MISS/200");
  }
}
