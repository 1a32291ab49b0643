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

  /**
   * The transaction annotations (access log fields {@code %{cp_rule}note} and {@code
   * %{cp_decision}note}) that name the generated http_access rule that decided a request and what
   * it decided (allow or deny; "-" when a line of extraConfig decided).
   */
  static final String RULE_NOTE = "cp_rule";

  static final String DECISION_NOTE = "cp_decision";

  /**
   * Rule names, as logged in cp_rule= and would_deny= and counted by the agent
   * (cephaloproxy_requests_total's rule label; docs/agent.md).
   */
  static final String RULE_UNSAFE_PORT = "unsafe-port";

  static final String RULE_CONNECT_PORT = "connect-port";
  static final String RULE_DENIED_DOMAIN = "denied-domain";
  static final String RULE_NOT_ALLOWED_DOMAIN = "not-allowed-domain";
  static final String RULE_DENIED_DESTINATION = "denied-destination";
  static final String RULE_MANAGER = "manager";
  static final String RULE_CLIENT = "client";
  static final String RULE_AUTH = "auth";
  static final String RULE_BLOCKED_DESTINATION = "blocked-destination";
  static final String RULE_EXTRA_CONFIG = "extra-config";
  static final String RULE_ALLOW = "allow";

  /** Every rule name a generated config can log, in rule order. */
  static final List<String> RULES =
      List.of(
          RULE_MANAGER,
          RULE_CLIENT,
          RULE_AUTH,
          RULE_UNSAFE_PORT,
          RULE_CONNECT_PORT,
          RULE_DENIED_DOMAIN,
          RULE_NOT_ALLOWED_DOMAIN,
          RULE_DENIED_DESTINATION,
          RULE_BLOCKED_DESTINATION,
          RULE_EXTRA_CONFIG,
          RULE_ALLOW);

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
    writeRuleAcls(out, r, basic, rules);
    return new Acls(
        r.audit(), basic, exceptAllowed, rules, deniedAcls, allowedAcls, domainAclFiles);
  }

  /**
   * One always-matching annotate_transaction ACL per rule the rules below use: placed last on a
   * rule's line, it names that rule in the access log only when the rule fires (the auth rule
   * carries it first, so its proxy_auth ACL stays last and Squid still answers 407); a later rule
   * that fires replaces both notes.
   */
  private static void writeRuleAcls(
      SquidConfWriter out, ResolvedSpec r, boolean basicAuth, Map<String, List<String>> rules) {
    out.section("Decision notes: each rule names itself in the access log (cp_rule, cp_decision)");
    List<String> used = new ArrayList<>(List.of(RULE_MANAGER, RULE_CLIENT));
    if (basicAuth) {
      used.add(RULE_AUTH);
    }
    if (!r.audit()) {
      rules.forEach(
          (rule, conditions) -> {
            if (!conditions.isEmpty()) {
              used.add(rule);
            }
          });
    }
    used.add(RULE_BLOCKED_DESTINATION);
    if (!extraAccessLines(r.spec().getExtraConfig()).isEmpty()) {
      used.add(RULE_EXTRA_CONFIG);
    }
    used.add(RULE_ALLOW);
    for (String rule : used) {
      String decision =
          switch (rule) {
            case RULE_ALLOW -> "allow";
            case RULE_EXTRA_CONFIG -> "-";
            default -> "deny";
          };
      out.line(
          "acl "
              + ruleAcl(rule)
              + " annotate_transaction "
              + DECISION_NOTE
              + "="
              + decision
              + " "
              + RULE_NOTE
              + "="
              + rule);
    }
  }

  /** The annotate_transaction ACL that names a rule. */
  static String ruleAcl(String rule) {
    return "cp_rule_" + rule.replace('-', '_');
  }

  static void rules(SquidConfWriter out, Acls acls, String extraConfig) {
    out.section("Access rules (first match wins)");
    out.line("http_access allow localhost manager");
    out.line("http_access deny manager " + ruleAcl(RULE_MANAGER));
    out.line("http_access deny !cp_clients " + ruleAcl(RULE_CLIENT));
    if (acls.basicAuth()) {
      // the proxy_auth ACL must stay last on the line, or Squid answers 403 instead of 407
      out.line("http_access deny " + ruleAcl(RULE_AUTH) + " !cp_authenticated");
    }
    String blocked =
        "http_access deny cp_blocked_destinations"
            + acls.exceptAllowed()
            + " "
            + ruleAcl(RULE_BLOCKED_DESTINATION);
    if (acls.audit()) {
      // enforced before the audit rules, so a request that is really denied carries no would_deny
      // note
      out.line(blocked);
    }
    acls.rules()
        .forEach(
            (rule, conditions) -> {
              for (String cond : conditions) {
                out.line(
                    acls.audit()
                        ? "http_access deny " + cond + " !cp_would_deny " + auditAcl(rule) + " !all"
                        : "http_access deny " + cond + " " + ruleAcl(rule));
              }
            });
    if (!acls.audit()) {
      // last of the generated denies: a dst check resolves the host name, the domain rules above
      // never do
      out.line(blocked);
    }
    List<String> extra = extraLines(extraConfig);
    if (!extra.isEmpty()) {
      out.section("extraConfig (validated; after the generated denies, before the final allow)");
      if (!extraAccessLines(extraConfig).isEmpty()) {
        // never matches; names extraConfig as the deciding rule unless the final allow replaces it
        out.line("http_access deny " + ruleAcl(RULE_EXTRA_CONFIG) + " !all");
      }
      extra.forEach(out::line);
      out.line("# --- end of extraConfig ---");
    }
    out.line("http_access allow cp_clients " + ruleAcl(RULE_ALLOW));
    out.line("http_access deny all");
  }

  private static List<String> extraLines(String extraConfig) {
    if (extraConfig == null) {
      return List.of();
    }
    return ConfigLines.check(
        extraConfig,
        false,
        (l, m) -> {
          throw new IllegalStateException(
              "extraConfig passed validation but not the compiler: line " + l + ": " + m);
        });
  }

  /** The http_access lines of extraConfig. */
  private static List<String> extraAccessLines(String extraConfig) {
    return extraLines(extraConfig).stream()
        .filter(l -> l.strip().startsWith("http_access"))
        .toList();
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
