package io.cephaloproxy.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.compiler.ValidationError;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 14 §6: upstream.fromClusterProxy, the operator's HTTPS_PROXY/HTTP_PROXY/NO_PROXY. */
class ClusterProxyTest {

  static ClusterProxy env(String... kv) {
    var m = new java.util.HashMap<String, String>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return ClusterProxy.fromEnvironment(m);
  }

  @Test
  void httpsProxyComesFirstThenHttpProxyInEitherCase() {
    ClusterProxy p =
        env(
            "HTTP_PROXY", "http://plain.corp:3128",
            "HTTPS_PROXY", "http://egress.corp.example:8443/",
            "NO_PROXY", " .cluster.local, 10.0.0.0/8 ,,example.com");
    assertThat(p.variable()).isEqualTo("HTTPS_PROXY");
    assertThat(p.host()).isEqualTo("egress.corp.example");
    assertThat(p.port()).isEqualTo(8443);
    assertThat(p.noProxy()).containsExactly(".cluster.local", "10.0.0.0/8", "example.com");
    assertThat(p.problem()).isNull();
    assertThat(env("http_proxy", "10.1.2.3:3128", "no_proxy", "a.example"))
        .isEqualTo(new ClusterProxy("http_proxy", "10.1.2.3", 3128, List.of("a.example"), null));
    assertThat(env("HTTP_PROXY", "http://[2001:db8::1]").host()).isEqualTo("2001:db8::1");
    assertThat(env("HTTP_PROXY", "http://[2001:db8::1]").port()).isEqualTo(80);
    assertThat(env().present()).isFalse();
    assertThat(env("HTTPS_PROXY", " ").present()).isFalse();
  }

  @Test
  void unusableUrlsBecomeOneLineProblemsWithoutTheSecret() {
    ClusterProxy creds = env("HTTPS_PROXY", "http://alice:s3cret@proxy.corp:3128");
    assertThat(creds.present()).isTrue();
    assertThat(creds.problem())
        .startsWith("the operator's HTTPS_PROXY carries credentials")
        .contains("spec.upstream.credentialsSecret")
        .doesNotContain("s3cret")
        .doesNotContain("\n");
    assertThat(env("HTTP_PROXY", "https://proxy.corp:443").problem())
        .isEqualTo(
            "the operator's HTTP_PROXY has scheme 'https': only http:// parent proxies are"
                + " supported");
    assertThat(env("HTTP_PROXY", "http://pro xy:1").problem()).contains("is not a URL");
    assertThat(env("HTTP_PROXY", "http://:3128").problem()).contains("has no host");
  }

  static SquidProxy proxy(String upstream) {
    return Serialization.unmarshal(
        "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\n"
            + "metadata: {name: p, namespace: ns}\nspec:\n  upstream: "
            + upstream
            + "\n",
        SquidProxy.class);
  }

  static ModelFactory.Result create(SquidProxy p, ClusterProxy cluster) {
    return ModelFactory.create(
        p, "squid:test", (k, n) -> null, (k, n) -> null, true, List.of(), cluster);
  }

  static String squidConf(ModelFactory.Result r) {
    assertThat(r.problems()).isEmpty();
    return r.model().orElseThrow().configFiles().get("squid.conf");
  }

  @Test
  void theClusterProxyIsCompiledInAndItsChangeRollsTheProxy() {
    SquidProxy p = proxy("{fromClusterProxy: true, port: 3128}");
    ModelFactory.Result a = create(p, env("HTTPS_PROXY", "http://egress.corp:8443"));
    assertThat(squidConf(a))
        .contains("cache_peer egress.corp parent 8443 0 no-query no-digest default name=upstream")
        .contains("never_direct allow all");
    assertThat(p.getSpec().getUpstream().getHost()).as("the resource is not changed").isNull();
    ModelFactory.Result b = create(p, env("HTTPS_PROXY", "http://egress2.corp:8443"));
    assertThat(squidConf(b)).contains("cache_peer egress2.corp parent 8443");
    assertThat(b.model().orElseThrow().configHash())
        .isNotEqualTo(a.model().orElseThrow().configHash());
    ModelFactory.Result same = create(p, env("HTTPS_PROXY", "http://egress.corp:8443"));
    assertThat(same.model().orElseThrow().configHash())
        .isEqualTo(a.model().orElseThrow().configHash());
  }

