package io.cephaloproxy.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogSetupTest {
  @Test
  void jsonLinesParseAndCarryTheFields() throws Exception {
    LogRecord r = new LogRecord(Level.WARNING, "quote \" backslash \\ newline\n tab\t ctl\u0001");
    r.setLoggerName("io.cephaloproxy.X");
    r.setThrown(new IllegalStateException("boom"));
    String line = new LogSetup.JsonFormatter().format(r);
    assertThat(line).endsWith(System.lineSeparator());
    assertThat(line.strip()).doesNotContain("\n");
    JsonNode n = new ObjectMapper().readTree(line);
    assertThat(n.get("level").asText()).isEqualTo("WARN");
    assertThat(n.get("logger").asText()).isEqualTo("io.cephaloproxy.X");
    assertThat(n.get("message").asText())
        .isEqualTo("quote \" backslash \\ newline\n tab\t ctl\u0001");
    assertThat(n.get("error").asText()).contains("IllegalStateException: boom");
    assertThat(n.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void plainLineHasLevelAndShortLogger() {
    LogRecord r = new LogRecord(Level.INFO, "hello {0}");
    r.setParameters(new Object[] {"world"});
    r.setLoggerName("io.cephaloproxy.operator.Thing");
    String line = new LogSetup.PlainFormatter().format(r);
    assertThat(line).matches("\\S+Z INFO  Thing - hello world\\R");
  }
}
