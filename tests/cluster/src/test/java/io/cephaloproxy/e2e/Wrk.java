package io.cephaloproxy.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** wrk, run in a pod-network client, against an HTTP proxy (requests with absolute URIs). */
final class Wrk {
  record Result(long requests, double requestsPerSecond, long errors, String output) {}

  private Wrk() {}

  static Result run(PodNetworkClient client, String proxy, String url, Duration duration) {
    try {
      Path script = Files.createTempFile("wrk-proxy", ".lua");
      // A proxy request names the whole URL on the request line; wrk connects to the proxy.
      Files.writeString(script, "wrk.path = \"" + url + "\"\n");
      try {
        Cmd.Result r =
            client
                .run(
                    duration.plusSeconds(30),
                    List.of(
                        "wrk",
                        "-t2",
                        "-c16",
                        "-d" + duration.toSeconds() + "s",
                        "-s",
                        script.toString(),
                        "http://" + proxy + "/"))
                .orFail();
        String out = r.out();
        long requests = Long.parseLong(find(out, "(\\d+) requests in"));
        double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([\\d.]+)"));
        long errors = 0;
        Matcher socket =
            Pattern.compile(
                    "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
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
        return new Result(requests, rps, errors, out);
      } finally {
        Files.deleteIfExists(script);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      throw new AssertionError("no '" + regex + "' in wrk's output:\n" + text);
    }
    return m.group(1);
  }
}
