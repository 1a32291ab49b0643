package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Argo CD health check, run like Argo CD's own resource_customizations test harness: each
 * case of health_test.yaml loads its testdata object into {@code obj} and expects a status and
 * message.
 */
class ArgoCdHealthTest {
  static final Path HEALTH = Repo.ARGOCD_HEALTH.resolve("health.lua");

  @TestFactory
  Stream<DynamicTest> everyCaseOfHealthTestYaml() {
    List<Map<String, Object>> tests = cases();
    assertThat(tests).isNotEmpty();
    return tests.stream().map(t -> DynamicTest.dynamicTest((String) t.get("inputPath"), () -> {
      Map<String, Object> obj = Yaml.single(Repo.ARGOCD_HEALTH.resolve((String) t.get("inputPath")));
      Lua.Health actual = Lua.health(HEALTH, obj);
      assertThat(actual.status()).isEqualTo(Yaml.at(t, "healthStatus", "status"));
      assertThat(actual.message()).isEqualTo(Yaml.at(t, "healthStatus", "message"));
    }));
  }

  @Test
  void casesCoverEveryStatusAndEveryTestdataFile() throws IOException {
    List<Map<String, Object>> tests = cases();
    Set<Object> statuses = tests.stream().map(t -> Yaml.at(t, "healthStatus", "status"))
        .collect(Collectors.toSet());
    assertThat(statuses).containsExactlyInAnyOrder("Healthy", "Progressing", "Degraded");
    Set<String> used = tests.stream().map(t -> (String) t.get("inputPath")).collect(Collectors.toSet());
    try (Stream<Path> files = Files.list(Repo.ARGOCD_HEALTH.resolve("testdata"))) {
      assertThat(files.map(f -> "testdata/" + f.getFileName()).collect(Collectors.toSet()))
          .as("every testdata file is a case of health_test.yaml").isEqualTo(used);
    }
  }

  @Test
  void testdataAreValidSquidProxies() {
    CrdSchema schema = CrdSchema.load();
    for (Map<String, Object> t : cases()) {
      Map<String, Object> obj = Yaml.single(Repo.ARGOCD_HEALTH.resolve((String) t.get("inputPath")));
      assertThat(schema.validate(obj)).as("%s", t.get("inputPath")).isEmpty();
    }
  }

  @Test
  void aReadyProxyWhoseDegradedTurnsTrueBecomesDegraded() {
    Map<String, Object> obj = Yaml.single(Repo.ARGOCD_HEALTH.resolve("testdata/healthy.yaml"));
    assertThat(Lua.health(HEALTH, obj).status()).isEqualTo("Healthy");
    List<Map<String, Object>> conditions = Yaml.at(obj, "status", "conditions");
    conditions.stream().filter(c -> c.get("type").equals("Degraded")).forEach(c -> {
      c.put("status", "True");
      c.put("message", "quota exceeded: pods \"egress-1\" is forbidden");
    });
    assertThat(Lua.health(HEALTH, obj))
        .isEqualTo(new Lua.Health("Degraded", "quota exceeded: pods \"egress-1\" is forbidden"));
  }

  static List<Map<String, Object>> cases() {
    return Yaml.at(Yaml.single(Repo.ARGOCD_HEALTH.resolve("health_test.yaml")), "tests");
  }
}
