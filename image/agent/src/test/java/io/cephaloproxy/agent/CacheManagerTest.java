package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The loopback cache manager client against a scripted server socket. */
class CacheManagerTest {
  interface Reply {
    void on(Socket s, String request) throws Exception;
  }

  static String[] serveOnce(
      Reply reply, java.util.function.Function<Integer, CacheManager.Response> call)
      throws Exception {
    try (ServerSocket ss = new ServerSocket(0)) {
      String[] seen = new String[1];
      Thread t =
          new Thread(
              () -> {
                try (Socket s = ss.accept()) {
                  byte[] buf = new byte[4096];
                  int n = s.getInputStream().read(buf);
                  seen[0] = new String(buf, 0, n, StandardCharsets.US_ASCII);
                  reply.on(s, seen[0]);
                } catch (Exception ignored) {
                  // the client gave up
                }
              });
      t.setDaemon(true);
      t.start();
      CacheManager.Response r = call.apply(ss.getLocalPort());
      t.join(3000);
      return new String[] {seen[0], Integer.toString(r.status()), r.body(), r.error()};
    }
  }

  @Test
  void sendsAnOriginFormRequestAndDecodesChunkedBodies() throws Exception {
    String[] r =
        serveOnce(
            (s, req) -> {
              OutputStream o = s.getOutputStream();
              o.write(
                  ("HTTP/1.1 200 OK\r\nServer: squid/6.13\r\nTransfer-Encoding: chunked\r\n\r\n"
                          + "d\r\nsample_time =\r\n"
                          + "14\r\n 1.0\nclient_http.req\r\n"
                          + "b\r\nuests = 42\n\r\n0\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
            },
            port -> new CacheManager("127.0.0.1", port).get("counters", 1000));
    assertThat(r[0])
        .startsWith("GET /squid-internal-mgr/counters HTTP/1.0\r\n")
        .contains("\r\nHost: 127.0.0.1:");
    assertThat(r[1]).isEqualTo("200");
    assertThat(Metrics.parseCounters(r[2])).containsEntry("client_http.requests", 42.0);
  }

  @Test
  void deniedIsNotOk() throws Exception {
    String[] r =
        serveOnce(
            (s, req) ->
                s.getOutputStream()
                    .write(
                        "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII)),
            port -> new CacheManager("127.0.0.1", port).get("info", 1000));
    assertThat(r[1]).isEqualTo("403");
  }

  @Test
  void aServerThatNeverAnswersCostsNoMoreThanTheDeadline() throws Exception {
    long start = System.nanoTime();
    String[] r =
        serveOnce(
            (s, req) -> {
              // trickle one byte every 200 ms: each read succeeds, only the overall deadline stops
              // it
              OutputStream o = s.getOutputStream();
              o.write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
              for (int i = 0; i < 50; i++) {
                o.write('x');
                o.flush();
                Thread.sleep(200);
              }
            },
            port -> new CacheManager("127.0.0.1", port).get("info", 700));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(r[1]).isEqualTo("0");
    assertThat(r[3]).contains("timed out after 700 ms");
    assertThat(millis).isLessThan(4000);
  }

  @Test
  void nothingListeningIsAnErrorNotAnException() {
    CacheManager.Response r = new CacheManager("127.0.0.1", 1).get("info", 500);
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).contains("Connection refused");
  }
}
