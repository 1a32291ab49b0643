package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.AccessLogFormat;
import io.cephaloproxy.api.v1alpha1.LoggingSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoggingSectionTest {
  @Test
  void oneLogformatToStdoutSquidsNativeFormatByDefaultWithoutThePodsOwnProbes() {
    SquidConfWriter out = new SquidConfWriter();
    LoggingSection.write(out, new LoggingSpec(), false);
    assertThat(out.lines())
        .containsExactly(
            "logformat cp_access cp2 %{cp_decision}note %{cp_rule}note %{would_deny}note %Ss %>Hs"
                + " %<st %tr %#>rd %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt",
            "acl cp_probes all-of localhost manager",
            "access_log stdio:/dev/stdout cp_access !cp_probes");
  }

  @Test
  void auditAddsTheWouldDenyNoteToEveryTextFormat() {
    for (AccessLogFormat f : AccessLogFormat.values()) {
      if (f == AccessLogFormat.JSON) {
        continue;
      }
      assertThat(LoggingSection.format(f, false)).doesNotContain("would_deny");
      assertThat(LoggingSection.format(f, true)).endsWith(" would_deny=%{would_deny}note");
      assertThat(LoggingSection.logformat(f, true))
          .startsWith(LoggingSection.DECISION_PREFIX)
          .endsWith(LoggingSection.format(f, true));
    }
  }

  @Test
  void jsonIsTheAgentsFieldListEachUrlEncodedSoNoneHoldsASpace() {
    String json = LoggingSection.logformat(AccessLogFormat.JSON, true);
    assertThat(json).isEqualTo(LoggingSection.logformat(AccessLogFormat.JSON, false));
    assertThat(json).startsWith("cpj2 %{cp_decision}note %{cp_rule}note %{would_deny}note ");
    String fields = json.substring(LoggingSection.DECISION_PREFIX.length() + 1);
    // the agent's JsonLog.FIELDS: time, client, user, method, scheme, host, port, path, status,
    // bytes, duration_ms, result, sni, bump_mode, server, hierarchy, mime, user_agent
    assertThat(fields.split(" ")).hasSize(18);
    for (String f : fields.split(" ")) {
      if (!f.startsWith("%{%Y") && !List.of("%>Hs", "%<st", "%tr").contains(f)) {
        assertThat(f).as("a free-text field must be URL-encoded").startsWith("%#");
      }
    }
  }
}
