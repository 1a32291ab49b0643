package io.cephaloproxy.tests.apiserver;

import static io.cephaloproxy.tests.apiserver.Proxies.is;
import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * {@link ReconcilerScenarios} with the operator run as users run it ({@code java -jar
 * cephaloproxy-operator.jar run} in its own process, the image's JVM options, the chart's memory
 * limit), plus what only a process shows: no writes in steady state (audit log), hostile input
 * answered within the memory limit, nothing forbidden in its log.
 */
class OperatorIT extends ReconcilerScenarios {
  static final String OPERATOR_NS = "cephaloproxy-system";
  OperatorProcess process;

  @Override
  protected ChartRbac.Installed installRbac(ControlPlane cp) {
    return ChartRbac.install(cp, OPERATOR_NS, List.of(), false);
  }

  @Override
  protected RunningOperator startOperator(ControlPlane cp, ChartRbac.Installed rbac) {
    process = OperatorProcess.start(cp, "operator-it", rbac.kubeconfig(), Map.of());
    return process;
  }

  @Override
  protected String namespacePrefix() {
    return "op-";
  }

  @AfterAll
  void nothingForbidden() {
    if (process != null) {
      process.close();
      // with the chart's RBAC nothing the operator does is forbidden (the API server words the
      // rejections of the scenarios' admission policy as "forbidden" too: those lines name it)
      assertThat(process.logText().lines())
          .as("operator log lines")
          .filteredOn(l -> !l.contains("ValidatingAdmissionPolicy"))
          .noneMatch(l -> l.toLowerCase(java.util.Locale.ROOT).contains("forbidden"));
    }
  }

  @Test
  @Order(1)
  void noWritesInSteadyState(TestInfo info) {
    namespace(info);
    admin
        .secrets()
        .inNamespace(ns)
        .resource(htpasswd("users", "alice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"))
        .create();
    proxies.apply("basic", "{}");
    proxies.apply("allowlist", "access: {allowedDomains: [.example.com, api.github.com]}");
    proxies.apply("auth", "auth: {mode: Basic, htpasswdSecret: {name: users}}");
    for (String n : List.of("basic", "allowlist", "auth")) {
      proxies.awaitReady(n);
    }
    ControlPlane.sleep(5_000); // let the last status patches and informer events settle
    AuditLog audit = new AuditLog(cp.auditLog());
    Instant from = Instant.now();
    ControlPlane.sleep(60_000);
    Instant to = Instant.now();
    List<AuditLog.Write> writes = audit.writesBy(rbac.username(), from, to);
    List<AuditLog.Write> before = audit.writesBy(rbac.username(), Instant.EPOCH, from);
    System.out.printf(
        "steady state: %d write requests by the operator in %d s (%d while converging 3 proxies)%n",
        writes.size(), Duration.between(from, to).toSeconds(), before.size());
    assertThat(before)
        .as("the audit log records the operator's writes while converging")
        .isNotEmpty();
    assertThat(writes)
        .as("write requests by %s over 60 s of steady state", rbac.username())
        .isEmpty();
  }

