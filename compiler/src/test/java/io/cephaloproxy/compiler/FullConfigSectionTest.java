package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FullConfigSectionTest {
  @Test
  void theUsersSquidConfIsIncludedAfterTheLocalhostOnlyCacheManager() {
    SquidConfWriter out = new SquidConfWriter();
    FullConfigSection.write(out, Layout.defaults());
    assertThat(SectionTests.directives(out))
        .containsExactly(
            "http_access allow localhost manager",
            "http_access deny manager",
            "include /etc/cephaloproxy/custom/squid.conf");
  }
}
