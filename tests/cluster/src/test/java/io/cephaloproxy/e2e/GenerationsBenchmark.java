package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's performance figures on the node, measured side by side in one run: {@code kubectl
 * apply} → Ready of examples/basic.yaml, and a config change → every pod serving the new config (2
 * replicas), first for the previous release and then for this one. Each release is installed from
 * its own record (its chart from the local registry, its images by digest) into the same node, one
 * after the other; the previous one is made by scripts/previous-release.sh (by default main just
 * before issue 11's config generations, which had no validation before promote).
 *
 * <p>Not part of the suite (failsafe includes *E2E only): {@code mvn -pl tests/cluster verify
 * -Dit.test=GenerationsBenchmark -Dcephaloproxy.release.previous=DIR/release.env} (and
 * -Dcephaloproxy.release for this release, default dist/current). -Dbench.rounds=N (default 10)
 * sets the rounds of each scenario; each round first pauses for its share of a 2 s spread ({@link
 * #PAUSES}), so the rounds meet the kubelet's periodic work at evenly spread phases. Every moment
 * is taken from watch events (informers), not polls. Prints a table and writes
 * target/benchmark-generations.md; the targets are reported, not asserted (the machine's load moves
 * them), while every round must reach its end state.
 */
class GenerationsBenchmark {
  static final int ROUNDS = Integer.getInteger("bench.rounds", 10);

  /**
   * The pause before round i's apply (1-based), the same list for both releases. A round starts
   * when the previous round's pods are gone, a moment the kubelet's own timers pace (its 1 s relist
   * of containers, its 2 s housekeeping), so without a pause every round would meet those timers at
   * the same phase and the median would measure one phase, not what a user applying at any moment
   * sees. The pauses spread the applies evenly over 2 s (i/N of it, which covers the relist's
   * period twice and housekeeping's once), in an order shuffled with a fixed seed so that the phase
   * does not drift steadily through the run.
   */
  static final List<Duration> PAUSES = pauses(ROUNDS, Duration.ofSeconds(2), 11);

  static final Duration TIMEOUT = Duration.ofSeconds(120);
  static final String RELEASE_NAME = "cephaloproxy-bench";
  static final String HASH = "cephaloproxy.io/config-hash";
  static final String COMPONENT = "app.kubernetes.io/component";
  static final String CHECK_COMPONENT = "config-check";

  static List<Duration> pauses(int rounds, Duration spread, long seed) {
    List<Duration> p = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      p.add(spread.multipliedBy(i).dividedBy(rounds));
    }
    java.util.Collections.shuffle(p, new java.util.Random(seed));
    return List.copyOf(p);
  }

  static void pause(int round) {
    try {
      Thread.sleep(PAUSES.get(round - 1).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What one release measured; times in seconds from the apply. */
  record Result(
      Release release,
      List<Double> applyToReady,
      List<Double> applyToFirstPodReady,
      List<Double> change,
      List<Double> changeToTemplate,
      List<Double> changeToCheckPod,
      List<Double> changeToCheckDone,
      List<Double> changeToFirstNewPodReady) {}

  @Test
  void applyToReadyAndAChangeBesideThePreviousRelease() throws IOException {
    String previousRecord = System.getProperty("cephaloproxy.release.previous", "");
    if (previousRecord.isBlank()) {
      throw new IllegalStateException(
          "GenerationsBenchmark compares this release with the previous one: make that with"
              + " `scripts/previous-release.sh` (as root; prints its release.env) and pass"
              + " -Dcephaloproxy.release.previous=THAT/release.env");
    }
    Cluster.client();
    Release previous = Release.read(Path.of(previousRecord));
    Release current = Release.current();
    assertThat(previous.operatorImage())
        .as("the previous release's operator image is not this release's")
        .isNotEqualTo(current.operatorImage());
    String load0 = loadAverage();
    List<Result> results = new ArrayList<>();
    for (Release r : List.of(previous, current)) {
      results.add(measure(r));
    }
    String report = report(results, load0, loadAverage());
    System.out.println("=== GenerationsBenchmark\n" + report);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "benchmark-generations.md"), report);
  }

  Result measure(Release release) throws IOException {
    String operatorNs = Cluster.restrictedNamespace("bench-op");
    String ns = Cluster.restrictedNamespace("bench-gens");
    OperatorRelease operator = null;
    try {
      operator = OperatorRelease.install(release, RELEASE_NAME, operatorNs, Map.of());
      try (Watch w = new Watch(ns)) {
        Result r =
            new Result(
                release,
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>(),
                new ArrayList<>());
        // warm-up, not counted: the kubelet pulls this release's Squid image by digest
        applyToReady(w, ns, "warmup", null);
        for (int i = 1; i <= ROUNDS; i++) {
          pause(i);
          double[] t = applyToReady(w, ns, "basic-" + i, r);
          System.out.printf(
              "[%s] apply → Ready round %d (paused %.1f s first): %.2f s (first pod Ready %.2f s)%n",
              release.version(), i, PAUSES.get(i - 1).toMillis() / 1e3, t[0], t[1]);
        }
        SquidProxies.apply(ns, changed(0));
        w.await(
            "change: 2 pods serving the first config",
            () -> serving(w, ns, "change", 2) != null && ready(w.proxy("change")));
        w.awaitQuiet(ns, "change");
        for (int i = 1; i <= ROUNDS; i++) {
          pause(i);
          change(w, ns, i, r);
          w.awaitQuiet(ns, "change");
        }
        return r;
      }
    } finally {
      if (Cluster.client().namespaces().withName(ns).get() != null) {
        Cluster.deleteNamespace(ns, TIMEOUT);
      }
      if (operator != null) {
        operator.uninstallIfPresent();
      }
      Cluster.deleteNamespace(operatorNs, TIMEOUT);
    }
  }

  /** Applies examples/basic.yaml as {@code name}; returns [apply → Ready, apply → pod Ready]. */
  double[] applyToReady(Watch w, String ns, String name, Result into) throws IOException {
    List<HasMetadata> items = Examples.load(Cluster.REPO.resolve("examples/basic.yaml"), ns);
    items.forEach(i -> i.getMetadata().setName(name));
    long start = System.nanoTime();
    Examples.apply(items, ns);
    long readyAt = w.await(name + " Ready", () -> ready(w.proxy(name)));
    double[] t = {
      (readyAt - start) / 1e9,
      (w.pods(name).stream()
                  .map(p -> w.readyAt.get(p.getMetadata().getUid()))
                  .filter(Objects::nonNull)
                  .min(Long::compare)
                  .orElse(readyAt)
              - start)
          / 1e9
    };
    if (into != null) {
      into.applyToReady().add(t[0]);
      into.applyToFirstPodReady().add(t[1]);
    }
    SquidProxies.api().inNamespace(ns).withName(name).delete();
    w.await(name + " and its pods gone", () -> w.proxy(name) == null && w.allPods(name).isEmpty());
    return t;
  }

  /** Change {@code i}: an allowlist with one other domain, 2 replicas. */
  static String changed(int i) {
    return """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: change
        spec:
          replicas: 2
          access:
            allowedDomains: [.example.com, .round%d.example.org]
        """
        .formatted(i);
  }

  void change(Watch w, String ns, int i, Result into) {
    String before = configHash(w.proxy("change"));
    long start = System.nanoTime();
    SquidProxies.apply(ns, changed(i));
    long servingAt =
        w.await(
            "change " + i + ": every pod serving the new config",
            () -> {
              String h = serving(w, ns, "change", 2);
              return h != null && !h.equals(before);
            });
    String hash = serving(w, ns, "change", 2);
    double total = (servingAt - start) / 1e9;
    into.change().add(total);
    Long template = w.templateAt(hash);
    Long firstPod =
        w.pods("change").stream()
            .filter(p -> hash.equals(annotation(p, HASH)))
            .map(p -> w.readyAt.get(p.getMetadata().getUid()))
            .filter(Objects::nonNull)
            .min(Long::compare)
            .orElse(null);
    Long checkSeen = w.checkSeen.get(hash);
    Long checkDone = w.checkDone.get(hash);
    add(into.changeToTemplate(), template, start);
    add(into.changeToCheckPod(), checkSeen, start);
    add(into.changeToCheckDone(), checkDone, start);
    add(into.changeToFirstNewPodReady(), firstPod, start);
    System.out.printf(
        "[%s] change %d (paused %.1f s first): every pod serving it %.2f s (check pod seen %s,"
            + " check done %s, pod template %s, first new pod Ready %s)%n",
        into.release().version(),
        i,
        PAUSES.get(i - 1).toMillis() / 1e3,
        total,
        since(checkSeen, start),
        since(checkDone, start),
        since(template, start),
        since(firstPod, start));
  }

  static void add(List<Double> to, Long at, long start) {
    if (at != null) {
      to.add((at - start) / 1e9);
    }
  }

  static String since(Long at, long start) {
    return at == null ? "-" : String.format("%.2f s", (at - start) / 1e9);
  }

  /**
   * The config hash every pod of the proxy serves when exactly {@code replicas} pods that are not
   * being deleted exist, all Ready with the same hash, the one of the Deployment's template and of
   * the SquidProxy's status for its current generation; else null.
   */
  static String serving(Watch w, String ns, String name, int replicas) {
    GenericKubernetesResource sp = w.proxy(name);
    List<Pod> pods = w.pods(name);
    if (sp == null || pods.size() != replicas || !observed(sp)) {
      return null;
    }
    String hash = configHash(sp);
    Deployment d = w.deployment(name);
    if (hash == null
        || d == null
        || !hash.equals(d.getSpec().getTemplate().getMetadata().getAnnotations().get(HASH))) {
      return null;
    }
    boolean all = pods.stream().allMatch(p -> hash.equals(annotation(p, HASH)) && Watch.isReady(p));
    return all ? hash : null;
  }

  static boolean observed(GenericKubernetesResource sp) {
    Object observed = SquidProxies.status(sp).get("observedGeneration");
    return observed != null && ((Number) observed).longValue() == sp.getMetadata().getGeneration();
  }

  static boolean ready(GenericKubernetesResource sp) {
    return sp != null && observed(sp) && SquidProxies.conditionIs(sp, "Ready", "True");
  }

  static String configHash(GenericKubernetesResource sp) {
    Object h = SquidProxies.status(sp).get("configHash");
    return h == null ? null : h.toString();
  }

  static String annotation(HasMetadata o, String key) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  /**
   * Informers on one namespace's SquidProxies, pods and Deployments. Waiters are woken by every
   * event, so a moment is when the event that made a condition true arrived. Also records when each
   * pod was first seen Ready, when each check pod (by config hash) was first seen and finished, and
   * when each pod template hash was first seen on a Deployment.
   */
  static final class Watch implements AutoCloseable {
    final String ns;
    final SharedIndexInformer<GenericKubernetesResource> proxies;
    final SharedIndexInformer<Pod> pods;
    final SharedIndexInformer<Deployment> deployments;
    final Map<String, Long> readyAt = new ConcurrentHashMap<>();
    final Map<String, Long> checkSeen = new ConcurrentHashMap<>();
    final Map<String, Long> checkDone = new ConcurrentHashMap<>();
    final List<Map.Entry<Long, String>> templates = new CopyOnWriteArrayList<>();
    private final Object signal = new Object();

    Watch(String ns) {
      this.ns = ns;
      proxies = SquidProxies.api().inNamespace(ns).inform(handler(o -> {}));
      pods = Cluster.client().pods().inNamespace(ns).inform(handler(this::pod));
      deployments =
          Cluster.client()
              .apps()
              .deployments()
              .inNamespace(ns)
              .inform(
                  handler(
                      d -> {
                        Map<String, String> a =
                            d.getSpec().getTemplate().getMetadata().getAnnotations();
                        String h = a == null ? null : a.get(HASH);
                        if (h != null) {
                          templates.add(Map.entry(System.nanoTime(), h));
                        }
                      }));
    }

    private void pod(Pod p) {
      long now = System.nanoTime();
      String hash = annotation(p, HASH);
      Map<String, String> labels = p.getMetadata().getLabels();
      if (labels != null && CHECK_COMPONENT.equals(labels.get(COMPONENT)) && hash != null) {
        checkSeen.putIfAbsent(hash, now);
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        // finished: its container's exit reported (the operator reads the verdict there), or a
        // terminal phase, which the kubelet sets only after stopping the sandbox, ~1 s later
        boolean exited =
            p.getStatus() != null
                && p.getStatus().getContainerStatuses() != null
                && p.getStatus().getContainerStatuses().stream()
                    .anyMatch(cs -> cs.getState() != null && cs.getState().getTerminated() != null);
        if (exited || "Succeeded".equals(phase) || "Failed".equals(phase)) {
          checkDone.putIfAbsent(hash, now);
        }
      } else if (isReady(p)) {
        readyAt.putIfAbsent(p.getMetadata().getUid(), now);
      }
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(
        java.util.function.Consumer<T> record) {
      return new ResourceEventHandler<>() {
        @Override
        public void onAdd(T o) {
          record.accept(o);
          wake();
        }

        @Override
        public void onUpdate(T old, T o) {
          record.accept(o);
          wake();
        }

        @Override
        public void onDelete(T o, boolean unknown) {
          wake();
        }
      };
    }

    private void wake() {
      synchronized (signal) {
        signal.notifyAll();
      }
    }

    /** Waits until {@code condition} holds; returns System.nanoTime() of the moment it was seen. */
    long await(String what, BooleanSupplier condition) {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (true) {
        long now = System.nanoTime();
        if (condition.getAsBoolean()) {
          return now;
        }
        if (now > deadline) {
          throw new AssertionError(
              what
                  + " not within "
                  + TIMEOUT.toSeconds()
                  + " s; "
                  + proxies.getStore().list().stream()
                      .map(p -> p.getMetadata().getName() + " " + SquidProxies.status(p))
                      .toList()
                  + "; "
                  + Diagnostics.pods(ns));
        }
        synchronized (signal) {
          try {
            signal.wait(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
      }
    }

    /**
     * Waits until the proxy has no pod being deleted and no check pod: the next round starts clean.
     */
    void awaitQuiet(String ns, String name) {
      await(
          name + ": no pod terminating, no check pod",
          () ->
              allPods(name).stream().allMatch(p -> p.getMetadata().getDeletionTimestamp() == null)
                  && pods.getStore().list().stream()
                      .noneMatch(
                          p ->
                              CHECK_COMPONENT.equals(
                                  p.getMetadata().getLabels() == null
                                      ? null
                                      : p.getMetadata().getLabels().get(COMPONENT))));
    }

    GenericKubernetesResource proxy(String name) {
      return proxies.getStore().getByKey(ns + "/" + name);
    }

    Deployment deployment(String name) {
      return deployments.getStore().getByKey(ns + "/" + name);
    }

    /** The proxy's Squid pods (not check pods), those being deleted included. */
    List<Pod> allPods(String name) {
      return pods.getStore().list().stream()
          .filter(
              p -> {
                Map<String, String> l = p.getMetadata().getLabels();
                return l != null
                    && name.equals(l.get(SquidProxies.INSTANCE_LABEL))
                    && "squid".equals(l.get("app.kubernetes.io/name"));
              })
          .toList();
    }

    /** The proxy's Squid pods that are not being deleted. */
    List<Pod> pods(String name) {
      return allPods(name).stream()
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
          .toList();
    }

    /** When a Deployment's pod template first carried {@code hash}. */
    Long templateAt(String hash) {
      return templates.stream()
          .filter(e -> e.getValue().equals(hash))
          .map(Map.Entry::getKey)
          .min(Comparator.naturalOrder())
          .orElse(null);
    }

    static boolean isReady(Pod p) {
      return p.getStatus() != null
          && p.getStatus().getConditions() != null
          && p.getStatus().getConditions().stream()
              .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public void close() {
      proxies.close();
      pods.close();
      deployments.close();
    }
  }

  static String report(List<Result> results, String loadBefore, String loadAfter) {
    StringBuilder s = new StringBuilder();
    s.append("| figure (median, min-max of ").append(ROUNDS).append(" rounds) |");
    for (Result r : results) {
      s.append(" ").append(r.release().version()).append(" |");
    }
    s.append("\n| --- |").append(" --- |".repeat(results.size())).append("\n");
    Map<String, java.util.function.Function<Result, List<Double>>> rows = new LinkedHashMap<>();
    rows.put("`kubectl apply` → Ready, examples/basic.yaml", Result::applyToReady);
    rows.put("… → its pod Ready", Result::applyToFirstPodReady);
    rows.put("config change → every pod serving the new config (2 replicas)", Result::change);
    rows.put("… → check pod seen", Result::changeToCheckPod);
    rows.put("… → check pod finished (its container's exit reported)", Result::changeToCheckDone);
    rows.put("… → the Deployment's pod template carries it", Result::changeToTemplate);
    rows.put("… → first new pod Ready", Result::changeToFirstNewPodReady);
    rows.forEach(
        (name, f) -> {
          s.append("| ").append(name).append(" |");
          for (Result r : results) {
            s.append(" ").append(summary(f.apply(r))).append(" |");
          }
          s.append("\n");
        });
    s.append("\n| round: pause before the apply | ");
    for (Result r : results) {
      s.append(r.release().version()).append(": apply → Ready | ");
    }
    for (Result r : results) {
      s.append(r.release().version()).append(": change → every pod serving | ");
    }
    s.append("\n| --- |").append(" --- |".repeat(2 * results.size())).append("\n");
    for (int i = 0; i < ROUNDS; i++) {
      s.append(String.format("| %d: %.1f s |", i + 1, PAUSES.get(i).toMillis() / 1e3));
      for (Result r : results) {
        s.append(" ").append(at(r.applyToReady(), i)).append(" |");
      }
      for (Result r : results) {
        s.append(" ").append(at(r.change(), i)).append(" |");
      }
      s.append("\n");
    }
    Result previous = results.get(0);
    Result current = results.get(results.size() - 1);
    double ready = median(current.applyToReady());
    double added = median(current.change()) - median(previous.change());
    s.append("\n| target (issue 11) | measured | met |\n| --- | --- | --- |\n");
    s.append(
        String.format(
            "| apply → Ready ≤ 3 s (this release) | %s (previous %s) | %s |%n",
            summary(current.applyToReady()),
            summary(previous.applyToReady()),
            ready <= 3.0 ? "yes" : "**no**"));
    s.append(
        String.format(
            "| validation adds ≤ 2 s to a change (median, this release − previous) | %+.2f s | %s |%n",
            added, added <= 2.0 ? "yes" : "**no**"));
    s.append(
        String.format(
            "%nload average (1 min) before / after: %s / %s; %d CPUs%n",
            loadBefore, loadAfter, Runtime.getRuntime().availableProcessors()));
    return s.toString();
  }

  static String at(List<Double> v, int i) {
    return i < v.size() ? String.format("%.2f s", v.get(i)) : "-";
  }

  static String summary(List<Double> v) {
    if (v.isEmpty()) {
      return "-";
    }
    List<Double> sorted = v.stream().sorted().toList();
    return String.format(
        "%.2f s (%.2f-%.2f)", median(v), sorted.get(0), sorted.get(sorted.size() - 1));
  }

  static double median(List<Double> v) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = v.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }
}