  @Test
  void noProxyDestinationsGoDirectAndItsChangeRollsOnlyThoseProxies() {
    SquidProxy chained = proxy("{fromClusterProxy: true}");
    SquidProxy own = proxy("{host: parent.corp}");
    ClusterProxy a =
        env(
            "HTTPS_PROXY",
            "http://egress.corp:8443",
            "NO_PROXY",
            ".cluster.local,.svc,10.96.0.0/16,internal.corp");
    ClusterProxy b =
        env("HTTPS_PROXY", "http://egress.corp:8443", "NO_PROXY", ".cluster.local,.svc");
    ModelFactory.Result r = create(chained, a);
    assertThat(squidConf(r))
        .contains("always_direct allow cp_no_proxy_domains")
        .contains("always_direct allow cp_no_proxy_destinations")
        .contains("never_direct allow all");
    assertThat(r.model().orElseThrow().configFiles())
        .containsEntry("acl-no-proxy-domains.txt", ".cluster.local\n.internal.corp\n.svc\n")
        .containsEntry("acl-no-proxy-destinations.txt", "10.96.0.0/16\n");
    assertThat(create(chained, b).model().orElseThrow().configHash())
        .as("NO_PROXY changed: the chained proxy rolls")
        .isNotEqualTo(r.model().orElseThrow().configHash());
    assertThat(create(own, b).model().orElseThrow().configHash())
        .as("a proxy with its own parent does not roll")
        .isEqualTo(create(own, a).model().orElseThrow().configHash());
    assertThat(squidConf(create(own, a))).doesNotContain("always_direct");
  }

  @Test
  void aBadNoProxyEntryIsOneLineOnTheProxiesThatUseIt() {
    ClusterProxy bad =
        env("HTTP_PROXY", "http://egress.corp:3128", "NO_PROXY", ".svc, egress.corp:3128");
    assertThat(
            create(proxy("{fromClusterProxy: true}"), bad).problems().stream()
                .map(ValidationError::toString))
        .singleElement()
        .asString()
        .startsWith(
            "spec.upstream.fromClusterProxy: the operator's NO_PROXY entry 'egress.corp:3128'"
                + " names a port")
        .doesNotContain("\n");
    assertThat(squidConf(create(proxy("{host: parent.corp}"), bad)))
        .as("a proxy with its own parent does not care")
        .contains("cache_peer parent.corp parent 3128");
  }

  @Test
  void withoutAUsableClusterProxyConfigIsInvalidWithOneLine() {
    SquidProxy p = proxy("{fromClusterProxy: true}");
    assertThat(create(p, ClusterProxy.NONE).problems().stream().map(ValidationError::toString))
        .singleElement()
        .asString()
        .startsWith(
            "spec.upstream.fromClusterProxy: the operator has no cluster proxy (HTTPS_PROXY or"
                + " HTTP_PROXY) in its environment")
        .doesNotContain("\n");
    assertThat(
            create(p, env("HTTP_PROXY", "http://u:p@proxy.corp:3128")).problems().stream()
                .map(ValidationError::toString))
        .singleElement()
        .asString()
        .startsWith(
            "spec.upstream.fromClusterProxy: the operator's HTTP_PROXY carries credentials");
    assertThat(squidConf(create(proxy("{host: parent.corp}"), env("HTTP_PROXY", "http://u:p@x:1"))))
        .as("a proxy with its own host does not care about the cluster proxy")
        .contains("cache_peer parent.corp parent 3128");
  }

  @Test
  void theGuardrailDoesNotCheckTheClusterProxy() {
    assertThat(
            new Guardrails(List.of(), true, false)
                .check(proxy("{fromClusterProxy: true}").getSpec(), List.of("10.0.0.0/8")))
        .isEmpty();
  }
}
