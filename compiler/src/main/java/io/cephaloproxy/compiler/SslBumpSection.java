package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.SslBumpPolicy;
import io.cephaloproxy.api.v1alpha1.SslBumpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * spec.sslBump (when enabled): the certificate generator and the ssl_bump steps. BumpAll decrypts
 * all but the spliceDomains; PeekAndSplice never decrypts and, in Enforce mode, terminates by
 * server name (SNI) what the domain rules deny.
 */
final class SslBumpSection {
  static final String ACL_SPLICE_DOMAINS = "acl-splice-domains.txt";

  private SslBumpSection() {}

  static void write(SquidConfWriter out, SslBumpSpec b, AccessSection.Acls acls, Layout layout) {
    SslBumpPolicy policy = ResolvedSpec.or(b.getPolicy(), () -> SslBumpPolicy.BumpAll);
    out.section("SSL-bump (" + policy + ")");
    out.line(
        "sslcrtd_program "
            + layout.helper("security_file_certgen")
            + " -s "
            + layout.sslDb()
            + " -M "
            + certificateDbSize(b));
    out.line("sslcrtd_children 5 startup=1 idle=1");
    out.line("acl cp_step1 at_step SslBump1");
    out.line("ssl_bump peek cp_step1");
    if (policy == SslBumpPolicy.PeekAndSplice) {
      if (!acls.audit()) {
        // server-name (SNI) twins of the domain rules, over the same files
        for (String acl :
            sniAcls(out, acls, "cp_sni_denied", "cp_denied_domains", acls.deniedDomainAcls())) {
          out.line("ssl_bump terminate " + acl);
        }
        List<String> allowed =
            sniAcls(out, acls, "cp_sni_allowed", "cp_allowed_domains", acls.allowedDomainAcls());
        if (!allowed.isEmpty()) {
          out.line(
              "ssl_bump terminate "
                  + allowed.stream().map(acl -> "!" + acl).collect(Collectors.joining(" ")));
        }
      }
      out.line("ssl_bump splice all");
    } else {
      if (b.getSpliceDomains() != null && !b.getSpliceDomains().isEmpty()) {
        out.aclFile(ACL_SPLICE_DOMAINS, Domains.normalize(b.getSpliceDomains()));
        out.line(
            "acl cp_splice_domains ssl::server_name \""
                + layout.configFile(ACL_SPLICE_DOMAINS)
                + "\"");
        out.line("ssl_bump splice cp_splice_domains");
      }
      out.line("ssl_bump bump all");
    }
  }

  /**
   * security_file_certgen's -M (and runtime.properties' sslBump.dbSize): the certificate DB size in
   * MB.
   */
  static String certificateDbSize(SslBumpSpec b) {
    String size = b == null ? null : b.getCertificateDbSize();
    return Quantities.mebibytes(
            Quantities.bytes(ResolvedSpec.or(size, () -> Defaults.CERTIFICATE_DB_SIZE)))
        + "MB";
  }

  /**
   * ssl::server_name twins (named prefix + suffix of the original) of dstdomain ACLs, over the same
   * files.
   */
  private static List<String> sniAcls(
      SquidConfWriter out,
      AccessSection.Acls acls,
      String prefix,
      String base,
      List<String> domainAcls) {
    List<String> names = new ArrayList<>();
    for (String acl : domainAcls) {
      String name = prefix + acl.substring(base.length());
      out.line("acl " + name + " ssl::server_name \"" + acls.domainAclFiles().get(acl) + "\"");
      names.add(name);
    }
    return names;
  }
}
