package io.cephaloproxy.tests.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The committed files derived from other sources for the install paths, and the tool that writes
 * them: {@code main} (run by scripts/sync-install-artifacts.sh) rewrites each one whose content
 * differs; the tests ({@link ChartTest}, {@link BundleTest}, {@link DocsTest}) fail while one is
 * stale.
 *
 * <ul>
 *   <li>the chart's CRD template, from crds/;
 *   <li>the chart README's values table, from the comments of values.yaml;
 *   <li>the OLM bundle's CRD and ClusterServiceVersion ({@link BundleGenerator});
 *   <li>docs/reference.md ({@link ReferenceGenerator});
 *   <li>docs/operator.md's RBAC tables, from files/rules.yaml.
 * </ul>
 */
final class InstallArtifacts {
  static final Path CHART_README = Repo.CHART.resolve("README.md");
  static final Path OPERATOR_DOC = Repo.DOCS.resolve("operator.md");
  static final Path REFERENCE = Repo.DOCS.resolve("reference.md");

  /** A generated file and what it must hold. */
  record Artifact(Path file, Supplier<String> content) {}

  private InstallArtifacts() {}

  static List<Artifact> all() {
    return List.of(
        new Artifact(Repo.CHART_CRD_TEMPLATE, () -> ChartTest.crdTemplate(Repo.read(Repo.CRD))),
        new Artifact(CHART_README, InstallArtifacts::chartReadme),
        new Artifact(BundleGenerator.BUNDLE_CRD, () -> Repo.read(Repo.CRD)),
        new Artifact(BundleGenerator.CSV, BundleGenerator::csvYaml),
        new Artifact(REFERENCE, ReferenceGenerator::markdown),
        new Artifact(OPERATOR_DOC, InstallArtifacts::operatorRbacTables));
  }

  static String chartReadme() {
    Path values = Repo.CHART.resolve("values.yaml");
    return DocTables.withSection(CHART_README, "values", DocTables.valuesTable(values));
  }

  static String operatorRbacTables() {
    String text = Repo.read(OPERATOR_DOC);
    for (String section :
        List.of(
            "operator",
            "clusterNetworks",
            "leaderElection",
            "self",
            "aggregateToEdit",
            "aggregateToView")) {
      text = DocTables.replace(text, "rbac-" + section, DocTables.rbacTable(Repo.RULES, section));
    }
    return text;
  }

  /** Rewrites every generated file whose content differs; prints what it changed on stderr. */
  public static void main(String[] args) {
    int changed = 0;
    for (Artifact a : all()) {
      String content = a.content().get();
      try {
        if (Files.isRegularFile(a.file()) && Files.readString(a.file()).equals(content)) {
          continue;
        }
        Files.createDirectories(a.file().getParent());
        Files.writeString(a.file(), content);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      changed++;
      System.err.println("regenerated " + Repo.ROOT.relativize(a.file()));
    }
    System.err.println(changed + " of " + all().size() + " generated files changed");
  }
}
