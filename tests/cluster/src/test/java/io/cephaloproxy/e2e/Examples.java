package io.cephaloproxy.e2e;

import io.cephaloproxy.testsupport.Cmd;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of examples/ as a user applies them, plus the Secrets and ConfigMaps their comments
 * tell the user to create first, and a volume for the one that claims storage (this node has no
 * storage provisioner, so a local PersistentVolume is made for that claim).
 */
final class Examples {
  static final Path DIR = Cluster.REPO.resolve("examples");

  private Examples() {}

  static List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  /** The objects of an example file, in the namespace. */
  static List<HasMetadata> load(Path file, String namespace) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<HasMetadata> items = Cluster.client().load(in).items();
      items.forEach(i -> i.getMetadata().setNamespace(namespace));
      return items;
    }
  }

  /** Applies the objects as a user's {@code kubectl apply --server-side} (field manager e2e). */
  static void apply(List<HasMetadata> items, String namespace) {
    for (HasMetadata item : items) {
      Cluster.client()
          .resource(item)
          .inNamespace(namespace)
          .fieldManager("e2e")
          .forceConflicts()
          .serverSideApply();
    }
  }

  static GenericKubernetesResource squidProxy(List<HasMetadata> items) {
    return items.stream()
        .filter(i -> SquidProxies.KIND.equals(i.getKind()))
        .map(GenericKubernetesResource.class::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no SquidProxy in " + items));
  }

  /** Creates what the example's comments ask for, in {@code namespace}. */
  static void prerequisites(String example, String namespace, Path workDir, CertFiles.Pair originCa)
      throws IOException {
    var client = Cluster.client();
    switch (example) {
      case "auth" -> {
        String hash =
            Cmd.run(Duration.ofSeconds(10), "openssl", "passwd", "-apr1", "wonderland")
                .orThrow()
                .out()
                .trim();
        client
            .secrets()
            .inNamespace(namespace)
            .resource(
                new SecretBuilder()
                    .withNewMetadata()
                    .withName("proxy-users")
                    .addToLabels("cephaloproxy.io/usable-by-proxies", "true")
                    .endMetadata()
                    .withStringData(Map.of("htpasswd", "alice:" + hash + "\n"))
                    .build())
            .serverSideApply();
      }
      case "sslbump", "peek-and-splice", "trusted-ca" -> {
        if (client.secrets().inNamespace(namespace).withName("proxy-ca").get() == null) {
          CertFiles.Pair ca = CertFiles.ca(workDir, "example-proxy-ca", "Example proxy CA");
          client
              .secrets()
              .inNamespace(namespace)
              .resource(
                  new SecretBuilder()
                      .withNewMetadata()
                      .withName("proxy-ca")
                      .addToLabels("cephaloproxy.io/usable-by-proxies", "true")
                      .endMetadata()
                      .withType("kubernetes.io/tls")
                      .withData(
                          Map.of(
                              "tls.crt",
                              Origin.base64(ca.cert()),
                              "tls.key",
                              Origin.base64(ca.key())))
                      .build())
              .create();
        }
        if (example.equals("trusted-ca")) {
          client
              .configMaps()
              .inNamespace(namespace)
              .resource(
                  new ConfigMapBuilder()
                      .withNewMetadata()
                      .withName("corp-ca")
                      .endMetadata()
                      .withData(Map.of("ca.crt", Files.readString(originCa.cert())))
                      .build())
              .serverSideApply();
        }
      }
      case "upstream" ->
          client
              .secrets()
              .inNamespace(namespace)
              .resource(
                  new SecretBuilder()
                      .withNewMetadata()
                      .withName("parent-proxy-credentials")
                      .addToLabels("cephaloproxy.io/usable-by-proxies", "true")
                      .endMetadata()
                      .withStringData(Map.of("username", "svc-proxy", "password", "s3cret p@ss"))
                      .build())
              .serverSideApply();
      case "disk-cache" -> localVolumeFor(namespace, "disk-cache-cache", "10Gi");
      default -> {}
    }
  }

  /**
   * A hostPath PersistentVolume reserved (claimRef) for the claim {@code namespace/claim}. The pod
   * only mounts the claim, which Pod Security "restricted" allows.
   */
  static void localVolumeFor(String namespace, String claim, String size) throws IOException {
    Path dir = Path.of("/var/lib/cephaloproxy-node/volumes", namespace + "-" + claim);
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    Cluster.client()
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(namespace + "-" + claim)
                .addToLabels("app.kubernetes.io/part-of", "cephaloproxy-e2e")
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity(size)))
                .withAccessModes("ReadWriteOnce")
                .withPersistentVolumeReclaimPolicy("Retain")
                .withStorageClassName("")
                .withNewHostPath()
                .withPath(dir.toString())
                .withType("DirectoryOrCreate")
                .endHostPath()
                .withNewClaimRef()
                .withNamespace(namespace)
                .withName(claim)
                .endClaimRef()
                .endSpec()
                .build())
        .serverSideApply();
  }
}
