package io.cephaloproxy.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@code /health}, {@code /ready}, {@code /metrics} and {@code /denials} on the health port, built
 * so that the kubelet's probes (1 s timeout) never wait behind slow clients or scrapes:
 *
 * <ul>
 *   <li>One selector thread accepts connections and reads request headers without blocking, so a
 *       client that connects and sends nothing, or half a request, holds no thread. Its headers
 *       must be complete within {@link #HEADER_DEADLINE_MILLIS}, or the connection is closed; at
 *       most {@link #MAX_CONNECTIONS} connections are open, and a new one evicts the oldest that is
 *       still sending its headers.
 *   <li>Complete requests run on two bounded pools: {@code /health}, {@code /ready} and {@code
 *       /denials} (a read of the agent's memory) on the probe pool, {@code /metrics} (two cache
 *       manager reads of up to 2 s) on its own pool. A full queue answers 503 at once instead of
 *       queueing without end.
 *   <li>Responses are written by the selector thread, without blocking, within {@link
 *       #WRITE_DEADLINE_MILLIS}: a scraper that does not read its response holds nothing.
 *   <li>Every response closes its connection (the kubelet opens one per probe).
 * </ul>
 *
 * Java 17 has no virtual threads (the agent is compiled with {@code --release 17}), hence the event
 * loop.
 */
public final class HealthServer {
  static final int MAX_CONNECTIONS = 512;
  static final int MAX_HEADER_BYTES = 8192;
  static final long HEADER_DEADLINE_MILLIS = 2000;
  static final long WRITE_DEADLINE_MILLIS = 5000;
  static final int PROBE_THREADS = 4;
  static final int PROBE_QUEUE = 64;
  static final int METRICS_THREADS = 1;
  static final int METRICS_QUEUE = 4;

  /** What the endpoints report; implemented by the run loop (and by fakes in tests). */
  public interface Checks {
    boolean healthy();

    boolean ready();

    String metrics();

    /**
     * The answer of {@code /denials} for the query string (without '?', possibly empty): {@link
     * Denials#answer}; null when the agent does not count decisions (404).
     *
     * @throws IllegalArgumentException with one line for the client (400)
     */
    default String denials(String query) {
      return null;
    }
  }

  private final Checks checks;
  private final ServerSocketChannel server;
  private final Selector selector;
  private final ThreadPoolExecutor probes;
  private final ThreadPoolExecutor metrics;
  private final Queue<Conn> answered = new ConcurrentLinkedQueue<>();

  /** Connections still sending their request headers, oldest first (selector thread only). */
  private final Set<Conn> reading = new LinkedHashSet<>();

  private final Set<Conn> writing = new LinkedHashSet<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Thread loop;
  private int open;

  public HealthServer(String bind, int port, Checks checks) throws IOException {
    this.checks = checks;
    server = ServerSocketChannel.open();
    server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    server.bind(new InetSocketAddress(bind, port), 128);
    server.configureBlocking(false);
    selector = Selector.open();
    server.register(selector, SelectionKey.OP_ACCEPT);
    probes = pool("health-probe", PROBE_THREADS, PROBE_QUEUE);
    metrics = pool("health-metrics", METRICS_THREADS, METRICS_QUEUE);
    loop = new Thread(this::loop, "health-selector");
    loop.setDaemon(true);
  }

  private static ThreadPoolExecutor pool(String name, int threads, int queue) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(
        threads,
        threads,
        60,
        TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queue),
        r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        },
        new ThreadPoolExecutor.AbortPolicy());
  }

  public void start() {
    loop.start();
  }

  public int port() {
    return server.socket().getLocalPort();
  }

  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    selector.wakeup();
    try {
      loop.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    probes.shutdownNow();
    metrics.shutdownNow();
    closeQuietly(server);
    for (SelectionKey k : selector.keys()) {
      closeQuietly(k.channel());
    }
    closeQuietly(selector);
  }

  /** One client connection: its request buffer, then its response. */
  private static final class Conn {
    final SocketChannel channel;
    final SelectionKey key;
    final ByteBuffer in = ByteBuffer.allocate(MAX_HEADER_BYTES);
    long deadline;
    volatile ByteBuffer out;

    Conn(SocketChannel channel, SelectionKey key, long deadline) {
      this.channel = channel;
      this.key = key;
      this.deadline = deadline;
    }
  }

  private void loop() {
    while (!stopped.get()) {
      try {
        selector.select(250);
        long now = System.nanoTime();
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          if (!k.isValid()) {
            continue;
          }
          if (k.isAcceptable()) {
            accept(now);
          } else if (k.isReadable()) {
            read((Conn) k.attachment(), now);
          } else if (k.isWritable()) {
            write((Conn) k.attachment());
          }
        }
        for (Conn c; (c = answered.poll()) != null; ) {
          startWriting(c, System.nanoTime());
        }
        expire(System.nanoTime());
      } catch (IOException | RuntimeException e) {
        if (!stopped.get()) {
          Log.error("health server: " + e);
        }
      }
    }
  }

  private void accept(long now) throws IOException {
    for (SocketChannel ch; (ch = server.accept()) != null; ) {
      if (open >= MAX_CONNECTIONS && !reading.isEmpty()) {
        close(reading.iterator().next());
      }
      if (open >= MAX_CONNECTIONS) {
        closeQuietly(ch);
        continue;
      }
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
      Conn c = new Conn(ch, key, now + TimeUnit.MILLISECONDS.toNanos(HEADER_DEADLINE_MILLIS));
      key.attach(c);
      reading.add(c);
      open++;
    }
  }

  private void read(Conn c, long now) {
    int n;
    try {
      n = c.channel.read(c.in);
    } catch (IOException e) {
      close(c);
      return;
    }
    if (n < 0) {
      close(c);
      return;
    }
    int end = headerEnd(c.in);
    if (end < 0) {
      if (!c.in.hasRemaining()) {
        respond(c, 431, "text/plain; charset=utf-8", "request header too large\n", false);
      }
      return;
    }
    reading.remove(c);
    c.key.interestOps(0);
    String head = new String(c.in.array(), 0, end, StandardCharsets.ISO_8859_1);
    String line = head.lines().findFirst().orElse("");
    String[] parts = line.split(" ");
    if (parts.length < 2) {
      respond(c, 400, "text/plain; charset=utf-8", "bad request\n", false);
      return;
    }
    String method = parts[0];
    boolean head0 = method.equals("HEAD");
    if (!method.equals("GET") && !head0) {
      respond(c, 405, "text/plain; charset=utf-8", "method not allowed\n", false);
      return;
    }
    String target = parts[1];
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? "" : target.substring(q + 1);
    switch (path) {
      case "/health" ->
          dispatch(
              c,
              probes,
              head0,
              () ->
                  checks.healthy()
                      ? new Answer(200, "text/plain; charset=utf-8", "OK")
                      : new Answer(
                          503,
                          "text/plain; charset=utf-8",
                          "squid is not running or not accepting connections"));
      case "/ready" ->
          dispatch(
              c,
              probes,
              head0,
              () ->
                  checks.ready()
                      ? new Answer(200, "text/plain; charset=utf-8", "READY")
                      : new Answer(503, "text/plain; charset=utf-8", "NOT READY"));
      case "/metrics" ->
          dispatch(
              c, metrics, head0, () -> new Answer(200, Metrics.CONTENT_TYPE, checks.metrics()));
      case "/denials" ->
          dispatch(
              c,
              probes,
              head0,
              () -> {
                try {
                  String body = checks.denials(query);
                  return body == null
                      ? new Answer(
                          404,
                          "text/plain; charset=utf-8",
                          "this proxy's access log is not counted (accessLog.decisions)\n")
                      : new Answer(200, "application/json", body);
                } catch (IllegalArgumentException e) {
                  return new Answer(
                      400, "text/plain; charset=utf-8", AccessLog.bounded(e.getMessage()) + "\n");
                }
              });
      default -> respond(c, 404, "text/plain; charset=utf-8", "not found\n", head0);
    }
  }

  private record Answer(int status, String type, String body) {}

  private void dispatch(Conn c, ThreadPoolExecutor pool, boolean head, Supplier<Answer> work) {
    try {
      pool.execute(
          () -> {
            Answer a;
            try {
              a = work.get();
            } catch (RuntimeException e) {
              Log.error("health server: " + e);
              a = new Answer(500, "text/plain; charset=utf-8", "internal error\n");
            }
            c.out = response(a.status(), a.type(), a.body(), head);
            answered.add(c);
            selector.wakeup();
          });
    } catch (RejectedExecutionException e) {
      respond(c, 503, "text/plain; charset=utf-8", "busy\n", head);
    }
  }

  /** Answers on the selector thread (errors that need no check). */
  private void respond(Conn c, int status, String type, String body, boolean head) {
    reading.remove(c);
    c.out = response(status, type, body, head);
    startWriting(c, System.nanoTime());
  }

  private void startWriting(Conn c, long now) {
    if (!c.channel.isOpen()) {
      return;
    }
    c.deadline = now + TimeUnit.MILLISECONDS.toNanos(WRITE_DEADLINE_MILLIS);
    writing.add(c);
    write(c);
    if (c.channel.isOpen()) {
      c.key.interestOps(SelectionKey.OP_WRITE);
    }
  }

  private void write(Conn c) {
    try {
      c.channel.write(c.out);
      if (!c.out.hasRemaining()) {
        close(c);
      }
    } catch (IOException e) {
      close(c);
    }
  }

  private void expire(long now) {
    for (Set<Conn> set : List.of(reading, writing)) {
      List<Conn> late = new ArrayList<>();
      for (Conn c : set) {
        if (now - c.deadline > 0) {
          late.add(c);
        }
      }
      late.forEach(this::close);
    }
  }

  private void close(Conn c) {
    if (!c.channel.isOpen()) {
      return;
    }
    reading.remove(c);
    writing.remove(c);
    c.key.cancel();
    closeQuietly(c.channel);
    open--;
  }

  /** Index just past the blank line that ends the request headers, or -1. */
  static int headerEnd(ByteBuffer in) {
    byte[] b = in.array();
    int len = in.position();
    for (int i = 0; i < len; i++) {
      if (b[i] == '\n') {
        if (i + 1 < len && b[i + 1] == '\n') {
          return i + 2;
        }
        if (i + 2 < len && b[i + 1] == '\r' && b[i + 2] == '\n') {
          return i + 3;
        }
      }
    }
    return -1;
  }

  static ByteBuffer response(int status, String type, String body, boolean head) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String headers =
        "HTTP/1.1 "
            + status
            + " "
            + reason(status)
            + "\r\nContent-Type: "
            + type
            + "\r\nContent-Length: "
            + b.length
            + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    byte[] h = headers.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(h.length + (head ? 0 : b.length));
    out.put(h);
    if (!head) {
      out.put(b);
    }
    return out.flip();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing
    }
  }
}
