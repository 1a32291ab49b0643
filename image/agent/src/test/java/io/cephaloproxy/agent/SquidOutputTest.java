package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which lines of Squid's console output are errors, and what the user is shown (lines captured from
 * Squid 5.7).
 */
class SquidOutputTest {
  static final List<String> UNRECOGNIZED =
      List.of(
          "2026/11/29 00:33:21| Startup: Initialized Authentication.",
          "2026/11/29 00:33:21| Processing Configuration File: /etc/cephaloproxy/squid.conf (depth 0)",
          "2026/11/29 00:33:21| Processing: http_port 3128",
          "2026/11/29 00:33:21| Processing: not_a_squid_directive on",
          "2026/11/29 00:33:21| /etc/cephaloproxy/squid.conf(2): unrecognized: 'not_a_squid_directive'",
          "2026/11/29 00:33:21| Processing: http_access deny all",
          "2026/11/29 00:33:21| Initializing https:// proxy context",
          "2026/11/29 00:33:21| Requiring client certificates.");

  @Test
  void unrecognizedDirectiveIsAnErrorWithItsConfigLine() {
    assertThat(SquidOutput.hasErrors(UNRECOGNIZED)).isTrue();
    assertThat(SquidOutput.errorMessage(UNRECOGNIZED))
        .containsExactly(
            "Processing: not_a_squid_directive on",
            "/etc/cephaloproxy/squid.conf(2): unrecognized: 'not_a_squid_directive'");
  }

  @Test
  void echoedConfigAndProgressAreNotErrors() {
    List<String> ok =
        List.of(
            "2026/11/29 00:33:21| Processing: deny_info ERR_ACCESS_DENIED blocked",
            "2026/11/29 00:33:21| Processing: acl FATAL_words dstdomain .example",
            "2026/11/29 00:33:21| WARNING: (B) '::/0' is a subnetwork of (A) '::/0'",
            "2026/11/29 00:33:21 kid1| Initializing https:// proxy context");
    assertThat(SquidOutput.hasErrors(ok)).isFalse();
  }

  @Test
  void withoutMarkedLinesTheLastUsefulLinesAreShown() {
    List<String> lines =
        List.of(
            "2026/11/29 00:33:21| Startup: Initialized Authentication.",
            "2026/11/29 00:33:21| Processing: http_port 3128",
            "2026/11/29 00:33:21| cannot open /etc/squid/mime.conf: (2) No such file or directory",
            "2026/11/29 00:33:21| Squid Cache (Version 5.7): Terminated abnormally.",
            "CPU Usage: 0.011 seconds = 0.005 user + 0.005 sys");
    assertThat(SquidOutput.errorMessage(lines))
        .containsExactly("cannot open /etc/squid/mime.conf: (2) No such file or directory");
  }

  @Test
  void kidPrefixesAreStripped() {
    assertThat(SquidOutput.stripTimestamp("2026/11/29 00:33:21.123 kid2| ERROR: x"))
        .isEqualTo("ERROR: x");
    assertThat(SquidOutput.stripTimestamp("2026/11/29 00:33:21| FATAL: y")).isEqualTo("FATAL: y");
  }
}
