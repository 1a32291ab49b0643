package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The agent's window-stamped summary of denied requests ({@code /denials}). */
class DenialsTest {
  /** 2026-12-03T18:00:00Z, a bucket start. */
  static final long T0 = 1_796_320_800L;

  final AtomicLong clock = new AtomicLong(T0 * 1000);
  final Denials denials = new Denials(clock::get);

  static String line(String decision, String rule, String wouldDeny, String host, String url) {
    return "cp2 "
        + decision
        + " "
        + rule
        + " "
        + wouldDeny
        + " TCP_DENIED 403 3403 0 "
        + host
        + " 1796320800.000      0 10.0.0.9 TCP_DENIED/403 3403 GET "
        + url
        + " - HIER_NONE/- text/html";
  }

  String pump(AccessLog log, String... lines) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    log.pump(
        new ByteArrayInputStream(
            (String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1)),
        out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void deniedRequestsAreSummedPerRuleWithTheirTopHostsOverCompleteBuckets() throws IOException {
    AccessLog log = new AccessLog("enforce", denials);
    String[] lines = new String[40];
    for (int i = 0; i < 30; i++) {
      String host = i < 20 ? "example.org" : i < 27 ? "Other.Example" : "x" + i + ".test";
      lines[i] = line("deny", "not-allowed-domain", "-", host, "http://" + host + "/");
    }
    for (int i = 30; i < 37; i++) {
      lines[i] = line("deny", "connect-port", "-", "ok.test", "ok.test:25");
    }
    lines[37] = line("allow", "allow", "-", "ok.test", "http://ok.test/");
    lines[38] = line("allow", "allow", "-", "ok.test", "http://ok.test/");
    lines[39] = line("allow", "allow", "-", "ok.test", "http://ok.test/");
    String out = pump(log, lines);
    // the host field is the prefix's: the user's format is forwarded as before
    assertThat(out.lines().findFirst().orElseThrow())
        .startsWith("1796320800.000      0 10.0.0.9 TCP_DENIED/403");
    assertThat(out).doesNotContain("cp2").doesNotContain(" example.org 1796320800");

    // the current bucket is not complete: nothing yet
    assertThat(denials.answer("", "enforce")).contains("\"denials\":[]");
    clock.addAndGet(10_000);
    String answer = denials.answer("from=" + T0 + "&to=" + (T0 + 300), "enforce");
    assertThat(answer)
        .isEqualTo(
            "{\"bucketSeconds\":10,\"from\":"
                + T0
                + ",\"to\":"
                + (T0 + 10)
                + ",\"now\":"
                + (T0 + 10)
                + ",\"mode\":\"enforce\",\"denials\":["
                + "{\"decision\":\"deny\",\"rule\":\"connect-port\",\"requests\":7,"
                + "\"hosts\":[{\"host\":\"ok.test\",\"requests\":7}]},"
                + "{\"decision\":\"deny\",\"rule\":\"not-allowed-domain\",\"requests\":30,"
                + "\"hosts\":[{\"host\":\"example.org\",\"requests\":20},"
                + "{\"host\":\"other.example\",\"requests\":7},"
                + "{\"host\":\"x27.test\",\"requests\":1},"
                + "{\"host\":\"x28.test\",\"requests\":1},"
                + "{\"host\":\"x29.test\",\"requests\":1}]}]}\n");
    // a read resets nothing: a second reader of the same window gets the same counts
    assertThat(denials.answer("from=" + T0 + "&to=" + (T0 + 300), "enforce")).isEqualTo(answer);
    // the next window (from = the last answer's to) starts empty
    assertThat(denials.answer("from=" + (T0 + 10), "enforce")).contains("\"denials\":[]");
  }

  @Test
  void auditModeKeepsWhatWouldHaveBeenDeniedAndTheOldPrefixCountsWithoutHosts() throws IOException {
    AccessLog log = new AccessLog("audit", denials);
    pump(
        log,
        line("allow", "allow", "not-allowed-domain", "example.org", "http://example.org/"),
        line("allow", "allow", "-", "ok.test", "http://ok.test/"),
        // a config compiled before the host field: counted, no host
        "cp1 allow allow connect-port TCP_TUNNEL 200 0 3 1796320800.000 3 10.0.0.9"
            + " TCP_TUNNEL/200 0 CONNECT ok.test:25 - HIER_DIRECT/- -");
    clock.addAndGet(10_000);
    assertThat(denials.answer("", "audit"))
        .contains("\"mode\":\"audit\"")
        .contains(
            "{\"decision\":\"would_deny\",\"rule\":\"connect-port\",\"requests\":1,\"hosts\":[]}",
            "{\"decision\":\"would_deny\",\"rule\":\"not-allowed-domain\",\"requests\":1,"
                + "\"hosts\":[{\"host\":\"example.org\",\"requests\":1}]}")
        .doesNotContain("\"allow\"");
  }

  @Test
  void jsonLinesCountTheirDenialsWithTheirHost() throws IOException {
    AccessLog log = new AccessLog("enforce", denials);
    String json =
        "cpj2 deny denied-domain - TCP_DENIED 403 3403 0 bad.example"
            + " 2026-12-03T18:00:00.000Z 10.0.0.9 - GET http bad.example 80 /a 403 3403 0"
            + " TCP_DENIED - - - HIER_NONE text/html curl/8";
    String out = pump(log, json);
    assertThat(out).startsWith("{\"time\":\"2026-12-03T18:00:00.000Z\"");
    clock.addAndGet(10_000);
    assertThat(denials.answer("", "enforce"))
        .contains(
            "{\"decision\":\"deny\",\"rule\":\"denied-domain\",\"requests\":1,"
                + "\"hosts\":[{\"host\":\"bad.example\",\"requests\":1}]}");
  }

  @Test
  void hostsAreBoundedPerBucketAndShownSafely() {
    for (int i = 0; i < 1000; i++) {
      denials.record("deny", "not-allowed-domain", Denials.host("h" + i + ".test"));
    }
    denials.record("deny", "not-allowed-domain", Denials.host("h999.test"));
    // a client chooses the host: quotes, control characters and length never reach the Event
    String hostile = "evil\"\n\u0001" + "a".repeat(500) + ".test";
    denials.record("deny", "denied-domain", Denials.host(hostile));
    clock.addAndGet(10_000);
    var summary = denials.between(T0, T0 + 10);
    assertThat(summary).hasSize(2);
    var domain = summary.get(1);
    assertThat(domain.requests()).isEqualTo(1001);
    // hosts after the 32nd of the bucket are counted for the rule only
    assertThat(domain.top()).hasSize(Denials.TOP_HOSTS);
    assertThat(domain.top().get(0).getValue()).isEqualTo(1);
    assertThat(summary.get(0).top()).isEmpty();
    denials.record("deny", "denied-domain", Denials.host(hostile));
    clock.addAndGet(10_000);
    String shown = denials.between(T0 + 10, T0 + 20).get(0).top().get(0).getKey();
    assertThat(shown).hasSize(Denials.MAX_HOST).startsWith("evil???aaa").matches("[a-z?]+");
  }

  @Test
  void bucketsOlderThanTheRetentionAreDropped() {
    for (int i = 0; i < 1000; i++) {
      denials.record("deny", "connect-port", null);
      clock.addAndGet(10_000);
    }
    assertThat(denials.buckets())
        .isLessThanOrEqualTo((int) (Denials.RETAINED_SECONDS / Denials.BUCKET_SECONDS) + 1);
  }

  @Test
  void badQueriesAreOneReadableLine() {
    assertThatThrownBy(() -> denials.answer("from=yesterday", "enforce"))
        .hasMessage("from='yesterday' is not a number of seconds since the epoch");
    assertThatThrownBy(() -> denials.answer("window=5m", "enforce"))
        .hasMessage("unknown query parameter 'window': use from and to (seconds since the epoch)");
    assertThatThrownBy(() -> denials.answer("from=" + T0 + "&to=" + (T0 - 100), "enforce"))
        .hasMessageContaining("is after to");
    // without from and to: the last 5 minutes of complete buckets
    clock.addAndGet(3_000);
    assertThat(denials.answer("", "enforce"))
        .startsWith("{\"bucketSeconds\":10,\"from\":" + (T0 - 300) + ",\"to\":" + T0 + ",");
  }
}
