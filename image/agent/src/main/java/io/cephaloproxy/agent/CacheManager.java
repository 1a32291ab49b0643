package io.cephaloproxy.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.0 client for Squid's cache manager on loopback: {@code GET
 * /squid-internal-mgr/PAGE} sent to the proxy port (origin form, which Squid 5 and 6 answer
 * themselves). Every call has a hard deadline so a stuck Squid cannot hang the health server.
 */
public final class CacheManager {
  static final int MAX_BYTES = 4 << 20;

  /** Status code and body; status 0 when no HTTP answer came. */
  public record Response(int status, String body, String error) {
    public boolean ok() {
      return status == 200;
    }
  }

  private final String host;
  private final int port;

  public CacheManager(String host, int port) {
    this.host = host;
    this.port = port;
  }

  public Response get(String page, int timeoutMillis) {
    return get(host, port, "/squid-internal-mgr/" + page, timeoutMillis);
  }

  /** One HTTP/1.0 GET with an overall deadline. Used for the cache manager and by {@code probe}. */
  public static Response get(String host, int port, String path, int timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      String req =
          "GET "
              + path
              + " HTTP/1.0\r\nHost: "
              + host
              + ":"
              + port
              + "\r\nUser-Agent: cephaloproxy-agent\r\n"
              + "Accept: */*\r\nConnection: close\r\n\r\n";
      OutputStream o = s.getOutputStream();
      o.write(req.getBytes(StandardCharsets.US_ASCII));
      o.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] b = new byte[8192];
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return new Response(0, "", "timed out after " + timeoutMillis + " ms");
        }
        s.setSoTimeout((int) Math.max(1, left));
        int n = in.read(b);
        if (n < 0) {
          break;
        }
        buf.write(b, 0, n);
        if (buf.size() > MAX_BYTES) {
          return new Response(0, "", "response larger than " + MAX_BYTES + " bytes");
        }
      }
      return parse(buf.toByteArray());
    } catch (SocketTimeoutException e) {
      return new Response(0, "", "timed out after " + timeoutMillis + " ms");
    } catch (IOException e) {
      return new Response(0, "", e.toString());
    }
  }

  static Response parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    int sep = 4;
    if (end < 0) {
      end = text.indexOf("\n\n");
      sep = 2;
    }
    if (end < 0 || !text.startsWith("HTTP/")) {
      return new Response(
          0,
          "",
          raw.length == 0
              ? "connection closed without a response"
              : "no HTTP response: " + text.substring(0, Math.min(80, text.length())));
    }
    String head = text.substring(0, end);
    String[] statusLine = head.split("\r?\n", 2)[0].split(" ", 3);
    int status;
    try {
      status = Integer.parseInt(statusLine[1]);
    } catch (RuntimeException e) {
      return new Response(0, "", "bad status line: " + statusLine[0]);
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + sep, raw.length);
    if (head.toLowerCase(java.util.Locale.ROOT).contains("\ntransfer-encoding: chunked")) {
      body = dechunk(body);
    }
    return new Response(status, new String(body, StandardCharsets.UTF_8), null);
  }

  static byte[] dechunk(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < body.length) {
      int eol = pos;
      while (eol < body.length && body[eol] != '\n') {
        eol++;
      }
      String sizeLine = new String(body, pos, eol - pos, StandardCharsets.ISO_8859_1).trim();
      int semi = sizeLine.indexOf(';');
      if (semi >= 0) {
        sizeLine = sizeLine.substring(0, semi);
      }
      int size;
      try {
        size = Integer.parseInt(sizeLine, 16);
      } catch (NumberFormatException e) {
        break;
      }
      if (size == 0) {
        break;
      }
      int start = eol + 1;
      int len = Math.min(size, body.length - start);
      out.write(body, start, len);
      pos = start + len + 2;
    }
    return out.toByteArray();
  }
}
