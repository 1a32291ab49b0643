package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Argo CD health check, evaluated by Argo CD's own Lua engine (argo-cd v3.1.9 util/lua, see
 * {@link ArgoCdLua}) like Argo CD's resource_customizations tests: each case of health_test.yaml
 * loads its testdata object (a status recorded from the operator, see testdata/README.md) and
 * expects a status and message. The other tests change a recorded object the way the cluster would.
 */
class ArgoCdHealthTest {
  static final Path HEALTH = Repo.ARGOCD_HEALTH.resolve("health.lua");

  @TestFactory
  Stream<DynamicTest> everyCaseOfHealthTestYaml() {
    List<Map<String, Object>> tests = cases();
    assertThat(tests).isNotEmpty();
    List<ArgoCdLua.Health> actual =
        ArgoCdLua.health(
            HEALTH,
            tests.stream()
                .map(t -> Repo.ARGOCD_HEALTH.resolve((String) t.get("inputPath")))
                .toList());
    return IntStream.range(0, tests.size())
        .mapToObj(
            i ->
                DynamicTest.dynamicTest(
                    (String) tests.get(i).get("inputPath"),
                    () ->
                        assertThat(actual.get(i))
                            .isEqualTo(
                                new ArgoCdLua.Health(
                                    Yaml.at(tests.get(i), "healthStatus", "status"),
                                    Yaml.at(tests.get(i), "healthStatus", "message")))));
  }

  @Test
  void casesCoverEveryStatusAndEveryTestdataFile() throws IOException {
    List<Map<String, Object>> tests = cases();
    Set<Object> statuses =
        tests.stream().map(t -> Yaml.at(t, "healthStatus", "status")).collect(Collectors.toSet());
    assertThat(statuses).containsExactlyInAnyOrder("Healthy", "Progressing", "Degraded");
    Set<String> used =
        tests.stream().map(t -> (String) t.get("inputPath")).collect(Collectors.toSet());
    try (Stream<Path> files = Files.list(Repo.ARGOCD_HEALTH.resolve("testdata"))) {
      assertThat(
              files
                  .map(f -> "testdata/" + f.getFileName())
                  .filter(f -> f.endsWith(".yaml"))
                  .collect(Collectors.toSet()))
          .as("every testdata file is a case of health_test.yaml")
          .isEqualTo(used);
    }
  }

  @Test
  void testdataAreValidSquidProxies() {
    CrdSchema schema = CrdSchema.load();
    for (Map<String, Object> t : cases()) {
      Map<String, Object> obj =
          Yaml.single(Repo.ARGOCD_HEALTH.resolve((String) t.get("inputPath")));
      assertThat(schema.validate(obj)).as("%s", t.get("inputPath")).isEmpty();
    }
  }

  @Test
  void aReadyProxyWhoseDegradedTurnsTrueBecomesDegraded() {
    Map<String, Object> obj = recorded("healthy");
    assertThat(ArgoCdLua.health(HEALTH, obj).status()).isEqualTo("Healthy");
    degraded(obj, "PodsRejected", "ReplicaSet egress-5d8f cannot create pods: quota exceeded");
    assertThat(ArgoCdLua.health(HEALTH, obj))
        .isEqualTo(
            new ArgoCdLua.Health(
                "Degraded", "ReplicaSet egress-5d8f cannot create pods: quota exceeded"));
  }

  @Test
  void aTransientReconcileErrorIsProgressingWithTheOperatorsMessage() {
    // what SquidProxyReconciler.updateErrorStatus writes: Degraded=True, the other conditions kept
    Map<String, Object> obj = recorded("healthy");
    degraded(obj, "ReconcileError", "reconcile failed, retrying: timeout");
    assertThat(ArgoCdLua.health(HEALTH, obj))
        .isEqualTo(new ArgoCdLua.Health("Progressing", "reconcile failed, retrying: timeout"));
  }

  @Test
  void aNewGenerationNotYetObservedComesBeforeEveryCondition() {
    for (String state : List.of("healthy", "config-rejected", "crash-loop")) {
      Map<String, Object> obj = recorded(state);
      Map<String, Object> metadata = Yaml.at(obj, "metadata");
      long next = ((Number) metadata.get("generation")).longValue() + 1;
      metadata.put("generation", next);
      assertThat(ArgoCdLua.health(HEALTH, obj))
          .as(state)
          .isEqualTo(
              new ArgoCdLua.Health(
                  "Progressing", "Waiting for the operator to observe generation " + next));
      degraded(obj, "ReconcileError", "reconcile failed, retrying: timeout");
      assertThat(ArgoCdLua.health(HEALTH, obj))
          .as(state + " with a reconcile error")
          .isEqualTo(
              new ArgoCdLua.Health(
                  "Progressing",
                  "Waiting for the operator to observe generation "
                      + next
                      + " (reconcile failed, retrying: timeout)"));
    }
  }

  @Test
  void aProxyBeingDeletedIsPendingDeletionWhateverItsConditions() {
    for (String state : List.of("healthy", "config-rejected", "crash-loop", "missing-secret")) {
      Map<String, Object> obj = recorded(state);
      Map<String, Object> metadata = Yaml.at(obj, "metadata");
      metadata.put("deletionTimestamp", "2026-12-02T20:00:00Z");
      assertThat(ArgoCdLua.health(HEALTH, obj))
          .as(state)
          .isEqualTo(new ArgoCdLua.Health("Progressing", "Pending deletion"));
    }
  }

  /**
   * Issue 11 §4: a rejected change while pods of the last good configuration serve (the operator
   * sets status.servingConfigHash) is Degraded, and the message says the proxy still serves.
   */
  @Test
  void aRejectedChangeWhilePodsServeTheLastGoodConfigSaysSo() {
    for (String state : List.of("config-rejected", "squid-rejected")) {
      Map<String, Object> obj = recorded(state);
      String before = ArgoCdLua.health(HEALTH, obj).message();
      Map<String, Object> status = Yaml.at(obj, "status");
      status.put("servingConfigHash", "0123456789" + "a".repeat(54));
      assertThat(ArgoCdLua.health(HEALTH, obj))
          .as(state)
          .isEqualTo(
              new ArgoCdLua.Health(
                  "Degraded", before + " (ready pods keep serving the last good configuration)"));
    }
  }

  @Test
  void aProxyWithoutStatusWaitsForTheOperator() {
    Map<String, Object> obj = recorded("healthy");
    obj.remove("status");
    assertThat(ArgoCdLua.health(HEALTH, obj))
        .isEqualTo(
            new ArgoCdLua.Health("Progressing", "Waiting for the operator to report status"));
  }

  static Map<String, Object> recorded(String state) {
    return Yaml.single(Repo.ARGOCD_HEALTH.resolve("testdata/" + state + ".yaml"));
  }

  static void degraded(Map<String, Object> obj, String reason, String message) {
    List<Map<String, Object>> conditions = Yaml.at(obj, "status", "conditions");
    conditions.stream()
        .filter(c -> c.get("type").equals("Degraded"))
        .forEach(
            c -> {
              c.put("status", "True");
              c.put("reason", reason);
              c.put("message", message);
            });
  }

  static List<Map<String, Object>> cases() {
    return Yaml.at(Yaml.single(Repo.ARGOCD_HEALTH.resolve("health_test.yaml")), "tests");
  }
}
