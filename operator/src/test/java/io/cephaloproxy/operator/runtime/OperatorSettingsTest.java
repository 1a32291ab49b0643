package io.cephaloproxy.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cephaloproxy.operator.model.Guardrails;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {
  @Test
  void defaults() {
    OperatorSettings s = OperatorSettings.fromEnvironment(Map.of());
    assertThat(s.watchesAllNamespaces()).isTrue();
    assertThat(s.leaderElection()).isFalse();
    assertThat(s.squidImage()).isEqualTo("ghcr.io/cephaloproxy/squid:" + Versions.version());
    assertThat(Versions.version()).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(s.httpPort()).isEqualTo(8080);
    assertThat(s.logFormat()).isEqualTo(OperatorSettings.LogFormat.PLAIN);
    assertThat(s.leaseName()).isEqualTo("cephaloproxy-operator-leader");
    assertThat(s.guardrails()).isEqualTo(Guardrails.DEFAULTS);
    assertThat(Guardrails.DEFAULTS.allowUpstreamToDeniedDestinations()).isFalse();
  }

  @Test
  void guardrailsFromTheChartsAdmissionValues() {
    OperatorSettings s =
        OperatorSettings.fromEnvironment(
            Map.of(
                "ALLOWED_IMAGE_PREFIXES", " registry.example/squid:, ghcr.io/cephaloproxy/ ,",
                "ALLOW_RAW_CONFIG", "false",
                "ALLOW_UPSTREAM_TO_DENIED_DESTINATIONS", "true"));
    assertThat(s.guardrails())
        .isEqualTo(
            new Guardrails(
                List.of("registry.example/squid:", "ghcr.io/cephaloproxy/"), false, true));
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("ALLOW_RAW_CONFIG", "nope")))
        .hasMessage("ALLOW_RAW_CONFIG: 'nope' is not true or false");
  }

  @Test
  void everyVariable() {
    OperatorSettings s =
        OperatorSettings.fromEnvironment(
            Map.of(
                "WATCH_NAMESPACES", " team-b, team-a ,,team-b",
                "LEADER_ELECTION", "true",
                "LEADER_ELECTION_NAMESPACE", "ops",
                "POD_NAME", "op-1",
                "SQUID_IMAGE", "registry.example/squid:1",
                "HTTP_PORT", "9090",
                "LOG_FORMAT", "JSON",
                "LOG_LEVEL", "debug"));
    assertThat(s.watchNamespaces()).containsExactly("team-a", "team-b");
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.leaderElectionNamespace()).contains("ops");
    assertThat(s.identity()).contains("op-1");
    assertThat(s.squidImage()).isEqualTo("registry.example/squid:1");
    assertThat(s.httpPort()).isEqualTo(9090);
    assertThat(s.logFormat()).isEqualTo(OperatorSettings.LogFormat.JSON);
    assertThat(s.logLevel()).isEqualTo("DEBUG");
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("LEADER_ELECTION", "maybe")))
        .hasMessage("LEADER_ELECTION: 'maybe' is not true or false");
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("HTTP_PORT", "70000")))
        .hasMessage("HTTP_PORT: '70000' is not a port number (1-65535)");
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("LOG_FORMAT", "xml")))
        .hasMessage("LOG_FORMAT: 'xml' is neither 'plain' nor 'json'");
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("WATCH_NAMESPACES", "Team_A")))
        .hasMessage("WATCH_NAMESPACES: 'Team_A' is not a valid namespace name");
  }

  @Test
  void denialEventsEveryFiveMinutesByDefaultConfigurableAndOff() {
    OperatorSettings d = OperatorSettings.fromEnvironment(Map.of());
    assertThat(d.denialEventsInterval()).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(d.denialEvents()).isTrue();
    assertThat(d.operatorPodLabels()).isEmpty();
    assertThat(d.podNamespace()).isEmpty();
    OperatorSettings s =
        OperatorSettings.fromEnvironment(
            Map.of(
                "DENIAL_EVENTS_INTERVAL", "30s",
                "POD_NAMESPACE", "cephaloproxy-system",
                "OPERATOR_POD_LABELS",
                    "app.kubernetes.io/name=cephaloproxy-operator, app.kubernetes.io/instance=op"));
    assertThat(s.denialEventsInterval()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(s.podNamespace()).contains("cephaloproxy-system");
    assertThat(s.operatorPodLabels())
        .containsExactly(
            Map.entry("app.kubernetes.io/instance", "op"),
            Map.entry("app.kubernetes.io/name", "cephaloproxy-operator"));
    assertThat(
            OperatorSettings.fromEnvironment(Map.of("DENIAL_EVENTS_INTERVAL", "0")).denialEvents())
        .isFalse();
    for (String bad : List.of("7s", "5", "31m", "1h", "0s", "-10s")) {
      assertThatThrownBy(
              () -> OperatorSettings.fromEnvironment(Map.of("DENIAL_EVENTS_INTERVAL", bad)))
          .hasMessage(
              "DENIAL_EVENTS_INTERVAL: '"
                  + bad
                  + "' is not a whole number of 10 seconds from 10s to 30m (such as 30s or 5m),"
                  + " or 0 to turn the denial summary Events off");
    }
    assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("OPERATOR_POD_LABELS", "app")))
        .hasMessageStartingWith("OPERATOR_POD_LABELS: 'app' is not a label key=value");
  }
}
