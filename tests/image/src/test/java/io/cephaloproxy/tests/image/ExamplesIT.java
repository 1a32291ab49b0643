package io.cephaloproxy.tests.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.AccessLogFormat;
import io.cephaloproxy.compiler.CompiledConfig;
import io.cephaloproxy.compiler.Layout;
import io.cephaloproxy.compiler.PodVolume;
import io.cephaloproxy.compiler.ReferencedData;
import io.cephaloproxy.compiler.SquidConfCompiler;
import io.cephaloproxy.testsupport.ExampleFile;
import io.cephaloproxy.testsupport.RepoRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every representative config of the compiler (examples/*.yaml) runs in the image, so it is proven
 * on Squid 6.13 and not only on the host's Squid 5.7: the init step accepts it, Squid starts and
 * /ready answers, and a request through it gets an answer from Squid and an access log line.
 * Secrets and ConfigMaps an example refers to but does not contain are filled with test data (CA
 * pair, htpasswd, upstream credentials, CA bundle, domain list).
 */
class ExamplesIT extends OriginSuite {

  static Stream<String> examples() throws Exception {
    try (Stream<Path> s = Files.list(RepoRoot.get().resolve("examples"))) {
      // -Dexample=NAME.yaml runs one (debugging)
      String only = System.getProperty("example", "");
      List<String> names =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml"))
              .filter(n -> only.isEmpty() || n.equals(only))
              .sorted()
              .toList();
      assertThat(names).as("examples/").hasSizeGreaterThanOrEqualTo(only.isEmpty() ? 10 : 1);
      return names.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void runsInTheImage(String example) throws Exception {
    ExampleFile ex = ExampleFile.load(RepoRoot.get().resolve("examples").resolve(example));
    ExampleFile complete = new ExampleFile(ex.proxy(), withTestData(ex));
    try (SquidPod pod = SquidPod.compile(example.replace(".yaml", ""), complete)) {
      pod.network = net.network;
      pod.up();
      String request = "http://origin/example-" + example.replace(".yaml", "");
      String response =
          new String(LifecycleIT.rawGet(pod.proxyPort(), request), StandardCharsets.ISO_8859_1);
      assertThat(response).as("an HTTP answer through Squid").startsWith("HTTP/1.1 ");
      // the text formats log the URL; the JSON decision log has host and path fields
      var logging = ex.proxy().getSpec().getLogging();
      String logged =
          logging != null && logging.getFormat() == AccessLogFormat.JSON
              ? "\"host\":\"origin\",\"port\":80,\"path\":\"/example-"
                  + example.replace(".yaml", "")
                  + "\""
              : request;
      ImageIT.awaitLog(pod.container, logged);
      assertThat(Docker.logs(pod.container).out())
          .as("access log line; response:\n%s\nlogs:\n%s", response, pod.logs())
          .contains(logged);
      assertThat(Docker.logs(pod.container).all())
          .as("no FATAL from Squid")
          .doesNotContain("FATAL");
    }
  }

  /**
   * The example's own data plus test contents for every Secret/ConfigMap it mounts but does not
   * contain.
   */
  ReferencedData withTestData(ExampleFile ex) throws Exception {
    CompiledConfig c =
        SquidConfCompiler.compile(ex.proxy().getSpec(), ex.data(), Layout.defaults());
    ReferencedData.Builder b = ReferencedData.builder().complete(false);
    for (PodVolume v : c.volumes()) {
      if (v.source() == null) {
        continue;
      }
      if (v.kind() == PodVolume.Kind.SECRET) {
        Map<String, byte[]> data = new TreeMap<>(ex.data().secret(v.source()).orElse(Map.of()));
        v.items().forEach((key, file) -> data.computeIfAbsent(key, k -> testContent(v, file)));
        b.secret(v.source(), data);
      } else if (v.kind() == PodVolume.Kind.CONFIG_MAP) {
        Map<String, String> data = new TreeMap<>(ex.data().configMap(v.source()).orElse(Map.of()));
        v.items()
            .forEach(
                (key, file) ->
                    data.computeIfAbsent(
                        key, k -> new String(testContent(v, file), StandardCharsets.UTF_8)));
        b.configMap(v.source(), data);
      }
    }
    return b.build();
  }

  private byte[] testContent(PodVolume v, String file) {
    String path = v.mountPath() + "/" + file;
    if (path.endsWith("/tls/tls.crt")) {
      return net.pem("proxy-ca").getBytes(StandardCharsets.UTF_8);
    }
    if (path.endsWith("/tls/tls.key")) {
      return TestNet.read(net.pki.resolve("proxy-ca.key"));
    }
    if (path.endsWith("/auth/htpasswd")) {
      // user "alice", password "secret" (apr1 MD5, which basic_ncsa_auth reads)
      return "alice:$apr1$cpit0001$xfxXGxHT3Twq3vPMWKCv1/\n".getBytes(StandardCharsets.UTF_8);
    }
    if (path.contains("/upstream/")) {
      return (file.equals("username") ? "proxyuser" : "p@ss:w%rd").getBytes(StandardCharsets.UTF_8);
    }
    if (path.contains("/trusted-ca/")) {
      return net.pem("origin-ca").getBytes(StandardCharsets.UTF_8);
    }
    if (path.contains("/lists/")) {
      return ".example.com\norigin\n".getBytes(StandardCharsets.UTF_8);
    }
    if (path.contains("/custom/")) {
      return "# test custom config\n".getBytes(StandardCharsets.UTF_8);
    }
    throw new AssertionError("no test content for " + path + " (volume " + v + ")");
  }
}
