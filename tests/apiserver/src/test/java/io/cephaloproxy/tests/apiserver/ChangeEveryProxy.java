package io.cephaloproxy.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Issue 11's per-change phase of {@link OperatorBenchmark}: once every proxy has converged and the
 * namespace is quiet, each of the N proxies gets one spec change (another allowlist entry), so each
 * gets a new config generation, a check pod, a verdict and a new pod template. A {@link
 * FakeKubelet} that looks only at check pods lets each check pass (the proxy pods stay Pending, as
 * in the rest of the benchmark). Measures the time until every proxy's Deployment carries its new
 * generation, the operator's write requests per change (audit log; reads are served from its
 * informer caches and are not logged), the generations left, and the operator's RSS after the
 * changes. Off with -Dbench.changes=false.
 */
final class ChangeEveryProxy {
  static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("bench.changes", "true"));

  private ChangeEveryProxy() {}

  /** The spec of proxy {@code i} after its change: one more allowlist entry. */
  static String changedSpec(int i) {
    return "access: {allowedDomains: [.example.com, api" + i + ".example.org, v2.example.net]}";
  }

  /**
   * Runs the phase against the running operator, prints its table and writes it to
   * target/benchmark-apiserver-changes.md.
   *
   * @param username the operator's user in the audit log
   */
  static void run(
      ControlPlane cp,
      KubernetesClient admin,
      OperatorProcess operator,
      String username,
      String ns,
      int n,
      Duration timeout)
      throws Exception {
    Map<String, String> before = new ConcurrentHashMap<>();
    for (SquidProxy sp : admin.resources(SquidProxy.class).inNamespace(ns).list().getItems()) {
      before.put(sp.getMetadata().getName(), sp.getStatus().getConfigHash());
    }
    assertThat(before).as("converged proxies before the changes").hasSize(n);
    long rssBefore = operator.rssBytes();
    Map<String, Instant> promoted = new ConcurrentHashMap<>();
    // a proxy's change is done when its Deployment's pod template carries a config hash other than
    // the one before (the operator promotes a generation only after its check passed)
    SharedIndexInformer<Deployment> deployments =
        admin
            .apps()
            .deployments()
            .inNamespace(ns)
            .inform(
                Proxies.onAddOrUpdate(
                    d -> {
                      String name = d.getMetadata().getName();
                      String old = before.get(name);
                      String now = Proxies.templateHash(d);
                      if (old != null && now != null && !now.equals(old)) {
                        promoted.putIfAbsent(name, Instant.now());
                      }
                    }));
    AuditLog audit = new AuditLog(cp.auditLog());
    String loadStart = OperatorBenchmark.loadAverage();
    Instant start = Instant.now();
    Duration applies;
    try (FakeKubelet kubelet = new FakeKubelet(admin, ns, "config-check")) {
      applies =
          OperatorBenchmark.parallel(
              n, i -> new Proxies(admin, ns).apply(OperatorBenchmark.name(i), changedSpec(i)));
      Instant deadline = start.plus(timeout);
      while (promoted.size() < n && Instant.now().isBefore(deadline) && operator.isAlive()) {
        ControlPlane.sleep(200);
      }
      assertThat(promoted)
          .as("proxies whose Deployment carries the changed config within %s", timeout)
          .hasSize(n);
      Instant last = promoted.values().stream().max(Instant::compareTo).orElseThrow();
      long rssPromoted = operator.rssBytes();
      String loadPromoted = OperatorBenchmark.loadAverage();
      // the operator's writes caused by the changes: until nobody has written in the namespace
      // for 15 s (the controller manager rolls 1000 ReplicaSets, and the operator reports their
      // status), at most 8 minutes
      Instant quietDeadline = Instant.now().plus(Duration.ofMinutes(8));
      while (Instant.now().isBefore(quietDeadline)
          && !audit.writesIn(ns, Instant.now().minusSeconds(15), Instant.now()).isEmpty()) {
        ControlPlane.sleep(5_000);
      }
      boolean settled = audit.writesIn(ns, Instant.now().minusSeconds(15), Instant.now()).isEmpty();
      Instant end = Instant.now();
      List<AuditLog.Write> writes = audit.writesBy(username, start, end);
      Map<String, Long> byKind =
          writes.stream()
              .collect(
                  Collectors.groupingBy(
                      w ->
                          w.verb()
                              + " "
                              + w.resource()
                              + (w.subresource().isEmpty() ? "" : "/" + w.subresource()),
                      TreeMap::new,
                      Collectors.counting()));
      long failed = writes.stream().filter(w -> w.code() >= 400).count();
      long generations =
          admin.configMaps().inNamespace(ns).withLabel(Proxies.GENERATION).list().getItems().size();
      long checkPodsLeft = new Proxies(admin, ns).checkPods().size();
      long rssAfter = operator.rssBytes();
      long liveHeap = OperatorBenchmark.histogramTotalBytes(operator.jcmd("GC.class_histogram"));
      Function<Long, String> perChange =
          c -> String.format("%d (%.2f per change)", c, (double) c / n);
      StringBuilder kinds = new StringBuilder();
      byKind.forEach(
          (k, c) -> kinds.append(String.format("| … %s | %s |%n", k, perChange.apply(c))));
      String table =
          String.format(
              """
          | per-change phase (issue 11): every proxy changed once | value |
          | --- | --- |
          | proxies changed (one SSA of the spec each, %d threads) | %d in %.1f s |
          | start → every Deployment carries its new, checked generation | %.1f s (%.1f changes/s) |
          | operator write requests until quiet (no writes in the namespace for 15 s%s) | %s |
          %s| … of which refused (HTTP ≥ 400) | %d |
          | config generations left (ConfigMaps labelled %s) / check pods left | %d (%.2f per proxy) / %d |
          | operator RSS before / all promoted / settled / peak of the run | %d / %d / %d / %d MiB |
          | operator live heap after a full GC (settled) | %d MiB |
          | load average (1 min): changes start / all promoted | %s / %s |
          """,
              OperatorBenchmark.CONCURRENCY,
              n,
              OperatorBenchmark.seconds(applies),
              OperatorBenchmark.seconds(Duration.between(start, last)),
              n / OperatorBenchmark.seconds(Duration.between(start, last)),
              settled
                  ? ", after " + Duration.between(start, end).toSeconds() + " s"
                  : "; not quiet in 8 min",
              perChange.apply((long) writes.size()),
              kinds,
              failed,
              Proxies.GENERATION,
              generations,
              (double) generations / n,
              checkPodsLeft,
              rssBefore >> 20,
              rssPromoted >> 20,
              rssAfter >> 20,
              operator.peakRssBytes() >> 20,
              liveHeap >> 20,
              loadStart,
              loadPromoted);
      System.out.println("=== benchmark, per-change phase\n" + table);
      Files.writeString(Path.of("target", "benchmark-apiserver-changes.md"), table);
    } finally {
      deployments.close();
    }
  }
}
