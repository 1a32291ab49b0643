package io.cephaloproxy.tests.squid;

import io.cephaloproxy.testsupport.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A client request made with curl from inside a lab namespace, through a proxy. */
public final class Curl {
  private Curl() {}

  /**
   * @param status the final HTTP status the client got (0 when there was none, e.g. a refused
   *     CONNECT)
   * @param connectStatus the proxy's answer to CONNECT (0 for plain HTTP)
   * @param verbose curl's -v output (TLS details, the certificate's issuer)
   */
  public record Response(int exit, int status, int connectStatus, String body, String verbose) {
    /**
     * The issuer of the server certificate the client saw, as curl prints it ("CN = ..." form
     * normalised).
     */
    public String issuer() {
      Matcher m = Pattern.compile("(?m)^\\*\\s+issuer:\\s*(.*)$").matcher(verbose);
      return m.find() ? m.group(1).trim() : "";
    }

    @Override
    public String toString() {
      return "curl exit "
          + exit
          + ", status "
          + status
          + ", CONNECT "
          + connectStatus
          + ", body: "
          + body
          + "\n"
          + verbose;
    }
  }

  /**
   * GET {@code url} via {@code proxy} (host:port) from namespace {@code ns}; extra curl args are
   * appended.
   */
  public static Response get(String ns, String proxy, String url, String... extra) {
    Path body = null;
    try {
      body = Files.createTempFile("cpsq-body-", ".txt");
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "curl",
                  "-sS",
                  "-v",
                  "--max-time",
                  "20",
                  "--noproxy",
                  "",
                  "-x",
                  "http://" + proxy,
                  "-o",
                  body.toString(),
                  "-w",
                  "%{http_code} %{http_connect}"));
      cmd.addAll(List.of(extra));
      cmd.add(url);
      Cmd.Result r = Cmd.run(Duration.ofSeconds(30), NetLab.in(ns, cmd));
      String[] codes = r.out().trim().split(" ");
      return new Response(
          r.exit(), parse(codes, 0), parse(codes, 1), Files.readString(body), r.err());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (body != null) {
        body.toFile().delete();
      }
    }
  }

  private static int parse(String[] codes, int i) {
    try {
      return i < codes.length ? Integer.parseInt(codes[i]) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
