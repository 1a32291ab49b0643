package io.cephaloproxy.tests.squid;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The test origin, run as its own JVM inside the origin namespace: {@code OriginServer HTTP_PORT
 * HTTPS_PORT KEYSTORE.p12 PASSWORD}.
 *
 * <ul>
 *   <li>{@code /...}: 200, body {@code origin <scheme> host=<Host> path=<path>}, not cacheable;
 *   <li>{@code /cacheable...}: 200 with {@code Cache-Control: public, max-age=600};
 *   <li>{@code /large?bytes=N}: N bytes, cacheable;
 *   <li>{@code /slow?ms=N}: answers after N ms;
 *   <li>{@code /__stats}: one line per path, {@code <count> <scheme> <path>}, of the requests seen
 *       so far.
 * </ul>
 *
 * <p>It also listens on UDP port 53 and never answers: the lab's name server is a resolver that
 * does not respond, so a DNS lookup that the rules should not need stalls Squid (as it would with a
 * slow resolver) instead of failing fast, and the timed assertions can catch it. The names the
 * tests use are answered by Squid's hosts_file.
 */
public final class OriginServer {
  private static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

  private OriginServer() {}

  public static void main(String[] args) throws Exception {
    int httpPort = Integer.parseInt(args[0]);
    int httpsPort = Integer.parseInt(args[1]);
    HttpServer http = HttpServer.create(new InetSocketAddress(httpPort), 128);
    http.createContext("/", ex -> handle(ex, "http"));
    http.setExecutor(Executors.newFixedThreadPool(16));
    http.start();

    KeyStore ks = KeyStore.getInstance("PKCS12");
    char[] password = args[3].toCharArray();
    try (InputStream in = Files.newInputStream(Path.of(args[2]))) {
      ks.load(in, password);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    HttpsServer https = HttpsServer.create(new InetSocketAddress(httpsPort), 128);
    https.setHttpsConfigurator(new HttpsConfigurator(ssl));
    https.createContext("/", ex -> handle(ex, "https"));
    https.setExecutor(Executors.newFixedThreadPool(16));
    https.start();
    DatagramSocket dns = new DatagramSocket(53);
    Thread sink =
        new Thread(
            () -> {
              byte[] buf = new byte[1500];
              while (true) {
                try {
                  dns.receive(new DatagramPacket(buf, buf.length));
                } catch (IOException e) {
                  return;
                }
              }
            },
            "dns-sink");
    sink.setDaemon(true);
    sink.start();
    System.out.println("READY http=" + httpPort + " https=" + httpsPort);
    System.out.flush();
  }

  private static void handle(HttpExchange ex, String scheme) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getPath();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      if (path.equals("/__stats")) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(COUNTS)
            .forEach((k, v) -> sb.append(v.get()).append(' ').append(k).append('\n'));
        send(ex, 200, sb.toString().getBytes(StandardCharsets.UTF_8), "no-store");
        return;
      }
      COUNTS.computeIfAbsent(scheme + " " + path, k -> new AtomicLong()).incrementAndGet();
      ex.getResponseHeaders().add("X-Test-Origin", "cephaloproxy");
      switch (path.startsWith("/cacheable") ? "/cacheable" : path) {
        case "/cacheable" ->
            send(
                ex,
                200,
                ("cacheable object from " + host(ex) + "\n").getBytes(StandardCharsets.UTF_8),
                "public, max-age=600");
        case "/large" -> {
          long bytes = Long.parseLong(query.getOrDefault("bytes", "1048576"));
          ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
          ex.getResponseHeaders().add("Cache-Control", "public, max-age=600");
          ex.sendResponseHeaders(200, bytes);
          byte[] chunk = new byte[64 * 1024];
          OutputStream out = ex.getResponseBody();
          for (long left = bytes; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(left, chunk.length));
          }
        }
        case "/slow" -> {
          try {
            Thread.sleep(Long.parseLong(query.getOrDefault("ms", "1000")));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          send(ex, 200, "slow\n".getBytes(StandardCharsets.UTF_8), "no-store");
        }
        default ->
            send(
                ex,
                200,
                ("origin " + scheme + " host=" + host(ex) + " path=" + path + "\n")
                    .getBytes(StandardCharsets.UTF_8),
                "no-store");
      }
    }
  }

  private static String host(HttpExchange ex) {
    String h = ex.getRequestHeaders().getFirst("Host");
    return h == null ? "" : h;
  }

  private static void send(HttpExchange ex, int status, byte[] body, String cacheControl)
      throws IOException {
    ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
    ex.getResponseHeaders().add("Cache-Control", cacheControl);
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new TreeMap<>();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int i = kv.indexOf('=');
        if (i > 0) {
          m.put(kv.substring(0, i), kv.substring(i + 1));
        }
      }
    }
    return m;
  }
}
