package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.ArgoCdTestdata;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Records the SquidProxy objects the Argo CD health check is tested on
 * (argocd/resource_customizations/cephaloproxy.io/SquidProxy/testdata/) in the states that need
 * running pods, from the operator on the real node: Healthy, a configuration Squid rejects and a
 * crash loop (a line Squid accepts when parsing but then exits on); tests/apiserver
 * ArgoCdHealthFixturesIT records the others. By default it checks that each committed file is still
 * what the operator writes ({@link ArgoCdTestdata}); with {@code -Dcephaloproxy.regenerate=true} it
 * rewrites the files (then review health_test.yaml's messages).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArgoCdHealthFixturesE2E {
  static final Duration TIMEOUT = Duration.ofSeconds(120);
  static final String RELEASE = "cephaloproxy-argocd";
  static final String PROXY =
      """
      apiVersion: cephaloproxy.io/v1alpha1
      kind: SquidProxy
      metadata:
        name: egress
      spec:
        replicas: 2
        access:
          allowedDomains: [.example.com]
      """;

  String operatorNs;
  String ns;
  OperatorRelease release;
  ArgoCdTestdata testdata;

  @BeforeAll
  void setUp() {
    operatorNs = Cluster.restrictedNamespace("cephaloproxy-argocd");
    ns = Cluster.restrictedNamespace("argocd-health");
    testdata =
        new ArgoCdTestdata(
            "on the node by tests/cluster ArgoCdHealthFixturesE2E",
            ns,
            "mvn -B -ntp -pl tests/cluster -am verify -Dit.test=ArgoCdHealthFixturesE2E -Dcephaloproxy.regenerate=true");
    release = OperatorRelease.install(RELEASE, operatorNs, Map.of());
  }

  @AfterAll
  void tearDown() {
    if (release != null) {
      release.uninstallIfPresent();
    }
    Cluster.deleteNamespaces(TIMEOUT, ns, operatorNs);
  }

  @Test
  @Order(1)
  void healthy() {
    SquidProxies.apply(ns, PROXY);
    SquidProxies.awaitReady(ns, "egress", TIMEOUT);
    record("healthy", "egress", SquidProxies::ready);
  }

  @Test
  @Order(2)
  void aConfigurationSquidRejects() {
    SquidProxies.apply(ns, PROXY + "  extraConfig: |\n    cache_mem 64 elephants\n");
    record(
        "squid-rejected",
        "egress",
        r -> current(r) && reason(r, "ConfigValid").equals("False/SquidRejectedConfig"));
    SquidProxies.apply(ns, PROXY);
    SquidProxies.awaitReady(ns, "egress", TIMEOUT);
  }

  @Test
  @Order(3)
  void aCrashLoop() {
    // Squid accepts the line when parsing, then cannot bind its DNS socket to an address the pod
    // does not have and exits (ProxyE2E's "crashing"): the kubelet restarts the container
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: crashing
        spec:
          extraConfig: "udp_incoming_address 192.0.2.1"
        """);
    record(
        "crash-loop",
        "crashing",
        r -> current(r) && reason(r, "Degraded").equals("True/CrashLoop"));
  }

  @Test
  @Order(100)
  void committedFixturesAreWhatTheOperatorWrites() {
    assertThat(testdata.stale()).as(testdata.staleMessage()).isEmpty();
  }

  boolean current(GenericKubernetesResource r) {
    Object observed = SquidProxies.status(r).get("observedGeneration");
    return observed != null && ((Number) observed).longValue() == r.getMetadata().getGeneration();
  }

  static String reason(GenericKubernetesResource r, String type) {
    return SquidProxies.condition(r, type)
        .map(c -> c.get("status") + "/" + c.get("reason"))
        .orElse("");
  }

  /**
   * Polls every 100 ms for the first object that matches, then writes or compares
   * testdata/STATE.yaml.
   */
  void record(String state, String name, Predicate<GenericKubernetesResource> when) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      GenericKubernetesResource r = SquidProxies.get(ns, name);
      if (r != null && when.test(r)) {
        testdata.record(state, r);
        return;
      }
      assertThat(System.nanoTime())
          .as(
              "%s: state reached within %s; last: %s",
              state, TIMEOUT, r == null ? "gone" : SquidProxies.status(r))
          .isLessThan(deadline);
      Cluster.sleep(Duration.ofMillis(100));
    }
  }
}
