package io.cephaloproxy.tests.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The image as a user runs it: default config, health endpoints, access rules, any UID, no shell.
 */
class ImageIT extends OriginSuite {

  @Test
  void defaultConfigWithoutVolumesProxiesAndLogsToStdoutAndIsReadyWithinASecondOfSquidAccepting() {
    String c = Docker.uniqueName("default");
    try {
      Docker.ok(
          "run",
          "-d",
          "--name",
          c,
          "--network",
          net.network,
          "--dns",
          "127.0.0.1",
          "-p",
          "127.0.0.1::3128",
          "-p",
          "127.0.0.1::8080",
          "--health-interval",
          "1s",
          "--health-start-period",
          "0s",
          Docker.IMAGE);
      int proxy = Docker.hostPort(c, 3128);
      int health = Docker.hostPort(c, 8080);
      HttpClient direct = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
      HttpClient viaProxy = net.client(proxy, "origin-ca");
      long firstProxied = 0;
      long firstReady = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while ((firstProxied == 0 || firstReady == 0) && System.nanoTime() < deadline) {
        if (firstProxied == 0 && status(viaProxy, "http://origin/hello") == 200) {
          firstProxied = System.nanoTime();
        }
        if (firstReady == 0 && status(direct, "http://127.0.0.1:" + health + "/ready") == 200) {
          firstReady = System.nanoTime();
        }
        SquidPod.sleep(20);
      }
      assertThat(firstProxied)
          .as("a proxied GET succeeded; logs:\n%s", Docker.logs(c).all())
          .isPositive();
      assertThat(firstReady).as("/ready answered 200").isPositive();
      assertThat((firstReady - firstProxied) / 1_000_000)
          .as("ms from Squid serving to /ready 200")
          .isLessThanOrEqualTo(1000);

      HttpResponse<String> r = TestNet.get(viaProxy, "http://origin/hello");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("origin origin /hello\n");
      awaitLog(c, "GET http://origin/hello");
      assertThat(Docker.logs(c).out())
          .as("access log on stdout")
          .containsPattern("TCP_MISS/200 \\d+ GET http://origin/hello");

      // The image's HEALTHCHECK (exec form, `agent probe ready`; only its interval shortened here).
      long healthDeadline = System.currentTimeMillis() + 15_000;
      String dockerHealth = "";
      while (!dockerHealth.equals("healthy") && System.currentTimeMillis() < healthDeadline) {
        SquidPod.sleep(200);
        dockerHealth = Docker.inspect(c, "{{.State.Health.Status}}");
      }
      assertThat(dockerHealth)
          .as(
              "Docker health status; last probe: %s",
              Docker.inspect(c, "{{json .State.Health.Log}}"))
          .isEqualTo("healthy");
    } finally {
      Docker.rm(c);
    }
  }

