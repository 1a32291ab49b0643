package io.cephaloproxy.tests.apiserver;

import static io.cephaloproxy.tests.apiserver.Proxies.is;
import static io.cephaloproxy.tests.apiserver.Proxies.templateHash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator, run as users run it ({@code java -jar cephaloproxy-operator.jar run}), with the
 * Helm chart's ClusterRole through a ServiceAccount token, against the real API server and
 * controller manager. Pods never run (no kubelet): {@link FakeKubelet} reports their status.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorIT {
  static final String OPERATOR_NS = "cephaloproxy-system";
  static ControlPlane cp;
  static KubernetesClient admin;
  static ChartRbac.Installed rbac;
  static OperatorProcess operator;

  String ns;
  Proxies proxies;
  FakeKubelet kubelet;

  @BeforeAll
  static void startOperator() {
    cp = ControlPlane.get();
    admin = cp.admin();
    cp.installCrd();
    rbac = ChartRbac.install(cp, OPERATOR_NS, List.of(), false);
    operator = OperatorProcess.start(cp, "operator-it", rbac.kubeconfig(), Map.of());
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      String log = operator.logText();
      operator.close();
      // with the chart's RBAC nothing the operator does is forbidden
      assertThat(log).as("operator log").doesNotContain("Forbidden").doesNotContain("forbidden");
    }
  }

  void namespace(TestInfo info) {
    ns =
        "op-"
            + info.getTestMethod()
                .orElseThrow()
                .getName()
                .replaceAll("([A-Z])", "-$1")
                .toLowerCase();
    ns = ns.length() > 50 ? ns.substring(0, 50).replaceAll("-$", "") : ns;
    cp.namespace(ns);
    proxies = new Proxies(admin, ns);
    kubelet = new FakeKubelet(admin, ns);
  }

  @AfterEach
  void stopKubelet() {
    if (kubelet != null) {
      kubelet.close();
    }
    if (operator != null && !operator.isAlive()) {
      throw new AssertionError("the operator exited:\n" + operator.logTail(50));
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

  @Test
  @Order(2)
  void dependentsAreServerSideAppliedByFieldManagerSquidproxy(TestInfo info) {
    namespace(info);
    SquidProxy sp = proxies.apply("basic", "replicas: 2"); // a PodDisruptionBudget needs 2 replicas
    proxies.awaitReady("basic");
    List<HasMetadata> dependents =
        List.of(
            admin.configMaps().inNamespace(ns).withName("basic-config").get(),
            admin.apps().deployments().inNamespace(ns).withName("basic").get(),
            admin.services().inNamespace(ns).withName("basic").get(),
            admin.policy().v1().podDisruptionBudget().inNamespace(ns).withName("basic").get());
    for (HasMetadata d : dependents) {
      assertThat(d).as("dependent of basic").isNotNull();
      OwnerReference owner =
          d.getMetadata().getOwnerReferences().stream()
              .filter(o -> o.getKind().equals("SquidProxy"))
              .findFirst()
              .orElseThrow();
      assertThat(owner.getUid()).isEqualTo(sp.getMetadata().getUid());
      // the SquidProxy is the controlling owner (JOSDK 5.2.3 alone leaves both unset)
      assertThat(owner.getController()).as("%s ownerReference.controller", d.getKind()).isTrue();
      assertThat(owner.getBlockOwnerDeletion())
          .as("%s ownerReference.blockOwnerDeletion", d.getKind())
          .isTrue();
      List<ManagedFieldsEntry> byOperator =
          d.getMetadata().getManagedFields().stream()
              .filter(m -> "squidproxy".equals(m.getManager()))
              .toList();
      assertThat(byOperator)
          .as("%s %s managed fields of 'squidproxy'", d.getKind(), d.getMetadata().getName())
          .isNotEmpty()
          .allSatisfy(m -> assertThat(m.getOperation()).isEqualTo("Apply"));
    }
    SquidProxy current = proxies.get("basic");
    assertThat(current.getMetadata().getManagedFields())
        .anySatisfy(
            m -> {
              assertThat(m.getManager()).isEqualTo("squidproxy");
              assertThat(m.getOperation()).isEqualTo("Apply");
              assertThat(m.getSubresource()).isEqualTo("status");
            });
    assertThat(current.getStatus().getEndpoint()).isEqualTo("basic." + ns + ".svc:3128");
    assertThat(current.getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(current.getStatus().getConfigHash())
        .isEqualTo(templateHash(proxies.deployment("basic")));
  }

  @Test
  @Order(3)
  void statusGoesProgressingReadyDegradedReady(TestInfo info) {
    namespace(info);
    kubelet.rule(p -> new FakeKubelet.Untouched());
    proxies.apply("life", "{}");
    SquidProxy progressing =
        proxies.await(
            "life",
            "Progressing=True while the pod is not up",
            sp -> is(sp, "Progressing", "True") && is(sp, "Ready", "False"));
    assertThat(Proxies.condition(progressing, "Degraded").orElseThrow().getStatus())
        .isEqualTo("False");

    kubelet.rule(p -> new FakeKubelet.Running());
    SquidProxy ready = proxies.awaitReady("life");
    assertThat(ready).matches(sp -> is(sp, "Progressing", "False") && is(sp, "Degraded", "False"));

    kubelet.rule(p -> new FakeKubelet.CrashLoop(5));
    SquidProxy degraded =
        proxies.await(
            "life",
            "Degraded=True while the container crash-loops",
            sp -> is(sp, "Degraded", "True") && is(sp, "Ready", "False"));
    assertThat(Proxies.condition(degraded, "Degraded").orElseThrow())
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("CrashLoop"))
        .satisfies(
            c -> assertThat(c.getMessage()).contains("keeps crashing").contains("5 restarts"));

    kubelet.rule(p -> new FakeKubelet.Running());
    SquidProxy recovered = proxies.awaitReady("life");
    assertThat(recovered).matches(sp -> is(sp, "Degraded", "False"));
  }

  @Test
  @Order(4)
  void configValidFalseFromTheInitContainersTerminationMessage(TestInfo info) {
    namespace(info);
    proxies.apply("conf", "access: {allowedDomains: [.example.com]}");
    SquidProxy good = proxies.awaitReady("conf");
    String goodHash = good.getStatus().getConfigHash();
    String squidError =
        "FATAL: Bungled /etc/cephaloproxy/squid.conf line 41: forwarded_for sideways";
    // pods with any config other than the first one fail in the init container, as Squid would
    kubelet.rule(
        p ->
            goodHash.equals(p.getMetadata().getAnnotations().get(Proxies.CONFIG_HASH))
                ? new FakeKubelet.Running()
                : new FakeKubelet.InitFailed(squidError));
    proxies.apply("conf", "access: {allowedDomains: [.example.com, .example.org]}");
    SquidProxy rejected =
        proxies.await(
            "conf", "ConfigValid=False with Squid's message", sp -> is(sp, "ConfigValid", "False"));
    assertThat(Proxies.condition(rejected, "ConfigValid").orElseThrow())
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("SquidRejectedConfig"))
        .satisfies(c -> assertThat(c.getMessage()).contains(squidError));
    assertThat(rejected).matches(sp -> is(sp, "Degraded", "True"));
    // the pod with the previous config keeps serving
    Deployment d = proxies.deployment("conf");
    assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(1);
    assertThat(admin.pods().inNamespace(ns).list().getItems())
        .anySatisfy(
            p -> {
              assertThat(p.getMetadata().getAnnotations())
                  .containsEntry(Proxies.CONFIG_HASH, goodHash);
              assertThat(p.getStatus().getConditions())
                  .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
            });

    // fixing the spec (here: a config Squid accepts) brings it back
    kubelet.rule(p -> new FakeKubelet.Running());
    proxies.apply("conf", "access: {allowedDomains: [.example.com, .example.net]}");
    SquidProxy fixed =
        proxies.await(
            "conf",
            "ConfigValid=True and Ready=True after the fix",
            sp ->
                is(sp, "ConfigValid", "True")
                    && is(sp, "Ready", "True")
                    && is(sp, "Degraded", "False")
                    && !goodHash.equals(sp.getStatus().getConfigHash()));
    assertThat(fixed.getStatus().getConfigHash())
        .isEqualTo(templateHash(proxies.deployment("conf")));
  }

  @Test
  @Order(5)
  void driftIsRepaired(TestInfo info) {
    namespace(info);
    proxies.apply("drift", "{}");
    proxies.awaitReady("drift");
    Deployment before = proxies.deployment("drift");
    String image = before.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();

    // someone edits the Deployment's image and replicas (a plain update, as kubectl edit does)
    admin
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("drift")
        .edit(
            d ->
                new DeploymentBuilder(d)
                    .editSpec()
                    .withReplicas(3)
                    .editTemplate()
                    .editSpec()
                    .editFirstContainer()
                    .withImage("evil.example/squid:1")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build());
    Deployment repaired =
        proxies.awaitDeployment(
            "drift",
            d ->
                image.equals(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    && Objects.equals(d.getSpec().getReplicas(), 1));
    assertThat(repaired.getMetadata().getGeneration())
        .isGreaterThan(before.getMetadata().getGeneration());

    // someone deletes the Service and rewrites the config
    String serviceUid =
        admin.services().inNamespace(ns).withName("drift").get().getMetadata().getUid();
    admin.services().inNamespace(ns).withName("drift").delete();
    ConfigMap cm = admin.configMaps().inNamespace(ns).withName("drift-config").get();
    String squidConf = cm.getData().get("squid.conf");
    assertThat(squidConf).isNotBlank();
    admin
        .configMaps()
        .inNamespace(ns)
        .withName("drift-config")
        .edit(
            c -> {
              c.getData().put("squid.conf", "http_access allow all\n");
              return c;
            });
    await()
        .atMost(Proxies.TIMEOUT)
        .until(
            () -> {
              Service s = admin.services().inNamespace(ns).withName("drift").get();
              return s != null && !s.getMetadata().getUid().equals(serviceUid);
            });
    await()
        .atMost(Proxies.TIMEOUT)
        .until(
            () ->
                squidConf.equals(
                    admin
                        .configMaps()
                        .inNamespace(ns)
                        .withName("drift-config")
                        .get()
                        .getData()
                        .get("squid.conf")));
    proxies.awaitReady("drift");
  }

  @Test
  @Order(6)
  void configChangeRollsThePodTemplate(TestInfo info) {
    namespace(info);
    proxies.apply("roll", "access: {allowedDomains: [.example.com]}");
    SquidProxy first = proxies.awaitReady("roll");
    String hash1 = first.getStatus().getConfigHash();
    assertThat(templateHash(proxies.deployment("roll"))).isEqualTo(hash1);
    List<String> rs1 =
        proxies.replicaSets("roll").stream().map(r -> r.getMetadata().getName()).toList();

    proxies.apply("roll", "access: {allowedDomains: [.example.com, .example.org]}");
    SquidProxy second =
        proxies.await(
            "roll",
            "Ready with a new config hash",
            sp ->
                is(sp, "Ready", "True")
                    && !hash1.equals(sp.getStatus().getConfigHash())
                    && Objects.equals(
                        sp.getStatus().getObservedGeneration(), sp.getMetadata().getGeneration()));
    String hash2 = second.getStatus().getConfigHash();
    assertThat(templateHash(proxies.deployment("roll"))).isEqualTo(hash2);
    assertThat(admin.configMaps().inNamespace(ns).withName("roll-config").get().getData().values())
        .anyMatch(v -> v.contains(".example.org"));
    // the Deployment controller rolled a new ReplicaSet for the new template, and scaled the old to
    // 0
    List<ReplicaSet> sets = proxies.replicaSets("roll");
    assertThat(sets)
        .anySatisfy(
            r -> {
              assertThat(rs1).doesNotContain(r.getMetadata().getName());
              assertThat(r.getSpec().getTemplate().getMetadata().getAnnotations())
                  .containsEntry(Proxies.CONFIG_HASH, hash2);
            });
    await()
        .atMost(Proxies.TIMEOUT)
        .until(
            () ->
                proxies.replicaSets("roll").stream()
                    .filter(r -> rs1.contains(r.getMetadata().getName()))
                    .allMatch(r -> r.getSpec().getReplicas() == 0));
  }

  @Test
  @Order(7)
  void secretRotationRollsThePodTemplate(TestInfo info) {
    namespace(info);
    admin
        .secrets()
        .inNamespace(ns)
        .resource(htpasswd("users", "alice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"))
        .create();
    proxies.apply("auth", "auth: {mode: Basic, htpasswdSecret: {name: users}}");
    String hash1 = proxies.awaitReady("auth").getStatus().getConfigHash();
    // the secret itself never lands in the ConfigMap
    assertThat(admin.configMaps().inNamespace(ns).withName("auth-config").get().getData().values())
        .noneMatch(v -> v.contains("alice"));

    admin
        .secrets()
        .inNamespace(ns)
        .resource(
            htpasswd(
                "users",
                "alice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\nbob:$apr1$Xy1.....$2bCkJ7vG0l1w0VgsMs0iV/"))
        .update();
    SquidProxy rotated =
        proxies.await(
            "auth",
            "a new config hash after the Secret changed",
            sp -> !hash1.equals(sp.getStatus().getConfigHash()) && is(sp, "Ready", "True"));
    assertThat(templateHash(proxies.deployment("auth")))
        .isEqualTo(rotated.getStatus().getConfigHash());
    assertThat(rotated.getMetadata().getGeneration()).as("the spec did not change").isEqualTo(1L);
  }

  @Test
  @Order(8)
  void deletionCascadesThroughGarbageCollection(TestInfo info) {
    namespace(info);
    proxies.apply("gone", "{}");
    proxies.awaitReady("gone");
    await()
        .atMost(Proxies.TIMEOUT)
        .until(() -> !admin.pods().inNamespace(ns).list().getItems().isEmpty());
    assertThat(proxies.replicaSets("gone")).isNotEmpty();

    proxies.delete("gone");
    await("everything owned by the SquidProxy is garbage-collected")
        .atMost(Proxies.TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(admin.configMaps().inNamespace(ns).withName("gone-config").get()).isNull();
              assertThat(admin.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
              assertThat(admin.apps().replicaSets().inNamespace(ns).list().getItems()).isEmpty();
              assertThat(admin.services().inNamespace(ns).list().getItems()).isEmpty();
              assertThat(
                      admin.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems())
                  .isEmpty();
              assertThat(admin.pods().inNamespace(ns).list().getItems())
                  .allMatch(p -> p.getMetadata().getDeletionTimestamp() != null);
            });
  }

  @Test
  @Order(9)
  void fieldsAnotherManagerSetsOnTheDeploymentAreLeftAlone(TestInfo info) {
    namespace(info);
    proxies.apply("gitops", "access: {allowedDomains: [.example.com]}");
    String hash1 = proxies.awaitReady("gitops").getStatus().getConfigHash();
    // a GitOps tool adds its tracking annotation and a label by server-side apply
    Deployment theirs =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("gitops")
            .withNamespace(ns)
            .addToAnnotations(
                "argocd.argoproj.io/tracking-id", "payments:apps/Deployment:" + ns + "/gitops")
            .addToLabels("team", "payments")
            .endMetadata()
            .build();
    admin
        .apps()
        .deployments()
        .inNamespace(ns)
        .resource(theirs)
        .fieldManager("argocd")
        .serverSideApply();

    // the operator re-applies the Deployment for a config change
    proxies.apply("gitops", "access: {allowedDomains: [.example.com, .example.org]}");
    Deployment d = proxies.awaitDeployment("gitops", x -> !hash1.equals(templateHash(x)));
    proxies.awaitReady("gitops");
    ControlPlane.sleep(2_000);
    d = proxies.deployment("gitops");
    assertThat(d.getMetadata().getAnnotations())
        .containsEntry(
            "argocd.argoproj.io/tracking-id", "payments:apps/Deployment:" + ns + "/gitops");
    assertThat(d.getMetadata().getLabels()).containsEntry("team", "payments");
    assertThat(d.getMetadata().getManagedFields())
        .anySatisfy(m -> assertThat(m.getManager()).isEqualTo("argocd"));
  }

  /**
   * The longest name the CRD admits gives valid names for every derived object, and the
   * NetworkPolicy the operator builds for an "everything denied but these" spec is accepted by the
   * API server with Squid's meaning: no except equal to its cidr, the allowed networks carved back
   * out, link-local closed by default.
   */
  @Test
  @Order(10)
  void longestNameAndNetworkPolicyOfDeniedEverything(TestInfo info) {
    namespace(info);
    String name = "n" + "x".repeat(62); // 63 characters, the longest Service name
    proxies.apply(
        name,
        """
        replicas: 2
        networkPolicy: {enabled: true}
        cache: {type: Disk, disk: {size: 1Gi, volume: PersistentVolumeClaim}}
        access: {deniedDestinationCIDRs: [0.0.0.0/0, 'fd00::/8'], allowedDestinationCIDRs: [169.254.169.254/32, 192.0.2.0/24]}""");
    proxies.awaitReady(name);
    assertThat(admin.configMaps().inNamespace(ns).withName(name + "-config").get()).isNotNull();
    assertThat(admin.persistentVolumeClaims().inNamespace(ns).withName(name + "-cache").get())
        .isNotNull();
    assertThat(admin.services().inNamespace(ns).withName(name).get()).isNotNull();
    assertThat(admin.policy().v1().podDisruptionBudget().inNamespace(ns).withName(name).get())
        .isNotNull();
    assertThat(egressBlocks(name))
        .containsExactly(
            "::/0 except [::1/128, fd00::/8, fe80::/10]", "169.254.169.254/32", "192.0.2.0/24");

    proxies.apply("plain", "networkPolicy: {enabled: true}");
    proxies.awaitReady("plain");
    assertThat(egressBlocks("plain"))
        .containsExactly(
            "0.0.0.0/0 except [0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16]",
            "::/0 except [::1/128, fe80::/10]");
  }

  /**
   * Issue 12 section 2: a 1 MiB list of '*' lines and an extraConfig of 16,384 bad lines give
   * ConfigValid=False with a bounded message; the operator keeps running (same pid, chart memory
   * limit) and its memory stays normal.
   */
  @Test
  @Order(11)
  void hostileInputGivesABoundedAnswer(TestInfo info) {
    namespace(info);
    long pid = operator.pid();
    long rssBefore = operator.rssBytes();
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
          name, message.length(), operator.rssBytes() >> 20, rssBefore >> 20);
      assertThat(message.length()).as("%s: condition message length", name).isLessThan(32 * 1024);
      assertThat(message).contains("validation").contains("stopped after 20 problems");
    }
    // a resources value that is not a quantity: ConfigValid=False, not a Deployment apply retried
    // forever
    proxies.apply("cpu", "resources: {limits: {cpu: lots}}");
    SquidProxy cpu = proxies.await("cpu", "ConfigValid=False", p -> is(p, "ConfigValid", "False"));
    assertThat(Proxies.condition(cpu, "ConfigValid").orElseThrow().getMessage())
        .contains("spec.resources.limits.cpu: 'lots' is not a Kubernetes quantity");
    ControlPlane.sleep(10_000); // the retries a failed status write would cause
    assertThat(operator.isAlive()).isTrue();
    assertThat(operator.pid()).isEqualTo(pid);
    assertThat(operator.logText()).doesNotContain("OutOfMemoryError");
    long peak = operator.peakRssBytes();
    System.out.printf(
        "hostile input: operator RSS %d MiB, peak %d MiB%n", operator.rssBytes() >> 20, peak >> 20);
    assertThat(peak).as("operator peak RSS").isLessThan(512L << 20);
    // the Events stay few and short
    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .hasSizeLessThan(20)
        .allSatisfy(e -> assertThat(e.getMessage().length()).isLessThanOrEqualTo(1024));
  }

  List<String> egressBlocks(String name) {
    var np = admin.network().v1().networkPolicies().inNamespace(ns).withName(name).get();
    assertThat(np).as("NetworkPolicy %s", name).isNotNull();
    return np.getSpec().getEgress().stream()
        .filter(e -> e.getTo() != null && !e.getTo().isEmpty())
        .flatMap(e -> e.getTo().stream())
        .map(p -> p.getIpBlock())
        .map(
            b ->
                b.getCidr()
                    + (b.getExcept() == null || b.getExcept().isEmpty()
                        ? ""
                        : " except " + b.getExcept()))
        .toList();
  }

  static Secret htpasswd(String name, String content) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .addToStringData("htpasswd", content + "\n")
        .build();
  }
}
