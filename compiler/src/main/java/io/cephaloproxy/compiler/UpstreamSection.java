package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.UpstreamSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * spec.upstream: the parent proxy. With credentials the init step writes the {@code cache_peer}
 * line with {@code login=} from the mounted Secret into an include file, so no secret reaches the
 * ConfigMap. With {@code fromClusterProxy} the operator's NO_PROXY becomes {@code always_direct}
 * rules ({@link NoProxy}): those destinations are reached directly, never through the cluster proxy
 * (Squid checks always_direct before never_direct).
 */
final class UpstreamSection {
  // ACL file names (keys of the generated ConfigMap)
  static final String ACL_NO_PROXY_DOMAINS = "acl-no-proxy-domains.txt";
  static final String ACL_NO_PROXY_DESTINATIONS = "acl-no-proxy-destinations.txt";

  private UpstreamSection() {}

  /**
   * @param noProxy the operator's NO_PROXY entries, applied when upstream.fromClusterProxy is true
   */
  static void write(SquidConfWriter out, UpstreamSpec u, Layout layout, List<String> noProxy) {
    if (u == null) {
      return;
    }
    out.section("Upstream (parent proxy)");
    out.line(
        u.getCredentialsSecret() != null ? "include " + layout.upstreamInclude() : cachePeer(u));
    if (Boolean.TRUE.equals(u.getFromClusterProxy())) {
      alwaysDirect(out, NoProxy.rules(noProxy), layout);
    }
    out.line(
        Boolean.FALSE.equals(u.getNeverDirect()) ? "prefer_direct off" : "never_direct allow all");
  }

  /** The NO_PROXY destinations: direct. Domains first: dstdomain -n never waits for DNS. */
  private static void alwaysDirect(SquidConfWriter out, NoProxy.Rules rules, Layout layout) {
    if (rules.all()) {
      out.line("always_direct allow all");
      return;
    }
    if (rules.isEmpty()) {
      return;
    }
    List<String> acls = new ArrayList<>();
    listAcl(
        out,
        layout,
        acls,
        "cp_no_proxy_domains dstdomain -n",
        ACL_NO_PROXY_DOMAINS,
        rules.domains());
    listAcl(
        out,
        layout,
        acls,
        "cp_no_proxy_destinations dst",
        ACL_NO_PROXY_DESTINATIONS,
        rules.destinations());
    acls.forEach(acl -> out.line("always_direct allow " + acl));
  }

  /** An ACL of a list file, unless the list is empty; its name is added to {@code names}. */
  private static void listAcl(
      SquidConfWriter out,
      Layout layout,
      List<String> names,
      String nameAndType,
      String file,
      List<String> entries) {
    if (entries.isEmpty()) {
      return;
    }
    out.aclFile(file, entries);
    out.line("acl " + nameAndType + " \"" + layout.configFile(file) + "\"");
    names.add(nameAndType.substring(0, nameAndType.indexOf(' ')));
  }

  /** The cache_peer line without login= (also runtime.properties' upstream.cachePeer). */
  static String cachePeer(UpstreamSpec u) {
    return "cache_peer "
        + u.getHost()
        + " parent "
        + ResolvedSpec.or(u.getPort(), () -> Defaults.UPSTREAM_PORT)
        + " 0 no-query no-digest default name=upstream";
  }
}
