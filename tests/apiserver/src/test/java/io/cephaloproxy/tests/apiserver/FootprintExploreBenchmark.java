package io.cephaloproxy.tests.apiserver;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Operator variants side by side on one control plane, for choosing JVM options and thread counts
 * (issue 19): each variant gets its own namespace with N SquidProxies (-Dexplore.proxies, default
 * 200) and its own operator process, all started together, so they share the API server and the
 * machine's load. For each: time to converge, RSS, threads, CPU and (with
 * -Doperator.jvm.options=-XX:NativeMemoryTracking=summary) NMT's summary at convergence and after
 * -Dexplore.steady.seconds (90), then the live heap. -Dexplore.variants="name|JVM options|jar|java
 * home;..." (empty fields: the image's options only, the built jar, -Doperator.java.home). Skipped
 * without -Dexplore.variants; figures on stdout and in target/explore-*.txt.
 */
class FootprintExploreBenchmark {
  record Variant(String name, String opts, String jar, String javaHome) {}

  @Test
  void variants() throws Exception {
    int n = Integer.getInteger("explore.proxies", 200);
    String spec = System.getProperty("explore.variants", "");
    Assumptions.assumeFalse(spec.isBlank(), "no -Dexplore.variants");
    List<Variant> variants = new ArrayList<>();
    String javaHome = System.getProperty("operator.java.home", "");
    for (String v : spec.split(";")) {
      String[] f = v.split("\\|", -1);
      variants.add(
          new Variant(
              f[0].trim(),
              f.length > 1 ? f[1].trim() : "",
              f.length > 2 ? f[2].trim() : "",
              f.length > 3 && !f[3].isBlank() ? f[3].trim() : javaHome));
    }
    ControlPlane cp = ControlPlane.get();
    KubernetesClient admin = cp.admin();
    cp.installCrd();
    Map<Variant, ChartRbac.Installed> rbac = new LinkedHashMap<>();
    for (Variant v : variants) {
      String ns = "x-" + v.name();
      cp.namespace(ns);
      rbac.put(v, ChartRbac.install(cp, "cp-" + v.name(), "sys-" + v.name(), List.of(ns), false));
      OperatorBenchmark.parallel(
          n,
          i -> new Proxies(admin, ns).apply(OperatorBenchmark.name(i), OperatorBenchmark.spec(i)));
    }
    Map<Variant, OperatorProcess> ops = new LinkedHashMap<>();
    Map<Variant, Instant> starts = new LinkedHashMap<>();
    String base = System.getProperty("operator.jvm.options", "");
    for (Variant v : variants) {
      System.setProperty("operator.jvm.options", base + " " + v.opts());
      System.setProperty("operator.jar", v.jar());
      System.setProperty("operator.java.home", v.javaHome());
      starts.put(v, Instant.now());
      ops.put(
          v,
          OperatorProcess.start(
              cp,
              "op-" + v.name(),
              rbac.get(v).kubeconfig(),
              Map.of("WATCH_NAMESPACES", "x-" + v.name())));
    }
    Map<Variant, String> conv = new LinkedHashMap<>();
    Instant deadline =
        Instant.now().plus(Duration.ofMinutes(Integer.getInteger("explore.minutes", 40)));
    while (conv.size() < variants.size() && Instant.now().isBefore(deadline)) {
      for (Variant v : variants) {
        if (conv.containsKey(v)) {
          continue;
        }
        long c =
            admin
                .resources(SquidProxy.class)
                .inNamespace("x-" + v.name())
                .list()
                .getItems()
                .stream()
                .filter(OperatorBenchmark::isConverged)
                .count();
        OperatorProcess op = ops.get(v);
        if (c >= n) {
          conv.put(
              v,
              String.format(
                  "converged in %.1f s, RSS %d MiB, threads %d, cpu %.1f s%n%s%n%s",
                  Duration.between(starts.get(v), Instant.now()).toMillis() / 1000.0,
                  op.rssBytes() >> 20,
                  op.threadCount(),
                  op.cpuSeconds(),
                  op.memoryStatus(),
                  op.jcmd("VM.native_memory", "summary")));
          System.out.println("=== " + v.name() + ": " + conv.get(v).lines().findFirst().get());
        }
      }
      ControlPlane.sleep(3_000);
    }
    ControlPlane.sleep(Integer.getInteger("explore.steady.seconds", 90) * 1000L);
    StringBuilder out = new StringBuilder();
    for (Variant v : variants) {
      OperatorProcess op = ops.get(v);
      String steady =
          String.format(
              "steady RSS %d MiB, peak %d MiB, threads %d%n%s",
              op.rssBytes() >> 20,
              op.peakRssBytes() >> 20,
              op.threadCount(),
              op.jcmd("VM.native_memory", "summary"));
      String hist = op.jcmd("GC.class_histogram");
      long live = OperatorBenchmark.histogramTotalBytes(hist);
      out.append("##### ")
          .append(v)
          .append('\n')
          .append(conv.getOrDefault(v, "NOT CONVERGED"))
          .append("\n--- steady\n")
          .append(steady)
          .append("\nlive heap ")
          .append(live >> 20)
          .append(" MiB; after histogram RSS ")
          .append(op.rssBytes() >> 20)
          .append(" MiB\n")
          .append(op.jcmd("GC.heap_info"))
          .append('\n');
      op.close();
    }
    Path f = Path.of("target", "explore-" + System.currentTimeMillis() + ".txt");
    Files.writeString(f, out.toString());
    System.out.println(out);
  }
}
