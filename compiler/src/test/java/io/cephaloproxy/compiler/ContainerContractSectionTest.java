package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContainerContractSectionTest {
  static SquidConfWriter write(String yaml, Layout layout) {
    SquidConfWriter out = new SquidConfWriter();
    ContainerContractSection.write(out, SectionTests.resolved(yaml), layout);
    return out;
  }

  @Test
  void defaultsListenOnAllAddressesWithOneProcessAndTheContractPaths() {
    var lines = SectionTests.directives(write("{}", Layout.defaults()));
    assertThat(lines)
        .startsWith("http_port 3128")
        .doesNotContain("workers 1")
        .contains(
            "pid_filename /var/run/squid/squid.pid",
            "coredump_dir /var/run/squid",
            "cache_log /dev/stderr",
            "logfile_rotate 0",
            "access_log stdio:/dev/stdout cp_access !cp_probes",
            "shutdown_lifetime 20 seconds",
            "httpd_suppress_version_string on")
        .noneMatch(l -> l.startsWith("hosts_file") || l.startsWith("dns_nameservers"));
  }

  @Test
  void portWorkersGraceAndSslBumpShapeTheProcessLines() {
    var lines =
        SectionTests.directives(
            write(
                """
        port: 3129
        workers: 4
        terminationGracePeriodSeconds: 60
        sslBump: {enabled: true, caSecret: {name: ca}}
        """,
                Layout.defaults()));
    assertThat(lines.get(0))
        .startsWith(
            "http_port 3129 ssl-bump tls-cert=/etc/cephaloproxy/tls/tls.crt "
                + "tls-key=/etc/cephaloproxy/tls/tls.key generate-host-certificates=on");
    assertThat(lines).contains("workers 4", "shutdown_lifetime 50 seconds");
  }

  @Test
  void aHostLayoutAddsItsListenAddressHostsFileAndNameservers() {
    Layout host =
        Layout.defaults().toBuilder()
            .listenAddress("::1")
            .hostsFile("/tmp/t/hosts")
            .dnsNameservers(java.util.List.of("127.0.0.53"))
            .build();
    var lines = SectionTests.directives(write("port: 3130", host));
    assertThat(lines)
        .contains("http_port [::1]:3130", "hosts_file /tmp/t/hosts", "dns_nameservers 127.0.0.53");
  }
}
