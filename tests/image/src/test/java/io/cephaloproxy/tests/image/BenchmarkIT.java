package io.cephaloproxy.tests.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Measurements for docs/benchmarks.md, printed as "BENCHMARK ..." lines (not asserted as timings:
 * the machine is shared and noisy). The image's default config, no volumes, default user.
 */
class BenchmarkIT extends OriginSuite {

  private String startDefault() {
    String c = Docker.uniqueName("bench");
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
        Docker.IMAGE);
    return c;
  }

  @Test
  void measure() throws Exception {
    long size = Long.parseLong(Docker.inspect(Docker.IMAGE, "{{.Size}}"));
    String probe = Docker.uniqueName("files");
    int files;
    try {
      Docker.ok("create", "--name", probe, Docker.IMAGE);
      files = ImageIT.nonDirectories(probe).size();
    } finally {
      Docker.rm(probe);
    }
    System.out.printf(
        "BENCHMARK image %s: %.1f MB (%d bytes), %d files and links%n",
        Docker.IMAGE, size / 1e6, size, files);

    HttpClient direct = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();
    List<Long> ready = new ArrayList<>();
    List<Long> stopIdle = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      String c = startDefault();
      try {
        int health = Docker.hostPort(c, 8080);
        long deadline = t0 + Duration.ofSeconds(20).toNanos();
        while (ImageIT.status(direct, "http://127.0.0.1:" + health + "/ready") != 200) {
          assertThat(System.nanoTime()).as("ready within 20 s").isLessThan(deadline);
          SquidPod.sleep(10);
        }
        ready.add((System.nanoTime() - t0) / 1_000_000);
        long s0 = System.nanoTime();
        Docker.ok("stop", "-t", "60", c);
        stopIdle.add((System.nanoTime() - s0) / 1_000_000);
        assertThat(Docker.inspect(c, "{{.State.ExitCode}}")).isEqualTo("0");
      } finally {
        Docker.rm(c);
      }
    }
    System.out.printf(
        "BENCHMARK docker run -> /ready 200: median %d ms (runs %s)%n", median(ready), ready);
    System.out.printf(
        "BENCHMARK docker stop, no client connected: median %d ms (runs %s)%n",
        median(stopIdle), stopIdle);

    String c = startDefault();
    try {
      int health = Docker.hostPort(c, 8080);
      int proxy = Docker.hostPort(c, 3128);
      while (ImageIT.status(direct, "http://127.0.0.1:" + health + "/ready") != 200) {
        SquidPod.sleep(10);
      }
      HttpClient client = net.client(proxy, "origin-ca");
      for (int i = 0; i < 200; i++) {
        assertThat(TestNet.get(client, "http://origin/bench").statusCode()).isEqualTo(200);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(ImageIT.status(direct, "http://127.0.0.1:" + health + "/metrics"))
            .isEqualTo(200);
      }
      for (String line : Docker.ok("top", c, "-eo", "pid,rss,args").out().split("\n")) {
        if (line.contains("/opt/java/bin/java") || line.contains("/usr/sbin/squid")) {
          String[] f = line.trim().split("\\s+", 3);
          System.out.printf(
              "BENCHMARK RSS after 200 proxied requests and 20 scrapes: %s MB  %s%n",
              Long.parseLong(f[1]) / 1024, f[2]);
        }
      }
      // An idle keep-alive client: Squid waits for it until shutdown_lifetime.
      try (Socket idle = new Socket("127.0.0.1", proxy)) {
        idle.getOutputStream()
            .write(
                "GET http://origin/keepalive HTTP/1.1\r\nHost: origin\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        SquidPod.sleep(300);
        long s0 = System.nanoTime();
        Docker.ok("stop", "-t", "60", c);
        System.out.printf(
            "BENCHMARK docker stop with an idle keep-alive client: %d ms (shutdown_lifetime 20 s)%n",
            (System.nanoTime() - s0) / 1_000_000);
      }
    } finally {
      Docker.rm(c);
    }
  }

  static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
