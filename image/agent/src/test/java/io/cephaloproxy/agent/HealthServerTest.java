package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The health server with fake checks: status codes, bodies, and that no client can block it. */
class HealthServerTest {
  final AtomicBoolean healthy = new AtomicBoolean(true);
  final AtomicBoolean ready = new AtomicBoolean(true);
  HealthServer server;
  int port;
  volatile long metricsMillis;
  final AtomicBoolean counting = new AtomicBoolean(true);
  final Denials denials = new Denials();

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @BeforeEach
  void start() throws Exception {
    server =
        new HealthServer(
            "127.0.0.1",
            0,
            new HealthServer.Checks() {
              @Override
              public boolean healthy() {
                return healthy.get();
              }

              @Override
              public boolean ready() {
                return ready.get();
              }

              @Override
              public String metrics() {
                sleep(metricsMillis);
                return new Metrics().metric("squid_up", "gauge", "up", 1).text();
              }

              @Override
              public String denials(String query) {
                return counting.get() ? denials.answer(query, "enforce") : null;
              }
            });
    server.start();
    port = server.port();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  CacheManager.Response get(String path) {
    return CacheManager.get("127.0.0.1", port, path, 4000);
  }

  @Test
  void endpointsAnswerWithTheirContract() {
    assertThat(get("/health"))
        .extracting(CacheManager.Response::status, CacheManager.Response::body)
        .containsExactly(200, "OK");
    assertThat(get("/ready"))
        .extracting(CacheManager.Response::status, CacheManager.Response::body)
        .containsExactly(200, "READY");
    CacheManager.Response m = get("/metrics");
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.body()).contains("# TYPE squid_up gauge\nsquid_up 1\n");
    assertThat(get("/nope").status()).isEqualTo(404);
    assertThat(get("/health/x").status()).isEqualTo(404);
    healthy.set(false);
    ready.set(false);
    assertThat(get("/health").status()).isEqualTo(503);
    assertThat(get("/ready"))
        .extracting(CacheManager.Response::status, CacheManager.Response::body)
        .containsExactly(503, "NOT READY");
  }

