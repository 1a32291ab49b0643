package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SslBumpSectionTest {
  static SquidConfWriter out;

  /** The ssl-bump section alone, over the ACLs the access section defined for the same spec. */
  static List<String> write(String yaml) {
    ResolvedSpec r = SectionTests.resolved(yaml);
    AccessSection.Acls acls =
        AccessSection.acls(new SquidConfWriter(), r, Layout.defaults(), List.of());
    out = new SquidConfWriter();
    SslBumpSection.write(out, r.sslBump(), acls, Layout.defaults());
    return SectionTests.directives(out);
  }

  @Test
  void bumpAllSplicesOnlyTheListedDomains() {
    List<String> lines =
        write(
            "sslBump: {enabled: true, caSecret: {name: ca}, spliceDomains: [.bank.example], "
                + "certificateDbSize: 16Mi}");
    assertThat(lines)
        .containsExactly(
            "sslcrtd_program /usr/lib/squid/security_file_certgen -s /var/lib/squid/ssl_db -M 16MB",
            "sslcrtd_children 5 startup=1 idle=1",
            "acl cp_step1 at_step SslBump1",
            "ssl_bump peek cp_step1",
            "acl cp_splice_domains ssl::server_name \"/etc/cephaloproxy/acl-splice-domains.txt\"",
            "ssl_bump splice cp_splice_domains",
            "ssl_bump bump all");
    assertThat(out.aclFiles()).containsEntry(SslBumpSection.ACL_SPLICE_DOMAINS, ".bank.example\n");
  }

  @Test
  void peekAndSpliceTerminatesByServerNameWhatTheDomainRulesDeny() {
    List<String> lines =
        write(
            """
        sslBump: {enabled: true, caSecret: {name: ca}, policy: PeekAndSplice}
        access:
          deniedDomains: [bad.example]
          allowedDomains: [.good.example]
          allowedDomainsFrom: {name: lists, key: a.txt}
        """);
    assertThat(lines)
        .containsSubsequence(
            "acl cp_sni_denied ssl::server_name \"/etc/cephaloproxy/acl-denied-domains.txt\"",
            "ssl_bump terminate cp_sni_denied",
            "acl cp_sni_allowed ssl::server_name \"/etc/cephaloproxy/acl-allowed-domains.txt\"",
            "acl cp_sni_allowed_list ssl::server_name \"/etc/cephaloproxy/lists/allowed/domains.txt\"",
            "ssl_bump terminate !cp_sni_allowed !cp_sni_allowed_list",
            "ssl_bump splice all")
        .doesNotContain("ssl_bump bump all");
  }

  @Test
  void peekAndSpliceInAuditModeTerminatesNothing() {
    List<String> lines =
        write(
            "sslBump: {enabled: true, caSecret: {name: ca}, policy: PeekAndSplice}\n"
                + "access: {mode: Audit, deniedDomains: [bad.example]}");
    assertThat(lines)
        .noneMatch(l -> l.startsWith("ssl_bump terminate"))
        .contains("ssl_bump splice all");
  }
}
