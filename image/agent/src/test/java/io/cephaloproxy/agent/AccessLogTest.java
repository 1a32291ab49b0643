package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AccessLogTest {
  /** Lines as Squid 5.7 wrote them with the compiler's prefix (the user's format after it). */
  static final String DENIED_AUTH =
      "cp1 deny auth - TCP_DENIED 407 3494 0 1796279997.637      0 127.0.0.1 TCP_DENIED/407 3494"
          + " GET http://bad.test/a - HIER_NONE/- text/html";

  static final String DENIED_DOMAIN =
      "cp1 deny denied-domain - TCP_DENIED 403 3403 39 1796279997.697     39 127.0.0.1"
          + " TCP_DENIED/403 3403 GET http://bad.test/a u HIER_NONE/- text/html";
  static final String ALLOWED =
      "cp1 allow allow - TCP_MISS 200 12345 120 1796279997.736    120 127.0.0.1 TCP_MISS/200 12345"
          + " GET http://ok.test/b - HIER_DIRECT/10.0.0.1 text/plain";
  static final String WOULD_DENY =
      "cp1 allow allow not-allowed-domain TCP_MISS 200 500 3 1796279997.8 3 10.0.0.2 TCP_MISS/200 500"
          + " GET http://other.test/ - HIER_DIRECT/10.0.0.1 text/plain"
          + " would_deny=not-allowed-domain";

  static String user(String line) {
    int[] off = new int[1];
    assertThat(AccessLog.parse(line, off)).isNotNull();
    return line.substring(off[0]);
  }

  static String pump(AccessLog log, InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    log.pump(in, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  static String scrape(AccessLog log) {
    Metrics m = new Metrics();
    log.metrics(m);
    return m.text();
  }

  @Test
  void eachLineIsCountedByItsRuleAndForwardedWithoutThePrefix() throws IOException {
    AccessLog log = new AccessLog("enforce");
    String in = String.join("\n", DENIED_AUTH, DENIED_DOMAIN, ALLOWED, ALLOWED) + "\n";
    String out = pump(log, new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)));
    assertThat(out.lines())
        .containsExactly(user(DENIED_AUTH), user(DENIED_DOMAIN), user(ALLOWED), user(ALLOWED));
    assertThat(out).doesNotContain("cp1 ");
    assertThat(user(ALLOWED)).startsWith("1796279997.736    120 127.0.0.1 TCP_MISS/200");
    String text = scrape(log);
    MetricsTest.assertValidExposition(text);
    assertThat(text)
        .contains("# TYPE cephaloproxy_requests_total counter")
        .contains(
            "cephaloproxy_requests_total{decision=\"deny\",rule=\"auth\",mode=\"enforce\"} 1\n",
            "cephaloproxy_requests_total{decision=\"deny\",rule=\"denied-domain\",mode=\"enforce\"} 1\n",
            "cephaloproxy_requests_total{decision=\"allow\",rule=\"allow\",mode=\"enforce\"} 2\n")
        .contains("# TYPE cephaloproxy_request_duration_seconds histogram")
        // 120 ms: above 0.1, within 0.25
        .contains(
            "cephaloproxy_request_duration_seconds_bucket{decision=\"allow\",le=\"0.1\"} 0\n",
            "cephaloproxy_request_duration_seconds_bucket{decision=\"allow\",le=\"0.25\"} 2\n",
            "cephaloproxy_request_duration_seconds_bucket{decision=\"allow\",le=\"+Inf\"} 2\n",
            "cephaloproxy_request_duration_seconds_sum{decision=\"allow\"} 0.24\n",
            "cephaloproxy_request_duration_seconds_count{decision=\"allow\"} 2\n")
        .contains(
            "cephaloproxy_response_size_bytes_bucket{decision=\"allow\",le=\"16384\"} 2\n",
            "cephaloproxy_response_size_bytes_bucket{decision=\"deny\",le=\"4096\"} 2\n",
            "cephaloproxy_response_size_bytes_sum{decision=\"deny\"} 6897\n")
        .contains(
            "# TYPE cephaloproxy_responses_total counter\n",
            "cephaloproxy_responses_total{code=\"2xx\"} 2\n",
            "cephaloproxy_responses_total{code=\"4xx\"} 2\n",
            "cephaloproxy_responses_total{code=\"5xx\"} 0\n");
  }

  /**
   * The pump parses the usual line on its bytes and hands anything else to {@link
   * AccessLog#handle}: both ways count every line alike (decision, rule, histograms, status class).
   */
  @Test
  void thePumpsByteParseCountsAsHandleDoes() throws IOException {
    java.util.List<String> lines =
        java.util.List.of(
            DENIED_AUTH,
            DENIED_DOMAIN,
            ALLOWED,
            WOULD_DENY,
            "cp1 - extra-config - TCP_DENIED 403 10 0 x",
            "cp1 - extra-config - TCP_MISS 200 10 1500 x",
            "cp1 - - - NONE_NONE 400 3900 0 x",
            "cp1 - - - NONE_NONE 0 0 0 1796281300.749      0 127.0.0.1",
            "cp1 - - - TCP_DENIED 403 3900 0 x",
            "cp1 - - - TCP_MISS - - - x",
            "cp1 allow allow - TCP_MISS 502 10 7 bad gateway",
            "cp1 allow allow - TCP_MISS 2000 10 7 odd status",
            "cp1 deny some-new-rule - TCP_DENIED 403 1 0 x",
            "cp1 deny none - TCP_DENIED 403 1 0 x",
            "cp1 allow allow - TCP_MISS 200 -5 7 negative bytes",
            "cp1 allow allow - TCP_MISS 200 99999999999999999999 7 too many digits",
            "no prefix at all");
    for (String mode : java.util.List.of("enforce", "audit")) {
      AccessLog pumped = new AccessLog(mode);
      AccessLog handled = new AccessLog(mode);
      String out =
          pump(
              pumped,
              new ByteArrayInputStream(
                  (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
      StringBuilder expected = new StringBuilder();
      for (String line : lines) {
        expected.append(handled.handle(line)).append('\n');
      }
      assertThat(out).isEqualTo(expected.toString());
      assertThat(scrape(pumped)).isEqualTo(scrape(handled)).contains("code=\"5xx\"} 1\n");
    }
  }

  @Test
  void auditCountsTheRuleThatWouldHaveDenied() {
    AccessLog log = new AccessLog("audit");
    assertThat(log.handle(WOULD_DENY))
        .endsWith("would_deny=not-allowed-domain")
        .startsWith("1796279997.8 3 10.0.0.2");
    assertThat(scrape(log))
        .contains(
            "cephaloproxy_requests_total{decision=\"would_deny\",rule=\"not-allowed-domain\",mode=\"audit\"} 1\n",
            "cephaloproxy_requests_total{decision=\"allow\",rule=\"allow\",mode=\"audit\"} 0\n");
  }

  @Test
  void withoutADecisionNoteSquidsResultDecides() {
    int[] off = new int[1];
    // a line of extraConfig denied it
    assertThat(AccessLog.parse("cp1 - extra-config - TCP_DENIED 403 10 0 x", off))
        .isEqualTo(new AccessLog.Decision("deny", "extra-config", 10, 0));
    assertThat(AccessLog.parse("cp1 - extra-config - TCP_MISS 200 10 1500 x", off))
        .isEqualTo(new AccessLog.Decision("allow", "extra-config", 10, 1.5));
    // Custom mode, or a request Squid refused before the access rules
    assertThat(AccessLog.parse("cp1 - - - NONE_NONE 400 3900 0 x", off))
        .isEqualTo(new AccessLog.Decision("none", "none", 3900, 0));
    // a connection closed before its request, as Squid 5.7 logs it
    assertThat(AccessLog.parse("cp1 - - - NONE_NONE 0 0 0 1796281300.749      0 127.0.0.1", off))
        .isEqualTo(new AccessLog.Decision("none", "none", 0, 0));
    assertThat(AccessLog.parse("cp1 - - - TCP_DENIED 403 3900 0 x", off))
        .isEqualTo(new AccessLog.Decision("deny", "none", 3900, 0));
    assertThat(AccessLog.parse("cp1 - - - TCP_MISS - - - x", off))
        .isEqualTo(new AccessLog.Decision("allow", "none", 0, 0));
  }

  @Test
  void badLinesAreCountedAsUnknownAndForwardedWhole() throws IOException {
    AccessLog log = new AccessLog("enforce");
    String in =
        String.join(
                "\n",
                "a line Squid wrote without the prefix",
                "cp1 deny",
                "cp1 deny denied-domain - TCP_DENIED 403 many 0 x",
                "cp1 deny some-new-rule - TCP_DENIED 403 1 0 still forwarded",
                "",
                DENIED_DOMAIN)
            + "\n";
    String out = pump(log, new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)));
    assertThat(out.lines())
        .containsExactly(
            "a line Squid wrote without the prefix",
            "cp1 deny",
            "cp1 deny denied-domain - TCP_DENIED 403 many 0 x",
            "still forwarded",
            "",
            user(DENIED_DOMAIN));
    assertThat(scrape(log))
        .contains(
            "cephaloproxy_requests_total{decision=\"unknown\",rule=\"unknown\",mode=\"enforce\"} 4\n",
            "cephaloproxy_requests_total{decision=\"deny\",rule=\"unknown\",mode=\"enforce\"} 1\n",
            "cephaloproxy_requests_total{decision=\"deny\",rule=\"denied-domain\",mode=\"enforce\"} 1\n");
  }

  @Test
  void linesSplitAcrossReadsAndNonAsciiBytesArriveUnchanged() throws IOException {
    AccessLog log = new AccessLog("enforce");
    String utf8 =
        "cp1 allow allow - TCP_MISS 200 1 1 {\"url\":\"http://b\u00fccher.test/\u00e4?q=\u20ac\"}";
    byte[] all = (utf8 + "\n" + ALLOWED).getBytes(StandardCharsets.UTF_8); // no final newline
    // one byte per read, the way a slow pipe may deliver it
    InputStream trickle =
        new ByteArrayInputStream(all) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
          }
        };
    String out = pump(log, trickle);
    assertThat(out).isEqualTo(user(utf8) + "\n" + user(ALLOWED) + "\n");
    assertThat(scrape(log))
        .contains(
            "cephaloproxy_requests_total{decision=\"allow\",rule=\"allow\",mode=\"enforce\"} 2\n");
  }

  @Test
  void noLineIsLostOrSplitWhateverTheReadsReturn() throws IOException {
    // lines of 60 B to 100 KiB (beyond the 64 KiB read buffer and the 8 KiB line buffer), read in
    // pieces of 1 B to 150 KiB that end anywhere: in a line, on its newline, across several lines
    for (long seed = 1; seed <= 3; seed++) {
      java.util.Random random = new java.util.Random(seed);
      StringBuilder in = new StringBuilder();
      StringBuilder expected = new StringBuilder();
      int allowed = 0;
      for (int i = 0; i < 3000; i++) {
        String url =
            "http://ok.test/" + i + "/" + "p".repeat(random.nextInt(i % 100 == 0 ? 100_000 : 300));
        boolean deny = random.nextInt(3) == 0;
        String user = "1796279997.736 1 127.0.0.1 TCP_MISS/200 10 GET " + url + " - HIER_NONE/- -";
        in.append(
                deny
                    ? "cp1 deny denied-domain - TCP_DENIED 403 10 1 "
                    : "cp1 allow allow - TCP_MISS 200 10 1 ")
            .append(user)
            .append('\n');
        expected.append(user).append('\n');
        allowed += deny ? 0 : 1;
      }
      InputStream pieces =
          new ByteArrayInputStream(in.toString().getBytes(StandardCharsets.US_ASCII)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
              int n =
                  random.nextInt(4) == 0 ? 1 + random.nextInt(150_000) : 1 + random.nextInt(200);
              return super.read(b, off, Math.min(len, n));
            }

            @Override
            public synchronized int available() {
              return random.nextBoolean() ? 0 : super.available();
            }
          };
      AccessLog log = new AccessLog("enforce");
      assertThat(pump(log, pieces)).as("seed " + seed).isEqualTo(expected.toString());
      assertThat(scrape(log))
          .as("seed " + seed)
          .contains(
              "cephaloproxy_requests_total{decision=\"allow\",rule=\"allow\",mode=\"enforce\"} "
                  + allowed
                  + "\n",
              "cephaloproxy_requests_total{decision=\"deny\",rule=\"denied-domain\",mode=\"enforce\"} "
                  + (3000 - allowed)
                  + "\n")
          .doesNotContain("unknown");
    }
  }

  @Test
  void thePumpWaitsBetweenReadsUntilAQuarterPipeWouldBeWaitingAtMost20Ms() {
    // 1000 lines of 160 B a second: 16 KiB gather in about 100 ms, more than 20 ms
    assertThat(AccessLog.batchWait(160, 1_000_000)).isEqualTo(20_000_000);
    // 4 KiB in the last 2 ms: 16 KiB in 8 ms
    assertThat(AccessLog.batchWait(4096, 2_000_000)).isEqualTo(8_000_000);
    // a read of a quarter pipe or more: read again at once
    assertThat(AccessLog.batchWait(16 * 1024, 1_000)).isZero();
    assertThat(AccessLog.batchWait(64 * 1024, 1_000)).isZero();
    // after a long silence: the line is forwarded at once, the next wait is capped
    assertThat(AccessLog.batchWait(100, Long.MAX_VALUE)).isEqualTo(20_000_000);
  }

  @Test
  void anOverlongLineIsForwardedWholeAndCountedAsUnknown() throws IOException {
    AccessLog log = new AccessLog("enforce");
    char[] big = new char[AccessLog.MAX_LINE * 2];
    Arrays.fill(big, 'x');
    String longLine = "cp1 allow allow - TCP_MISS 200 1 1 " + new String(big);
    String in = longLine + "\n" + ALLOWED + "\n";
    String out = pump(log, new ByteArrayInputStream(in.getBytes(StandardCharsets.US_ASCII)));
    assertThat(out).isEqualTo(longLine + "\n" + user(ALLOWED) + "\n");
    assertThat(scrape(log))
        .contains(
            "cephaloproxy_requests_total{decision=\"unknown\",rule=\"unknown\",mode=\"enforce\"} 1\n",
            "cephaloproxy_requests_total{decision=\"allow\",rule=\"allow\",mode=\"enforce\"} 1\n");
  }
}
