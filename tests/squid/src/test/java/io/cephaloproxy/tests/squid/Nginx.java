package io.cephaloproxy.tests.squid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A fast origin for the benchmark: Debian's nginx in the lab's origin namespace, answering 200 with
 * 1 KiB.
 */
public final class Nginx implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/sbin/nginx");
  private final Process process;

  private Nginx(Process process) {
    this.process = process;
  }

  public static Nginx start(NetLab lab, Path dir, int port) {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(
          BINARY + " is missing: install Debian's nginx-light (scripts/squid-bench.sh does)");
    }
    try {
      Files.createDirectories(dir);
      String body = "x".repeat(1023);
      Files.writeString(
          dir.resolve("nginx.conf"),
          String.join(
              "\n",
              "worker_processes 1;",
              "pid " + dir.resolve("nginx.pid") + ";",
              "error_log " + dir.resolve("error.log") + " warn;",
              "events { worker_connections 4096; }",
              "http {",
              "  access_log off;",
              "  client_body_temp_path " + dir.resolve("body") + ";",
              "  proxy_temp_path " + dir.resolve("proxy") + ";",
              "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
              "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
              "  scgi_temp_path " + dir.resolve("scgi") + ";",
              "  keepalive_requests 1000000;",
              "  server {",
              "    listen " + port + ";",
              "    default_type text/plain;",
              "    add_header Cache-Control no-store;",
              "    location / { return 200 \"" + body + "\\n\"; }",
              "  }",
              "}",
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Process p =
        NetLab.start(
            lab.origin,
            List.of(
                BINARY.toString(),
                "-p",
                dir.toString(),
                "-c",
                dir.resolve("nginx.conf").toString(),
                "-g",
                "daemon off;"),
            dir.resolve("stdout"),
            dir.resolve("stderr"));
    lab.awaitPort(
        lab.origin,
        "127.0.0.1",
        port,
        Duration.ofSeconds(10),
        p,
        () -> System.err.println("nginx did not start; see " + dir));
    return new Nginx(p);
  }

  @Override
  public void close() {
    process.destroy();
    NetLab.waitOrKill(process, Duration.ofSeconds(5));
  }
}