  @Test
  void denialsAnswerJsonOrOneLineWhyNot() {
    CacheManager.Response d = get("/denials?from=0");
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.body()).startsWith("{\"bucketSeconds\":10,\"from\":0,").endsWith("]}\n");
    CacheManager.Response bad = get("/denials?from=now");
    assertThat(bad)
        .extracting(CacheManager.Response::status, CacheManager.Response::body)
        .containsExactly(400, "from='now' is not a number of seconds since the epoch\n");
    counting.set(false);
    assertThat(get("/denials"))
        .extracting(CacheManager.Response::status, CacheManager.Response::body)
        .containsExactly(404, "this proxy's access log is not counted (accessLog.decisions)\n");
  }

  @Test
  void idleAndStalledClientsDoNotBlockTenConcurrentProbes() throws Exception {
    List<Socket> hogs = new ArrayList<>();
    try {
      // one connection that never sends anything
      hogs.add(new Socket("127.0.0.1", port));
      // a few that send half a request and stall (each may hold a pool thread until maxReqTime)
      for (int i = 0; i < 3; i++) {
        Socket s = new Socket("127.0.0.1", port);
        OutputStream o = s.getOutputStream();
        o.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        o.flush();
        hogs.add(s);
      }
      Thread.sleep(200);
      ExecutorService pool = Executors.newFixedThreadPool(10);
      List<Callable<CacheManager.Response>> probes = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String path = i % 2 == 0 ? "/health" : "/ready";
        probes.add(() -> get(path));
      }
      long start = System.nanoTime();
      List<Future<CacheManager.Response>> results = pool.invokeAll(probes, 5, TimeUnit.SECONDS);
      long millis = (System.nanoTime() - start) / 1_000_000;
      pool.shutdownNow();
      for (Future<CacheManager.Response> f : results) {
        assertThat(f.get().status()).isEqualTo(200);
      }
      // a blocked server would hold them until the hogs are cut off after maxReqTime (5 s)
      assertThat(millis).as("10 probes with 4 hogging connections").isLessThan(4000);
    } finally {
      for (Socket s : hogs) {
        s.close();
      }
    }
  }

  @Test
  void slowlorisIsCutOffByTheHeaderDeadline() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(15_000);
      OutputStream o = s.getOutputStream();
      o.write("GET /health HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      o.flush();
      long start = System.nanoTime();
      // the server closes the connection once its headers are HEADER_DEADLINE_MILLIS (2 s) late
      int r = s.getInputStream().read();
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(r).isEqualTo(-1);
      assertThat(millis).isBetween(1500L, 4000L);
    }
  }

  /**
   * Issue 12 §6: 64 connections that sent half a request, and scrapers whose /metrics takes 3 s and
   * who then do not read their responses; 60 probes, each with the kubelet's 1 s timeout, all
   * answer 200. (The JDK server with 8 threads failed most of them.)
   */
  @Test
  void probesNeverWaitBehindHalfOpenConnectionsOrSlowScrapes() throws Exception {
    metricsMillis = 3000;
    List<Socket> hogs = new ArrayList<>();
    ExecutorService scrapers = Executors.newFixedThreadPool(8);
    AtomicBoolean done = new AtomicBoolean();
    try {
      for (int i = 0; i < 64; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream()
            .write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        hogs.add(s);
      }
      for (int i = 0; i < 8; i++) {
        scrapers.submit(
            () -> {
              while (!done.get()) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                  s.getOutputStream()
                      .write(
                          "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                              .getBytes(StandardCharsets.US_ASCII));
                  sleep(4000); // never reads the response
                } catch (java.io.IOException e) {
                  // refused or cut off: try again
                }
              }
              return null;
            });
      }
      Thread.sleep(500);
      List<String> failures = new ArrayList<>();
      long slowest = 0;
      for (int i = 0; i < 60; i++) {
        String path = i % 2 == 0 ? "/health" : "/ready";
        long start = System.nanoTime();
        CacheManager.Response r = CacheManager.get("127.0.0.1", port, path, 1000);
        long millis = (System.nanoTime() - start) / 1_000_000;
        slowest = Math.max(slowest, millis);
        if (r.status() != 200 || millis >= 1000) {
          failures.add(path + " " + r.status() + " in " + millis + " ms");
        }
        // new half-open connections keep arriving while the old ones are cut off
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write("GET /ready HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        hogs.add(s);
        Thread.sleep(100);
      }
      assertThat(failures).as("probe failures of 60 (slowest %d ms)", slowest).isEmpty();
      metricsMillis = 0;
    } finally {
      done.set(true);
      scrapers.shutdownNow();
      for (Socket s : hogs) {
        s.close();
      }
    }
    // once the slow scrapes are gone, /metrics answers again
    long until = System.nanoTime() + 10_000_000_000L;
    int status = 0;
    while (status != 200 && System.nanoTime() < until) {
      status = get("/metrics").status();
    }
    assertThat(status).isEqualTo(200);
  }

  @Test
  void everyResponseClosesItsConnectionAndHeadHasNoBody() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream()
          .write("HEAD /ready HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String resp = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(resp).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n");
      assertThat(resp).contains("Content-Length: 5\r\n", "Connection: close\r\n");
    }
  }

  @Test
  void headAndOtherMethods() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream()
          .write(
              "POST /health HTTP/1.0\r\nContent-Length: 0\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String resp = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(resp).startsWith("HTTP/1.1 405");
    }
  }

  @Test
  void probeModeExitCodes() {
    AgentConfig cfg =
        AgentConfig.of(
            java.nio.file.Path.of("/nonexistent"),
            java.util.Map.of("health.port", Integer.toString(port)));
    assertThat(Main.probe(cfg, "health")).isZero();
    assertThat(Main.probe(cfg, "ready")).isZero();
    ready.set(false);
    assertThat(Main.probe(cfg, "ready")).isEqualTo(1);
    assertThat(Main.probe(cfg, "health")).isZero();
    server.stop();
    assertThat(Main.probe(cfg, "health")).isEqualTo(1);
  }
}
