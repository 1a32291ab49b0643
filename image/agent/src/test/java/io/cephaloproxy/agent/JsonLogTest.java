package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonLogTest {
  /**
   * The JSON fields as Squid 5.7 wrote them for the compiler's logformat (%# URL-encoded): a GET
   * with a query and a user agent with quotes, a backslash and non-ASCII; a CONNECT; a request
   * Squid could not parse.
   */
  static final String GET =
      "cpj1 allow allow not-allowed-domain TCP_MISS 200 3450 12 2026-12-03T07:14:39.879Z 10.0.0.2"
          + " alice GET http origin.test 80 /p/a%2522b%2520c?secret=1&x=2 200 3450 12 TCP_MISS - -"
          + " 10.0.0.9 HIER_DIRECT text/plain a%20%22q%22%20b%5C%20c%20%C3%A9";

  static final String CONNECT =
      "cpj1 deny connect-port - TCP_DENIED 403 3900 0 2026-12-03T07:14:30.005Z 127.0.0.1 - CONNECT"
          + " - origin.test 8443 - 403 3900 0 TCP_DENIED - - - HIER_NONE text/html curl/7.88.1";

  static final String GARBAGE =
      "cpj1 - - - NONE_NONE 400 3376 0 2026-12-03T07:14:40.032Z 127.0.0.1 - GARBAGE - - - - 400"
          + " 3376 0 NONE_NONE - - - HIER_NONE - -";

  static String json(String line) {
    return AccessLog.forwarded(line);
  }

  @Test
  void everyFieldInItsPlaceWithNullsNumbersAndNoQueryString() {
    assertThat(json(GET))
        .isEqualTo(
            "{\"time\":\"2026-12-03T07:14:39.879Z\",\"client\":\"10.0.0.2\",\"user\":\"alice\","
                + "\"method\":\"GET\",\"scheme\":\"http\",\"host\":\"origin.test\",\"port\":80,"
                + "\"path\":\"/p/a%22b%20c\",\"status\":200,\"bytes\":3450,\"duration_ms\":12,"
                + "\"result\":\"TCP_MISS\",\"decision\":\"allow\",\"rule\":\"allow\","
                + "\"would_deny\":\"not-allowed-domain\",\"sni\":null,\"bump_mode\":null,"
                + "\"server\":\"10.0.0.9\",\"hierarchy\":\"HIER_DIRECT\",\"mime\":\"text/plain\","
                + "\"user_agent\":\"a \\\"q\\\" b\\\\ c \\u00e9\"}");
    assertThat(json(CONNECT))
        .contains(
            "\"user\":null,\"method\":\"CONNECT\",\"scheme\":null,\"host\":\"origin.test\","
                + "\"port\":8443,\"path\":null,\"status\":403")
        .contains("\"decision\":\"deny\",\"rule\":\"connect-port\",\"would_deny\":null");
    assertThat(json(GARBAGE))
        .contains("\"method\":\"GARBAGE\",\"scheme\":null,\"host\":null,\"port\":null")
        .contains("\"decision\":\"none\",\"rule\":null");
  }

  @Test
  void fieldsThatDoNotFitAreForwardedWholeAndCountedAsUnknown() throws Exception {
    AccessLog log = new AccessLog("enforce");
    String missingOne = GET.substring(0, GET.lastIndexOf(' '));
    String badPort = GET.replace(" 80 /p/", " eighty /p/");
    String badEscape = GET.replace("%C3%A9", "%C3%Z9");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    log.pump(
        new ByteArrayInputStream(
            String.join("\n", missingOne, badPort, badEscape, GET)
                .getBytes(StandardCharsets.ISO_8859_1)),
        out);
    assertThat(out.toString(StandardCharsets.ISO_8859_1).lines())
        .containsExactly(missingOne, badPort, badEscape, json(GET));
    Metrics m = new Metrics();
    log.metrics(m);
    assertThat(m.text())
        .contains(
            "cephaloproxy_requests_total{decision=\"unknown\",rule=\"unknown\",mode=\"enforce\"} 3\n",
            "cephaloproxy_requests_total{decision=\"would_deny\",rule=\"not-allowed-domain\",mode=\"enforce\"} 1\n");
  }
}
