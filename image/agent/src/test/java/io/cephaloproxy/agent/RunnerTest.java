package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent run} as a real process around a fake squid (a shell script), for signals and exit
 * codes.
 */
class RunnerTest {
  @TempDir Path tmp;
  Path etc;
  Path log;
  Process agent;
  int healthPort;
  Map<String, String> props = new HashMap<>();

  @BeforeEach
  void setUp() throws IOException {
    etc = tmp.resolve("etc");
    log = tmp.resolve("agent.log");
    healthPort = freePort();
    props.put("squid.binary", tmp.resolve("squid").toString());
    props.put("squid.pidFile", tmp.resolve("squid.pid").toString());
    props.put("squid.port", Integer.toString(freePort()));
    props.put("health.port", Integer.toString(healthPort));
    props.put("health.bind", "127.0.0.1");
    props.put("squid.shutdownLifetimeSeconds", "1");
    props.put("termination.log", tmp.resolve("termination-log").toString());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (agent != null && agent.isAlive()) {
      agent.descendants().forEach(ProcessHandle::destroyForcibly);
      agent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * The fake squid: `-k interrupt|reconfigure` is logged and exits at once; otherwise runs the
   * body.
   */
  void start(String fakeSquid) throws Exception {
    Fixtures.script(
        tmp.resolve("squid"),
        "if [ \"$1\" = -k ]; then echo \"squid -k $2\"; exit 0; fi\n" + fakeSquid);
    Fixtures.properties(etc, props);
    agent =
        Fixtures.agent(List.of(), "run", "--config-dir", etc.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    awaitLog("health server on");
  }

  String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  void awaitLog(String text) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!log().contains(text)) {
      assertThat(System.nanoTime())
          .as("log line '" + text + "' within 10 s; log:\n" + log())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void squidDyingOnItsOwnEndsTheContainerNonZeroWithinASecond() throws Exception {
    start(
        "echo \"squid says hello on stdout, args: $*\"; sleep 1; echo 'FATAL: something broke' >&2; exit 3");
    awaitLog("FATAL: something broke");
    long seen = System.nanoTime();
    assertThat(agent.waitFor(5, TimeUnit.SECONDS)).isTrue();
    long millis = (System.nanoTime() - seen) / 1_000_000;
    assertThat(agent.exitValue()).isEqualTo(3);
    assertThat(millis).isLessThan(1000);
    assertThat(log())
        .contains(
            "squid says hello on stdout, args: -N -f " + etc.resolve("squid.conf") + " -n squid",
            "agent: ERROR: run: squid exited on its own with exit code 3");
    assertThat(tmp.resolve("termination-log"))
        .hasContent("squid exited on its own with exit code 3 (its cache.log on stderr says why)");
  }

  @Test
  void decisionsAreCountedFromSquidsStdoutAndTheLinesForwardedWithoutThePrefix() throws Exception {
    props.put("accessLog.decisions", "true");
    props.put("accessLog.mode", "enforce");
    // two "workers" writing at once, then Squid exits: every line is still forwarded and counted
    start(
        "for w in 1 2; do (i=0; while [ $i -lt 50 ]; do"
            + " echo \"cp1 deny not-allowed-domain - TCP_DENIED 403 3900 0 worker$w line $i\";"
            + " echo \"cp1 allow allow - TCP_MISS 200 100 20 worker$w ok $i\"; i=$((i+1)); done) &"
            + " done; wait; echo 'cp1 deny auth - TCP_DENIED 407 3500 0 last line'; sleep 30");
    awaitLog("last line");
    CacheManager.Response m = CacheManager.get("127.0.0.1", healthPort, "/metrics", 5000);
    assertThat(m.body())
        .contains(
            "cephaloproxy_requests_total{decision=\"deny\",rule=\"not-allowed-domain\",mode=\"enforce\"} 100\n",
            "cephaloproxy_requests_total{decision=\"allow\",rule=\"allow\",mode=\"enforce\"} 100\n",
            "cephaloproxy_requests_total{decision=\"deny\",rule=\"auth\",mode=\"enforce\"} 1\n",
            "cephaloproxy_request_duration_seconds_count{decision=\"allow\"} 100\n");
    assertThat(log().lines().filter(l -> l.startsWith("worker")).count()).isEqualTo(200);
    assertThat(log()).contains("\nlast line\n").doesNotContain("cp1 ");
  }

  @Test
  void squidExitingZeroUnaskedIsStillAFailure() throws Exception {
    start("sleep 0.5; exit 0");
    assertThat(agent.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).isEqualTo(1);
  }

  @Test
  void sigtermIsForwardedAndTheAgentWaitsForSquidThenExitsZero() throws Exception {
    // a squid that takes 1.5 s to drain after SIGTERM
    start(
        "trap 'echo squid got TERM; sleep 1.5; echo squid drained; exit 0' TERM\nwhile true; do sleep 0.05; done");
    Thread.sleep(300);
    long t0 = System.nanoTime();
    agent.destroy();
    awaitLog("squid got TERM");
    // readiness fails at once while squid drains; health keeps answering
    CacheManager.Response ready = CacheManager.get("127.0.0.1", healthPort, "/ready", 3000);
    assertThat(ready.status()).as(ready.error() + "; " + log()).isEqualTo(503);
    assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(agent.exitValue()).isZero();
    assertThat(millis).isBetween(1400L, 4000L);
    assertThat(tmp.resolve("termination-log")).doesNotExist();
    // nothing is connected to the (fake) proxy port, so the agent asks Squid to skip the rest of
    // shutdown_lifetime
    assertThat(log())
        .contains(
            "run: SIGTERM: not ready any more",
            "run: no client connections left",
            "squid -k interrupt",
            "squid drained",
            "run: squid stopped (exit 0)");
  }

  @Test
  void squidIgnoringSigtermIsKilledAfterShutdownLifetimePlusFive() throws Exception {
    props.put("squid.shutdownLifetimeSeconds", "0");
    start("trap 'echo squid ignores TERM' TERM\nwhile true; do sleep 0.05; done");
    Thread.sleep(300);
    long t0 = System.nanoTime();
    agent.destroy();
    assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(agent.exitValue()).isEqualTo(1);
    assertThat(millis).isBetween(4500L, 8000L);
    assertThat(log()).contains("squid ignores TERM", "did not stop within 5 s and was killed");
  }

  @Test
  void workersAboveOneUseForegroundAndStalePidIsRemoved() throws Exception {
    props.put("squid.workers", "4");
    props.put("squid.serviceName", "proxyb");
    Files.writeString(tmp.resolve("squid.pid"), "999999999\n");
    start("echo \"args: $*\"; sleep 0.3; exit 2");
    assertThat(agent.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(log())
        .contains(
            "run: removed stale pid file",
            "args: --foreground -d 0 -f " + etc.resolve("squid.conf") + " -n proxyb");
    assertThat(tmp.resolve("squid.pid")).doesNotExist();
  }

  @Test
  void healthIsFalseWhileSquidsPortIsClosed() throws Exception {
    start("while true; do sleep 0.05; done");
    Thread.sleep(500);
    CacheManager.Response h = CacheManager.get("127.0.0.1", healthPort, "/health", 3000);
    assertThat(h.status()).as(h.error() + "; " + log()).isEqualTo(503);
    assertThat(CacheManager.get("127.0.0.1", healthPort, "/ready", 2000).status()).isEqualTo(503);
    CacheManager.Response m = CacheManager.get("127.0.0.1", healthPort, "/metrics", 5000);
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.body())
        .contains("squid_up 1\n", "squid_cachemgr_up 0\n", "cephaloproxy_agent_shutting_down 0\n");
    MetricsTest.assertValidExposition(m.body());
  }

  @Test
  void aSquidThatAcceptsButNeverAnswersCannotHangTheHealthServer() throws Exception {
    // the "Squid port" accepts connections (kernel backlog) but nothing ever answers
    try (ServerSocket stuck =
        new ServerSocket(
            Integer.parseInt(props.get("squid.port")),
            50,
            java.net.InetAddress.getLoopbackAddress())) {
      start("while true; do sleep 0.05; done");
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(6);
      try {
        long t0 = System.nanoTime();
        List<java.util.concurrent.Future<CacheManager.Response>> readies =
            new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
          readies.add(pool.submit(() -> CacheManager.get("127.0.0.1", healthPort, "/ready", 5000)));
        }
        CacheManager.Response metrics =
            pool.submit(() -> CacheManager.get("127.0.0.1", healthPort, "/metrics", 8000)).get();
        CacheManager.Response health = CacheManager.get("127.0.0.1", healthPort, "/health", 3000);
        for (java.util.concurrent.Future<CacheManager.Response> f : readies) {
          assertThat(f.get().status()).isEqualTo(503);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(health.status()).as("listening and alive").isEqualTo(200);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("squid_up 1\n", "squid_cachemgr_up 0\n");
        // /ready gives up after 1 s, /metrics after 2 s per page: nothing waits for the stuck Squid
        assertThat(millis).isLessThan(7000);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  void signal(String sig) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(agent.pid())).start().waitFor())
        .isZero();
  }

  @Test
  void sighupAsksSquidToReconfigureAndSigintStopsLikeSigterm() throws Exception {
    start("trap 'echo squid got TERM; exit 0' TERM\nwhile true; do sleep 0.05; done");
    signal("HUP");
    awaitLog("squid -k reconfigure");
    awaitLog("run: SIGHUP: squid -k reconfigure exit 0");
    assertThat(agent.isAlive()).isTrue();
    signal("INT");
    assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).isZero();
    assertThat(log())
        .contains(
            "run: SIGINT: not ready any more", "squid got TERM", "run: squid stopped (exit 0)");
  }
}
