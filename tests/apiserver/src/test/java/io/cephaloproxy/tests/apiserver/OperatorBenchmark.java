package io.cephaloproxy.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxyStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 5 §3 on the real API server: N SquidProxy resources (default 1000, -Dbench.proxies=N) exist
 * when the operator starts; time until every one is converged (status written for its generation,
 * config compiled; dependents applied); the raw rate of a plain client creating the same objects
 * (ConfigMap, Deployment, Service, status patch; one replica, so no PodDisruptionBudget) at the same concurrency; the
 * operator's write requests over 60 s of steady state (audit log); its RSS. Runs in its own JVM and
 * control plane (failsafe execution "benchmark"); prints a table and writes
 * target/benchmark-apiserver.md.
 */
class OperatorBenchmark {
  static final int N = Integer.getInteger("bench.proxies", 1000);
  /** JOSDK's default number of reconciliation threads, which the operator keeps. */
  static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 50);
  static final String OP_NS = "bench-op";
  static final String RAW_NS = "bench-raw";

  @Test
  void thousandProxies() throws Exception {
    ControlPlane cp = ControlPlane.get();
    KubernetesClient admin = cp.admin();
    cp.installCrd();
    cp.namespace(OP_NS);
    cp.namespace(RAW_NS);
    ChartRbac.Installed rbac = ChartRbac.install(cp, "cephaloproxy-bench", "bench-system", List.of(OP_NS), false);

    // 1. the SquidProxy resources exist before the operator starts (an upgrade / restart)
    Duration createCrs = parallel(N, i -> new Proxies(admin, OP_NS).apply(name(i), spec(i)));
    System.out.printf("created %d SquidProxy resources in %d ms%n", N, createCrs.toMillis());

    // 2. watch convergence, start the operator
    Map<String, Instant> converged = new ConcurrentHashMap<>();
    SharedIndexInformer<SquidProxy> informer = admin.resources(SquidProxy.class).inNamespace(OP_NS)
        .inform(new ResourceEventHandler<SquidProxy>() {
          @Override public void onAdd(SquidProxy sp) { check(sp); }
          @Override public void onUpdate(SquidProxy o, SquidProxy sp) { check(sp); }
          @Override public void onDelete(SquidProxy sp, boolean unknown) {}
          void check(SquidProxy sp) {
            if (isConverged(sp)) {
              converged.putIfAbsent(sp.getMetadata().getName(), Instant.now());
            }
          }
        });
    Instant start = Instant.now();
    OperatorProcess operator = OperatorProcess.start(cp, "operator-bench", rbac.kubeconfig(), Map.of("WATCH_NAMESPACES", OP_NS));
    Instant up = Instant.now();
    Instant deadline = start.plus(Duration.ofMinutes(10));
    while (converged.size() < N && Instant.now().isBefore(deadline) && operator.isAlive()) {
      ControlPlane.sleep(100);
    }
    if (converged.size() < N) {
      String tail = operator.logTail(30);
      operator.close();
      assertThat(converged).as("converged SquidProxies\n%s", tail).hasSize(N);
    }
    Instant last = converged.values().stream().max(Instant::compareTo).orElseThrow();
    Duration converge = Duration.between(start, last);
    Duration convergeAfterUp = Duration.between(up, last);
    long rssConverged = operator.rssBytes();
    for (String kind : List.of("configmaps", "deployments", "services")) {
      assertThat(count(admin, kind, OP_NS)).as(kind + " in " + OP_NS).isGreaterThanOrEqualTo(N);
    }

    // 3. steady state: wait until the operator has been quiet for 10 s (KCM's ReplicaSets and pods
    // cause status updates first), then count its writes over 60 s
    AuditLog audit = new AuditLog(cp.auditLog());
    Instant quietDeadline = Instant.now().plus(Duration.ofMinutes(3));
    while (Instant.now().isBefore(quietDeadline)
        && !audit.writesBy(rbac.username(), Instant.now().minusSeconds(10), Instant.now()).isEmpty()) {
      ControlPlane.sleep(2_000);
    }
    int convergeWrites = audit.writesBy(rbac.username(), start, Instant.now()).size();
    Instant from = Instant.now();
    ControlPlane.sleep(60_000);
    List<AuditLog.Write> steady = audit.writesBy(rbac.username(), from, Instant.now());
    long rssSteady = operator.rssBytes();
    long rssPeak = operator.peakRssBytes();
    informer.close();
    operator.close();

    // 4. a plain client creates the same objects at the same concurrency
    parallel(N, i -> new Proxies(admin, RAW_NS).apply(name(i), spec(i)));
    List<HasMetadata> template = List.of(
        admin.configMaps().inNamespace(OP_NS).withName(name(0) + "-config").get(),
        admin.apps().deployments().inNamespace(OP_NS).withName(name(0)).get(),
        admin.services().inNamespace(OP_NS).withName(name(0)).get());
    SquidProxyStatus statusTemplate = admin.resources(SquidProxy.class).inNamespace(OP_NS).withName(name(0)).get().getStatus();
    Duration raw = parallel(N, i -> {
      SquidProxy owner = admin.resources(SquidProxy.class).inNamespace(RAW_NS).withName(name(i)).get();
      for (HasMetadata t : template) {
        HasMetadata copy = renamed(t, name(0), name(i), owner);
        admin.resource(copy).fieldManager("raw-client").forceConflicts().serverSideApply();
      }
      SquidProxy st = new SquidProxy();
      st.getMetadata().setName(name(i));
      st.getMetadata().setNamespace(RAW_NS);
      st.setSpec(null);
      st.setStatus(statusTemplate);
      admin.resources(SquidProxy.class).inNamespace(RAW_NS).resource(st).subresource("status")
          .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
              .withFieldManager("raw-client").withForce(true).build());
    });

    double opRate = N / seconds(converge);
    double rawRate = N / seconds(raw);
    String report = String.format(
        """
        | figure | value |
        | --- | --- |
        | SquidProxy resources | %d |
        | reconcile concurrency (JOSDK default) / raw client threads | %d / %d |
        | operator: start → all converged (incl. JVM start, informer sync) | %.1f s |
        | operator: ready (/healthz) → all converged | %.1f s |
        | operator rate | %.1f proxies/s |
        | raw client: ConfigMap + Deployment + Service + status patch per proxy (SSA) | %.1f s (%.1f proxies/s) |
        | operator rate / raw rate | %.0f %% |
        | operator write requests until quiet (all %d proxies) | %d (%.1f per proxy) |
        | operator write requests in 60 s of steady state | %d |
        | operator RSS converged / steady / peak (image JVM options, 512 MiB as in the chart) | %d / %d / %d MiB |
        """,
        N, CONCURRENCY, CONCURRENCY, seconds(converge), seconds(convergeAfterUp), opRate, seconds(raw), rawRate,
        100 * opRate / rawRate, N, convergeWrites, (double) convergeWrites / N, steady.size(),
        rssConverged >> 20, rssSteady >> 20, rssPeak >> 20);
    System.out.println("=== benchmark (Kubernetes " + cp.version() + ", " + Runtime.getRuntime().availableProcessors()
        + " CPUs, load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + ")\n" + report);
    Files.writeString(Path.of("target", "benchmark-apiserver.md"), report);
    assertThat(steady).as("operator writes in 60 s of steady state").isEmpty();
  }

  static boolean isConverged(SquidProxy sp) {
    return sp.getStatus() != null && sp.getStatus().getObservedGeneration() != null
        && sp.getStatus().getObservedGeneration().equals(sp.getMetadata().getGeneration())
        && sp.getStatus().getConfigHash() != null
        && Proxies.is(sp, "ConfigValid", "True");
  }

  static String name(int i) {
    return String.format("p-%04d", i);
  }

  /** A realistic mix: an allowlist per proxy. */
  static String spec(int i) {
    return "access: {allowedDomains: [.example.com, api" + i + ".example.org]}";
  }

  static HasMetadata renamed(HasMetadata template, String from, String to, SquidProxy owner) {
    // every name and label value derived from the SquidProxy's name starts with it
    String json = Serialization.asJson(template).replace("\"" + from, "\"" + to);
    HasMetadata copy = Serialization.unmarshal(json, template.getClass());
    ObjectMeta m = copy.getMetadata();
    m.setNamespace(RAW_NS);
    m.setUid(null);
    m.setResourceVersion(null);
    m.setCreationTimestamp(null);
    m.setManagedFields(null);
    m.setGeneration(null);
    m.setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("cephaloproxy.io/v1alpha1")
        .withKind("SquidProxy").withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build()));
    clearStatus(copy);
    return copy;
  }

  private static void clearStatus(HasMetadata o) {
    if (o instanceof io.fabric8.kubernetes.api.model.apps.Deployment d) {
      d.setStatus(null);
    } else if (o instanceof io.fabric8.kubernetes.api.model.Service s) {
      s.setStatus(null);
      s.getSpec().setClusterIP(null);
      s.getSpec().setClusterIPs(null);
    } else if (o instanceof io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget p) {
      p.setStatus(null);
    }
  }

  static long count(KubernetesClient c, String kind, String ns) {
    return switch (kind) {
      case "configmaps" -> c.configMaps().inNamespace(ns).list().getItems().stream()
          .filter(x -> x.getMetadata().getName().endsWith("-config")).count();
      case "deployments" -> c.apps().deployments().inNamespace(ns).list().getItems().size();
      default -> c.services().inNamespace(ns).list().getItems().size();
    };
  }

  static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** Runs task(0..n-1) on CONCURRENCY threads; returns the wall time; rethrows the first failure. */
  static Duration parallel(int n, IntConsumer task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    Instant t0 = Instant.now();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      futures.add(pool.submit(() -> task.accept(k)));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    Duration d = Duration.between(t0, Instant.now());
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    return d;
  }
}
