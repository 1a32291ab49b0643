package io.cephaloproxy.tests.squid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk through a forward proxy: requests in absolute form ({@code GET http://host/ HTTP/1.1}) to the
 * proxy.
 */
public final class Wrk {
  public record Run(double requestsPerSecond, double p50Millis, double p99Millis, long requests) {}

  private Wrk() {}

  /** A wrk Lua script that sends every request in proxy (absolute-URI) form. */
  public static Path script(Path dir, String absoluteUrl, String host) {
    try {
      Path s = dir.resolve("proxy.lua");
      Files.writeString(
          s,
          "wrk.method = \"GET\"\nwrk.path = \""
              + absoluteUrl
              + "\"\nwrk.headers[\"Host\"] = \""
              + host
              + "\"\n");
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs wrk from {@code ns} against the proxy; fails when any response is not 2xx/3xx or a socket
   * errors.
   */
  public static Run run(
      String ns, String proxyHostPort, Path script, int threads, int connections, int seconds) {
    Cmd.Result r =
        Cmd.run(
                Duration.ofSeconds(seconds + 30L),
                NetLab.in(
                    ns,
                    List.of(
                        "wrk",
                        "-t" + threads,
                        "-c" + connections,
                        "-d" + seconds + "s",
                        "--latency",
                        "--timeout",
                        "5s",
                        "-s",
                        script.toString(),
                        "http://" + proxyHostPort + "/")))
            .orThrow();
    String out = r.out();
    if (out.contains("Non-2xx or 3xx responses") || out.contains("Socket errors")) {
      throw new IllegalStateException("wrk saw errors through " + proxyHostPort + ":\n" + out);
    }
    return new Run(
        number(out, "Requests/sec:\\s+([0-9.]+)"),
        millis(out, "50%"),
        millis(out, "99%"),
        (long) number(out, "([0-9]+) requests in"));
  }

  private static double number(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("cannot read /" + regex + "/ from wrk output:\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }

  private static double millis(String out, String percentile) {
    Matcher m =
        Pattern.compile("(?m)^\\s+" + percentile + "\\s+([0-9.]+)(us|ms|s)\\s*$").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no " + percentile + " latency in wrk output:\n" + out);
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "s" -> v * 1000;
      default -> v;
    };
  }
}
