package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AccessSectionTest {
  static SquidConfWriter out;

  static List<String> write(String yaml) {
    out = new SquidConfWriter();
    ResolvedSpec r = SectionTests.resolved(yaml);
    AccessSection.Acls acls = AccessSection.acls(out, r, Layout.defaults(), List.of());
    AccessSection.rules(out, acls, r.spec().getExtraConfig());
    return SectionTests.directives(out);
  }

  static List<String> rules(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("http_access")).toList();
  }

  @Test
  void enforceDeniesInRuleOrderAndChecksDestinationAddressesLast() {
    List<String> lines =
        write(
            """
        access:
          deniedDomains: [bad.example]
          allowedDomains: [.good.example]
          deniedDestinationCIDRs: [10.0.0.0/8]
          allowedDestinationCIDRs: [10.1.0.0/16]
        auth: {mode: Basic, htpasswdSecret: {name: u}}
        extraConfig: "acl office src 192.168.0.0/16"
        """);
    assertThat(rules(lines))
        .containsExactly(
            "http_access allow localhost manager",
            "http_access deny manager cp_rule_manager",
            "http_access deny !cp_clients cp_rule_client",
            "http_access deny cp_rule_auth !cp_authenticated",
            "http_access deny !CONNECT !cp_safe_ports cp_rule_unsafe_port",
            "http_access deny CONNECT !cp_connect_ports cp_rule_connect_port",
            "http_access deny cp_denied_domains cp_rule_denied_domain",
            "http_access deny !cp_allowed_domains cp_rule_not_allowed_domain",
            "http_access deny cp_denied_destinations !cp_allowed_destinations cp_rule_denied_destination",
            "http_access deny cp_blocked_destinations !cp_allowed_destinations cp_rule_blocked_destination",
            "http_access allow cp_clients cp_rule_allow",
            "http_access deny all");
    assertThat(lines.indexOf("acl office src 192.168.0.0/16"))
        .isBetween(
            lines.indexOf(
                "http_access deny cp_blocked_destinations !cp_allowed_destinations cp_rule_blocked_destination"),
            lines.indexOf("http_access allow cp_clients cp_rule_allow"));
    // extraConfig without http_access lines: the final allow decides, no extra-config note
    assertThat(lines).noneMatch(l -> l.contains("cp_rule_extra_config"));
    assertThat(lines)
        .contains(
            "acl cp_rule_auth annotate_transaction cp_decision=deny cp_rule=auth",
            "acl cp_rule_not_allowed_domain annotate_transaction cp_decision=deny cp_rule=not-allowed-domain",
            "acl cp_rule_allow annotate_transaction cp_decision=allow cp_rule=allow");
    assertThat(out.aclFiles())
        .containsEntry(AccessSection.ACL_DENIED_DOMAINS, "bad.example\n")
        .containsEntry(
            AccessSection.ACL_BLOCKED_DESTINATIONS,
            "0.0.0.0/8\n100.100.100.200/32\n127.0.0.0/8\n168.63.129.16/32\n169.254.0.0/16\n"
                + "::/128\n::1/128\nfd00:ec2::254/128\nfe80::/10\n");
  }

  static String blocked(String yaml, List<String> clusterNetworks) {
    SquidConfWriter w = new SquidConfWriter();
    AccessSection.acls(w, SectionTests.resolved(yaml), Layout.defaults(), clusterNetworks);
    return w.aclFiles().get(AccessSection.ACL_BLOCKED_DESTINATIONS);
  }

  @Test
  void clusterNetworksAreBlockedUnlessTheProxyAllowsThem() {
    List<String> cluster =
        List.of("10.96.0.0/12", "10.244.1.0/24", "10.244.0.0/24", "fd00:10::/108");
    assertThat(blocked("{}", cluster))
        .contains("10.244.0.0/24\n10.244.1.0/24\n10.96.0.0/12\n")
        .contains("fd00:10::/108\n");
    assertThat(blocked("access: {clusterNetworks: Deny}", cluster)).contains("10.96.0.0/12\n");
    assertThat(blocked("access: {clusterNetworks: Allow}", cluster))
        .doesNotContain("10.96.")
        .doesNotContain("10.244.")
        .doesNotContain("fd00:10::")
        .contains("169.254.0.0/16\n");
  }

  @Test
  void networksInsideAnotherAreDroppedSoSquidKeepsTheWiderOne() {
    // Squid warns "is a subnetwork of" and then ignores the wider entry
    assertThat(
            blocked("{}", List.of("10.96.0.0/12", "10.96.0.1/32", "127.0.0.1/32", "10.96.0.0/12")))
        .contains("10.96.0.0/12\n")
        .doesNotContain("10.96.0.1/32")
        .doesNotContain("127.0.0.1/32");
  }

  @Test
  void auditOnlyAnnotatesButStillBlocksTheBuiltInDestinationsFirst() {
    List<String> lines = write("access: {mode: Audit, deniedDomains: [bad.example]}");
    assertThat(lines)
        .contains(
            "acl cp_would_deny note would_deny",
            "acl cp_wd_denied_domain annotate_transaction would_deny=denied-domain")
        .doesNotContain(
            "acl cp_wd_denied_destination annotate_transaction would_deny=denied-destination");
    assertThat(rules(lines))
        .containsSubsequence(
            "http_access deny cp_blocked_destinations cp_rule_blocked_destination",
            "http_access deny cp_denied_domains !cp_would_deny cp_wd_denied_domain !all",
            "http_access allow cp_clients cp_rule_allow");
    // the audit rules never deny, so they name no deciding rule (would_deny= does)
    assertThat(lines).noneMatch(l -> l.startsWith("acl cp_rule_denied_domain "));
  }

  @Test
  void everyRuleThatCanDecideNamesItselfOnlyWhenItFires() {
    List<String> lines =
        write(
            """
        access:
          deniedDomains: [bad.example]
          allowedDomains: [.good.example]
          deniedDestinationCIDRs: [10.0.0.0/8]
        auth: {mode: Basic, htpasswdSecret: {name: u}}
        extraConfig: |
          acl office src 192.168.0.0/16
          http_access deny office
        """);
    List<String> defined =
        lines.stream()
            .filter(l -> l.startsWith("acl cp_rule_"))
            .map(l -> l.replaceAll(".* cp_rule=", ""))
            .toList();
    assertThat(defined).containsExactlyElementsOf(AccessSection.RULES);
    for (String rule : AccessSection.RULES) {
      List<String> using =
          rules(lines).stream()
              .filter(l -> List.of(l.split(" ")).contains(AccessSection.ruleAcl(rule)))
              .toList();
      assertThat(using).as(rule).isNotEmpty();
      // last on its line (it only annotates when everything before it matched), but for auth
      // (whose proxy_auth ACL must stay last for the 407) and the extraConfig marker (never
      // matches)
      for (String l : using) {
        if (rule.equals(AccessSection.RULE_AUTH)) {
          assertThat(l).endsWith(" !cp_authenticated");
        } else if (rule.equals(AccessSection.RULE_EXTRA_CONFIG)) {
          assertThat(l).endsWith(" !all");
          assertThat(lines.indexOf(l)).isLessThan(lines.indexOf("http_access deny office"));
        } else {
          assertThat(l).endsWith(" " + AccessSection.ruleAcl(rule));
        }
      }
    }
    assertThat(lines)
        .contains(
            "acl cp_rule_extra_config annotate_transaction cp_decision=- cp_rule=extra-config");
  }

  @Test
  void aReferencedListIsReadFromItsMountedFile() {
    List<String> lines = write("access: {allowedDomainsFrom: {name: lists, key: a.txt}}");
    assertThat(lines)
        .contains(
            "acl cp_allowed_domains_list dstdomain -n \"/etc/cephaloproxy/lists/allowed/domains.txt\"")
        .contains("http_access deny !cp_allowed_domains_list cp_rule_not_allowed_domain");
  }
}
