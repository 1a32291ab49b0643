package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamSectionTest {
  static List<String> write(String yaml) {
    return write(yaml, List.of()).lines();
  }

  record Written(List<String> lines, java.util.SortedMap<String, String> files) {}

  static Written write(String yaml, List<String> noProxy) {
    SquidConfWriter out = new SquidConfWriter();
    UpstreamSection.write(
        out, SectionTests.resolved(yaml).spec().getUpstream(), Layout.defaults(), noProxy);
    return new Written(SectionTests.directives(out), out.aclFiles());
  }

  /** OpenShift's NO_PROXY of a cluster with a proxy, plus an administrator's own entries. */
  static final List<String> OPENSHIFT_NO_PROXY =
      List.of(
          ".cluster.local",
          ".svc",
          "10.128.0.0/14",
          "127.0.0.1",
          "169.254.169.254",
          "172.30.0.0/16",
          "api-int.ocp.example.com",
          "localhost",
          "*.apps.ocp.example.com",
          "Internal.Corp",
          "[fd00::1]",
          "10.1.2.3/8",
          "10.20.0.0/16");

  @Test
  void aParentWithoutCredentialsIsACachePeerAndNeverDirectByDefault() {
    assertThat(write("upstream: {host: parent.example}"))
        .containsExactly(
            "cache_peer parent.example parent 3128 0 no-query no-digest default name=upstream",
            "never_direct allow all");
  }

  @Test
  void credentialsStayOutOfSquidConfTheInitStepWritesTheInclude() {
    assertThat(
            write(
                "upstream: {host: 10.0.0.1, port: 8080, neverDirect: false, credentialsSecret: {name: c}}"))
        .containsExactly("include /var/run/squid/upstream.conf", "prefer_direct off");
  }

  @Test
  void noUpstreamWritesNothing() {
    assertThat(write("{}")).isEmpty();
  }

  /**
   * The compiler's input for fromClusterProxy: the operator filled in host and port from its
   * HTTPS_PROXY and gives its NO_PROXY; those destinations go direct (always_direct wins over
   * never_direct), domains by dstdomain -n, addresses and CIDRs by dst.
   */
  @Test
  void theClusterProxysNoProxyGoesDirect() {
    Written w =
        write(
            "upstream: {host: proxy.corp.example, port: 3128, fromClusterProxy: true}",
            OPENSHIFT_NO_PROXY);
    assertThat(w.lines())
        .containsExactly(
            "cache_peer proxy.corp.example parent 3128 0 no-query no-digest default name=upstream",
            "acl cp_no_proxy_domains dstdomain -n \"/etc/cephaloproxy/acl-no-proxy-domains.txt\"",
            "acl cp_no_proxy_destinations dst \"/etc/cephaloproxy/acl-no-proxy-destinations.txt\"",
            "always_direct allow cp_no_proxy_domains",
            "always_direct allow cp_no_proxy_destinations",
            "never_direct allow all");
    assertThat(w.files().get(UpstreamSection.ACL_NO_PROXY_DOMAINS))
        .as("each domain with its subdomains, lower case, sorted")
        .isEqualTo(
            ".api-int.ocp.example.com\n.apps.ocp.example.com\n.cluster.local\n.internal.corp\n"
                + ".localhost\n.svc\n");
    assertThat(w.files().get(UpstreamSection.ACL_NO_PROXY_DESTINATIONS))
        .as("addresses as /32 and /128, host bits cleared, 10.20.0.0/16 inside 10.0.0.0/8 dropped")
        .isEqualTo("10.0.0.0/8\n127.0.0.1/32\n169.254.169.254/32\n172.30.0.0/16\nfd00::1/128\n");
  }

  @Test
  void noProxyOnlyAppliesToTheClusterProxy() {
    assertThat(write("upstream: {host: parent.example}", OPENSHIFT_NO_PROXY).lines())
        .as("a parent the SquidProxy names itself")
        .containsExactly(
            "cache_peer parent.example parent 3128 0 no-query no-digest default name=upstream",
            "never_direct allow all");
    assertThat(write("upstream: {host: proxy.corp, fromClusterProxy: true}", List.of()).files())
        .isEmpty();
  }

  @Test
  void anAsteriskSendsEverythingDirectAndPreferDirectOffKeepsTheRules() {
    assertThat(
            write(
                    "upstream: {host: proxy.corp, fromClusterProxy: true}",
                    List.of(".svc", "*", "10.0.0.0/8"))
                .lines())
        .containsExactly(
            "cache_peer proxy.corp parent 3128 0 no-query no-digest default name=upstream",
            "always_direct allow all",
            "never_direct allow all");
    assertThat(
            write(
                    "upstream: {host: proxy.corp, fromClusterProxy: true, neverDirect: false}",
                    List.of("192.0.2.0/24"))
                .lines())
        .containsExactly(
            "cache_peer proxy.corp parent 3128 0 no-query no-digest default name=upstream",
            "acl cp_no_proxy_destinations dst \"/etc/cephaloproxy/acl-no-proxy-destinations.txt\"",
            "always_direct allow cp_no_proxy_destinations",
            "prefer_direct off");
  }
}
