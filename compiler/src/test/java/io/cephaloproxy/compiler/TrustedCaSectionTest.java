package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrustedCaSectionTest {
  @Test
  void tlsToOriginsTrustsTheBundleTheInitStepWrites() {
    SquidConfWriter out = new SquidConfWriter();
    TrustedCaSection.write(
        out,
        SectionTests.resolved("trustedCA: {configMap: {name: cas, key: ca.pem}}")
            .spec()
            .getTrustedCA(),
        Layout.defaults());
    assertThat(SectionTests.directives(out))
        .containsExactly("tls_outgoing_options cafile=/var/lib/squid/trusted-ca.pem");
    SquidConfWriter none = new SquidConfWriter();
    TrustedCaSection.write(none, null, Layout.defaults());
    assertThat(none.lines()).isEmpty();
  }
}
