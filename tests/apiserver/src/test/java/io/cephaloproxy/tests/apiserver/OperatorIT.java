package io.cephaloproxy.tests.apiserver;

import static io.cephaloproxy.tests.apiserver.Proxies.is;
import static io.cephaloproxy.tests.apiserver.Proxies.templateHash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
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
   * Issue 12 §4: the operator discovers the cluster's Service networks (the ServiceCIDR API) and
   * Pod networks (nodes' podCIDRs) and every proxy that does not allow them denies them; a node
   * joining or leaving re-renders (a new config hash, a rollout) only those proxies, and a node
   * update that keeps its podCIDRs changes nothing. Nodes are created by the admin (there is no
   * kubelet here); the controller manager's node lifecycle controller updates them as it would.
   */
  @Test
  @Order(90)
  void clusterNetworksAreDiscoveredDeniedAndFollowed(TestInfo info) {
    namespace(info);
    long start = System.nanoTime();
    List<String> serviceCidrs =
        admin.resources(ServiceCIDR.class).list().getItems().stream()
            .flatMap(s -> s.getSpec().getCidrs().stream())
            .toList();
    assertThat(serviceCidrs).as("the API server's ServiceCIDRs").isNotEmpty();
    try {
      admin.nodes().resource(node("cn-node-a", "10.244.7.0/24", "fd00:10:244:7::/64")).create();
      proxies.apply("denies", "{}");
      proxies.apply("allows", "access: {clusterNetworks: Allow}");
      proxies.awaitReady("allows");
      awaitBlocked("denies", l -> l.containsAll(serviceCidrs) && l.contains("10.244.7.0/24"));
      SquidProxy before = proxies.awaitReady("denies");
      assertThat(blocked("denies")).contains("fd00:10:244:7::/64");
      assertThat(blocked("allows"))
          .as("access.clusterNetworks: Allow")
          .doesNotContainAnyElementsOf(serviceCidrs)
          .doesNotContain("10.244.7.0/24")
          .contains("169.254.0.0/16");
      String allowsVersion = configGeneration("allows");

      // a node joins: the proxy that denies the cluster networks gets a new config and rolls
      admin.nodes().resource(node("cn-node-b", "10.244.8.0/24")).create();
      awaitBlocked("denies", l -> l.contains("10.244.8.0/24"));
      SquidProxy after =
          proxies.await(
              "denies",
              "Ready with a new config hash",
              sp ->
                  is(sp, "Ready", "True")
                      && !before
                          .getStatus()
                          .getConfigHash()
                          .equals(sp.getStatus().getConfigHash()));
      assertThat(Proxies.templateHash(proxies.deployment("denies")))
          .isEqualTo(after.getStatus().getConfigHash());

      // a node update that keeps podCIDRs (labels; the node lifecycle controller's taints) does
      // nothing
      String deniesVersion = configGeneration("denies");
      admin
          .nodes()
          .withName("cn-node-b")
          .patch(
              io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                  io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
              "{\"metadata\":{\"labels\":{\"example.com/touched\":\"yes\"}}}");
      ControlPlane.sleep(5_000);
      assertThat(configGeneration("denies")).isEqualTo(deniesVersion);

      // a node leaves: its network is no longer denied
      admin.nodes().withName("cn-node-b").delete();
      awaitBlocked("denies", l -> !l.contains("10.244.8.0/24") && l.contains("10.244.7.0/24"));
      assertThat(configGeneration("allows"))
          .as("a proxy that allows the cluster networks is never re-rendered for them")
          .isEqualTo(allowsVersion);
      assertThat(process.logText()).contains("(Service networks from ServiceCIDRs)");
      System.out.printf(
          "cluster networks: %s followed in %d s%n",
          blocked("denies"), (System.nanoTime() - start) / 1_000_000_000L);
    } finally {
      admin.nodes().withName("cn-node-a").delete();
      admin.nodes().withName("cn-node-b").delete();
    }
  }

  static io.fabric8.kubernetes.api.model.Node node(String name, String... podCidrs) {
    return new io.fabric8.kubernetes.api.model.NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withPodCIDR(podCidrs[0])
        .withPodCIDRs(podCidrs)
        .endSpec()
        .build();
  }

  /** The lines of the proxy's always-blocked destinations ACL file, as the operator wrote it. */
  /** The blocked destinations of the config generation the proxy's status says it wants. */
  List<String> blocked(String proxy) {
    String hash = configGeneration(proxy);
    if (hash == null) {
      return List.of();
    }
    var cm =
        admin
            .configMaps()
            .inNamespace(ns)
            .withName(io.cephaloproxy.api.v1alpha1.SquidProxyResources.generationName(proxy, hash))
            .get();
    String file = cm == null ? null : cm.getData().get("acl-blocked-destinations.txt");
    return file == null ? List.of() : file.lines().toList();
  }

  /**
   * The config hash the proxy wants (status.desiredConfigHash): generations are immutable, so a
   * re-render is a new hash.
   */
  String configGeneration(String proxy) {
    SquidProxy sp = proxies.get(proxy);
    return sp == null || sp.getStatus() == null ? null : sp.getStatus().getDesiredConfigHash();
  }

  void awaitBlocked(String proxy, java.util.function.Predicate<List<String>> p) {
    org.awaitility.Awaitility.await("blocked destinations of " + proxy)
        .atMost(Proxies.TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> blocked(proxy), p::test);
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

  /**
   * Reasons whose real cause is a kubelet's report (a container that keeps exiting, an image that
   * cannot be pulled): tests/cluster's ProxyE2E#crashLoopAndImagePullFailureOnTheNode reaches them
   * on the node. This control plane has no kubelet (FakeKubelet only writes what one would).
   */
  static final java.util.Set<ConditionReason> ON_THE_NODE =
      java.util.EnumSet.of(ConditionReason.CrashLoop, ConditionReason.ImagePullFailed);

  /**
   * Issue 16 §1 and §2: every condition reason of {@link ConditionReason} but {@link #ON_THE_NODE}
   * is reached on the real API server, on each condition it is documented for, each by what a user
   * would do (a wrong spec, a bad list, a missing Secret, Squid refusing a config, a typo in the
   * PriorityClass, an admission policy or an unreachable webhook refusing what the operator writes,
   * a rollout waiting for pods). Meanwhile one proxy's pods flap between crash-looping and running
   * once a second: after more than a minute each Warning (CrashLoop, ConfigRejected,
   * ReferenceMissing, PodsRejected, DependentRejected) is one Event per proxy, the flapping one
   * counted rather than repeated, and the operator's Event writes stay few (audit log).
   */
  @Test
  @Order(40)
  void everyConditionReasonIsReachedAndWarningsAreAggregated(TestInfo info) {
    namespace(info);
    Instant start = Instant.now();
    List<String> cleanup = new java.util.ArrayList<>();
    try (ReasonRecorder recorder = new ReasonRecorder(admin, ns)) {
      String squidError =
          "FATAL: Bungled /etc/cephaloproxy/squid.conf line 7: forwarded_for sideways";
      String[] rollingHash = new String[1];
      long flapStart = System.nanoTime();
      kubelet.rule(
          p -> {
            String instance = p.getMetadata().getLabels().get("app.kubernetes.io/instance");
            String hash = p.getMetadata().getAnnotations().get(Proxies.CONFIG_HASH);
            long second = (System.nanoTime() - flapStart) / 1_000_000_000L;
            return switch (instance) {
              case "waiting" -> new FakeKubelet.Untouched();
              // the new config passes its check pod; only its proxy pods never get ready
              case "rolling" ->
                  rollingHash[0] == null
                          || rollingHash[0].equals(hash)
                          || "config-check"
                              .equals(
                                  p.getMetadata().getLabels().get("app.kubernetes.io/component"))
                      ? new FakeKubelet.Running()
                      : new FakeKubelet.Untouched();
              case "squid" -> new FakeKubelet.InitFailed(squidError);
              case "flapping" ->
                  second % 2 == 0
                      ? new FakeKubelet.CrashLoop((int) second)
                      : new FakeKubelet.Running();
              default -> new FakeKubelet.Running();
            };
          });
      // what the API server refuses: the Deployment "creating" (admission policy, HTTP 422) and
      // any Service of "failing" (a webhook that cannot be reached: HTTP 500)
      cleanup.add(
          denyPolicy(
              "create",
              "deployments",
              "CREATE",
              "object.metadata.name != 'creating'",
              "deployments named creating are refused (test policy)"));
      cleanup.add(unreachableWebhook("failing"));
      awaitRefused(() -> dryRunDeployment("creating"));

      proxies.apply("ok", "{}");
      proxies.apply("flapping", "{}");
      proxies.apply("waiting", "{}");
      proxies.apply("rolling", "access: {allowedDomains: [.example.com]}");
      proxies.apply("changing", "access: {allowedDomains: [.example.com]}");
      // a request above its limit: the CRD refuses a value that is not a quantity at admission
      proxies.apply("spec", "resources: {requests: {cpu: 2}, limits: {cpu: 1}}");
      admin
          .configMaps()
          .inNamespace(ns)
          .resource(
              new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("lists")
                  .endMetadata()
                  .addToData("domains.txt", ".example.com\n*.example.org\n")
                  .build())
          .create();
      proxies.apply("data", "access: {allowedDomainsFrom: {name: lists, key: domains.txt}}");
      proxies.apply("missing", "auth: {mode: Basic, htpasswdSecret: {name: nobody}}");
      proxies.apply("squid", "{}");
      proxies.apply("podsrejected", "priorityClassName: no-such-priority-class");
      proxies.apply("creating", "{}");
      proxies.apply("failing", "{}");

      proxies.awaitReady("ok");
      proxies.awaitReady("changing");
      rollingHash[0] = proxies.awaitReady("rolling").getStatus().getConfigHash();
      proxies.apply("rolling", "access: {allowedDomains: [.example.com, .example.org]}");
      proxies.awaitDeployment("waiting", d -> true);
      // the pods of "waiting" never become ready: its Deployment's progress deadline (set by
      // another
      // field manager, as kubectl patch would; the operator does not apply that field) runs out
      admin
          .apps()
          .deployments()
          .inNamespace(ns)
          .resource(
              new DeploymentBuilder()
                  .withNewMetadata()
                  .withName("waiting")
                  .withNamespace(ns)
                  .endMetadata()
                  .withNewSpec()
                  .withProgressDeadlineSeconds(2)
                  .endSpec()
                  .build())
          .fieldManager("kubectl-patch")
          .serverSideApply();
      // the Deployment of "changing" may no longer be updated: its new configuration is refused
      cleanup.add(
          denyPolicy(
              "update",
              "deployments",
              "UPDATE",
              "object.metadata.name != 'changing'",
              "deployment changing is frozen (test policy)"));
      awaitRefused(
          () ->
              admin
                  .apps()
                  .deployments()
                  .inNamespace(ns)
                  .withName("changing")
                  .dryRun()
                  .edit(
                      d ->
                          new DeploymentBuilder(d)
                              .editMetadata()
                              .addToAnnotations("probe", "1")
                              .endMetadata()
                              .build()));
      proxies.apply("changing", "access: {allowedDomains: [.example.com, .example.net]}");

      java.util.Set<String> expected = new java.util.TreeSet<>();
      for (ConditionReason r : ConditionReason.values()) {
        if (!ON_THE_NODE.contains(r)) {
          r.conditions().forEach(type -> expected.add(type + "=" + r.name()));
        }
      }
      try {
        await("every condition reason but " + ON_THE_NODE)
            .atMost(Proxies.TIMEOUT)
            .pollInterval(Duration.ofMillis(500))
            .until(() -> recorder.seen().keySet().containsAll(expected));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        java.util.Set<String> missing = new java.util.TreeSet<>(expected);
        missing.removeAll(recorder.seen().keySet());
        throw new AssertionError(
            "condition reasons never reached: "
                + missing
                + "; seen: "
                + recorder.seen()
                + "; statuses: "
                + admin.resources(SquidProxy.class).inNamespace(ns).list().getItems().stream()
                    .map(sp -> sp.getMetadata().getName() + " " + sp.getStatus())
                    .toList(),
            e);
      }
      Map<String, ReasonRecorder.Seen> seen = recorder.seen();
      seen.forEach((k, v) -> System.out.printf("reason %s first on %s: %s%n", k, v.proxy(), v));
      // where each came from, and that its message says it
      assertSeen(recorder, "Ready=Creating", "creating", "False", "does not exist yet");
      assertSeen(recorder, "Degraded=DependentRejected", null, "True", "test policy");
      // ... and names the cluster's rule that refused it and how to read it
      assertSeen(
          recorder,
          "Degraded=DependentRejected",
          null,
          "True",
          "(HTTP 422); the cluster's ValidatingAdmissionPolicy " + ns + "-");
      assertSeen(
          recorder,
          "Degraded=DependentRejected",
          null,
          "True",
          "-o yaml), or ask the cluster's administrators to exempt it");
      assertSeen(
          recorder, "Progressing=ConfigChanged", "changing", "True", "does not carry config");
      assertSeen(recorder, "Degraded=ReconcileError", "failing", "True", "failed calling webhook");
      assertSeen(
          recorder, "Degraded=PodsRejected", "podsrejected", "True", "no-such-priority-class");
      assertSeen(
          recorder,
          "Degraded=ProgressDeadlineExceeded",
          "waiting",
          "True",
          "the Deployment's pods did not become ready within its progress deadline");
      assertSeen(
          recorder, "Degraded=PodsRejected", "podsrejected", "True", "fix the name (kubectl get");
      assertSeen(recorder, "Ready=WaitingForAvailability", "waiting", "False", "0 available");
      assertSeen(recorder, "Ready=RollingOut", "rolling", "False", "old still running");
      assertSeen(
          recorder, "ConfigValid=InvalidSpec", "spec", "False", "spec.resources.requests.cpu");
      assertSeen(recorder, "ConfigValid=InvalidReferencedData", "data", "False", "line 2");
      assertSeen(recorder, "Degraded=MissingReference", "missing", "True", "nobody");
      assertSeen(recorder, "ConfigValid=SquidRejectedConfig", "squid", "False", squidError);
      for (ReasonRecorder.Seen s :
          seen.keySet().stream().flatMap(k -> recorder.all(k).stream()).toList()) {
        assertThat(s.message())
            .as("a condition message of %s", s.proxy())
            .doesNotContain("Exception")
            .doesNotContain("\tat ")
            .doesNotContain("io.fabric8");
      }

      // Events, after more than a minute of a flapping crash loop and retried refusals
      await("the flapping proxy's CrashLoop Event counted (updates at most once a minute)")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () ->
                  warnings().stream()
                      .filter(e -> e.getInvolvedObject().getName().equals("flapping"))
                      .anyMatch(e -> e.getCount() != null && e.getCount() >= 10));
      Instant end = Instant.now();
      List<Event> warnings = warnings();
      Map<String, Long> perProxyAndReason =
          warnings.stream()
              .collect(
                  java.util.stream.Collectors.groupingBy(
                      e -> e.getInvolvedObject().getName() + "/" + e.getReason(),
                      java.util.TreeMap::new,
                      java.util.stream.Collectors.counting()));
      int crashes = recorder.transitionsTo("flapping", "Degraded", "True", "CrashLoop");
      List<AuditLog.Write> eventWrites =
          new AuditLog(cp.auditLog())
              .writesBy(rbac.username(), start, end).stream()
                  .filter(w -> w.resource().equals("events") && w.namespace().equals(ns))
                  .toList();
      int allEvents =
          admin.v1().events().inNamespace(ns).list().getItems().stream()
              .filter(e -> "SquidProxy".equals(e.getInvolvedObject().getKind()))
              .mapToInt(e -> 1)
              .sum();
      System.out.printf(
          "after %d s: Warning Events per proxy/reason %s; counts %s; flapping went CrashLoop %d"
              + " times; the operator wrote %d Event requests for %d Events%n",
          Duration.between(start, end).toSeconds(),
          perProxyAndReason,
          warnings.stream()
              .map(e -> e.getInvolvedObject().getName() + "/" + e.getReason() + "=" + e.getCount())
              .toList(),
          crashes,
          eventWrites.size(),
          allEvents);
      assertThat(perProxyAndReason)
          .as("one Warning Event per proxy and reason")
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "flapping/CrashLoop", 1L,
                  "spec/ConfigRejected", 1L,
                  "data/ConfigRejected", 1L,
                  "squid/ConfigRejected", 1L,
                  "missing/ReferenceMissing", 1L,
                  "podsrejected/PodsRejected", 1L,
                  "creating/DependentRejected", 1L,
                  "changing/DependentRejected", 1L));
      assertThat(crashes)
          .as("times the flapping proxy turned Degraded=CrashLoop")
          .isGreaterThan(20);
      // per Event: its creation and at most one count update a minute
      long minutes = Duration.between(start, end).toMinutes() + 1;
      assertThat(eventWrites.size())
          .as("Event writes by the operator in %s", Duration.between(start, end))
          .isLessThanOrEqualTo((int) (allEvents * (1 + minutes)));
    } finally {
      for (String c : cleanup) {
        load(c).delete();
      }
    }
  }

  /**
   * Issue 11: a config check pod the API server refuses (a ResourceQuota without room, a
   * PriorityClass that does not exist) is Degraded=PodsRejected with one line naming the check pod,
   * the API server's words and what to change, and a Warning Event, not a retried reconcile error:
   * the Deployment keeps its pod template, the operator logs no error, and once the quota has room
   * the check is tried again and the config rolls out.
   */
  @Test
  @Order(41)
  void aCheckPodRefusedByAdmissionIsPodsRejectedAndTriedAgain(TestInfo info) {
    namespace(info);
    proxies.apply("quota", "replicas: 1");
    proxies.apply("priority", "replicas: 1");
    String quotaHash = proxies.awaitReady("quota").getStatus().getConfigHash();
    String priorityHash = proxies.awaitReady("priority").getStatus().getConfigHash();
    // room for the two proxy pods, none for a check pod
    admin
        .resourceQuotas()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder()
                .withNewMetadata()
                .withName("pods")
                .endMetadata()
                .withNewSpec()
                .addToHard("pods", new io.fabric8.kubernetes.api.model.Quantity("2"))
                .endSpec()
                .build())
        .create();
    await("the quota controller counts the 2 pods")
        .atMost(Proxies.TIMEOUT)
        .until(
            () -> {
              var q = admin.resourceQuotas().inNamespace(ns).withName("pods").get();
              return q.getStatus() != null
                  && q.getStatus().getUsed() != null
                  && new io.fabric8.kubernetes.api.model.Quantity("2")
                      .equals(q.getStatus().getUsed().get("pods"));
            });
    long start = System.nanoTime();
    proxies.apply("quota", "replicas: 1\naccess: {allowedDomains: [.example.com]}");
    // a priorityClassName alone is no new config (the Deployment's ReplicaSet reports it); with a
    // config change the check pod is refused first
    proxies.apply(
        "priority",
        "replicas: 1\npriorityClassName: no-such-priority-class\n"
            + "access: {allowedDomains: [.example.com]}");
    SquidProxy quota =
        proxies.await(
            "quota",
            "Degraded=True PodsRejected",
            sp -> reason(sp, "Degraded", "True", "PodsRejected"));
    SquidProxy priority =
        proxies.await(
            "priority",
            "Degraded=True PodsRejected",
            sp -> reason(sp, "Degraded", "True", "PodsRejected"));
    System.out.printf(
        "refused check pods reported in %d ms:%n  quota: %s%n  priority: %s%n",
        (System.nanoTime() - start) / 1_000_000,
        Proxies.condition(quota, "Degraded").orElseThrow().getMessage(),
        Proxies.condition(priority, "Degraded").orElseThrow().getMessage());
    assertThat(Proxies.condition(quota, "Degraded").orElseThrow().getMessage())
        .startsWith("the config check pod quota-check-")
        .contains("exceeded quota: pods")
        .contains("raise the quota, or lower spec.replicas or spec.resources");
    assertThat(Proxies.condition(priority, "Degraded").orElseThrow().getMessage())
        .startsWith("the config check pod priority-check-")
        .contains("no PriorityClass with name no-such-priority-class was found")
        .contains("spec.priorityClassName names a PriorityClass the cluster does not have");
    for (SquidProxy sp : List.of(quota, priority)) {
      String name = sp.getMetadata().getName();
      String degraded = Proxies.condition(sp, "Degraded").orElseThrow().getMessage();
      assertThat(degraded)
          .as("Degraded message of %s", name)
          .hasSizeLessThanOrEqualTo(1000)
          .doesNotContain("\n")
          .doesNotContain("Exception")
          .doesNotContain("io.fabric8")
          .doesNotContain("is forbidden");
      assertThat(Proxies.condition(sp, "Ready").orElseThrow().getMessage())
          .as("Ready message of %s", name)
          .contains("its config check pod cannot be created (see Degraded)");
      assertThat(Proxies.condition(sp, "ConfigValid").orElseThrow().getStatus()).isEqualTo("True");
      await(name + ": a PodsRejected Warning Event with the condition's message")
          .atMost(Proxies.TIMEOUT)
          .until(
              () ->
                  warnings().stream()
                      .anyMatch(
                          e ->
                              e.getInvolvedObject().getName().equals(name)
                                  && "PodsRejected".equals(e.getReason())
                                  && e.getMessage()
                                      .startsWith("the config check pod " + name + "-check-")));
    }
    assertThat(templateHash(proxies.deployment("quota"))).isEqualTo(quotaHash);
    assertThat(templateHash(proxies.deployment("priority"))).isEqualTo(priorityHash);
    assertThat(checkPods()).as("check pods").isEmpty();

    // room again: the check is tried again and the config rolls out; the PriorityClass typo fixed
    admin
        .resourceQuotas()
        .inNamespace(ns)
        .withName("pods")
        .edit(
            q -> {
              q.getSpec().getHard().put("pods", new io.fabric8.kubernetes.api.model.Quantity("4"));
              return q;
            });
    proxies.apply("priority", "replicas: 1");
    long retry = System.nanoTime();
    SquidProxy rolled =
        proxies.await(
            "quota",
            "the new config rolled out after the quota was raised",
            sp ->
                is(sp, "Ready", "True")
                    && is(sp, "Degraded", "False")
                    && !quotaHash.equals(sp.getStatus().getServingConfigHash()));
    System.out.printf(
        "quota raised: the new config serves after %d ms%n",
        (System.nanoTime() - retry) / 1_000_000);
    assertThat(templateHash(proxies.deployment("quota")))
        .isEqualTo(rolled.getStatus().getDesiredConfigHash());
    proxies.await(
        "priority",
        "Ready again without the typo",
        sp -> is(sp, "Ready", "True") && is(sp, "Degraded", "False"));
    assertThat(templateHash(proxies.deployment("priority"))).isEqualTo(priorityHash);
    // what the operator logged about it: no error, no stack trace with the API server's refusal
    assertThat(process.logText().lines())
        .as("operator log lines")
        .noneMatch(l -> l.contains("exceeded quota") || l.contains("no PriorityClass with name"))
        .noneMatch(l -> l.contains(" ERROR ") && l.contains(ns));
  }

  /**
   * Issue 11: the check pod of a config that a newer change superseded is deleted at once, not when
   * the SquidProxy is: after 5 quick changes whose check pods never finish, one check pod is left
   * (the newest config's), and none once that one has passed.
   */
  @Test
  @Order(42)
  void checkPodsOfSupersededConfigsAreDeleted(TestInfo info) {
    namespace(info);
    proxies.apply("changes", "replicas: 1");
    proxies.awaitReady("changes");
    // check pods stay Pending (a busy node) until the last change
    kubelet.rule(
        p ->
            "config-check".equals(p.getMetadata().getLabels().get("app.kubernetes.io/component"))
                ? new FakeKubelet.Untouched()
                : new FakeKubelet.Running());
    java.util.Set<String> created = new java.util.TreeSet<>();
    for (int i = 1; i <= 5; i++) {
      SquidProxy sp =
          proxies.apply(
              "changes", "replicas: 1\naccess: {allowedDomains: [.change" + i + ".example]}");
      String desired =
          proxies
              .await(
                  "changes",
                  "the desired config of change " + i,
                  p ->
                      p.getStatus() != null
                          && sp.getMetadata()
                              .getGeneration()
                              .equals(p.getStatus().getObservedGeneration()))
              .getStatus()
              .getDesiredConfigHash();
      String pod =
          io.cephaloproxy.api.v1alpha1.SquidProxyResources.checkPodName("changes", desired);
      await("check pod " + pod).atMost(Proxies.TIMEOUT).until(() -> checkPods().contains(pod));
      created.add(pod);
    }
    await("one check pod left, the newest config's")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(checkPods())
                    .as("check pods (created: %s)", created)
                    .hasSize(1)
                    .allMatch(created::contains));
    System.out.printf("check pods created %s, left %s%n", created, checkPods());
    kubelet.rule(p -> new FakeKubelet.Running());
    proxies.await(
        "changes",
        "the last change rolled out",
        p ->
            is(p, "Ready", "True")
                && p.getStatus().getDesiredConfigHash() != null
                && p.getStatus()
                    .getDesiredConfigHash()
                    .equals(p.getStatus().getServingConfigHash()));
    await("no check pod left").atMost(Proxies.TIMEOUT).until(() -> checkPods().isEmpty());
    var np =
        admin
            .network()
            .v1()
            .networkPolicies()
            .inNamespace(ns)
            .withName("changes-config-check")
            .get();
    assertThat(np).as("the NetworkPolicy isolating the check pods").isNotNull();
    assertThat(np.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(np.getSpec().getIngress()).isNullOrEmpty();
    assertThat(np.getSpec().getEgress()).isNullOrEmpty();
    assertThat(np.getSpec().getPodSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/instance", "changes")
        .containsEntry("app.kubernetes.io/component", "config-check");
    assertThat(np.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("SquidProxy"));
  }

  /** The names of the namespace's check pods that are not being deleted. */
  private List<String> checkPods() {
    return new Proxies(admin, ns)
        .checkPods().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .map(p -> p.getMetadata().getName())
            .sorted()
            .toList();
  }

  private static boolean reason(SquidProxy sp, String type, String status, String reason) {
    return Proxies.condition(sp, type)
        .map(c -> status.equals(c.getStatus()) && reason.equals(c.getReason()))
        .orElse(false);
  }

  private List<Event> warnings() {
    return admin.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "Warning".equals(e.getType()))
        .filter(e -> "SquidProxy".equals(e.getInvolvedObject().getKind()))
        .toList();
  }

  /** {@code proxy} (any, if null) showed "type=reason" with this status and message text. */
  private static void assertSeen(
      ReasonRecorder recorder, String key, String proxy, String status, String inMessage) {
    assertThat(recorder.all(key))
        .as(
            "%s seen on %s with status %s and a message containing %s",
            key, proxy, status, inMessage)
        .anySatisfy(
            s -> {
              if (proxy != null) {
                assertThat(s.proxy()).isEqualTo(proxy);
              }
              assertThat(s.status()).isEqualTo(status);
              assertThat(s.message()).contains(inMessage);
            });
  }

  /** A ValidatingAdmissionPolicy and its binding for this namespace; returns both as YAML. */
  private String denyPolicy(
      String suffix, String resource, String operation, String allowed, String message) {
    String name = ns + "-" + suffix;
    String yaml =
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: %1$s}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - {apiGroups: ["apps"], apiVersions: [v1], operations: [%3$s], resources: [%2$s]}
          validations:
          - {expression: "%4$s", reason: Invalid, message: "%5$s"}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: %1$s}
        spec:
          policyName: %1$s
          validationActions: [Deny]
          matchResources:
            namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %6$s}}
        """
            .formatted(name, resource, operation, allowed, message, ns);
    load(yaml).create();
    return yaml;
  }

  /** A webhook for the Services of {@code instance} in this namespace that nothing answers. */
  private String unreachableWebhook(String instance) {
    String yaml =
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata: {name: %1$s-unreachable}
        webhooks:
        - name: unreachable.cephaloproxy.test
          clientConfig: {url: "https://127.0.0.1:1/validate"}
          rules:
          - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [services]}
          namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %1$s}}
          objectSelector: {matchLabels: {app.kubernetes.io/instance: %2$s}}
          failurePolicy: Fail
          sideEffects: None
          admissionReviewVersions: [v1]
          timeoutSeconds: 2
        """
            .formatted(ns, instance);
    load(yaml).create();
    return yaml;
  }

  /** The objects of a YAML stream, to create or delete. */
  private io.fabric8.kubernetes.client.dsl
              .NamespaceListVisitFromServerGetDeleteRecreateWaitApplicable<
          io.fabric8.kubernetes.api.model.HasMetadata>
      load(String yaml) {
    return admin.load(
        new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private void dryRunDeployment(String name) {
    admin
        .apps()
        .deployments()
        .inNamespace(ns)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("probe", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("probe", name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("c")
                .withImage("probe")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .dryRun()
        .create();
  }

  /** Waits until the admission policy is in force: the dry-run write is refused with 422. */
  private static void awaitRefused(Runnable dryRunWrite) {
    await("the admission policy in force")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              try {
                dryRunWrite.run();
                return false;
              } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                return e.getCode() == 422;
              }
            });
  }
}
