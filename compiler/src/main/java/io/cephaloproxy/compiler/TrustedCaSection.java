package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.TrustedCASpec;

/**
 * spec.trustedCA: TLS to origins trusts the bundle the init step writes (system CAs plus the
 * mounted ones).
 */
final class TrustedCaSection {
  private TrustedCaSection() {}

  static void write(SquidConfWriter out, TrustedCASpec t, Layout layout) {
    if (t == null) {
      return;
    }
    out.section("Extra trusted CAs for TLS to origins (bundle written by the init step)");
    out.line("tls_outgoing_options cafile=" + layout.trustedCaBundle());
  }
}
