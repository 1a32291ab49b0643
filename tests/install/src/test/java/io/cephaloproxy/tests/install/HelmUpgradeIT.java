package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD lifecycle with the Helm CLI on a real kube-apiserver: the previous chart (from git
 * history, the last one with the CRD in crds/) installed, then upgraded to this chart after the
 * adoption step docs/upgrading.md gives. The upgrade must bring the CRD's new fields (which helm
 * upgrade never did for crds/), and helm uninstall must keep the CRD (crds.keep).
 */
class HelmUpgradeIT {
  static final String RELEASE = "cephaloproxy-operator";
  static final String NS = "cephaloproxy-system";
  static final String CRD = "crd/squidproxies.cephaloproxy.io";
  @TempDir static Path dir;
  static LocalApiServer server;

  @BeforeAll
  static void start() throws Exception {
    server = LocalApiServer.start(Files.createDirectories(dir.resolve("apiserver")));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    server.close();
  }

  @Test
  void upgradeFromThePreviousChartUpdatesTheCrdAndUninstallKeepsIt() throws Exception {
    Path previous = previousChart();
    helm("install", RELEASE, previous.toString(), "-n", NS, "--create-namespace");
    String before =
        server
            .kubectl(
                null,
                "get",
                CRD,
                "-o",
                "jsonpath={.spec.versions[0].schema.openAPIV3Schema.properties.status.properties}")
            .output();
    assertThat(before)
        .as("the previous chart's CRD (crds/)")
        .contains("readyReplicas")
        .doesNotContain("replicasSummary");

    // docs/upgrading.md: hand the CRD that crds/ installed to the release, once
    assertThat(
            server
                .kubectl(null, "label", CRD, "app.kubernetes.io/managed-by=Helm", "--overwrite")
                .exit())
        .isZero();
    assertThat(
            server
                .kubectl(
                    null,
                    "annotate",
                    CRD,
                    "--overwrite",
                    "meta.helm.sh/release-name=" + RELEASE,
                    "meta.helm.sh/release-namespace=" + NS)
                .exit())
        .isZero();
    helm("upgrade", RELEASE, Repo.CHART.toString(), "-n", NS, "--reset-then-reuse-values");

    String after =
        server
            .kubectl(
                null,
                "get",
                CRD,
                "-o",
                "jsonpath={.spec.versions[0].schema.openAPIV3Schema.properties.status.properties}")
            .output();
    assertThat(after)
        .as("helm upgrade updated the CRD")
        .contains("replicasSummary")
        .contains("selector");
    assertThat(
            server
                .kubectl(
                    null,
                    "get",
                    CRD,
                    "-o",
                    "jsonpath={.spec.versions[0].subresources.scale.specReplicasPath}")
                .output())
        .isEqualTo(".spec.replicas");
    assertThat(
            server
                .kubectl(
                    null,
                    "get",
                    CRD,
                    "-o",
                    "jsonpath={.metadata.annotations.helm\\.sh/resource-policy}")
                .output())
        .isEqualTo("keep");

    helm("uninstall", RELEASE, "-n", NS);
    LocalApiServer.Result crd = server.kubectl(null, "get", CRD, "-o", "name");
    assertThat(crd.exit()).as("the CRD survives helm uninstall: %s", crd.output()).isZero();
    assertThat(server.kubectl(null, "get", "clusterrole", "-o", "name").output())
        .as("the release's RBAC is gone")
        .doesNotContain("clusterrole.rbac.authorization.k8s.io/" + RELEASE);
  }

  /** helm/cephaloproxy-operator as of the commit before the one that moved the CRD out of crds/. */
  static Path previousChart() throws Exception {
    String root = Repo.ROOT.toString();
    LocalApiServer.Result moved =
        LocalApiServer.run(
            List.of(
                "git",
                "-C",
                root,
                "rev-list",
                "-1",
                "HEAD",
                "--",
                "helm/cephaloproxy-operator/crds"),
            null);
    assertThat(moved.exit())
        .as("git history is needed for the previous chart: %s", moved.output())
        .isZero();
    assertThat(moved.output().strip())
        .as("the commit that removed helm/cephaloproxy-operator/crds (a shallow clone lacks it)")
        .isNotEmpty();
    Path out = Files.createDirectories(dir.resolve("previous"));
    Path tar = dir.resolve("previous.tar");
    LocalApiServer.Result archive =
        LocalApiServer.run(
            List.of(
                "git",
                "-C",
                root,
                "archive",
                "-o",
                tar.toString(),
                moved.output().strip() + "^",
                "helm/cephaloproxy-operator"),
            null);
    assertThat(archive.exit()).as(archive.output()).isZero();
    LocalApiServer.Result untar =
        LocalApiServer.run(List.of("tar", "-xf", tar.toString(), "-C", out.toString()), null);
    assertThat(untar.exit()).as(untar.output()).isZero();
    Path chart = out.resolve("helm/cephaloproxy-operator");
    assertThat(chart.resolve("crds")).as("the previous chart has its CRD in crds/").isDirectory();
    return chart;
  }

  static void helm(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(Tools.helm().toString(), "--kubeconfig", server.kubeconfig().toString()));
    cmd.addAll(List.of(args));
    LocalApiServer.Result r = LocalApiServer.run(cmd, null);
    assertThat(r.exit()).as("%s%n%s", String.join(" ", cmd), r.output()).isZero();
  }
}
