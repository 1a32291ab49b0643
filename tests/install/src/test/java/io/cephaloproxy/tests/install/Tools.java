package io.cephaloproxy.tests.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/** Binaries the stage scripts install; a missing one fails with the stage to run. */
final class Tools {
  static final Path CACHE =
      Paths.get(System.getenv().getOrDefault("CEPHALOPROXY_CACHE", "/var/cache/cephaloproxy"));

  private Tools() {}

  /**
   * kubectl on PATH, or the one stage 30 builds under $KUBE_API_TEST_DIR/k8s/VERSION-linux-amd64.
   */
  static Path kubectl() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Paths.get(dir, "kubectl");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    Path k8s =
        Paths.get(
            System.getenv().getOrDefault("KUBE_API_TEST_DIR", CACHE.resolve("kube").toString()),
            "k8s");
    if (Files.isDirectory(k8s)) {
      try (Stream<Path> dirs = Files.list(k8s)) {
        var found =
            dirs.map(d -> d.resolve("kubectl"))
                .filter(Files::isExecutable)
                .max(Comparator.naturalOrder());
        if (found.isPresent()) {
          return found.get();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException(
        "kubectl not found on PATH nor under " + k8s + ": run scripts/stages/30-control-plane.sh");
  }

  /** The Helm CLI scripts/get-helm.sh installs (stage 35). */
  static Path helm() {
    Path p = CACHE.resolve("helm/bin/helm");
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(p + " is missing: run scripts/stages/35-install-tools.sh");
    }
    return p;
  }

  /** operator-framework/api's bundle validators, built by scripts/stages/35-install-tools.sh. */
  static Path bundleValidate() {
    return tool("bundle-validate");
  }

  /**
   * Argo CD's Lua health evaluation (tests/install/argocd-health), built by
   * scripts/stages/35-install-tools.sh.
   */
  static Path argocdHealth() {
    return tool("argocd-health");
  }

  /**
   * Prometheus's promtool (github.com/prometheus/prometheus v0.316.0), built by
   * scripts/stages/35-install-tools.sh through scripts/supply-chain-tool.sh.
   */
  static Path promtool() {
    return tool("promtool");
  }

  private static Path tool(String name) {
    Path p = CACHE.resolve("tools").resolve(name);
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(p + " is missing: run scripts/stages/35-install-tools.sh");
    }
    return p;
  }
}
