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
 * running pod, from the operator on the real API server: a rollout in progress (pods created, none
 * ready), a configuration the operator rejects (a bad line in a referenced domain list), a missing
 * Secret, and a proxy being deleted with foreground propagation (as Argo CD prunes). By default it
 * checks that each committed file is still what the operator writes (deletion, generation, each
 * condition's status and reason: {@link ArgoCdTestdata}); {@code -Dcephaloproxy.regenerate=true}
 * rewrites the files (then review health_test.yaml's messages).
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
  void progressing() {
    record(
        "progressing",
        "egress",
        () -> proxies.apply("egress", "replicas: 2\naccess: {allowedDomains: [.example.com]}"),
        // the steady state without a kubelet: both pods created, none ready
        sp ->
            current(sp)
                && is(sp, "Progressing", "True")
                && Proxies.condition(sp, "Progressing")
                    .map(c -> "WaitingForAvailability".equals(c.getReason()))
                    .orElse(false));
  }

  @Test
  @Order(2)
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
  @Order(3)
  void aMissingSecret() {
    record(
        "missing-secret",
        "auth",
        () -> proxies.apply("auth", "auth: {mode: Basic, htpasswdSecret: {name: users}}"),
        sp -> current(sp) && is(sp, "ConfigValid", "False"));
  }

  @Test
  @Order(4)
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
                    if (when.test(
                        Serialization.unmarshal(Serialization.asJson(r), SquidProxy.class))) {
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