  @Test
  void healthEndpointsAnswerAndNoClientCanBlockThem() throws Exception {
    try (SquidPod pod =
        SquidPod.compile(
            "health",
            "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\n"
                + "metadata: {name: health}\nspec: {}\n")) {
      pod.network = net.network;
      pod.up();
      int port = pod.healthPort();
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      assertThat(body(client, port, "/health")).isEqualTo("200 OK");
      assertThat(body(client, port, "/ready")).isEqualTo("200 READY");
      assertThat(body(client, port, "/no-such-path")).startsWith("404");

      // One idle connection and one that never finishes its request, held open during the probes.
      try (Socket idle = new Socket("127.0.0.1", port);
          Socket stalled = new Socket("127.0.0.1", port)) {
        stalled
            .getOutputStream()
            .write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        stalled.getOutputStream().flush();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
          List<Callable<Long>> probes = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            String path = i % 2 == 0 ? "/health" : "/ready";
            probes.add(
                () -> {
                  long t0 = System.nanoTime();
                  assertThat(body(client, port, path)).startsWith("200");
                  return (System.nanoTime() - t0) / 1_000_000;
                });
          }
          for (Future<Long> f : pool.invokeAll(probes, 10, TimeUnit.SECONDS)) {
            assertThat(f.get())
                .as("probe ms while other clients hold connections")
                .isLessThan(2000);
          }
        } finally {
          pool.shutdownNow();
        }
        // ...and a fresh probe after them.
        assertThat(body(client, port, "/ready")).isEqualTo("200 READY");
      }
    }
  }

  /**
   * Issue 12 §6: the kubelet probes with a 1 s timeout while 64 connections keep sending half a
   * request (renewed as the agent cuts them off) and 16 scrapers ask for /metrics and then read
   * nothing (or send their request one byte at a time): 0 of 60 probes fail.
   */
  @Test
  void probesNeverStarveBehindHalfOpenConnectionsAndSlowScrapers() throws Exception {
    try (SquidPod pod =
        SquidPod.compile(
            "starve",
            "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\n"
                + "metadata: {name: starve}\nspec: {}\n")) {
      pod.network = net.network;
      pod.up();
      int port = pod.healthPort();
      java.util.concurrent.atomic.AtomicBoolean done =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicInteger scrapes =
          new java.util.concurrent.atomic.AtomicInteger();
      ExecutorService load = Executors.newFixedThreadPool(17);
      List<String> failures = new ArrayList<>();
      long slowest = 0;
      try {
        // 64 half-open connections at any time: a new batch every 1.5 s, the old one closed
        load.submit(
            () -> {
              List<Socket> batch = new ArrayList<>();
              while (!done.get()) {
                List<Socket> next = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                  next.add(halfOpen(port, i % 2 == 0 ? "/health" : "/metrics"));
                }
                closeAll(batch);
                batch = next;
                SquidPod.sleep(1500);
              }
              closeAll(batch);
              return null;
            });
        for (int i = 0; i < 16; i++) {
          boolean drip = i % 4 == 0;
          load.submit(
              () -> {
                while (!done.get()) {
                  try (Socket s = new Socket("127.0.0.1", port)) {
                    OutputStream o = s.getOutputStream();
                    byte[] req =
                        "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII);
                    if (drip) {
                      for (byte b : req) {
                        o.write(b);
                        o.flush();
                        SquidPod.sleep(300);
                      }
                    } else {
                      o.write(req);
                    }
                    scrapes.incrementAndGet();
                    SquidPod.sleep(3000); // never reads the answer
                  } catch (java.io.IOException e) {
                    SquidPod.sleep(100);
                  }
                }
                return null;
              });
        }
        SquidPod.sleep(2000);
        for (int i = 0; i < 60; i++) {
          String path = i % 2 == 0 ? "/health" : "/ready";
          long t0 = System.nanoTime();
          String r = kubeletProbe(port, path);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          slowest = Math.max(slowest, ms);
          if (!r.startsWith("HTTP/1.1 200")) {
            failures.add(path + " after " + ms + " ms: " + r);
          }
          SquidPod.sleep(500);
        }
      } finally {
        done.set(true);
        load.shutdown();
        load.awaitTermination(15, TimeUnit.SECONDS);
        load.shutdownNow();
      }
      System.out.printf(
          "ImageIT: 60 probes under 64 half-open connections and 16 slow scrapers (%d scrapes):"
              + " %d failures, slowest %d ms%n",
          scrapes.get(), failures.size(), slowest);
      assertThat(failures).as("probe failures of 60 (slowest %d ms)", slowest).isEmpty();
      assertThat(scrapes.get()).as("scrapes sent during the probes").isGreaterThan(100);
      // the agent is still fine afterwards, and /metrics answers again
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      assertThat(body(client, port, "/metrics")).startsWith("200").contains("squid_up 1");
    }
  }

  /** A probe as the kubelet sends it: one connection, 1 s for everything; the status line. */
  static String kubeletProbe(int port, String path) {
    long deadline = System.nanoTime() + 1_000_000_000L;
    try (Socket s = new Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(1000);
      s.getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: 127.0.0.1:"
                      + port
                      + "\r\nUser-Agent: kube-probe/1.37\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) != -1 && c != '\r'; ) {
        line.append((char) c);
        if (System.nanoTime() > deadline) {
          return "timeout (1 s)";
        }
      }
      return System.nanoTime() > deadline ? "timeout (1 s): " + line : line.toString();
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  static Socket halfOpen(int port, String path) throws java.io.IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.getOutputStream()
        .write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n").getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  static void closeAll(List<Socket> sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (java.io.IOException e) {
        // closing
      }
    }
  }

  @Test
  void deniedDomainGets403AndTcpDeniedOnStdout() {
    try (SquidPod pod =
        SquidPod.compile(
            "deny",
            "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\n"
                + "metadata: {name: deny}\nspec:\n  access:\n    deniedDomains: [.blocked.test]\n")) {
      pod.network = net.network;
      pod.up();
      HttpClient client = net.client(pod.proxyPort(), "origin-ca");
      assertThat(TestNet.get(client, "http://www.blocked.test/x").statusCode()).isEqualTo(403);
      assertThat(TestNet.get(client, "http://origin/allowed").statusCode()).isEqualTo(200);
      awaitLog(pod.container, "http://www.blocked.test/x");
      assertThat(Docker.logs(pod.container).out())
          .containsPattern("TCP_DENIED/403 \\d+ GET http://www.blocked.test/x");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"1234567:0", "1000650000:0"})
  void runsAsArbitraryUidWithReadOnlyRootAndNoCapabilities(String user) {
    try (SquidPod pod =
        SquidPod.compile(
            "uid",
            "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\n"
                + "metadata: {name: uid}\nspec:\n  cache:\n    type: Memory\n    memory: {size: 32Mi}\n")) {
      pod.network = net.network;
      pod.user = user;
      pod.up();
      assertThat(
              Docker.inspect(
                  pod.container,
                  "{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} "
                      + "{{.HostConfig.SecurityOpt}} {{.Config.User}}"))
          .isEqualTo("true [ALL] [no-new-privileges] " + user);
      String uid = user.substring(0, user.indexOf(':'));
      assertThat(Docker.ok("top", pod.container, "-eo", "pid,uid,args").out())
          .containsPattern("(?m)^\\s*\\d+\\s+" + uid + "\\s+/usr/sbin/squid ")
          .containsPattern("(?m)^\\s*\\d+\\s+" + uid + "\\s+/opt/java/bin/java ");
      HttpResponse<String> r =
          TestNet.get(net.client(pod.proxyPort(), "origin-ca"), "http://origin/uid");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("origin origin /uid\n");
    }
  }

  /**
   * The operator's config check pod and every pod's init container run {@code agent init}: a
   * short-lived JVM whose start is part of every config change. The image's CDS archive is trained
   * on it, so its classes (the agent's and the JDK's it uses) come from the archive, not from the
   * jar and the runtime's modules (198 classes did before the training ran init).
   */
  @Test
  void initAsTheConfigCheckRunsItLoadsItsClassesFromTheCdsArchive() {
    Docker.Result r =
        Docker.run(
            Duration.ofSeconds(60),
            "run",
            "--rm",
            "--network",
            "none",
            "-e",
            "JDK_JAVA_OPTIONS=-Xlog:class+load=info:stdout:uptime",
            Docker.IMAGE,
            "init",
            "--set",
            "cache.dirs=");
    assertThat(r.code()).as("agent init exit code; output:\n%s", r.all()).isZero();
    assertThat(r.out()).contains("init: config parse: ok", "init: done");
    List<String> loaded = r.out().lines().filter(l -> l.contains(" source: ")).toList();
    assertThat(loaded)
        .as("classes loaded")
        .anyMatch(l -> l.contains("io.cephaloproxy.agent.Init source: shared objects file"))
        .anyMatch(
            l -> l.contains("io.cephaloproxy.agent.TrustedCaBundle source: shared objects file"))
        .anyMatch(l -> l.contains("io.cephaloproxy.agent.SquidOutput source: shared objects file"));
    List<String> notArchived =
        loaded.stream().filter(l -> !l.contains("source: shared objects file")).toList();
    assertThat(notArchived).as("classes loaded from outside the CDS archive").hasSizeLessThan(20);
  }

  @Test
  void hasNoShellAndNoPackageManager() {
    Docker.Result sh =
        Docker.run(
            Duration.ofSeconds(60),
            "run",
            "--rm",
            "--entrypoint",
            "/bin/sh",
            Docker.IMAGE,
            "-c",
            "true");
    assertThat(sh.code()).as("docker run --entrypoint /bin/sh").isNotZero();
    assertThat(sh.all()).containsAnyOf("no such file or directory", "not found");

    String c = Docker.uniqueName("export");
    try {
      Docker.ok("create", "--name", c, Docker.IMAGE);
      List<String> entries = tarEntries(c);
      assertThat(entries)
          .as("files in the image")
          .hasSizeGreaterThan(100)
          .contains("usr/sbin/squid", "opt/cephaloproxy/agent.jar", "opt/java/bin/java");
      Set<String> forbidden =
          Set.of("sh", "bash", "dash", "zsh", "busybox", "ash", "apt", "apt-get", "dpkg", "perl");
      List<String> found =
          nonDirectories(c).stream()
              .filter(e -> forbidden.contains(e.substring(e.lastIndexOf('/') + 1)))
              .toList();
      assertThat(found).as("shells and package managers in docker export").isEmpty();
    } finally {
      Docker.rm(c);
    }
  }

  /** Names of every file, directory and link in `docker export` of a container. */
  static List<String> tarEntries(String container) {
    return tarList(container, "-t").stream()
        .map(l -> l.startsWith("./") ? l.substring(2) : l)
        .map(l -> l.endsWith("/") ? l.substring(0, l.length() - 1) : l)
        .toList();
  }

  /**
   * Files and links (not directories) in `docker export`, from `tar -tv` (link targets cut off).
   */
  static List<String> nonDirectories(String container) {
    return tarList(container, "-tv").stream()
        .filter(l -> !l.startsWith("d"))
        .map(l -> l.split("\\s+", 6)[5])
        .map(l -> l.contains(" -> ") ? l.substring(0, l.indexOf(" -> ")) : l)
        .map(l -> l.startsWith("./") ? l.substring(2) : l)
        .toList();
  }

  private static List<String> tarList(String container, String tarFlags) {
    try {
      Process export = new ProcessBuilder(Docker.BIN, "export", container).start();
      Process tar = new ProcessBuilder("tar", tarFlags).start();
      Thread pump =
          new Thread(
              () -> {
                try (InputStream in = export.getInputStream();
                    OutputStream out = tar.getOutputStream()) {
                  in.transferTo(out);
                } catch (Exception e) {
                  // tar reports a truncated stream
                }
              });
      pump.start();
      String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      pump.join(60_000);
      assertThat(tar.waitFor()).isZero();
      return out.lines().toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static int status(HttpClient client, String url) {
    try {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  static String body(HttpClient client, int port, String path) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body().trim();
  }

  /**
   * Waits (up to 5 s) until the container's stdout contains TEXT; access log lines are written
   * after the reply.
   */
  static void awaitLog(String container, String text) {
    long deadline = System.currentTimeMillis() + 5000;
    while (!Docker.logs(container).out().contains(text) && System.currentTimeMillis() < deadline) {
      SquidPod.sleep(50);
    }
  }
}
