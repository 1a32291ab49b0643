package io.cephaloproxy.tests.apiserver;

import static io.cephaloproxy.tests.apiserver.Proxies.is;
import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.testsupport.ArgoCdTestdata;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Records the SquidProxy objects the Argo CD health check is tested on
 * (argocd/resource_customizations/cephaloproxy.io/SquidProxy/testdata/) in the states that need no
 * running pod, from the operator on the real API server: a new proxy without status yet, a rollout
 * in progress (pods created, none ready), a changed spec the operator has not observed yet, a
 * configuration the operator rejects (a bad line in a referenced domain list), a missing Secret, a
 * transient reconcile error (a Service write that fails with 500 because an admission webhook is
 * unreachable) and a proxy being deleted with foreground propagation (as Argo CD prunes). By
 * default it checks that each committed file is still what the operator writes ({@link
 * ArgoCdTestdata}); {@code -Dcephaloproxy.regenerate=true} rewrites the files (then review
 * health_test.yaml's messages).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArgoCdHealthFixturesIT {
  static final String OPERATOR_NS = "cephaloproxy-argocd";
  static final String NS = "argocd-fixtures";
  static ControlPlane cp;
  static KubernetesClient admin;
  static OperatorProcess operator;
  static Proxies proxies;
  static final ArgoCdTestdata testdata =
      new ArgoCdTestdata(
          "on the real API server by tests/apiserver ArgoCdHealthFixturesIT",
          NS,
          "mvn -B -ntp -pl tests/apiserver -am verify -Dit.test=ArgoCdHealthFixturesIT"
              + " -Dcephaloproxy.regenerate=true");

  @BeforeAll
  static void startOperator() {
    cp = ControlPlane.get();
    admin = cp.admin();
    cp.installCrd();
    ChartRbac.Installed rbac =
        ChartRbac.install(cp, "argocd-fixtures", OPERATOR_NS, List.of(), false);
    operator = OperatorProcess.start(cp, "argocd-fixtures", rbac.kubeconfig(), Map.of());
    cp.namespace(NS);
    proxies = new Proxies(admin, NS);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  @Order(1)
  void noStatusYet() {
    // the object as created, before the operator's first status write (on the raw object: the
    // SquidProxy class starts with an empty status, so a typed object never has none)
    recordRaw(
        "no-status",
        "egress",
        () -> proxies.apply("egress", "replicas: 2\naccess: {allowedDomains: [.example.com]}"),
        r -> r.getAdditionalProperties().get("status") == null);
  }

  @Test
  @Order(2)
  void progressing() {
    record(
        "progressing",
        "egress",
        () -> {},
        // the steady state without a kubelet: both pods created, none ready
        sp ->
            current(sp)
                && is(sp, "Progressing", "True")
                && Proxies.condition(sp, "Progressing")
                    .map(c -> "WaitingForAvailability".equals(c.getReason()))
                    .orElse(false));
  }

  @Test
  @Order(3)
  void aChangeNotObservedYet() {
    // the spec change as stored: the generation is bumped, the status still describes the last one
    record(
        "generation-behind",
        "egress",
        () ->
            proxies.apply(
                "egress", "replicas: 2\naccess: {allowedDomains: [.example.com, .example.net]}"),
        sp -> sp.getStatus() != null && !current(sp));
  }

  @Test
  @Order(4)
  void aConfigurationTheOperatorRejects() {
    admin
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("allowlist")
                .endMetadata()
                .addToData("domains.txt", "example.com\n*.example.org\n")
                .build())
        .create();
    record(
        "config-rejected",
        "egress",
        () ->
            proxies.apply(
                "egress",
                "replicas: 2\naccess: {allowedDomainsFrom: {name: allowlist, key: domains.txt}}"),
        sp -> current(sp) && is(sp, "ConfigValid", "False"));
  }

  @Test
  @Order(5)
  void aMissingSecret() {
    record(
        "missing-secret",
        "auth",
        () -> proxies.apply("auth", "auth: {mode: Basic, htpasswdSecret: {name: users}}"),
        sp -> current(sp) && is(sp, "ConfigValid", "False"));
  }

  @Test
  @Order(6)
  void aTransientReconcileError() {
    proxies.apply("retry", "{}");
    proxies.await("retry", "status of generation 1", ArgoCdHealthFixturesIT::current);
    // a webhook the API server cannot reach (no such Service): writes fail with 500, not 4xx
    String webhook =
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata: {name: %s-unreachable}
        webhooks:
        - name: unreachable.cephaloproxy.io
          admissionReviewVersions: [v1]
          sideEffects: None
          failurePolicy: Fail
          timeoutSeconds: 2
          clientConfig:
            service: {namespace: %s, name: nowhere, path: /validate}
          rules:
          - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [services]}
          namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: %s}
        """
            .formatted(NS, NS, NS);
    admin.resource(webhook).create();
    try {
      record(
          "reconcile-error",
          "retry",
          () -> admin.services().inNamespace(NS).withName("retry").delete(),
          sp ->
              current(sp)
                  && Proxies.condition(sp, "Degraded")
                      .map(c -> "ReconcileError".equals(c.getReason()))
                      .orElse(false));
    } finally {
      admin.resource(webhook).delete();
    }
  }

  @Test
  @Order(7)
  void beingDeleted() {
    // the API server sets deletionTimestamp and the foregroundDeletion finalizer, then the garbage
    // collector removes the dependents and the proxy: the watch sees the moment in between
    record(
        "deleting",
        "egress",
        () ->
            api().withName("egress").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete(),
        sp -> sp.getMetadata().getDeletionTimestamp() != null);
  }

  @Test
  @Order(100)
  void committedFixturesAreWhatTheOperatorWrites() {
    assertThat(testdata.stale()).as(testdata.staleMessage()).isEmpty();
  }

  static boolean current(SquidProxy sp) {
    return sp.getStatus() != null
        && sp.getStatus().getObservedGeneration() != null
        && sp.getStatus().getObservedGeneration().equals(sp.getMetadata().getGeneration());
  }

  static NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      api() {
    return admin
        .genericKubernetesResources("cephaloproxy.io/v1alpha1", "SquidProxy")
        .inNamespace(NS);
  }

  /**
   * Watches {@code name} (a watch sees every change, even a short one), runs {@code action} and
   * takes the first object that matches; then writes or compares testdata/STATE.yaml.
   */
  static void record(String state, String name, Runnable action, Predicate<SquidProxy> when) {
    recordRaw(
        state,
        name,
        action,
        r -> when.test(Serialization.unmarshal(Serialization.asJson(r), SquidProxy.class)));
  }

  /** {@link #record} with a condition on the object as the API server sent it. */
  static void recordRaw(
      String state, String name, Runnable action, Predicate<GenericKubernetesResource> when) {
    CompletableFuture<GenericKubernetesResource> match = new CompletableFuture<>();
    AtomicReference<Object> last = new AtomicReference<>();
    GenericKubernetesResource seen;
    try (Watch w =
        api()
            .withName(name)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action a, GenericKubernetesResource r) {
                    last.set(r.getAdditionalProperties().get("status"));
                    if (when.test(r)) {
                      match.complete(r);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {
                    match.completeExceptionally(cause);
                  }
                })) {
      action.run();
      seen = match.get(Proxies.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          state + " not reached within " + Proxies.TIMEOUT + "; last status: " + last.get());
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(state + ": watch failed", e);
    }
    testdata.record(state, seen);
  }
}
