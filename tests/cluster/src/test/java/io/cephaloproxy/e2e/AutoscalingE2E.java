package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12 §7 on the node: turning {@code autoscaling} on for a running proxy hands {@code
 * spec.replicas} to the HPA without stopping pods. Were the operator's server-side apply to drop
 * the field it alone owned, the API server would default it to 1 and the ReplicaSet would stop
 * every pod but one until the HPA scaled back up. For several replica counts (2 with HPA minimum 3,
 * 3 with minimum 3, 4 with minimum 2), the Deployment's replicas and the proxy's ready pods are
 * sampled from before the change until the HPAs have synced twice: neither ever falls below what
 * served before, and the proxy below its HPA's minimum ends at the minimum.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AutoscalingE2E {
  static final Duration TIMEOUT = Duration.ofSeconds(180);
  static final String RELEASE = "cephaloproxy-hpa";

  /** Proxy name → replicas before, HPA minimum, HPA maximum. */
  static final Map<String, int[]> CASES = new LinkedHashMap<>();

  static {
    CASES.put("two", new int[] {2, 3, 4});
    CASES.put("three", new int[] {3, 3, 5});
    CASES.put("four", new int[] {4, 2, 6});
  }

  String operatorNs;
  String ns;
  OperatorRelease release;

  @BeforeAll
  void setUp() throws IOException {
    Cluster.client();
    operatorNs = Cluster.restrictedNamespace("cephaloproxy-hpa");
    ns = Cluster.restrictedNamespace("e2e-hpa");
    release = OperatorRelease.install(RELEASE, operatorNs, Map.of());
  }

  @AfterAll
  void tearDown() {
    if (release != null) {
      release.uninstallIfPresent();
    }
    Cluster.deleteNamespaces(TIMEOUT, ns, operatorNs);
  }

  static String proxy(String name, int replicas, int[] hpa) {
    return """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: %s
        spec:
          replicas: %d
          resources:
            requests: {cpu: 20m, memory: 48Mi}
        """
            .formatted(name, replicas)
        + (hpa == null
            ? ""
            : "  autoscaling: {enabled: true, minReplicas: %d, maxReplicas: %d}\n"
                .formatted(hpa[1], hpa[2]));
  }

  @Test
  void turningAutoscalingOnNeverStopsServingPods() throws Exception {
    CASES.forEach((name, c) -> SquidProxies.apply(ns, proxy(name, c[0], null)));
    CASES.forEach(
        (name, c) -> {
          SquidProxies.awaitReady(ns, name, TIMEOUT);
          Cluster.await(
              name + ": " + c[0] + " ready pods",
              TIMEOUT,
              () -> SquidProxies.readyPods(ns, name).size() == c[0]);
        });

    Map<String, List<Integer>> replicas = new ConcurrentHashMap<>();
    Map<String, List<Integer>> ready = new ConcurrentHashMap<>();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                for (String name : CASES.keySet()) {
                  try {
                    Deployment d =
                        Cluster.client().apps().deployments().inNamespace(ns).withName(name).get();
                    replicas
                        .computeIfAbsent(name, k -> new CopyOnWriteArrayList<>())
                        .add(d.getSpec().getReplicas());
                    ready
                        .computeIfAbsent(name, k -> new CopyOnWriteArrayList<>())
                        .add(SquidProxies.readyPods(ns, name).size());
                  } catch (RuntimeException e) {
                    // a failed read is no sample
                  }
                }
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "autoscaling-sampler");
    sampler.setDaemon(true);
    sampler.start();
    try {
      Thread.sleep(1_000);
      CASES.forEach((name, c) -> SquidProxies.apply(ns, proxy(name, c[0], c)));
      CASES.forEach(
          (name, c) ->
              Cluster.await(
                  name + ": the HPA has synced",
                  TIMEOUT,
                  () -> {
                    HorizontalPodAutoscaler h = hpa(name);
                    return h != null
                        && h.getStatus() != null
                        && h.getStatus().getConditions() != null
                        && !h.getStatus().getConditions().isEmpty();
                  }));
      // two more HPA syncs (every 15 s): a dip to 1 and the HPA's scale back fit in there
      Thread.sleep(35_000);
      CASES.forEach(
          (name, c) ->
              Cluster.await(
                  name + ": " + Math.max(c[0], c[1]) + " ready pods",
                  TIMEOUT,
                  () -> SquidProxies.readyPods(ns, name).size() == Math.max(c[0], c[1])));
    } finally {
      sampling.set(false);
      sampler.join(5_000);
    }

    List<String> report = new ArrayList<>();
    CASES.forEach(
        (name, c) -> {
          HorizontalPodAutoscaler h = hpa(name);
          report.add(
              name
                  + ": replicas "
                  + c[0]
                  + ", HPA "
                  + c[1]
                  + "-"
                  + c[2]
                  + "; Deployment spec.replicas seen "
                  + distinct(replicas.get(name))
                  + ", ready pods seen "
                  + distinct(ready.get(name))
                  + " in "
                  + replicas.get(name).size()
                  + " samples; HPA conditions "
                  + (h.getStatus().getConditions() == null
                      ? "none"
                      : h.getStatus().getConditions().stream()
                          .map(x -> x.getType() + "=" + x.getStatus() + " (" + x.getReason() + ")")
                          .toList()));
        });
    report.forEach(r -> System.out.println("autoscaling: " + r));
    CASES.forEach(
        (name, c) -> {
          assertThat(replicas.get(name))
              .as(
                  "%s: the Deployment's spec.replicas (%d before, HPA minimum %d)",
                  name, c[0], c[1])
              .isNotEmpty()
              .allSatisfy(r -> assertThat(r).isNotNull().isGreaterThanOrEqualTo(c[0]));
          assertThat(ready.get(name))
              .as("%s: ready pods (%d before, HPA minimum %d)", name, c[0], c[1])
              .allSatisfy(r -> assertThat(r).isGreaterThanOrEqualTo(c[0]));
          assertThat(SquidProxies.readyPods(ns, name)).hasSize(Math.max(c[0], c[1]));
        });
  }

  HorizontalPodAutoscaler hpa(String name) {
    return Cluster.client()
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(ns)
        .withName(name)
        .get();
  }

  static List<Integer> distinct(List<Integer> l) {
    return l == null ? List.of() : l.stream().distinct().toList();
  }
}
