package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Cmd;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The end of the README's run command, {@code scripts/cluster/demo.sh}, as a newcomer meets it: it
 * installs the release of stage 60 from the local registry, applies examples/basic.yaml, starts a
 * web site and prints a {@code curl -x} line. That line, run on this machine as printed, must get
 * the page through the proxy (it got 403 once proxies denied the cluster's networks by default and
 * the demo's site was a pod). {@code demo.sh --remove} then removes what the demo added.
 */
class DemoE2E {
  static final String DEMO = Cluster.REPO.resolve("scripts/cluster/demo.sh").toString();

  @Test
  void theCurlLineTheDemoPrintsGetsThePageThroughTheProxy() {
    OperatorRelease.removeCrd();
    try {
      Cmd.Result demo = Cmd.run(Duration.ofMinutes(8), "bash", DEMO);
      assertThat(demo.exit()).as("demo.sh failed: %s", demo.err()).isZero();
      String line =
          demo.out()
              .lines()
              .map(String::strip)
              .filter(l -> l.startsWith("curl -x http://"))
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError("demo.sh printed no curl -x line: " + demo.out()));
      assertThat(line).endsWith("/hello").doesNotContain("'").doesNotContain(";");

      // the Service does not accept connections until kube-proxy routes it (PodNetworkClient#get)
      Cmd.Result curl =
          PodNetworkClient.whileNotConnected(
              () -> asPrinted(line), r -> PodNetworkClient.notConnected(r.exit(), r.err()));
      assertThat(curl.exit()).as("%s: %s", line, curl.err()).isZero();
      assertThat(curl.out())
          .as("what %s printed", line)
          .contains("saw origin.cephaloproxy-demo.svc." + Cluster.CLUSTER_DOMAIN + " /hello")
          .endsWith("\n200");
    } finally {
      Cmd.run(Duration.ofMinutes(4), "bash", DEMO, "--remove").orThrow();
      OperatorRelease.removeCrd();
    }
  }

  /** The printed line, word for word, with the status code written after the page. */
  static Cmd.Result asPrinted(String line) {
    return Cmd.run(
        Duration.ofSeconds(60), "bash", "-c", line + " -sS --max-time 20 -w '\\n%{http_code}'");
  }
}
