package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.RepoRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository's committed files, and the check for generated ones. */
final class Repo {
  static final Path ROOT = RepoRoot.get();
  static final Path CHART = ROOT.resolve("helm/cephaloproxy-operator");
  static final Path CRD = ROOT.resolve("crds/squidproxies.cephaloproxy.io-v1.yml");

  /** The CRD as a chart template (crds.enabled, crds.keep), generated from {@link #CRD}. */
  static final Path CHART_CRD_TEMPLATE = CHART.resolve("templates/crd-squidproxies.yaml");

  static final Path RULES = CHART.resolve("files/rules.yaml");
  static final Path BUNDLE = ROOT.resolve("bundle");
  static final Path EXAMPLES = ROOT.resolve("examples");
  static final Path DOCS = ROOT.resolve("docs");
  static final Path ARGOCD_HEALTH =
      ROOT.resolve("argocd/resource_customizations/cephaloproxy.io/SquidProxy");

  private Repo() {}

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A generated, committed file must equal what its generator makes now ({@link InstallArtifacts}
   * lists them; scripts/sync-install-artifacts.sh rewrites them).
   */
  static void assertGenerated(Path file, String expected) {
    assertThat(file)
        .as("%s is missing: run scripts/sync-install-artifacts.sh", ROOT.relativize(file))
        .exists();
    assertThat(read(file))
        .as(
            "%s is stale (its sources changed): run scripts/sync-install-artifacts.sh and commit",
            ROOT.relativize(file))
        .isEqualTo(expected);
  }
}
