package io.cephaloproxy.compiler;

/**
 * Expert mode (spec.squidConfFrom): the container contract stays generated, the cache manager stays
 * localhost-only, and the user's squid.conf is {@code include}d from its mounted ConfigMap key.
 */
final class FullConfigSection {
  private FullConfigSection() {}

  static void write(SquidConfWriter out, Layout layout) {
    out.section("Cache manager: localhost only (the pod's health and metrics read it)");
    out.line("http_access allow localhost manager");
    out.line("http_access deny manager");
    out.section(
        "The user's squid.conf (the squidConfFrom ConfigMap key, mounted at "
            + layout.customConfig()
            + ")");
    out.line("include " + layout.customConfig());
  }
}
