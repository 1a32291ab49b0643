package io.cephaloproxy.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code /health}, {@code /ready}, {@code /metrics} on the health port. The JDK server's selector
 * thread only accepts and parks idle connections; exchanges run on a pool, and the JDK's request
 * and response time limits (set below, before the server class loads) close clients that stall
 * mid-request.
 */
public final class HealthServer {
  static final int THREADS = 8;

  static {
    // seconds; read once by sun.net.httpserver.ServerConfig when the first server is created
    setDefault("sun.net.httpserver.maxReqTime", "5");
    setDefault("sun.net.httpserver.maxRspTime", "10");
    setDefault("sun.net.httpserver.idleInterval", "30");
    setDefault("sun.net.httpserver.maxIdleConnections", "50");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** What the endpoints report; implemented by the run loop (and by fakes in tests). */
  public interface Checks {
    boolean healthy();

    boolean ready();

    String metrics();
  }

  private final HttpServer server;
  private final ExecutorService pool;

  public HealthServer(String bind, int port, Checks checks) throws IOException {
    server = HttpServer.create(new InetSocketAddress(bind, port), 64);
    AtomicInteger n = new AtomicInteger();
    pool =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(256),
            r -> {
              Thread t = new Thread(r, "health-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardOldestPolicy());
    server.setExecutor(pool);
    server.createContext("/", ex -> handle(ex, checks));
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private final java.util.concurrent.atomic.AtomicBoolean stopped =
      new java.util.concurrent.atomic.AtomicBoolean();

  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    pool.shutdownNow();
  }

  private static void handle(HttpExchange ex, Checks checks) throws IOException {
    try {
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return;
      }
      switch (ex.getRequestURI().getPath()) {
        case "/health" -> {
          boolean healthy = checks.healthy();
          send(
              ex,
              healthy ? 200 : 503,
              "text/plain; charset=utf-8",
              healthy ? "OK" : "squid is not running or not accepting connections");
        }
        case "/ready" -> {
          boolean ready = checks.ready();
          send(ex, ready ? 200 : 503, "text/plain; charset=utf-8", ready ? "READY" : "NOT READY");
        }
        case "/metrics" -> send(ex, 200, Metrics.CONTENT_TYPE, checks.metrics());
        default -> send(ex, 404, "text/plain; charset=utf-8", "not found\n");
      }
    } catch (RuntimeException e) {
      Log.error("health server: " + e);
      send(ex, 500, "text/plain; charset=utf-8", "internal error\n");
    } finally {
      ex.close();
    }
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : b.length);
    if (!head) {
      try (OutputStream o = ex.getResponseBody()) {
        o.write(b);
      }
    }
  }
}
