package io.cephaloproxy.operator.denials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Summing the pods' answers and the one-line Event message. */
class DenialReportTest {
  static String answer(String... lines) {
    return "{\"bucketSeconds\":10,\"from\":1796320500,\"to\":1796320800,\"now\":1796320805,"
        + "\"mode\":\"enforce\",\"denials\":["
        + String.join(",", lines)
        + "]}\n";
  }

  static String line(String decision, String rule, long n, String hosts) {
    return "{\"decision\":\""
        + decision
        + "\",\"rule\":\""
        + rule
        + "\",\"requests\":"
        + n
        + ",\"hosts\":["
        + hosts
        + "]}";
  }

  static String host(String h, long n) {
    return "{\"host\":\"" + h + "\",\"requests\":" + n + "}";
  }

  @Test
  void twoPodsAreSummedPerRuleAndTheMessageIsTheIssuesLine() {
    var a =
        DenialReport.parse(
            answer(
                line(
                    "deny",
                    "not-allowed-domain",
                    18,
                    host("example.org", 12) + "," + host("other.test", 6)),
                line("deny", "connect-port", 3, host("ok.test", 3))));
    var b =
        DenialReport.parse(
            answer(
                line(
                    "deny",
                    "not-allowed-domain",
                    12,
                    host("example.org", 8) + "," + host("other.test", 4)),
                line("deny", "connect-port", 4, "")));
    var sums = DenialReport.sum(List.of(a, b));
    assertThat(sums).containsOnlyKeys("deny");
    assertThat(DenialReport.message("deny", sums.get("deny"), Duration.ofMinutes(5), 0, 2))
        .isEqualTo(
            "37 requests denied in 5 min: not-allowed-domain 30 (top: example.org),"
                + " connect-port 7 (top: ok.test)");
  }

  @Test
  void auditModeSaysWouldHaveBeenDeniedAndBlockedDestinationsStayDenied() {
    var a =
        DenialReport.parse(
            answer(
                line("would_deny", "not-allowed-domain", 5, host("example.org", 5)),
                line("deny", "blocked-destination", 1, host("169.254.169.254", 1))));
    var sums = DenialReport.sum(List.of(a));
    assertThat(
            DenialReport.message(
                "would_deny", sums.get("would_deny"), Duration.ofSeconds(30), 0, 1))
        .isEqualTo(
            "5 requests would have been denied (Audit mode) in 30 s: not-allowed-domain 5"
                + " (top: example.org)");
    assertThat(DenialReport.message("deny", sums.get("deny"), Duration.ofSeconds(30), 1, 3))
        .isEqualTo(
            "1 request denied in 30 s: blocked-destination 1 (top: 169.254.169.254); 1 of 3 pods"
                + " did not answer (see the operator's log)");
  }

  @Test
  void theMessageIsBoundedWhateverTheAgentsSay() {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      lines
          .append(i == 0 ? "" : ",")
          .append(line("deny", "rule-" + i, 100 - i, host("h" + "x".repeat(200) + i, 1)));
    }
    var sums = DenialReport.sum(List.of(DenialReport.parse(answer(lines.toString()))));
    String m = DenialReport.message("deny", sums.get("deny"), Duration.ofMinutes(5), 0, 1);
    assertThat(m).hasSizeLessThan(600).doesNotContain("\n").contains(", 34 more rules ");
    assertThat(m).startsWith("3220 requests denied in 5 min: rule-0 100 (top: hxxxx");
  }

  @Test
  void anAnswerThatIsNotTheAgentsIsOneLine() {
    assertThatThrownBy(() -> DenialReport.parse("<html>hello</html>"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not JSON: ")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> DenialReport.parse("{\"metrics\":1}"))
        .hasMessage("not the agent's /denials answer (no 'denials' list)");
    // lines without a decision, rule or a positive count are ignored
    assertThat(
            DenialReport.parse(answer(line("deny", "x", 0, ""), "{\"rule\":\"y\",\"requests\":3}"))
                .lines())
        .isEmpty();
  }
}
