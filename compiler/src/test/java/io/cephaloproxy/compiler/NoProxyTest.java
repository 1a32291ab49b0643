package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The operator's NO_PROXY entries (issue 14 §6): what each means, what is refused and how. */
class NoProxyTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "example.com|.example.com|",
        ".Example.COM|.example.com|",
        "*.example.com|.example.com|",
        "localhost|.localhost|",
        "10.0.0.1||10.0.0.1/32",
        "10.0.0.0/8||10.0.0.0/8",
        "10.1.2.3/8||10.0.0.0/8",
        "2001:DB8::1||2001:db8::1/128",
        "[2001:db8::1]||2001:db8::1/128",
        "2001:db8::1:2/32||2001:db8::/32",
        "fd00:1:2:3:4:5:6:7/64||fd00:1:2:3::/64",
        "1:0:0:2:0:0:0:3/16||1::/16",
      })
  void validEntries(String entry, String domain, String cidr) {
    assertThat(NoProxy.problem(entry)).isNull();
    NoProxy.Rules r = NoProxy.rules(List.of(entry));
    assertThat(r.domains()).isEqualTo(domain == null ? List.of() : List.of(domain));
    assertThat(r.destinations()).isEqualTo(cidr == null ? List.of() : List.of(cidr));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "proxy.corp:8080|'proxy.corp:8080' names a port (':8080')",
        "10.0.0.1:443|'10.0.0.1:443' names a port (':443')",
        "[2001:db8::1]:443|'[2001:db8::1]:443' names a port (':443')",
        "10.0.0.0/33|'10.0.0.0/33' has a prefix length above 32",
        "http://example.com|'http://example.com' is not a domain (example.com, .example.com), an IP",
        "exa mple.com|'exa mple.com' is not a domain",
        "[nonsense]|'[nonsense]' is not an IPv6 address in brackets",
        "example.com/path|'example.com/path' is not a domain",
        "10.0.0.0/x|'10.0.0.0/x' has an invalid prefix length",
      })
  void badEntriesSayWhatIsWrong(String entry, String message) {
    assertThat(NoProxy.problem(entry)).startsWith(message).doesNotContain("\n");
    assertThat(NoProxy.rules(List.of(entry)).isEmpty()).as("a bad entry is no rule").isTrue();
  }

  static List<ValidationError> validate(String upstream, List<String> noProxy) {
    return SquidConfCompiler.validate(
        SpecValidatorTest.spec("upstream: " + upstream),
        ReferencedData.builder().build().withNoProxy(noProxy));
  }

  @Test
  void aBadEntryIsOneLineOnFromClusterProxyNamingWhereToFixIt() {
    List<ValidationError> errors =
        validate(
            "{host: proxy.corp, fromClusterProxy: true}",
            List.of(".svc", "proxy.corp:8080", "10.0.0.0/8", "a b", "c;d"));
    assertThat(errors).hasSize(1);
    ValidationError e = errors.get(0);
    assertThat(e.field()).isEqualTo("spec.upstream.fromClusterProxy");
    assertThat(e.reason()).isEqualTo(ConditionReason.InvalidSpec);
    assertThat(e.toString())
        .isEqualTo(
            "spec.upstream.fromClusterProxy: the operator's NO_PROXY entry 'proxy.corp:8080' names"
                + " a port (':8080'), which the proxies cannot match in NO_PROXY: remove the port"
                + " (the entry then covers every port of the host) (and 2 more bad entries); fix"
                + " NO_PROXY where the operator gets it (on OpenShift the cluster Proxy's noProxy;"
                + " elsewhere the Subscription's config.env or the chart value extraEnv)");
    assertThatCompileFails(
        "{host: proxy.corp, fromClusterProxy: true}", List.of("proxy.corp:8080"));
  }

  static void assertThatCompileFails(String upstream, List<String> noProxy) {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                SquidConfCompiler.compile(
                    SpecValidatorTest.spec("upstream: " + upstream),
                    ReferencedData.builder().build().withNoProxy(noProxy),
                    Layout.defaults()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("NO_PROXY entry");
  }

  @Test
  void aProxyWithItsOwnParentIgnoresTheOperatorsNoProxy() {
    assertThat(validate("{host: parent.example}", List.of("proxy.corp:8080"))).isEmpty();
  }

  @Test
  void tooManyEntriesAreRefused() {
    List<String> many = IntStream.range(0, 1001).mapToObj(i -> "h" + i + ".example").toList();
    assertThat(validate("{host: proxy.corp, fromClusterProxy: true}", many))
        .singleElement()
        .asString()
        .contains("has 1001 entries, more than 1000");
    assertThat(validate("{host: proxy.corp, fromClusterProxy: true}", many.subList(0, 1000)))
        .isEmpty();
  }

  @Test
  void aChangedNoProxyChangesTheConfigHash() {
    var spec = SpecValidatorTest.spec("upstream: {host: proxy.corp, fromClusterProxy: true}");
    String a =
        SquidConfCompiler.compile(
                spec,
                ReferencedData.builder().build().withNoProxy(List.of(".svc")),
                Layout.defaults())
            .hash();
    String b =
        SquidConfCompiler.compile(
                spec,
                ReferencedData.builder().build().withNoProxy(List.of(".svc", "10.0.0.0/8")),
                Layout.defaults())
            .hash();
    assertThat(a).isNotEqualTo(b);
  }
}
