package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.compiler.ReferencedData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the suites: one {@link SquidLab} per class (classes run in parallel, each in its own
 * namespaces; the methods of a class run one after another), Squids started by a test are stopped
 * after it (and killed if they do not stop), and helpers that assert what a user sees.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SquidSuite {
  SquidLab lab;
  private final List<SquidInstance> started = new ArrayList<>();

  @BeforeAll
  void startLab() {
    lab = SquidLab.start();
  }

  @AfterAll
  void stopLab() {
    if (lab != null) {
      lab.close();
      lab = null;
    }
  }

  @AfterEach
  void stopSquids() {
    for (SquidInstance s : started) {
      s.close();
    }
    started.clear();
  }

  /** Stops {@code squid} after the test (or kills it). */
  void track(SquidInstance squid) {
    started.add(squid);
  }

  /**
   * Compiles the spec (YAML of {@code spec:}), prepares its files as the init container would,
   * starts Squid.
   */
  SquidInstance start(String name, String specYaml) {
    return start(name, specYaml, Map.of());
  }

  SquidInstance start(String name, String specYaml, Map<String, String> referencedData) {
    return started(CompiledSquid.compile(lab, name, specYaml, referencedData));
  }

  /** As above, with the compiler's whole input (e.g. the operator's NO_PROXY) given. */
  SquidInstance start(String name, String specYaml, ReferencedData data) {
    return started(
        CompiledSquid.compile(
            lab, name, CompiledSquid.proxy(name, specYaml), data, (source, key, file) -> null));
  }

  private SquidInstance started(CompiledSquid compiled) {
    SquidInstance squid = compiled.instance();
    started.add(squid);
    squid.init();
    squid.start();
    assertNoErrors(squid);
    return squid;
  }

  /**
   * The cache log of a running Squid has no ERROR/FATAL line (a broken helper or config says so
   * there).
   */
  static void assertNoErrors(SquidInstance squid) {
    List<String> bad =
        squid
            .cacheLog()
            .lines()
            .filter(l -> l.matches(".*\\|\\s*(ERROR|FATAL).*") || l.startsWith("FATAL"))
            .toList();
    assertThat(bad).as("ERROR/FATAL lines in the cache log" + squid.describe()).isEmpty();
  }

  /** GET via the proxy from the RFC 1918 client. */
  Curl.Response get(SquidInstance squid, String url, String... curlArgs) {
    return lab.get(squid.settings().port(), url, curlArgs);
  }

  /** The access log line for {@code method url} (waits briefly: Squid logs after replying). */
  static String logLine(SquidInstance squid, String method, String url) {
    return squid.awaitAccessLog(
        l -> l.contains(" " + method + " " + url + " ") || l.endsWith(" " + method + " " + url),
        Duration.ofSeconds(5));
  }

  void assertAllowed(SquidInstance squid, String url) {
    Curl.Response r = get(squid, url);
    assertThat(r.status())
        .as("GET " + url + " through the proxy: " + r + squid.describe())
        .isEqualTo(200);
    assertThat(r.body()).as("the origin's answer").startsWith("origin http");
    assertThat(logLine(squid, "GET", url)).contains("/200 ").doesNotContain("TCP_DENIED");
  }

  void assertDenied(SquidInstance squid, String url) {
    Curl.Response r = get(squid, url);
    assertThat(r.status())
        .as("GET " + url + " through the proxy: " + r + squid.describe())
        .isEqualTo(403);
    assertThat(logLine(squid, "GET", url)).contains("TCP_DENIED/403");
  }

  void assertConnectDenied(SquidInstance squid, String hostPort) {
    Curl.Response r =
        get(squid, "https://" + hostPort + "/", "--cacert", lab.pki.originCaCert.toString());
    assertThat(r.connectStatus())
        .as("CONNECT " + hostPort + ": " + r + squid.describe())
        .isEqualTo(403);
    assertThat(logLine(squid, "CONNECT", hostPort)).contains("TCP_DENIED/403");
  }
}
