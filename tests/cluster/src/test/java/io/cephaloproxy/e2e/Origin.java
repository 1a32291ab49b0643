package io.cephaloproxy.e2e;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The web site behind the proxy: tests/cluster/origin (image {@link Cluster#ORIGIN_IMAGE}) as a
 * Deployment in its own restricted namespace, reachable under two Service names (so an allowlist
 * can allow one and not the other), over HTTP (80) and HTTPS (443, certificate from {@link #ca}).
 * Both Services are headless: the names resolve to the pod's address, not to a ClusterIP in the
 * Service network that proxies deny by default (issue 12 §4); {@code origin-clusterip} is the same
 * origin behind a ClusterIP.
 */
final class Origin {
  final String namespace;
  final CertFiles.Pair ca;

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
              .replace("@IMAGE@", Cluster.ORIGIN_IMAGE);
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
    return origin;
  }

  static String base64(Path file) throws IOException {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
  }
}
