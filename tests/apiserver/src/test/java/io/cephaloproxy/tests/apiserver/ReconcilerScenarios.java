package io.cephaloproxy.tests.apiserver;

import static io.cephaloproxy.tests.apiserver.Proxies.is;
import static io.cephaloproxy.tests.apiserver.Proxies.templateHash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.testsupport.MonitoringQueries;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
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
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The reconciler scenarios a user notices, on the real API server and controller manager: create →
 * ConfigMap, Deployment, Service (server-side applied, owned) and status; status conditions through
 * a pod's life; spec changes and referenced Secret changes roll the pods; drift is repaired;
 * deletion is garbage collection; bad input and missing references are conditions, not retries.
 *
 * <p>One scenario class, several ways to run the operator (the pattern of JOSDK's sample operators,
 * whose E2E tests run one abstract test against a locally run and a deployed operator): each
 * subclass starts the operator its way, with the Helm chart's RBAC through a ServiceAccount token.
 * {@link OperatorIT} runs the shaded jar as its own process, as users run it; {@link
 * InProcessOperatorIT} runs {@code OperatorRuntime} in the test JVM. Pods never run (no kubelet):
 * {@link FakeKubelet} reports their status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ReconcilerScenarios {
  protected ControlPlane cp;
  protected KubernetesClient admin;
  protected ChartRbac.Installed rbac;
  protected RunningOperator operator;

  protected String ns;
  protected Proxies proxies;
  protected FakeKubelet kubelet;

  /** Installs the chart's RBAC for this run of the operator (its own release and namespace). */
  protected abstract ChartRbac.Installed installRbac(ControlPlane cp);

  /** Starts the operator, authenticated as the chart's ServiceAccount, watching all namespaces. */
  protected abstract RunningOperator startOperator(ControlPlane cp, ChartRbac.Installed rbac);

  /** Prefix of the namespaces this run's scenarios create (one per scenario). */
  protected abstract String namespacePrefix();

  @BeforeAll
  void startTheOperator() {
    cp = ControlPlane.get();
    admin = cp.admin();
    cp.installCrd();
    rbac = installRbac(cp);
    operator = startOperator(cp, rbac);
  }

  @AfterAll
  void stopTheOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  /** A namespace of its own for the running scenario, its proxies and its kubelet. */
  protected void namespace(TestInfo info) {
    ns =
        namespacePrefix()
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
      kubelet = null;
    }
    if (operator != null && !operator.isAlive()) {
      throw new AssertionError("the operator exited:\n" + operator.logTail(50));
    }
  }

  List<Event> events(String reason) {
    return admin.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  @Test
  @Order(2)
  void dependentsAreServerSideAppliedByFieldManagerSquidproxy(TestInfo info) {
    namespace(info);
    SquidProxy sp = proxies.apply("basic", "replicas: 2"); // a PodDisruptionBudget needs 2 replicas
    proxies.awaitReady("basic");
    // the config generation: immutable, created once, controlled by the SquidProxy
    ConfigMap generation = proxies.generation("basic");
    assertThat(generation).as("config generation of basic").isNotNull();
    assertThat(generation.getImmutable()).isTrue();
    assertThat(generation.getData()).containsKeys("squid.conf", "runtime.properties");
    assertThat(generation.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo(sp.getMetadata().getUid());
              assertThat(o.getController()).isTrue();
              assertThat(o.getBlockOwnerDeletion()).isTrue();
            });
    List<HasMetadata> dependents =
        List.of(
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
    // what kubectl describe shows for a new proxy: its first configuration live, and no
    // RolloutStarted (creation is the start; one write fewer per new proxy)
    await("RolloutFinished event")
        .atMost(Proxies.TIMEOUT)
        .until(() -> events("RolloutFinished").size() == 1);
    assertThat(events("RolloutStarted")).isEmpty();
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
    double failedChecks =
        sample(
            operator.metrics(), "cephaloproxy_operator_config_checks_total", "result=\"failed\"");
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
    // issue 17 §3: the operator's metrics count the rejection and the rejected proxy
    String during = operator.metrics();
    System.out.println(
        "operator metrics while rejected:\n"
            + during
                .lines()
                .filter(l -> l.startsWith("cephaloproxy_operator_"))
                .filter(l -> !l.contains("_bucket{"))
                .collect(java.util.stream.Collectors.joining("\n")));
    assertThat(sample(during, "cephaloproxy_operator_config_checks_total", "result=\"failed\""))
        .as("config checks failed, counted")
        .isGreaterThanOrEqualTo(failedChecks + 1);
    double rejectedProxies =
        sample(
            during,
            "cephaloproxy_operator_proxies",
            "condition=\"ConfigValid\"",
            "status=\"False\"",
            "reason=\"SquidRejectedConfig\"");
    assertThat(rejectedProxies)
        .as("proxies with ConfigValid=False SquidRejectedConfig")
        .isGreaterThanOrEqualTo(1);
    // validate before promote (issue 11 §1): the check pod failed, the Deployment never got the
    // rejected config, the check pod is gone, and the status tells serving from desired
    assertThat(templateHash(proxies.deployment("conf"))).isEqualTo(goodHash);
    assertThat(rejected.getStatus().getServingConfigHash()).isEqualTo(goodHash);
    assertThat(rejected.getStatus().getDesiredConfigHash()).isNotEqualTo(goodHash).isNotNull();
    assertThat(Proxies.condition(rejected, "Ready").orElseThrow().getMessage())
        .contains("ready pods keep serving the last good config " + goodHash.substring(0, 10));
    await("the check pod is deleted")
        .atMost(Proxies.TIMEOUT)
        .until(() -> proxies.checkPods().isEmpty());
    // while the change is rejected, a scale-up starts pods of the last good config
    proxies.apply("conf", "replicas: 2\naccess: {allowedDomains: [.example.com, .example.org]}");
    proxies.await(
        "conf",
        "2 ready pods of the last good config",
        sp -> sp.getStatus().getReadyReplicas() != null && sp.getStatus().getReadyReplicas() == 2);
    assertThat(templateHash(proxies.deployment("conf"))).isEqualTo(goodHash);
    assertThat(
            admin
                .pods()
                .inNamespace(ns)
                .withLabel("app.kubernetes.io/name", "squid")
                .list()
                .getItems())
        .isNotEmpty()
        .allSatisfy(
            p ->
                assertThat(p.getMetadata().getAnnotations())
                    .containsEntry(Proxies.CONFIG_HASH, goodHash));
    // the pod with the previous config keeps serving
    Deployment d = proxies.deployment("conf");
    assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(2);
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
    assertThat(
            sample(
                operator.metrics(),
                "cephaloproxy_operator_proxies",
                "condition=\"ConfigValid\"",
                "status=\"False\"",
                "reason=\"SquidRejectedConfig\""))
        .as("the fixed proxy is no longer counted as rejected")
        .isEqualTo(rejectedProxies - 1);
  }

  /**
   * The sum of the samples of {@code name} (a counter or gauge, not a histogram's series) whose
   * labels include every one of {@code labels} ({@code key="value"}); 0 when there is none.
   */
  static double sample(String exposition, String name, String... labels) {
    return exposition
        .lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
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

    // someone deletes the Service and the config generation; rewriting it is refused (immutable)
    String serviceUid =
        admin.services().inNamespace(ns).withName("drift").get().getMetadata().getUid();
    admin.services().inNamespace(ns).withName("drift").delete();
    ConfigMap cm = proxies.generation("drift");
    String squidConf = cm.getData().get("squid.conf");
    assertThat(squidConf).isNotBlank();
    assertThatThrownBy(
            () ->
                admin
                    .configMaps()
                    .inNamespace(ns)
                    .withName(cm.getMetadata().getName())
                    .edit(
                        c -> {
                          c.getData().put("squid.conf", "http_access allow all\n");
                          return c;
                        }))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422));
    admin.configMaps().inNamespace(ns).withName(cm.getMetadata().getName()).delete();
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
            () -> {
              ConfigMap again =
                  admin.configMaps().inNamespace(ns).withName(cm.getMetadata().getName()).get();
              return again != null
                  && !again.getMetadata().getUid().equals(cm.getMetadata().getUid())
                  && squidConf.equals(again.getData().get("squid.conf"));
            });
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
    // a change, unlike the creation, is announced: once, naming the new hash
    assertThat(events("RolloutStarted"))
        .singleElement()
        .satisfies(e -> assertThat(e.getMessage()).isEqualTo("rolling out configuration " + hash2));
    assertThat(proxies.generation("roll").getData().values())
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
    // the secret itself never lands in a ConfigMap: the generation has an immutable Secret copy
    String generation1 = proxies.generation("auth").getMetadata().getName();
    assertThat(proxies.generation("auth").getData().values()).noneMatch(v -> v.contains("alice"));
    Secret copy1 = admin.secrets().inNamespace(ns).withName(generation1 + "-auth").get();
    assertThat(copy1.getImmutable()).isTrue();
    assertThat(copy1.getData()).containsOnlyKeys("htpasswd");
    assertThat(copy1.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getName()).isEqualTo(generation1);
              assertThat(o.getKind()).isEqualTo("ConfigMap");
              assertThat(o.getController()).isTrue();
            });

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
    // the rotation is a new generation with its own copy; the first copy was never rewritten
    String generation2 = proxies.generation("auth").getMetadata().getName();
    assertThat(generation2).isNotEqualTo(generation1);
    assertThat(
            new String(
                java.util.Base64.getDecoder()
                    .decode(
                        admin
                            .secrets()
                            .inNamespace(ns)
                            .withName(generation2 + "-auth")
                            .get()
                            .getData()
                            .get("htpasswd")),
                java.nio.charset.StandardCharsets.UTF_8))
        .contains("bob:");
    Secret stillFirst = admin.secrets().inNamespace(ns).withName(generation1 + "-auth").get();
    if (stillFirst != null) { // unless already collected: no old pod is left
      assertThat(stillFirst.getData()).isEqualTo(copy1.getData());
    }
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
              assertThat(proxies.generationObjects("gone")).isEmpty();
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
    assertThat(proxies.generation(name)).isNotNull();
    // the cache claim is created, not owned: deleting the SquidProxy must not delete cached data
    assertThat(admin.persistentVolumeClaims().inNamespace(ns).withName(name + "-cache").get())
        .isNotNull()
        .satisfies(pvc -> assertThat(pvc.getMetadata().getOwnerReferences()).isEmpty());
    assertThat(admin.services().inNamespace(ns).withName(name).get()).isNotNull();
    assertThat(admin.policy().v1().podDisruptionBudget().inNamespace(ns).withName(name).get())
        .isNotNull();
    assertThat(egressBlocks(name))
        .containsExactly(
            "::/0 except [::/128, ::1/128, fd00::/8, fe80::/10]",
            "169.254.169.254/32",
            "192.0.2.0/24");

    proxies.apply("plain", "networkPolicy: {enabled: true}");
    proxies.awaitReady("plain");
    assertThat(egressBlocks("plain"))
        .containsExactly(
            "0.0.0.0/0 except [0.0.0.0/8, 100.100.100.200/32, 127.0.0.0/8, 168.63.129.16/32, 169.254.0.0/16]",
            "::/0 except [::/128, ::1/128, fd00:ec2::254/128, fe80::/10]");
  }

  @Test
  @Order(11)
  void aMissingSecretIsAConditionUntilItAppears(TestInfo info) {
    namespace(info);
    proxies.apply("auth", "auth: {mode: Basic, htpasswdSecret: {name: users}}");
    SquidProxy missing =
        proxies.await(
            "auth", "Degraded=True for the missing Secret", sp -> is(sp, "Degraded", "True"));
    assertThat(Proxies.condition(missing, "Degraded").orElseThrow())
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("MissingReference"))
        .satisfies(
            c ->
                assertThat(c.getMessage())
                    .contains("Secret")
                    .contains("users")
                    .contains("not found"));
    await("a ReferenceMissing Warning event")
        .atMost(Proxies.TIMEOUT)
        .until(() -> events("ReferenceMissing").size() == 1);
    assertThat(events("ReferenceMissing").get(0).getType()).isEqualTo("Warning");
    assertThat(proxies.deployment("auth")).as("nothing rolled out without the Secret").isNull();

    // issue 12 §5: a Secret its owner has not labelled for proxies is not used, and the message
    // says so and how to label it
    Secret unlabelled = htpasswd("users", "alice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/");
    unlabelled.getMetadata().setLabels(null);
    admin.secrets().inNamespace(ns).resource(unlabelled).create();
    SquidProxy notUsable =
        proxies.await(
            "auth",
            "MissingReference naming the label",
            sp ->
                Proxies.condition(sp, "Degraded")
                    .map(c -> c.getMessage().contains("is not labelled"))
                    .orElse(false),
            Duration.ofSeconds(90));
    String message = Proxies.condition(notUsable, "Degraded").orElseThrow().getMessage();
    System.out.println("unlabelled Secret: " + message);
    assertThat(message)
        .contains(
            "spec.auth.htpasswdSecret: Secret 'users' is not labelled"
                + " cephaloproxy.io/usable-by-proxies=true")
        .contains(
            "kubectl -n " + ns + " label secret users cephaloproxy.io/usable-by-proxies=true");
    assertThat(proxies.deployment("auth"))
        .as("nothing rolled out with the unlabelled Secret")
        .isNull();
    admin
        .secrets()
        .inNamespace(ns)
        .withName("users")
        .edit(
            x -> {
              x.getMetadata().setLabels(Map.of(USABLE_BY_PROXIES, "true"));
              return x;
            });
    SquidProxy ready = proxies.awaitReady("auth");
    assertThat(ready).matches(sp -> is(sp, "Degraded", "False"));
    assertThat(proxies.deployment("auth").getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret()).isNotNull());
  }

  /** Input the CRD cannot reject gives ConfigValid=False and rolls nothing out. */
  @Test
  @Order(12)
  void badInputIsAConditionNotARetriedWrite(TestInfo info) {
    namespace(info);
    // (a value that is not a quantity is refused at admission since issue 12 §7, CrdIT; a request
    // above its limit is not: the API server would refuse the Deployment instead, every retry)
    proxies.apply("cpu", "resources: {requests: {cpu: 2}, limits: {cpu: 1}}");
    SquidProxy cpu = proxies.await("cpu", "ConfigValid=False", p -> is(p, "ConfigValid", "False"));
    assertThat(Proxies.condition(cpu, "ConfigValid").orElseThrow().getMessage())
        .contains("spec.resources.requests.cpu: is greater than its limit");
    assertThat(proxies.deployment("cpu")).as("nothing rolled out").isNull();
    Instant from = Instant.now();
    ControlPlane.sleep(5_000);
    assertThat(
            new AuditLog(cp.auditLog())
                .writesBy(rbac.username(), from, Instant.now()).stream()
                    .filter(w -> w.namespace().equals(ns))
                    .toList())
        .as("writes by the operator after it reported the bad input")
        .isEmpty();
  }

  /**
   * Issue 12 §7: turning autoscaling on for a running proxy hands {@code spec.replicas} to the HPA
   * without a dip. Were the operator's apply to drop the field it alone owned, the API server would
   * default it to 1 and stop all pods but one until the HPA scaled back up. For 3 replicas (HPA
   * minimum 3) and 4 (minimum 2, where the HPA without CPU metrics keeps 4), every value of the
   * Deployment's spec.replicas seen by a watch stays at or above what ran before.
   */
  @Test
  @Order(13)
  void turningAutoscalingOnNeverDropsTheReplicas(TestInfo info) throws Exception {
    namespace(info);
    Map<String, Integer> before = Map.of("three", 3, "four", 4);
    Map<String, Integer> min = Map.of("three", 3, "four", 2);
    before.forEach(
        (name, n) -> proxies.apply(name, "replicas: " + n + "\nresources: {requests: {cpu: 50m}}"));
    before.forEach(
        (name, n) ->
            proxies.awaitDeployment(
                name, d -> d.getSpec() != null && Objects.equals(d.getSpec().getReplicas(), n)));
    Map<String, List<Integer>> seen = new java.util.concurrent.ConcurrentHashMap<>();
    try (var watch =
        admin
            .apps()
            .deployments()
            .inNamespace(ns)
            .watch(
                new io.fabric8.kubernetes.client.Watcher<Deployment>() {
                  @Override
                  public void eventReceived(Action action, Deployment d) {
                    seen.computeIfAbsent(
                            d.getMetadata().getName(),
                            k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(d.getSpec().getReplicas());
                  }

                  @Override
                  public void onClose(io.fabric8.kubernetes.client.WatcherException e) {}
                })) {
      before.forEach(
          (name, n) ->
              proxies.apply(
                  name,
                  "replicas: "
                      + n
                      + "\nresources: {requests: {cpu: 50m}}\nautoscaling: {enabled: true,"
                      + " minReplicas: "
                      + min.get(name)
                      + ", maxReplicas: 6}"));
      // the operator's apply no longer carries the replicas, and the HPA has had a sync (15 s)
      before.forEach(
          (name, n) ->
              proxies.awaitDeployment(
                  name,
                  d ->
                      d.getMetadata().getManagedFields().stream()
                          .filter(m -> "squidproxy".equals(m.getManager()))
                          .noneMatch(
                              m ->
                                  Serialization.asJson(m.getFieldsV1())
                                      .contains("\"f:replicas\""))));
      Thread.sleep(20_000);
    }
    System.out.println("autoscaling on: spec.replicas seen " + seen);
    before.forEach(
        (name, n) -> {
          assertThat(seen.get(name))
              .as("spec.replicas of %s (%d before, HPA minimum %d)", name, n, min.get(name))
              .isNotEmpty()
              .allSatisfy(r -> assertThat(r).isNotNull().isGreaterThanOrEqualTo(n));
          assertThat(
                  admin
                      .apps()
                      .deployments()
                      .inNamespace(ns)
                      .withName(name)
                      .get()
                      .getSpec()
                      .getReplicas())
              .isEqualTo(n);
        });
  }

  /**
   * An autoscaled proxy: the HPA is the SquidProxy's, targets its Deployment, and owns the replica
   * count (the operator's applied fields on the Deployment do not include spec.replicas).
   */
  @Test
  @Order(13)
  void anAutoscaledProxyLeavesTheReplicasToItsHpa(TestInfo info) {
    namespace(info);
    SquidProxy sp =
        proxies.apply("auto", "autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 4}");
    HorizontalPodAutoscaler hpa =
        await("the HorizontalPodAutoscaler")
            .atMost(Proxies.TIMEOUT)
            .until(
                () ->
                    admin
                        .autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(ns)
                        .withName("auto")
                        .get(),
                Objects::nonNull);
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(4);
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("auto");
    assertThat(hpa.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(sp.getMetadata().getUid()));
    Deployment d = proxies.awaitDeployment("auto", x -> true);
    assertThat(d.getMetadata().getManagedFields())
        .filteredOn(m -> "squidproxy".equals(m.getManager()))
        .isNotEmpty()
        .allSatisfy(
            m ->
                assertThat(Serialization.asJson(m.getFieldsV1())).doesNotContain("\"f:replicas\""));
  }

  /**
   * A write the API server keeps rejecting (here an admission policy) is retried beyond JOSDK's
   * default of 5 retries, so the proxy recovers when the administrator fixes it instead of waiting
   * for the next resync.
   */
  @Test
  @Order(14)
  void aRejectedWriteIsRetriedUntilTheApiServerAcceptsIt(TestInfo info) {
    namespace(info);
    proxies.apply("frozen", "{}");
    proxies.awaitReady("frozen");
    String policy = ns + "-no-services";
    String policyYaml =
        """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: %s}
            spec:
              failurePolicy: Fail
              matchConstraints:
                resourceRules:
                - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [services]}
              validations:
              - {expression: "false", reason: Invalid, message: "Services are frozen (test policy)"}
            """
            .formatted(policy);
    admin.resource(policyYaml).create();
    String binding =
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: %s}
        spec:
          policyName: %s
          validationActions: [Deny]
          matchResources:
            namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}
        """
            .formatted(policy, policy, ns);
    admin.resource(binding).create();
    Service probe =
        new ServiceBuilder()
            .withNewMetadata()
            .withName("probe")
            .endMetadata()
            .withNewSpec()
            .addNewPort()
            .withPort(80)
            .endPort()
            .endSpec()
            .build();
    await("the policy in force")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try {
                admin.services().inNamespace(ns).resource(probe).dryRun().create();
                return false;
              } catch (KubernetesClientException e) {
                return e.getCode() == 422;
              }
            });

    Instant from = Instant.now();
    admin.services().inNamespace(ns).withName("frozen").delete();
    AuditLog audit = new AuditLog(cp.auditLog());
    // JOSDK's default gives up after the first attempt and 5 retries
    await("7 rejected (422) Service writes by the operator")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                audit.writesBy(rbac.username(), from, Instant.now()).stream()
                        .filter(
                            w ->
                                w.resource().equals("services")
                                    && w.namespace().equals(ns)
                                    && w.code() == 422)
                        .count()
                    >= 7);
    assertThat(admin.services().inNamespace(ns).withName("frozen").get()).isNull();

    admin.resource(binding).delete();
    await("the Service re-created once the policy is gone")
        .atMost(Proxies.TIMEOUT)
        .until(() -> admin.services().inNamespace(ns).withName("frozen").get() != null);
    proxies.await(
        "frozen",
        "no reconcile error left",
        sp ->
            Proxies.condition(sp, "Degraded")
                .map(c -> !"ReconcileError".equals(c.getReason()))
                .orElse(true));
    admin.resource(policyYaml).delete();
  }

  /** The health port: ready once the informers synced; metrics without per-proxy series. */
  @Test
  @Order(15)
  void healthEndpointsAndMetrics(TestInfo info) {
    namespace(info);
    proxies.apply("metered", "{}");
    proxies.awaitReady("metered");
    assertThat(operator.httpStatus("/healthz")).isEqualTo(200);
    assertThat(operator.httpStatus("/readyz")).isEqualTo(200);
    await("reconcile metrics")
        .atMost(Proxies.TIMEOUT)
        .until(() -> operator.metrics().contains("operator_sdk_reconciliations_success_total"));
    String text = operator.metrics();
    assertThat(text)
        .contains("operator_sdk_reconciliations_started_total")
        .contains("jvm_memory_used_bytes")
        .as("no per-resource series")
        .doesNotContain("metered");
    // issue 17 §3: the operator's own metrics, with units, _total only on counters
    assertThat(
            sample(text, "cephaloproxy_operator_proxies", "condition=\"Ready\"", "status=\"True\""))
        .as("ready proxies")
        .isGreaterThanOrEqualTo(1);
    assertThat(sample(text, "cephaloproxy_operator_reconcile_duration_seconds_count"))
        .as("reconciles timed")
        .isGreaterThan(0);
    assertThat(text)
        .contains("# TYPE cephaloproxy_operator_reconcile_duration_seconds histogram")
        .contains("cephaloproxy_operator_reconcile_duration_seconds_bucket{le=\"+Inf\"}")
        .contains("# TYPE cephaloproxy_operator_reconcile_errors_total counter")
        .contains("# TYPE cephaloproxy_operator_config_checks_total counter")
        .contains("# TYPE cephaloproxy_operator_proxies gauge");
    java.util.regex.Matcher type =
        java.util.regex.Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(text);
    int types = 0;
    while (type.find()) {
      types++;
      String metric = type.group(1);
      String kind = type.group(2);
      assertThat(metric.endsWith("_total"))
          .as(metric + " is a " + kind + ": only counters end in _total")
          .isEqualTo(kind.equals("counter"));
      assertThat(metric).as("units are seconds and bytes").doesNotContain("millis", "kbytes");
    }
    assertThat(types).isGreaterThan(20);
    // issue 17 §4: every operator metric the chart's alerts and dashboard query is exposed
    assertThat(MonitoringQueries.metrics()).contains("cephaloproxy_operator_proxies");
    assertThat(MonitoringQueries.missing(text, true))
        .as("metrics the chart's alerts and dashboard query that the operator does not expose")
        .isEmpty();
  }

  /**
   * Issue 11 §2-3: every change of the spec or of referenced data is a new, immutable generation
   * (the copies of a referenced list and Secret controlled by its ConfigMap); after {@link
   * #generationChanges()} successive changes, each Ready before the next, at most three generations
   * are left, and no copy outlives its generation.
   */
  @Test
  @Order(16)
  void oldGenerationsAreCollectedWithTheirCopies(TestInfo info) {
    namespace(info);
    admin
        .secrets()
        .inNamespace(ns)
        .resource(htpasswd("users", "alice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"))
        .create();
    admin.configMaps().inNamespace(ns).resource(domains(".example.com\n")).create();
    proxies.apply(
        "gc",
        """
        access: {allowedDomainsFrom: {name: domains, key: list}}
        auth: {mode: Basic, htpasswdSecret: {name: users}}""");
    String hash = proxies.awaitReady("gc").getStatus().getConfigHash();
    List<String> seen = new java.util.ArrayList<>(proxies.generations("gc"));
    int changes = Integer.getInteger("gc.changes", generationChanges());
    long start = System.nanoTime();
    for (int i = 1; i <= changes; i++) {
      admin
          .configMaps()
          .inNamespace(ns)
          .resource(domains(".example.com\n.change" + i + ".example\n"))
          .update();
      String before = hash;
      hash =
          proxies
              .await(
                  "gc",
                  "Ready with the list of change " + i,
                  sp -> is(sp, "Ready", "True") && !before.equals(sp.getStatus().getConfigHash()))
              .getStatus()
              .getConfigHash();
      String current = proxies.generation("gc").getMetadata().getName();
      assertThat(seen).as("a new generation for change %d", i).doesNotContain(current);
      seen.add(current);
      ConfigMap copy =
          admin.configMaps().inNamespace(ns).withName(current + "-allowed-domains").get();
      assertThat(copy.getImmutable()).isTrue();
      assertThat(copy.getData().get("domains.txt")).contains(".change" + i + ".example");
    }
    System.out.printf(
        "%d changes of a referenced list, each Ready with a new generation: %.1f s%n",
        changes, (System.nanoTime() - start) / 1e9);
    String last = seen.get(seen.size() - 1);
    await("at most 3 generations, each with its 2 copies")
        .atMost(Proxies.TIMEOUT)
        .untilAsserted(
            () -> {
              List<String> left = proxies.generations("gc");
              assertThat(left).hasSizeLessThanOrEqualTo(3).contains(last);
              assertThat(proxies.generationObjects("gc"))
                  .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                  .hasSize(3 * left.size());
            });
  }

  /**
   * How many successive changes {@link #oldGenerationsAreCollectedWithTheirCopies} makes
   * (-Dgc.changes=N overrides): the 50 with the operator as users run it ({@link
   * OperatorIT}; 242 s for 50 changes here at a load average of 16); {@link InProcessOperatorIT},
   * the quick way to run one scenario, makes 10.
   */
  int generationChanges() {
    return 50;
  }

  static ConfigMap domains(String list) {
    return new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata()
        .withName("domains")
        .endMetadata()
        .addToData("list", list)
        .build();
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

  /** The label a Secret's owner sets to let SquidProxies use it (issue 12 §5). */
  static final String USABLE_BY_PROXIES = "cephaloproxy.io/usable-by-proxies";

  /** An htpasswd Secret SquidProxies may use. */
  static Secret htpasswd(String name, String content) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(USABLE_BY_PROXIES, "true")
        .endMetadata()
        .addToStringData("htpasswd", content + "\n")
        .build();
  }
}
