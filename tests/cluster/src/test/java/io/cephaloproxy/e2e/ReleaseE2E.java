package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Cmd;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The two ways a user installs a release, exactly as published by scripts/release.sh into the local
 * registry (stage 60): {@code helm install oci://REGISTRY/charts/cephaloproxy-operator --version V}
 * with the Helm CLI, and {@code kubectl apply -f install.yaml}. In both, the operator and the
 * default Squid image of a SquidProxy without spec.image are pulled by the kubelet from the
 * registry by digest: the images are first removed from the node's containerd, the pods' images and
 * imageIDs must be the release's REGISTRY/...@sha256 references, and the registry's access log must
 * show containerd fetching those manifests by digest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleaseE2E {
  static final Duration TIMEOUT = Duration.ofSeconds(180);
  static final Path REGISTRY_LOG =
      Path.of(
          System.getProperty(
              "cephaloproxy.registry.log", "/var/lib/cephaloproxy-registry/registry.log"));

  Release release;
  String helm;
  String kubectl;

  @BeforeAll
  void setUp() {
    Cluster.client();
    release = Release.current();
    helm = Cluster.helmCli();
    kubectl = Cluster.kubectlCli();
  }

  @Test
  @Order(1)
  void helmInstallFromTheRegistryPullsEveryImageByDigest() throws IOException {
    String name = "cephaloproxy-oci";
    String operatorNs = Cluster.restrictedNamespace("cephaloproxy-oci");
    String ns = Cluster.restrictedNamespace("e2e-release-helm");
    try {
      OperatorRelease.removeCrd();
      removeFromNode(release.operatorImage(), release.squidImage());
      long logOffset = Files.size(REGISTRY_LOG);
      Cmd.run(
              TIMEOUT.plusSeconds(30),
              helm,
              "install",
              name,
              release.chart(),
              "--version",
              release.version(),
              "--ca-file",
              release.ca().toString(),
              "--namespace",
              operatorNs,
              "--kubeconfig",
              Cluster.KUBECONFIG.toString(),
              "--wait",
              "--timeout",
              TIMEOUT.toSeconds() + "s")
          .orThrow();
      assertPulledByDigest(operatorPod(operatorNs, name), release.operatorImage());
      assertPulledByDigest(readyProxyPod(ns), release.squidImage());
      assertRegistryServedToContainerd(logOffset, release.operatorImage(), release.squidImage());
    } finally {
      Cmd.run(
          Duration.ofMinutes(2),
          helm,
          "uninstall",
          name,
          "--namespace",
          operatorNs,
          "--kubeconfig",
          Cluster.KUBECONFIG.toString(),
          "--ignore-not-found",
          "--wait");
      Cluster.deleteNamespaces(TIMEOUT, ns, operatorNs);
    }
  }

  @Test
  @Order(2)
  void kubectlApplyInstallYamlRunsTheReleasedImagesByDigest() throws IOException {
    String ns = Cluster.restrictedNamespace("e2e-release-yaml");
    String operatorNs = "cephaloproxy-system";
    String yaml = Files.readString(release.installYaml());
    assertThat(yaml)
        .contains("image: \"" + release.operatorImage() + "\"")
        .contains("value: \"" + release.squidImage() + "\"")
        .doesNotContainPattern("(image|value): \"?[^ \"]*cephaloproxy/(squid|operator):");
    try {
      OperatorRelease.removeCrd();
      removeFromNode(release.operatorImage(), release.squidImage());
      long logOffset = Files.size(REGISTRY_LOG);
      kubectl("apply", "-f", release.installYaml().toString());
      Cluster.await(
          "operator Deployment of install.yaml available",
          TIMEOUT,
          () -> {
            Deployment d =
                Cluster.client()
                    .apps()
                    .deployments()
                    .inNamespace(operatorNs)
                    .withLabel("app.kubernetes.io/instance", "cephaloproxy-operator")
                    .list()
                    .getItems()
                    .stream()
                    .findFirst()
                    .orElse(null);
            return d != null
                && d.getStatus() != null
                && Integer.valueOf(1).equals(d.getStatus().getAvailableReplicas());
          },
          () -> Diagnostics.pods(operatorNs));
      assertThat(Cluster.client().namespaces().withName(operatorNs).get().getMetadata().getLabels())
          .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
      assertPulledByDigest(
          operatorPod(operatorNs, "cephaloproxy-operator"), release.operatorImage());
      assertPulledByDigest(readyProxyPod(ns), release.squidImage());
      assertRegistryServedToContainerd(logOffset, release.operatorImage(), release.squidImage());
    } finally {
      SquidProxies.api().inNamespace(ns).delete();
      Cluster.deleteNamespace(ns, TIMEOUT);
      kubectl(
          "delete",
          "--ignore-not-found",
          "--wait",
          "--timeout=180s",
          "-f",
          release.installYaml().toString());
    }
  }

  void kubectl(String... args) {
    List<String> command =
        new java.util.ArrayList<>(List.of(kubectl, "--kubeconfig", Cluster.KUBECONFIG.toString()));
    command.addAll(List.of(args));
    Cmd.run(TIMEOUT, command).orThrow();
  }

  /** Removes the images from the node's containerd, so the kubelet has to pull them. */
  static void removeFromNode(String... images) {
    for (String image : images) {
      Cmd.run(
          Duration.ofSeconds(30),
          "ctr",
          "--address",
          NodeProcesses.CONTAINERD_SOCK,
          "--namespace",
          "k8s.io",
          "images",
          "rm",
          image);
      String left =
          Cmd.run(
                  Duration.ofSeconds(30),
                  "ctr",
                  "--address",
                  NodeProcesses.CONTAINERD_SOCK,
                  "--namespace",
                  "k8s.io",
                  "images",
                  "ls",
                  "-q",
                  "name==" + image)
              .orThrow()
              .out()
              .trim();
      assertThat(left).as("image %s still on the node", image).isEmpty();
    }
  }

  static Pod operatorPod(String namespace, String instance) {
    List<Pod> pods =
        Cluster.client()
            .pods()
            .inNamespace(namespace)
            .withLabel("app.kubernetes.io/instance", instance)
            .list()
            .getItems();
    assertThat(pods).as("operator pods of %s in %s", instance, namespace).hasSize(1);
    return pods.get(0);
  }

  /**
   * A SquidProxy without spec.image: its pod runs the operator's default Squid image (the
   * release's).
   */
  static Pod readyProxyPod(String ns) {
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata:
          name: release
        spec:
          access:
            allowedDomains: [example.com]
        """);
    SquidProxies.awaitReady(ns, "release", TIMEOUT);
    List<Pod> pods = SquidProxies.readyPods(ns, "release");
    assertThat(pods).isNotEmpty();
    return pods.get(0);
  }

  /**
   * The pod's spec and its imageID name the image by its digest in the registry, as pulled by the
   * kubelet.
   */
  static void assertPulledByDigest(Pod pod, String reference) {
    assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo(reference);
    ContainerStatus status = pod.getStatus().getContainerStatuses().get(0);
    assertThat(status.getImageID())
        .as("imageID of %s", pod.getMetadata().getName())
        .isEqualTo(reference);
    // (status.image is whatever name containerd lists first for that content, e.g. a tag imported
    // earlier)
  }

  /**
   * Since {@code offset}, the registry answered containerd's requests for the manifests by digest
   * with 200.
   */
  void assertRegistryServedToContainerd(long offset, String... references) throws IOException {
    String log;
    try (RandomAccessFile f = new RandomAccessFile(REGISTRY_LOG.toFile(), "r")) {
      f.seek(offset);
      byte[] b = new byte[(int) (f.length() - offset)];
      f.readFully(b);
      log = new String(b, StandardCharsets.UTF_8);
    }
    for (String reference : references) {
      Pattern pull =
          Pattern.compile(
              "\"(GET|HEAD) /v2/"
                  + Pattern.quote(release.repositoryPath(reference))
                  + "/manifests/"
                  + Pattern.quote(Release.digest(reference))
                  + " HTTP/[0-9.]+\" 200 .*\"containerd/");
      assertThat(log.lines().anyMatch(l -> pull.matcher(l).find()))
          .as("registry access log (%s) shows containerd fetching %s", REGISTRY_LOG, reference)
          .isTrue();
    }
  }
}
