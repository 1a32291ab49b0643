package io.cephaloproxy.e2e;

import io.cephaloproxy.testsupport.Cmd;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The web site behind the proxy: tests/cluster/origin, twice. Proxies deny the cluster's own
 * networks by default (issue 12 §4), so the site the tests browse is outside them: the origin
 * binary (taken from the node's image archive of {@link Cluster#ORIGIN_IMAGE}) runs on the node in
 * a network namespace of its own at {@link #OUTSIDE_ADDRESS}, joined by a veth pair, as a machine
 * beyond the node would be. Two headless Services without selector name it (so an allowlist can
 * allow one and not the other), over HTTP (80) and HTTPS (443, certificate from {@link #ca}); their
 * EndpointSlices point at that address, so the cluster DNS resolves both names to it. The same
 * binary also runs as a pod of the restricted namespace {@link #namespace} (what a proxy denies as
 * another pod's address), behind the ClusterIP Service {@code origin-clusterip} (the Service
 * network).
 */
final class Origin implements AutoCloseable {
  /** The outside origin's address: TEST-NET-2, outside every network the cluster uses. */
  static final String OUTSIDE_ADDRESS = "198.51.100.66";

  private static final String NODE_SIDE_ADDRESS = "198.51.100.65";
  private static final Path IMAGE_ARCHIVE =
      Path.of(
          System.getenv().getOrDefault("CEPHALOPROXY_NODE_DIR", "/var/lib/cephaloproxy-node"),
          "images/e2e-origin.tar");

  final String namespace;
  final CertFiles.Pair ca;
  private PodNetworkClient outside;
  private Process outsideServer;

  private Origin(String namespace, CertFiles.Pair ca) {
    this.namespace = namespace;
    this.ca = ca;
  }

  /** Host name of the origin's first Service ("allowed" in the tests' allowlists). */
  String host() {
    return "origin." + namespace + ".svc." + Cluster.CLUSTER_DOMAIN;
  }

  /**
   * Host name of the same origin under a second Service ("not allowed" in the tests' allowlists).
   */
  String otherHost() {
    return "other-origin." + namespace + ".svc." + Cluster.CLUSTER_DOMAIN;
  }

  static Origin deploy(Path workDir) {
    String ns = Cluster.restrictedNamespace("e2e-origin");
    CertFiles.Pair ca = CertFiles.ca(workDir, "origin-ca", "CephaloProxy E2E origin CA");
    Origin origin = new Origin(ns, ca);
    CertFiles.Pair tls =
        CertFiles.server(workDir, "origin", ca, origin.host() + "," + origin.otherHost());
    try {
      Cluster.client()
          .secrets()
          .inNamespace(ns)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("origin-tls")
                  .endMetadata()
                  .withType("kubernetes.io/tls")
                  .withData(Map.of("tls.crt", base64(tls.cert()), "tls.key", base64(tls.key())))
                  .build())
          .create();
      String yaml =
          new String(
                  Origin.class.getResourceAsStream("/e2e/origin.yaml").readAllBytes(),
                  StandardCharsets.UTF_8)
              .replace("@IMAGE@", Cluster.ORIGIN_IMAGE)
              .replace("@OUTSIDE_ADDRESS@", OUTSIDE_ADDRESS);
      Cluster.client()
          .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
          .inNamespace(ns)
          .create();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Cluster.await(
        "origin Deployment available in " + ns,
        Duration.ofSeconds(90),
        () -> {
          Deployment d =
              Cluster.client().apps().deployments().inNamespace(ns).withName("origin").get();
          return d.getStatus() != null
              && Integer.valueOf(1).equals(d.getStatus().getAvailableReplicas());
        },
        () -> Diagnostics.pods(ns));
    origin.startOutside(workDir, tls);
    return origin;
  }

  /**
   * Runs the origin binary in the network namespace {@code cephalo-origin} at {@link
   * #OUTSIDE_ADDRESS} and waits until the node reaches it.
   */
  private void startOutside(Path workDir, CertFiles.Pair tls) {
    Path binary = workDir.resolve("origin-bin/origin");
    // the image archive is an OCI layout of uncompressed layers; one layer holds ./origin
    Cmd.run(
            Duration.ofSeconds(60),
            "bash",
            "-c",
            "set -e; d=$(mktemp -d); tar -xf \"$1\" -C \"$d\" ./blobs; mkdir -p \"$2\";"
                + " for b in \"$d\"/blobs/sha256/*; do"
                + " if tar -tf \"$b\" 2>/dev/null | grep -qx ./origin; then"
                + " tar -xf \"$b\" -C \"$2\" ./origin; fi; done; rm -rf \"$d\";"
                + " test -x \"$2/origin\" || { echo \"no ./origin in $1\" >&2; exit 1; }",
            "extract",
            IMAGE_ARCHIVE.toString(),
            binary.getParent().toString())
        .orThrow();
    outside = PodNetworkClient.outside("origin", OUTSIDE_ADDRESS, NODE_SIDE_ADDRESS);
    // a suite that forgets close() still leaves no process or namespace behind
    Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    try {
      outsideServer =
          new ProcessBuilder(
                  outside.inside(
                      List.of(
                          binary.toString(),
                          "-http",
                          OUTSIDE_ADDRESS + ":80",
                          "-https",
                          OUTSIDE_ADDRESS + ":443",
                          "-tls-cert",
                          tls.cert().toString(),
                          "-tls-key",
                          tls.key().toString())))
              .redirectErrorStream(true)
              .redirectOutput(workDir.resolve("origin-outside.log").toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the outside origin " + binary, e);
    }
    Cluster.await(
        "the outside origin answering at http://" + OUTSIDE_ADDRESS + "/ready",
        Duration.ofSeconds(30),
        () ->
            Cmd.run(
                        Duration.ofSeconds(5),
                        "curl",
                        "-sf",
                        "-o",
                        "/dev/null",
                        "http://" + OUTSIDE_ADDRESS + "/ready")
                    .exit()
                == 0,
        () -> "origin alive: " + outsideServer.isAlive() + ", log in " + workDir);
  }

  /** Stops the outside origin and removes its network namespace. */
  @Override
  public synchronized void close() {
    if (outsideServer != null) {
      outsideServer.destroy();
      outsideServer = null;
    }
    if (outside != null) {
      outside.close();
      outside = null;
    }
  }

  static String base64(Path file) throws IOException {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
  }
}
