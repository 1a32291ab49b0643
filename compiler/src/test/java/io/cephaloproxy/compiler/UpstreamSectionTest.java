package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamSectionTest {
  static List<String> write(String yaml) {
    SquidConfWriter out = new SquidConfWriter();
    UpstreamSection.write(out, SectionTests.resolved(yaml).spec().getUpstream(), Layout.defaults());
    return SectionTests.directives(out);
  }

  @Test
  void aParentWithoutCredentialsIsACachePeerAndNeverDirectByDefault() {
    assertThat(write("upstream: {host: parent.example}"))
        .containsExactly(
            "cache_peer parent.example parent 3128 0 no-query no-digest default name=upstream",
            "never_direct allow all");
  }

  @Test
  void credentialsStayOutOfSquidConfTheInitStepWritesTheInclude() {
    assertThat(
            write(
                "upstream: {host: 10.0.0.1, port: 8080, neverDirect: false, credentialsSecret: {name: c}}"))
        .containsExactly("include /var/run/squid/upstream.conf", "prefer_direct off");
  }

  @Test
  void noUpstreamWritesNothing() {
    assertThat(write("{}")).isEmpty();
  }
}