  /**
   * Issue 12 section 2: a 1 MiB list of '*' lines and an extraConfig of 16,384 bad lines give
   * ConfigValid=False with a bounded message; the operator keeps running (same pid, chart memory
   * limit) and its memory stays normal.
   */
  @Test
  @Order(100)
  void hostileInputGivesABoundedAnswer(TestInfo info) {
    namespace(info);
    long pid = process.pid();
    long rssBefore = process.rssBytes();
    admin
        .configMaps()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("hostile")
                .endMetadata()
                .addToData("list.txt", "*\n".repeat(512 * 1024 - 8))
                .build())
        .create(); // just under the 1 MiB limit
    proxies.apply("list", "access: {allowedDomainsFrom: {name: hostile, key: list.txt}}");
    proxies.apply("extra", "extraConfig: \"" + "X\\n".repeat(16_384) + "\"");
    for (String name : List.of("list", "extra")) {
      SquidProxy sp = proxies.await(name, "ConfigValid=False", p -> is(p, "ConfigValid", "False"));
      String message = Proxies.condition(sp, "ConfigValid").orElseThrow().getMessage();
      System.out.printf(
          "hostile %s: ConfigValid message %d characters, operator RSS %d MiB (before %d MiB)%n",
          name, message.length(), process.rssBytes() >> 20, rssBefore >> 20);
      assertThat(message.length()).as("%s: condition message length", name).isLessThan(32 * 1024);
      assertThat(message).contains("validation").contains("stopped after 20 problems");
    }
    ControlPlane.sleep(10_000); // the retries a failed status write would cause
    assertThat(process.isAlive()).isTrue();
    assertThat(process.pid()).isEqualTo(pid);
    assertThat(process.logText()).doesNotContain("OutOfMemoryError");
    long peak = process.peakRssBytes();
    System.out.printf(
        "hostile input: operator RSS %d MiB, peak %d MiB%n", process.rssBytes() >> 20, peak >> 20);
    assertThat(peak).as("operator peak RSS").isLessThan(512L << 20);
    // the Events stay few and short
    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .hasSizeLessThan(20)
        .allSatisfy(e -> assertThat(e.getMessage().length()).isLessThanOrEqualTo(1024));
  }

  /**
   * Issue 16 §1: typed reasons end to end. Bad content of a referenced ConfigMap is {@code
   * InvalidReferencedData} (it was flattened into InvalidSpec); a dependent the API server refuses
   * (a toleration with operator Exists and a value passes the CRD, the Deployment does not) is one
   * line naming the object, the field, the API server's words and the SquidProxy field to change,
   * with no Java in it, and one aggregated Warning Event however often the operator retries.
   */
  @Test
  @Order(30)
  void referencedDataAndRejectedDependentsHaveTheirOwnReasonsAndOneLineMessages(TestInfo info) {
    namespace(info);
    kubelet.rule(p -> new FakeKubelet.Running());
    admin
        .configMaps()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("allowlist")
                .endMetadata()
                .addToData("domains.txt", ".example.com\n*.example.org\n")
                .build())
        .create();
    proxies.apply("lists", "access: {allowedDomainsFrom: {name: allowlist, key: domains.txt}}");
    SquidProxy lists =
        proxies.await("lists", "ConfigValid=False", p -> is(p, "ConfigValid", "False"));
    for (String type : List.of("ConfigValid", "Ready", "Degraded")) {
      assertThat(Proxies.condition(lists, type).orElseThrow().getReason())
          .as("%s reason for a wildcard line in a referenced domain list", type)
          .isEqualTo("InvalidReferencedData");
    }
    assertThat(Proxies.condition(lists, "ConfigValid").orElseThrow().getMessage())
        .startsWith("ConfigMap allowlist key domains.txt line 2: ");

    proxies.apply("tolerant", "tolerations: [{key: dedicated, operator: Exists, value: proxy}]");
    SquidProxy rejected =
        proxies.await(
            "tolerant",
            "Degraded=True with DependentRejected",
            p ->
                Proxies.condition(p, "Degraded")
                    .filter(c -> "DependentRejected".equals(c.getReason()))
                    .isPresent());
    String message = Proxies.condition(rejected, "Degraded").orElseThrow().getMessage();
    System.out.println("DependentRejected: " + message);
    assertThat(message)
        .startsWith(
            "the API server refused Deployment \"tolerant\": spec.template.spec.tolerations[0]")
        .contains("(HTTP 422); change spec.tolerations[0] in the SquidProxy")
        .doesNotContain("Exception")
        .doesNotContain("io.fabric8")
        .doesNotContain("Status(")
        .doesNotContain("\n")
        .doesNotContain("\tat ");
    assertThat(message.length()).isLessThanOrEqualTo(1000);
    ControlPlane.sleep(30_000); // the operator retries from 1 s on: several rejected applies
    List<io.fabric8.kubernetes.api.model.Event> events =
        admin.v1().events().inNamespace(ns).list().getItems().stream()
            .filter(e -> "DependentRejected".equals(e.getReason()))
            .toList();
    System.out.printf(
        "DependentRejected events after 30 s of retries: %d, counts %s%n",
        events.size(), events.stream().map(e -> e.getCount()).toList());
    assertThat(events).as("one aggregated Warning Event, not one per retry").hasSize(1);
    assertThat(events.get(0).getType()).isEqualTo("Warning");
    assertThat(events.get(0).getInvolvedObject().getName()).isEqualTo("tolerant");

    proxies.apply("tolerant", "tolerations: [{key: dedicated, operator: Exists}]");
    proxies.awaitReady("tolerant");
  }
}
