package io.cephaloproxy.tests.image;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The origin server of the Docker suite. JDK only: it runs inside the Squid image with that image's
 * jlinked JRE ({@code --entrypoint /opt/java/bin/java -cp /origin
 * io.cephaloproxy.tests.image.Origin}).
 *
 * <p>{@code Origin HTTP_PORT [HTTPS_PORT KEYSTORE.p12 PASSWORD]}. Paths:
 *
 * <ul>
 *   <li>{@code /count} — "request N" where N counts requests to this path; cacheable for 10
 *       minutes;
 *   <li>{@code /slow?seconds=S} — 64 KiB over S seconds in 16 chunks;
 *   <li>anything else — 200 "origin NAME PATH", not cacheable.
 * </ul>
 */
public final class Origin {
  private static final AtomicInteger COUNT = new AtomicInteger();

  private Origin() {}

  public static void main(String[] args) throws Exception {
    String name = System.getenv().getOrDefault("ORIGIN_NAME", "origin");
    HttpServer http = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 64);
    http.createContext("/", ex -> handle(ex, name));
    http.setExecutor(Executors.newCachedThreadPool());
    http.start();
    if (args.length >= 4) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      char[] pw = args[3].toCharArray();
      try (InputStream in = new FileInputStream(args[2])) {
        ks.load(in, pw);
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(kmf.getKeyManagers(), null, null);
      HttpsServer https = HttpsServer.create(new InetSocketAddress(Integer.parseInt(args[1])), 64);
      https.setHttpsConfigurator(new HttpsConfigurator(ssl));
      https.createContext("/", ex -> handle(ex, name));
      https.setExecutor(Executors.newCachedThreadPool());
      https.start();
    }
    System.out.println(
        "origin "
            + name
            + " listening on "
            + String.join(" ", args[0], args.length > 1 ? args[1] : ""));
  }

  private static void handle(HttpExchange ex, String name) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String query = ex.getRequestURI().getQuery();
      if (path.equals("/count")) {
        ex.getResponseHeaders().set("Cache-Control", "public, max-age=600");
        ex.getResponseHeaders().set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT");
        send(ex, 200, "request " + COUNT.incrementAndGet() + "\n");
      } else if (path.equals("/slow")) {
        int seconds =
            query != null && query.startsWith("seconds=")
                ? Integer.parseInt(query.substring(8))
                : 3;
        byte[] chunk = new byte[4096];
        Arrays.fill(chunk, (byte) 'x');
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 16L * chunk.length);
        try (OutputStream out = ex.getResponseBody()) {
          for (int i = 0; i < 16; i++) {
            out.write(chunk);
            out.flush();
            sleep(seconds * 1000L / 16);
          }
        }
      } else {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, 200, "origin " + name + " " + path + "\n");
      }
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
