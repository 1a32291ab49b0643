package io.cephaloproxy.tests.squid;

import io.cephaloproxy.testsupport.Pki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The {@link OriginServer} JVM running in the lab's origin namespace on ports 80 and 443. */
public final class Origin implements AutoCloseable {
  public static final int HTTP_PORT = 80;
  public static final int HTTPS_PORT = 443;

  private final NetLab lab;
  private final Process process;
  private final Path log;

  private Origin(NetLab lab, Process process, Path log) {
    this.lab = lab;
    this.process = process;
    this.log = log;
  }

  public static Origin start(NetLab lab, TestPki pki, Path workDir) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = workDir.resolve("origin.log");
    Process p =
        NetLab.start(
            lab.origin,
            List.of(
                java,
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                OriginServer.class.getName(),
                String.valueOf(HTTP_PORT),
                String.valueOf(HTTPS_PORT),
                pki.originP12.toString(),
                Pki.P12_PASSWORD),
            log,
            workDir.resolve("origin.err"));
    Origin o = new Origin(lab, p, log);
    Runnable kill = () -> NetLab.waitOrKill(p, Duration.ZERO);
    try {
      lab.awaitPort(lab.origin, "127.0.0.1", HTTP_PORT, Duration.ofSeconds(60), p, kill);
      lab.awaitPort(lab.origin, "127.0.0.1", HTTPS_PORT, Duration.ofSeconds(60), p, kill);
    } catch (IllegalStateException e) {
      String err;
      try {
        err = Files.readString(workDir.resolve("origin.err"));
      } catch (IOException io) {
        err = io.toString();
      }
      throw new IllegalStateException(
          "the test origin did not start: " + e.getMessage() + "\n" + err, e);
    }
    return o;
  }

  /**
   * How many requests for {@code scheme path} the origin has served (asked directly, not via a
   * proxy).
   */
  public long count(String scheme, String path) {
    String stats =
        lab.exec(
                lab.origin,
                Duration.ofSeconds(10),
                "curl",
                "-sS",
                "--max-time",
                "5",
                "http://127.0.0.1:" + HTTP_PORT + "/__stats")
            .orThrow()
            .out();
    return stats
        .lines()
        .map(l -> l.split(" ", 3))
        .filter(f -> f.length == 3 && f[1].equals(scheme) && f[2].equals(path))
        .mapToLong(f -> Long.parseLong(f[0]))
        .sum();
  }

  @Override
  public void close() {
    process.destroy();
    NetLab.waitOrKill(process, Duration.ofSeconds(5));
  }
}
