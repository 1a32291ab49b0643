package io.cephaloproxy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk through a forward proxy, run in a network namespace ({@code ip netns exec NS wrk ...}): every
 * request goes to the proxy in absolute form ({@code GET http://host/path HTTP/1.1}).
 */
public final class Wrk {
  /**
   * What wrk measured: latencies in ms ({@code NaN} without {@code --latency}), errors = socket
   * errors plus non-2xx/3xx responses.
   */
  public record Result(
      long requests,
      double requestsPerSecond,
      double p50Millis,
      double p99Millis,
      long errors,
      String output) {
    /** This result when wrk saw no error, else an {@link IllegalStateException} with its output. */
    public Result withoutErrors(String through) {
      if (errors != 0) {
        throw new IllegalStateException(
            "wrk saw " + errors + " errors through " + through + ":\n" + output);
      }
      return this;
    }
  }

  private Wrk() {}

  /**
   * Writes DIR/NAME.lua: a wrk script whose requests name {@code absoluteUrl}, with a Host header
   * when {@code host} is not null.
   */
  public static Path script(Path dir, String name, String absoluteUrl, String host) {
    Path s = dir.resolve(name + ".lua");
    try {
      Files.writeString(
          s,
          "wrk.method = \"GET\"\nwrk.path = \""
              + absoluteUrl
              + "\"\n"
              + (host == null ? "" : "wrk.headers[\"Host\"] = \"" + host + "\"\n"));
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs wrk inside network namespace {@code netns} against the proxy {@code host:port} with {@code
   * --latency} and the given per-request timeout, and reads its output.
   */
  public static Result run(
      String netns,
      String proxyHostPort,
      Path script,
      int threads,
      int connections,
      Duration duration,
      Duration requestTimeout) {
    Cmd.Result r =
        Cmd.run(
                duration.plusSeconds(30),
                List.of(
                    "ip",
                    "netns",
                    "exec",
                    netns,
                    "wrk",
                    "-t" + threads,
                    "-c" + connections,
                    "-d" + duration.toSeconds() + "s",
                    "--latency",
                    "--timeout",
                    requestTimeout.toSeconds() + "s",
                    "-s",
                    script.toString(),
                    "http://" + proxyHostPort + "/"))
            .orThrow();
    return parse(r.out());
  }

  /** Reads wrk's report. */
  public static Result parse(String out) {
    long errors = 0;
    Matcher socket =
        Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
            .matcher(out);
    if (socket.find()) {
      for (int i = 1; i <= 4; i++) {
        errors += Long.parseLong(socket.group(i));
      }
    }
    Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
    if (non2xx.find()) {
      errors += Long.parseLong(non2xx.group(1));
    }
    return new Result(
        Long.parseLong(find(out, "(\\d+) requests in")),
        Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)")),
        millis(out, "50%"),
        millis(out, "99%"),
        errors,
        out);
  }

  private static String find(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("cannot read /" + regex + "/ from wrk's output:\n" + out);
    }
    return m.group(1);
  }

  private static double millis(String out, String percentile) {
    Matcher m =
        Pattern.compile("(?m)^\\s+" + percentile + "\\s+([0-9.]+)(us|ms|s)\\s*$").matcher(out);
    if (!m.find()) {
      return Double.NaN;
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "s" -> v * 1000;
      default -> v;
    };
  }
}
