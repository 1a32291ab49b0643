package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.ClusterNetworkAccess;
import io.cephaloproxy.api.v1alpha1.ConfigMapKeyRef;
import io.cephaloproxy.api.v1alpha1.PortRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * spec.access (and spec.extraConfig) in two parts: {@link #acls} defines the ACLs (lists in ACL
 * files, one entry per line; authentication by {@link AuthSection}) and {@link #rules} writes the
 * {@code http_access} rules.
 *
 * <p>Rule order (first match wins): cache manager from localhost only; clients outside
 * allowedClientCIDRs (403); authentication (407); ports; denied domains; the allowlist; denied
 * destination networks; extraConfig; allow the clients; deny everything else. Domain rules use
 * {@code dstdomain -n} (never a DNS lookup) and come before the {@code dst} rules, so a request the
 * domain rules deny never waits for DNS and an IP URL is never reverse-resolved.
 */
final class AccessSection {
  // ACL file names (keys of the generated ConfigMap)
  static final String ACL_CLIENTS = "acl-clients.txt";
  static final String ACL_BLOCKED_DESTINATIONS = "acl-blocked-destinations.txt";
  static final String ACL_DENIED_DESTINATIONS = "acl-denied-destinations.txt";
  static final String ACL_ALLOWED_DESTINATIONS = "acl-allowed-destinations.txt";
  static final String ACL_ALLOWED_DOMAINS = "acl-allowed-domains.txt";
  static final String ACL_DENIED_DOMAINS = "acl-denied-domains.txt";

  /**
   * Destinations denied unless listed in allowedDestinationCIDRs: link-local, the cloud metadata
   * addresses outside it (Alibaba 100.100.100.200, Azure's wire server 168.63.129.16, AWS's IPv6
   * IMDS fd00:ec2::254) and the host itself (0/8, 127/8, ::/128, ::1). Denied in Audit mode too
   * (Audit never opens the metadata endpoint). Squid reads an IPv4-mapped IPv6 destination
   * (::ffff:127.0.0.1) as the IPv4 address, so the IPv4 entries cover the mapped forms as well (and
   * Squid cannot parse a mapped entry with an IPv6 prefix length: ::ffff:127.0.0.0/104 becomes
   * ::/0).
   */
  static final List<String> ALWAYS_BLOCKED_DESTINATIONS =
      List.of(
          "0.0.0.0/8",
          "100.100.100.200/32",
          "127.0.0.0/8",
          "168.63.129.16/32",
          "169.254.0.0/16",
          "::/128",
          "::1/128",
          "fd00:ec2::254/128",
          "fe80::/10");

  /**
   * The transaction annotation (and access log field) that names the rule Audit mode did not
   * enforce.
   */
  static final String AUDIT_NOTE = "would_deny";

  /** Audit rule names, as logged in would_deny=. */
  static final String RULE_UNSAFE_PORT = "unsafe-port";

  static final String RULE_CONNECT_PORT = "connect-port";
  static final String RULE_DENIED_DOMAIN = "denied-domain";
  static final String RULE_NOT_ALLOWED_DOMAIN = "not-allowed-domain";
  static final String RULE_DENIED_DESTINATION = "denied-destination";

  /**
   * What {@link #acls} defined, for {@link SslBumpSection} and {@link #rules}.
   *
   * @param audit Audit mode
   * @param basicAuth the cp_authenticated ACL exists
   * @param exceptAllowed the " !cp_allowed_destinations" suffix of destination denies, or ""
   * @param rules rule name → the ACL conditions Enforce denies, in rule order
   * @param deniedDomainAcls the dstdomain ACLs of denied domains (inline, then referenced list)
   * @param allowedDomainAcls the dstdomain ACLs of allowed domains
   * @param domainAclFiles domain ACL name → its list file
   */
  record Acls(
      boolean audit,
      boolean basicAuth,
      String exceptAllowed,
      Map<String, List<String>> rules,
      List<String> deniedDomainAcls,
      List<String> allowedDomainAcls,
      Map<String, String> domainAclFiles) {}

  private AccessSection() {}

  /**
   * @param clusterNetworks the cluster's Service and Pod networks, blocked like the built-in list
   *     unless access.clusterNetworks is Allow
   */
  static Acls acls(
      SquidConfWriter out, ResolvedSpec r, Layout layout, List<String> clusterNetworks) {
    AccessSpec a = r.access();
    out.section("ACLs (lists live in ACL files, one entry per line)");
    out.aclFile(
        ACL_CLIENTS,
        cidrs(ResolvedSpec.or(a.getAllowedClientCIDRs(), () -> AccessSpec.DEFAULT_CLIENT_CIDRS)));
    out.line("acl cp_clients src \"" + layout.configFile(ACL_CLIENTS) + "\"");
    out.line(
        "acl cp_safe_ports port "
            + ports(ResolvedSpec.or(a.getAllowedPorts(), AccessSpec::defaultAllowedPorts)));
    out.line(
        "acl cp_connect_ports port "
            + ports(
                ResolvedSpec.or(
                    a.getAllowedConnectPorts(), AccessSpec::defaultAllowedConnectPorts)));

    List<String> blocked = new ArrayList<>(ALWAYS_BLOCKED_DESTINATIONS);
    if (a.getClusterNetworks() != ClusterNetworkAccess.Allow) {
      blocked.addAll(clusterNetworks);
    }
    out.aclFile(ACL_BLOCKED_DESTINATIONS, Cidrs.withoutNested(blocked));
    out.line(
        "acl cp_blocked_destinations dst \"" + layout.configFile(ACL_BLOCKED_DESTINATIONS) + "\"");
    List<String> deniedDst =
        cidrs(Optional.ofNullable(a.getDeniedDestinationCIDRs()).orElse(List.of()));
    if (!deniedDst.isEmpty()) {
      out.aclFile(ACL_DENIED_DESTINATIONS, deniedDst);
      out.line(
          "acl cp_denied_destinations dst \"" + layout.configFile(ACL_DENIED_DESTINATIONS) + "\"");
    }
    List<String> allowedDst =
        cidrs(Optional.ofNullable(a.getAllowedDestinationCIDRs()).orElse(List.of()));
    if (!allowedDst.isEmpty()) {
      out.aclFile(ACL_ALLOWED_DESTINATIONS, allowedDst);
      out.line(
          "acl cp_allowed_destinations dst \""
              + layout.configFile(ACL_ALLOWED_DESTINATIONS)
              + "\"");
    }
    String exceptAllowed = allowedDst.isEmpty() ? "" : " !cp_allowed_destinations";

    Map<String, String> domainAclFiles = new TreeMap<>();
    List<String> deniedAcls =
        domainAcls(
            out,
            layout,
            domainAclFiles,
            "cp_denied_domains",
            ACL_DENIED_DOMAINS,
            a.getDeniedDomains(),
            a.getDeniedDomainsFrom(),
            Layout.DENIED);
    List<String> allowedAcls =
        domainAcls(
            out,
            layout,
            domainAclFiles,
            "cp_allowed_domains",
            ACL_ALLOWED_DOMAINS,
            a.getAllowedDomains(),
            a.getAllowedDomainsFrom(),
            Layout.ALLOWED);

    boolean basic = AuthSection.write(out, r.spec().getAuth(), layout);

    Map<String, List<String>> rules = new LinkedHashMap<>();
    rules.put(RULE_UNSAFE_PORT, List.of("!CONNECT !cp_safe_ports"));
    rules.put(RULE_CONNECT_PORT, List.of("CONNECT !cp_connect_ports"));
    rules.put(RULE_DENIED_DOMAIN, deniedAcls);
    if (!allowedAcls.isEmpty()) {
      rules.put(
          RULE_NOT_ALLOWED_DOMAIN,
          List.of(allowedAcls.stream().map(acl -> "!" + acl).collect(Collectors.joining(" "))));
    }
    rules.put(
        RULE_DENIED_DESTINATION,
        deniedDst.isEmpty() ? List.of() : List.of("cp_denied_destinations" + exceptAllowed));
    if (r.audit()) {
      out.section(
          "Audit mode: the rules below only log would_deny=<rule>; the built-in destination block still denies");
      out.line("acl cp_would_deny note " + AUDIT_NOTE);
      rules.forEach(
          (rule, conditions) -> {
            if (!conditions.isEmpty()) {
              out.line(
                  "acl " + auditAcl(rule) + " annotate_transaction " + AUDIT_NOTE + "=" + rule);
            }
          });
    }
    return new Acls(
        r.audit(), basic, exceptAllowed, rules, deniedAcls, allowedAcls, domainAclFiles);
  }

  static void rules(SquidConfWriter out, Acls acls, String extraConfig) {
    out.section("Access rules (first match wins)");
    out.line("http_access allow localhost manager");
    out.line("http_access deny manager");
    out.line("http_access deny !cp_clients");
    if (acls.basicAuth()) {
      out.line("http_access deny !cp_authenticated");
    }
    if (acls.audit()) {
      // enforced before the audit rules, so a request that is really denied carries no would_deny
      // note
      out.line("http_access deny cp_blocked_destinations" + acls.exceptAllowed());
    }
    acls.rules()
        .forEach(
            (rule, conditions) -> {
              for (String cond : conditions) {
                out.line(
                    acls.audit()
                        ? "http_access deny " + cond + " !cp_would_deny " + auditAcl(rule) + " !all"
                        : "http_access deny " + cond);
              }
            });
    if (!acls.audit()) {
      // last of the generated denies: a dst check resolves the host name, the domain rules above
      // never do
      out.line("http_access deny cp_blocked_destinations" + acls.exceptAllowed());
    }
    if (extraConfig != null) {
      List<String> extra =
          ConfigLines.check(
              extraConfig,
              false,
              (l, m) -> {
                throw new IllegalStateException(
                    "extraConfig passed validation but not the compiler: line " + l + ": " + m);
              });
      if (!extra.isEmpty()) {
        out.section("extraConfig (validated; after the generated denies, before the final allow)");
        extra.forEach(out::line);
        out.line("# --- end of extraConfig ---");
      }
    }
    out.line("http_access allow cp_clients");
    out.line("http_access deny all");
  }

  private static String auditAcl(String rule) {
    return "cp_wd_" + rule.replace('-', '_');
  }

  private static List<String> cidrs(List<String> list) {
    return list.stream().map(Cidrs::normalize).sorted().distinct().toList();
  }

  private static String ports(List<PortRange> ports) {
    return ports.stream().map(PortRange::toSquid).distinct().collect(Collectors.joining(" "));
  }

  /**
   * ACLs for an inline list (an ACL file) and a referenced list (the user's ConfigMap key,
   * mounted); their names.
   */
  private static List<String> domainAcls(
      SquidConfWriter out,
      Layout layout,
      Map<String, String> files,
      String acl,
      String file,
      List<String> inline,
      ConfigMapKeyRef ref,
      String which) {
    List<String> names = new ArrayList<>();
    if (inline != null && !inline.isEmpty()) {
      out.aclFile(file, Domains.normalize(inline));
      out.line("acl " + acl + " dstdomain -n \"" + layout.configFile(file) + "\"");
      files.put(acl, layout.configFile(file));
      names.add(acl);
    }
    if (ref != null) {
      String list = layout.listFile(which);
      out.line("acl " + acl + "_list dstdomain -n \"" + list + "\"");
      files.put(acl + "_list", list);
      names.add(acl + "_list");
    }
    return names;
  }
}
