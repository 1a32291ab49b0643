package io.cephaloproxy.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.Map;

/**
 * The operator installed as a user installs it: the released chart from the local registry ({@code
 * helm install oci://REGISTRY/charts/cephaloproxy-operator --version V}, TLS verified with the
 * registry's CA) with helm-java (Helm 3 in-process). Its images are pinned by digest in the chart,
 * so the kubelet pulls them from the registry.
 */
final class OperatorRelease {
  static final String CRD = "squidproxies.cephaloproxy.io";

  final String name;
  final String namespace;

  private OperatorRelease(String name, String namespace) {
    this.name = name;
    this.namespace = namespace;
  }

  /**
   * Installs the released chart as release {@code name} into {@code namespace} with {@code values}
   * and waits until the operator Deployment is available. The CRD is a template of the chart (kept
   * on uninstall); a CRD left by an earlier run is removed first so the chart's version is the one
   * tested.
   */
  static OperatorRelease install(String name, String namespace, Map<String, Object> values) {
    return install(Release.current(), name, namespace, values);
  }

  /** The same for another release than the suite's (e.g. the previous one a benchmark compares). */
  static OperatorRelease install(
      Release chart, String name, String namespace, Map<String, Object> values) {
    Steps.time("remove old CRD", OperatorRelease::removeCrd);
    InstallCommand install = command(chart, name, namespace).waitReady();
    values.forEach(install::set);
    com.marcnuri.helm.Release release = Steps.time("helm install " + name, install::call);
    if (!"deployed".equalsIgnoreCase(release.getStatus())) {
      throw new AssertionError(
          "helm install "
              + name
              + " ended in status "
              + release.getStatus()
              + ": "
              + release.getOutput());
    }
    OperatorRelease r = new OperatorRelease(name, namespace);
    Steps.time("operator pod timeline " + r.podTimeline(), () -> {});
    Steps.time(
        "operator Deployment available",
        () -> {
          Cluster.await(
              "operator Deployment " + r.deploymentName() + " available",
              Duration.ofSeconds(120),
              () -> {
                Deployment d = r.deployment();
                return d != null
                    && d.getStatus() != null
                    && d.getSpec().getReplicas().equals(d.getStatus().getAvailableReplicas());
              },
              () -> Diagnostics.pods(namespace));
        });
    return r;
  }

  /** helm install of the released chart (from the local registry, TLS with its CA). */
  private static InstallCommand command(String name, String namespace) {
    return command(Release.current(), name, namespace);
  }

  private static InstallCommand command(Release chart, String name, String namespace) {
    return Helm.install(chart.chart())
        .withVersion(chart.version())
        .withCaFile(chart.ca())
        .withName(name)
        .withNamespace(namespace)
        .withKubeConfig(Cluster.KUBECONFIG)
        .withTimeout(180);
  }

  /**
   * Installs the released chart without its CRD (the cluster's stays as it is) and without waiting
   * for the operator: for an operator that is expected not to become ready.
   */
  static OperatorRelease installUnready(String name, String namespace, Map<String, Object> values) {
    InstallCommand install = command(name, namespace).set("crds.enabled", false);
    values.forEach(install::set);
    com.marcnuri.helm.Release release = install.call();
    if (!"deployed".equalsIgnoreCase(release.getStatus())) {
      throw new AssertionError("helm install " + name + " ended in status " + release.getStatus());
    }
    return new OperatorRelease(name, namespace);
  }

  /**
   * Removes a CRD left by an earlier install (the chart keeps it on uninstall), so a new release
   * owns it.
   */
  static void removeCrd() {
    if (Cluster.client().apiextensions().v1().customResourceDefinitions().withName(CRD).get()
        != null) {
      Cluster.client().apiextensions().v1().customResourceDefinitions().withName(CRD).delete();
      Cluster.await(
          "old CRD " + CRD + " removed",
          Duration.ofSeconds(60),
          () ->
              Cluster.client().apiextensions().v1().customResourceDefinitions().withName(CRD).get()
                  == null);
    }
  }

  /** The chart's Deployment: the one labelled with this release. */
  Deployment deployment() {
    return Cluster.client()
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", name)
        .list()
        .getItems()
        .stream()
        .findFirst()
        .orElse(null);
  }

  String deploymentName() {
    Deployment d = deployment();
    return d == null ? "(none yet)" : d.getMetadata().getName();
  }

  void uninstall() {
    Steps.time(
        "helm uninstall " + name,
        () -> {
          Helm.uninstall(name).withNamespace(namespace).withKubeConfig(Cluster.KUBECONFIG).call();
        });
  }

  /** When the operator pods were created, scheduled, started and Ready (seconds after creation). */
  String podTimeline() {
    return Cluster.client()
        .pods()
        .inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", name)
        .list()
        .getItems()
        .stream()
        .map(
            p -> {
              java.time.Instant created =
                  java.time.Instant.parse(p.getMetadata().getCreationTimestamp());
              StringBuilder s = new StringBuilder(p.getMetadata().getName()).append(" [");
              p.getStatus()
                  .getConditions()
                  .forEach(
                      c ->
                          s.append(c.getType())
                              .append(" +")
                              .append(
                                  Duration.between(
                                          created,
                                          java.time.Instant.parse(c.getLastTransitionTime()))
                                      .toSeconds())
                              .append(' '));
              p.getStatus().getContainerStatuses().stream()
                  .filter(c -> c.getState().getRunning() != null)
                  .forEach(
                      c ->
                          s.append("started +")
                              .append(
                                  Duration.between(
                                          created,
                                          java.time.Instant.parse(
                                              c.getState().getRunning().getStartedAt()))
                                      .toSeconds()));
              return s.append(']').toString();
            })
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** Uninstalls unless already gone (for clean-up after a failed test). */
  void uninstallIfPresent() {
    Steps.time(
        "helm uninstall " + name,
        () -> {
          Helm.uninstall(name)
              .withNamespace(namespace)
              .withKubeConfig(Cluster.KUBECONFIG)
              .ignoreNotFound()
              .call();
        });
  }
}
