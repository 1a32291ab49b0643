package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cephaloproxy.testsupport.Cmd;
import io.cephaloproxy.testsupport.MonitoringQueries;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 §4: the chart's alerts (PrometheusRule, {@code metrics.prometheusRule}) checked and
 * unit-tested by Prometheus's own promtool (built from github.com/prometheus/prometheus by stage
 * 35), every alert fired from series in src/test/resources/promtool; the Grafana dashboard
 * ConfigMap ({@code metrics.grafanaDashboard}) for the dashboard sidecar. That each queried metric
 * is exposed is checked on real scrapes: tests/image DecisionMetricsIT (a pod) and tests/apiserver
 * ReconcilerScenarios (the operator).
 */
class MonitoringTest {
  static final List<String> ALERTS =
      List.of(
          "CephaloProxySquidDown",
          "CephaloProxyNotReady",
          "CephaloProxyConfigRejected",
          "CephaloProxyDenyRatioHigh",
          "CephaloProxy5xxRatioHigh",
          "CephaloProxyOperatorReconcileErrors",
          "CephaloProxyCacheHitRatioLow");

  @Test
  void offByDefault() {
    List<HasMetadata> objects = Chart.render();
    assertThat(Chart.ofKind(objects, "PrometheusRule")).isEmpty();
    assertThat(Chart.ofKind(objects, ConfigMap.class)).isEmpty();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> rules(Map<String, Object> values) {
    List<HasMetadata> rules = Chart.ofKind(Chart.render(values), "PrometheusRule");
    assertThat(rules).hasSize(1);
    return (Map<String, Object>)
        ((GenericKubernetesResource) rules.get(0)).getAdditionalProperties().get("spec");
  }

  @Test
  void promtoolChecksTheRulesAndFiresEveryAlertInItsUnitTests(@TempDir Path dir) throws Exception {
    Map<String, Object> spec =
        rules(
            Chart.values(
                "metrics.prometheusRule.enabled",
                true,
                "metrics.prometheusRule.cacheHitRatioBelow",
                0.3));
    Files.writeString(dir.resolve("cephaloproxy-rules.yaml"), Yaml.toYaml(spec));
    Path tests = dir.resolve("cephaloproxy-rules-test.yaml");
    Files.copy(
        Repo.ROOT.resolve("tests/install/src/test/resources/promtool/cephaloproxy-rules-test.yaml"),
        tests);
    String unitTests = Files.readString(tests);
    for (String alert : ALERTS) {
      assertThat(unitTests).as("a unit test fires " + alert).contains("alertname: " + alert);
    }
    String promtool = Tools.promtool().toString();
    Cmd.Result check =
        Cmd.run(
            Duration.ofMinutes(1),
            promtool,
            "check",
            "rules",
            dir.resolve("cephaloproxy-rules.yaml").toString());
    System.out.println(check.out() + check.err());
    assertThat(check.exit()).as(check.out() + check.err()).isZero();
    assertThat(check.out()).contains("SUCCESS: " + ALERTS.size() + " rules found");
    Cmd.Result test = Cmd.run(Duration.ofMinutes(2), promtool, "test", "rules", tests.toString());
    System.out.println(test.out() + test.err());
    assertThat(test.exit()).as(test.out() + test.err()).isZero();
    assertThat(test.out()).contains("SUCCESS");
  }

  @Test
  void withoutAHitRatioThresholdTheCacheAlertIsLeftOut() {
    Map<String, Object> spec = rules(Chart.values("metrics.prometheusRule.enabled", true));
    String text = Yaml.toYaml(spec);
    assertThat(text)
        .contains("alert: CephaloProxyDenyRatioHigh")
        .doesNotContain("CephaloProxyCacheHitRatioLow");
  }

  @Test
  void thresholdsComeFromTheValues() {
    Map<String, Object> spec =
        rules(
            Chart.values(
                "metrics.prometheusRule.enabled",
                true,
                "metrics.prometheusRule.denyRatio",
                0.8,
                "metrics.prometheusRule.configRejectedFor",
                "30m"));
    assertThat(rule(spec, "CephaloProxyDenyRatioHigh").get("expr").toString()).contains("> 0.8\n");
    assertThat(rule(spec, "CephaloProxyConfigRejected")).containsEntry("for", "30m");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> rule(Map<String, Object> spec, String alert) {
    for (Map<String, Object> group : (List<Map<String, Object>>) spec.get("groups")) {
      for (Map<String, Object> r : (List<Map<String, Object>>) group.get("rules")) {
        if (alert.equals(r.get("alert"))) {
          return r;
        }
      }
    }
    throw new AssertionError("no alert " + alert + " in " + spec);
  }

  @Test
  void theDashboardIsAConfigMapForTheSidecarWithAQueryInEveryPanel() throws Exception {
    List<ConfigMap> maps =
        Chart.ofKind(
            Chart.render(Chart.values("metrics.grafanaDashboard.enabled", true)), ConfigMap.class);
    assertThat(maps).hasSize(1);
    ConfigMap cm = maps.get(0);
    assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    JsonNode dashboard = new ObjectMapper().readTree(cm.getData().get("cephaloproxy.json"));
    assertThat(dashboard.get("uid").asText()).isEqualTo("cephaloproxy");
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
      for (JsonNode t : panel.get("targets")) {
        exprs.add(t.get("expr").asText());
      }
    }
    assertThat(exprs).hasSizeGreaterThan(10);
    // what the suites that scrape real pods and a real operator check against
    assertThat(MonitoringQueries.metrics())
        .contains(
            "cephaloproxy_requests_total",
            "cephaloproxy_responses_total",
            "cephaloproxy_request_duration_seconds_bucket",
            "squid_up",
            "cephaloproxy_operator_proxies",
            "cephaloproxy_operator_reconcile_duration_seconds_bucket");
  }
}
