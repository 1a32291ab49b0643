package io.cephaloproxy.tests.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.ExampleFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The pod's life: init failures users must understand, SSL-bump, caching, shutdown, restarts. */
class LifecycleIT extends OriginSuite {
  static final String BASIC =
      "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata: {name: basic}\nspec: {}\n";

  /**
   * SSL-bump with the suite's proxy CA and the origin's CA as spec.trustedCA, plus SPEC_EXTRA under
   * spec.
   */
  ExampleFile bumping(String specExtra) {
    return net.bumping("  trustedCA:\n    configMap: {name: origin-ca, key: ca.crt}\n" + specExtra);
  }

  @Test
  void invalidConfigFailsInitWithinTwoSecondsWithSquidsMessageInTheTerminationLog()
      throws Exception {
    try (SquidPod pod = SquidPod.compile("invalid", BASIC)) {
      pod.writeConfigFile(
          "/etc/cephaloproxy",
          "squid.conf",
          pod.compiled.squidConf() + "\nnot_a_squid_directive on\n");
      Docker.Result init = pod.init();
      assertThat(init.code()).as("init exit code; output:\n%s", init.all()).isEqualTo(1);
      String c = pod.name + "-init-0";
      Instant started = Instant.parse(Docker.inspect(c, "{{.State.StartedAt}}"));
      Instant finished = Instant.parse(Docker.inspect(c, "{{.State.FinishedAt}}"));
      assertThat(Duration.between(started, finished))
          .as("init run time")
          .isLessThanOrEqualTo(Duration.ofSeconds(2));
      String message = Files.readString(pod.terminationLog);
      assertThat(message).as("termination log").contains("not_a_squid_directive");
      assertThat(init.all()).contains("not_a_squid_directive");
    }
  }

  @Test
  void readOnlyCacheVolumeFailsInitNamingThePath() throws Exception {
    try (SquidPod pod =
        SquidPod.compile(
            "rocache",
            "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\n"
                + "metadata: {name: rocache}\nspec:\n  cache:\n    type: Disk\n    disk: {size: 256Mi, volume: EmptyDir}\n")) {
      pod.readOnly("/var/cache/squid");
      Docker.Result init = pod.init();
      assertThat(init.code()).as("init exit code; output:\n%s", init.all()).isEqualTo(1);
      assertThat(init.all()).contains("/var/cache/squid");
      assertThat(Files.readString(pod.terminationLog))
          .contains("/var/cache/squid")
          .contains("writable");
    }
  }

  /**
   * A kubelet passes only the image's UID (65532) to the container runtime, which then takes the
   * group from the image's /etc/passwd: that must be group 0, or the CA Secret (root:root, 0440) is
   * unreadable and the proxy never starts.
   */
  @Test
  void theImagesUidWithoutAGroupAsAKubeletRunsItReadsTheCaSecretAndBumps() {
    try (SquidPod pod = SquidPod.compile("uidonly", bumping(""))) {
      pod.network = net.network;
      pod.user = "65532";
      pod.up();
      assertThat(Docker.ok("top", pod.container, "-eo", "pid,uid,gid,args").out())
          .as("processes (pid uid gid args)")
          .containsPattern("(?m)^\\s*\\d+\\s+65532\\s+0\\s+/usr/sbin/squid ");
      HttpResponse<String> r =
          TestNet.get(net.client(pod.proxyPort(), "proxy-ca"), "https://origin/uid-only");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(TestNet.issuer(r)).as("issuer the client sees").isEqualTo("CN=proxy-ca");
    }
  }

  @Test
  void sslBumpIssuesCertificatesFromTheCaAndCachesRepeats() {
    try (SquidPod pod =
        SquidPod.compile(
            "bump", bumping("  cache:\n    type: Memory\n    memory: {size: 32Mi}\n"))) {
      pod.network = net.network;
      pod.up();
      HttpClient client = net.client(pod.proxyPort(), "proxy-ca");
      HttpResponse<String> r = TestNet.get(client, "https://origin/bumped");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("origin origin /bumped\n");
      assertThat(TestNet.issuer(r)).as("issuer the client sees").isEqualTo("CN=proxy-ca");
      ImageIT.awaitLog(pod.container, "https://origin/bumped");
      assertThat(Docker.logs(pod.container).out())
          .as("the decrypted URL in the access log")
          .containsPattern("TCP_MISS/200 \\d+ GET https://origin/bumped");

      HttpResponse<String> first = TestNet.get(client, "http://origin/count");
      HttpResponse<String> second = TestNet.get(client, "http://origin/count");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(second.body()).as("the repeat is served from the cache").isEqualTo(first.body());
      ImageIT.awaitLog(pod.container, "HIT/200");
      assertThat(Docker.logs(pod.container).out())
          .containsPattern("TCP_(MEM_)?HIT/200 \\d+ GET http://origin/count");
    }
  }

