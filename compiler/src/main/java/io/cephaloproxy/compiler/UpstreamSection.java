package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.UpstreamSpec;

/**
 * spec.upstream: the parent proxy. With credentials the init step writes the {@code cache_peer}
 * line with {@code login=} from the mounted Secret into an include file, so no secret reaches the
 * ConfigMap.
 */
final class UpstreamSection {
  private UpstreamSection() {}

  static void write(SquidConfWriter out, UpstreamSpec u, Layout layout) {
    if (u == null) {
      return;
    }
    out.section("Upstream (parent proxy)");
    out.line(
        u.getCredentialsSecret() != null ? "include " + layout.upstreamInclude() : cachePeer(u));
    out.line(
        Boolean.FALSE.equals(u.getNeverDirect()) ? "prefer_direct off" : "never_direct allow all");
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
