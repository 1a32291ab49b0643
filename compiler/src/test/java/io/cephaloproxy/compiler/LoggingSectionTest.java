package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.AccessLogFormat;
import io.cephaloproxy.api.v1alpha1.LoggingSpec;
import org.junit.jupiter.api.Test;

class LoggingSectionTest {
  @Test
  void oneLogformatToStdoutSquidsNativeFormatByDefaultWithoutThePodsOwnProbes() {
    SquidConfWriter out = new SquidConfWriter();
    LoggingSection.write(out, new LoggingSpec(), false);
    assertThat(out.lines())
        .containsExactly(
            "logformat cp_access %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt",
            "acl cp_probes all-of localhost manager",
            "access_log stdio:/dev/stdout cp_access !cp_probes");
  }

  @Test
  void auditAddsTheWouldDenyNoteToEveryFormatAndJsonStaysOneObject() {
    for (AccessLogFormat f : AccessLogFormat.values()) {
      assertThat(LoggingSection.format(f, false)).doesNotContain("would_deny");
      assertThat(LoggingSection.format(f, true)).contains("{would_deny}note");
    }
    String json = LoggingSection.format(AccessLogFormat.JSON, true);
    assertThat(json).startsWith("{").endsWith(",\"would_deny\":\"%\"{would_deny}note\"}");
    assertThat(LoggingSection.format(AccessLogFormat.Common, true))
        .endsWith(" %Ss:%Sh would_deny=%{would_deny}note");
  }
}