  @Test
  void sigtermLetsAnInFlightDownloadFinishFailsReadinessAtOnceAndExitsZero() throws Exception {
    try (SquidPod pod = SquidPod.compile("stop", BASIC)) {
      pod.network = net.network;
      pod.up();
      int lifetime = pod.compiled.shutdownLifetimeSeconds();
      // A client that closes its connection when done (Connection: close), as a download tool does;
      // an
      // idle keep-alive connection instead holds Squid for the whole shutdown_lifetime.
      int proxyPort = pod.proxyPort();
      CompletableFuture<byte[]> download =
          CompletableFuture.supplyAsync(() -> rawGet(proxyPort, "http://origin/slow?seconds=5"));
      SquidPod.sleep(1000);
      assertThat(download).as("download still in flight").isNotDone();
      int health = pod.healthPort();
      long t0 = System.nanoTime();
      CompletableFuture<Docker.Result> stop =
          CompletableFuture.supplyAsync(
              () ->
                  Docker.run(
                      Duration.ofSeconds(lifetime + 30),
                      "stop",
                      "-t",
                      String.valueOf(lifetime + 20),
                      pod.container));
      HttpClient direct = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
      long notReady = 0;
      while (notReady == 0 && System.nanoTime() - t0 < 3_000_000_000L) {
        if (ImageIT.status(direct, "http://127.0.0.1:" + health + "/ready") != 200) {
          notReady = System.nanoTime();
        }
        SquidPod.sleep(20);
      }
      assertThat(notReady).as("/ready failed after SIGTERM").isPositive();
      assertThat((notReady - t0) / 1_000_000)
          .as("ms from docker stop to /ready failing")
          .isLessThan(1500);

      String response =
          new String(
              download.get(30, TimeUnit.SECONDS), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(response).startsWith("HTTP/1.1 200");
      assertThat(response.substring(response.indexOf("\r\n\r\n") + 4))
          .as("the whole slow download arrived")
          .hasSize(16 * 4096);
      stop.get(lifetime + 40L, TimeUnit.SECONDS).ok();
      long stopMillis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(Docker.inspect(pod.container, "{{.State.ExitCode}}")).isEqualTo("0");
      assertThat(stopMillis)
          .as("stop time (shutdown_lifetime %s s)", lifetime)
          .isLessThanOrEqualTo((lifetime + 2) * 1000L);
      System.out.printf(
          "BENCHMARK stop with a 5 s download in flight: %d ms (shutdown_lifetime %d s)%n",
          stopMillis, lifetime);
    }
  }

  @Test
  void killingSquidMakesTheContainerExitNonZero() {
    try (SquidPod pod = SquidPod.compile("kill9", BASIC)) {
      pod.up();
      List<Long> squid = Docker.pids(pod.container, "/usr/sbin/squid");
      assertThat(squid).as("squid processes").isNotEmpty();
      long t0 = System.nanoTime();
      kill9(squid.get(0));
      int code = Docker.waitExit(pod.container, Duration.ofSeconds(10));
      assertThat(code).as("container exit code after kill -9 of squid").isNotZero();
      assertThat((System.nanoTime() - t0) / 1_000_000)
          .as("ms until the container exited")
          .isLessThan(3000);
    }
  }

  @Test
  void initIsIdempotentAcrossRestartsKeepingSslDbAndCacheAndClearingAStalePid() throws Exception {
    try (SquidPod pod =
        SquidPod.compile(
            "restart",
            bumping(
                "  cache:\n    type: Disk\n" + "    disk: {size: 256Mi, volume: EmptyDir}\n"))) {
      pod.network = net.network;
      pod.up();
      HttpClient client = net.client(pod.proxyPort(), "proxy-ca");
      assertThat(TestNet.get(client, "https://origin/first").statusCode()).isEqualTo(200);
      Path sslDb = pod.volumePath("/var/lib/squid").resolve("ssl_db");
      String index = Files.readString(sslDb.resolve("index.txt"));
      assertThat(index).as("ssl_db holds the certificate minted for origin").contains("origin");
      List<String> cache = listing(pod.volumePath("/var/cache/squid"));
      assertThat(cache).as("cache structure").isNotEmpty();

      Docker.ok("kill", pod.container); // SIGKILL: no clean shutdown, the pid file stays
      Path pid = pod.volumePath("/var/run/squid").resolve("squid.pid");
      assertThat(pid).as("stale pid file after kill").exists();

      Docker.Result init = pod.init();
      assertThat(init.code()).as("second init:\n%s", init.all()).isZero();
      assertThat(pid).as("stale pid file removed").doesNotExist();
      assertThat(Files.readString(sslDb.resolve("index.txt"))).as("ssl_db kept").isEqualTo(index);
      assertThat(listing(pod.volumePath("/var/cache/squid"))).as("cache kept").isEqualTo(cache);

      pod.start();
      pod.awaitReady(Duration.ofSeconds(20));
      HttpClient again = net.client(pod.proxyPort(), "proxy-ca");
      HttpResponse<String> r = TestNet.get(again, "https://origin/second");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(TestNet.issuer(r)).isEqualTo("CN=proxy-ca");
    }
  }

  /** GET through the proxy on a plain socket with Connection: close; returns the raw response. */
  static byte[] rawGet(int proxyPort, String url) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(60_000);
      String host = URI.create(url).getHost();
      s.getOutputStream()
          .write(
              ("GET " + url + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return s.getInputStream().readAllBytes();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<String> listing(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  static void kill9(long pid) {
    try {
      Process p =
          new ProcessBuilder("kill", "-9", Long.toString(pid)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as("kill -9 %s: %s", pid, out).isZero();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
