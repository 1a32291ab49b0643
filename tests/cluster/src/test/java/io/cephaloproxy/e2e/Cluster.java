package io.cephaloproxy.e2e;

import io.cephaloproxy.testsupport.Cmd;
import io.cephaloproxy.testsupport.RepoRoot;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The local single-node cluster of scripts/cluster/up.sh. Every end-to-end class starts with {@link
 * #client()}, which fails the suite with what to do when the cluster does not answer: the suite is
 * never skipped.
 */
final class Cluster {
  static final Path KUBECONFIG =
      Path.of(
          System.getProperty(
              "cephaloproxy.kubeconfig", "/var/lib/cephaloproxy-node/admin.kubeconfig"));
  static final Path REPO = RepoRoot.get();
  static final String NODE_NAME = "cephaloproxy-node";
  static final String ORIGIN_IMAGE = "localhost/cephaloproxy/e2e-origin:0.1.0";

  /**
   * The stand-in for busybox of the kubectl debug recipe (scripts/cluster/images.sh, from Debian's
   * busybox-static; runs as root like busybox).
   */
  static final String DEBUG_IMAGE = "localhost/cephaloproxy/debug-busybox:0.1.0";

  static final String CLUSTER_DOMAIN = "cluster.local";

  private static KubernetesClient client;

  private Cluster() {}

  /** A client of the node's API server, after checking that the node is up and Ready. */
  static synchronized KubernetesClient client() {
    if (client != null) {
      return client;
    }
    String fix =
        "; bring the node up with `scripts/cluster/up.sh` (as root), or point -Dcephaloproxy.kubeconfig at it";
    if (!Files.isReadable(KUBECONFIG)) {
      throw new IllegalStateException(
          "the cluster end-to-end suite needs the local node, but "
              + KUBECONFIG
              + " does not exist"
              + fix);
    }
    Config config = Config.fromKubeconfig(null, new File(KUBECONFIG.toString()));
    config.setRequestTimeout(30_000);
    config.setConnectionTimeout(5_000);
    KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
    try {
      String readyz = c.raw("/readyz");
      if (readyz == null || !readyz.trim().equals("ok")) {
        throw new IllegalStateException("/readyz answered " + readyz);
      }
    } catch (RuntimeException e) {
      c.close();
      throw new IllegalStateException(
          "the API server of "
              + KUBECONFIG
              + " ("
              + config.getMasterUrl()
              + ") is not reachable: "
              + e.getMessage()
              + fix,
          e);
    }
    Node node = c.nodes().withName(NODE_NAME).get();
    boolean ready =
        node != null
            && node.getStatus().getConditions().stream()
                .anyMatch(
                    cond -> "Ready".equals(cond.getType()) && "True".equals(cond.getStatus()));
    if (!ready) {
      c.close();
      throw new IllegalStateException("node " + NODE_NAME + " is not Ready" + fix);
    }
    client = c;
    return c;
  }

  /** The Helm CLI of scripts/get-helm.sh (installed once, cached). */
  static String helmCli() {
    return Cmd.run(Duration.ofMinutes(3), "bash", REPO.resolve("scripts/get-helm.sh").toString())
        .orThrow()
        .out()
        .trim();
  }

  /** The kubectl of the node's Kubernetes binaries (scripts/cluster/env.sh's kube_bin_dir). */
  static String kubectlCli() {
    return Cmd.run(
            Duration.ofSeconds(10),
            "bash",
            "-c",
            "source '"
                + REPO.resolve("scripts/cluster/env.sh")
                + "' && echo \"$(kube_bin_dir)/kubectl\"")
        .orThrow()
        .out()
        .trim();
  }

  /**
   * Creates a namespace that enforces Pod Security "restricted" (latest), like a hardened tenant.
   */
  static String restrictedNamespace(String prefix) {
    String name = prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    Namespace ns =
        new NamespaceBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(
                Map.of(
                    "pod-security.kubernetes.io/enforce",
                    "restricted",
                    "pod-security.kubernetes.io/enforce-version",
                    "latest",
                    "pod-security.kubernetes.io/warn",
                    "restricted",
                    "app.kubernetes.io/part-of",
                    "cephaloproxy-e2e"))
            .endMetadata()
            .build();
    client().namespaces().resource(ns).create();
    return name;
  }

  /**
   * Deletes a namespace and waits until it is gone, so tests do not overlap and the next suite
   * finds no SquidProxy of this one (e.g. when it removes the CRD). Its pods are deleted with a
   * zero grace period once the namespace is terminating (nothing can create new ones then): a
   * suite's clean-up needs no graceful drain, and Squid's would take preStop plus shutdown_lifetime
   * (about 25 s) while the namespace controller waits half the pods' grace period between its
   * passes.
   */
  static void deleteNamespace(String name, Duration timeout) {
    deleteNamespaces(timeout, name);
  }

  /**
   * The same for several namespaces at once (their deletions overlap); null names and namespaces
   * that do not exist (any more) are skipped.
   */
  static void deleteNamespaces(Duration timeout, String... given) {
    String[] names =
        java.util.Arrays.stream(given)
            .filter(n -> n != null && client().namespaces().withName(n).get() != null)
            .distinct()
            .toArray(String[]::new);
    if (names.length == 0) {
      return;
    }
    Steps.time(
        "delete namespace " + String.join(" ", names),
        () -> {
          for (String name : names) {
            client().namespaces().withName(name).delete();
          }
          await(
              "namespaces " + String.join(", ", names) + " deleted",
              timeout,
              () -> {
                boolean gone = true;
                for (String name : names) {
                  if (client().namespaces().withName(name).get() != null) {
                    gone = false;
                    client().pods().inNamespace(name).withGracePeriod(0).delete();
                  }
                }
                return gone;
              });
        });
  }

  /**
   * Polls {@code condition} every 250 ms (Awaitility) until it is true; fails naming {@code what}.
   */
  static void await(String what, Duration timeout, Callable<Boolean> condition) {
    await(what, timeout, condition, () -> "");
  }

  /** The same, adding {@code state} (read when the time is up) to the failure. */
  static void await(
      String what, Duration timeout, Callable<Boolean> condition, Supplier<String> state) {
    try {
      Awaitility.await(what)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(condition);
    } catch (ConditionTimeoutException e) {
      String detail = state.get();
      throw new AssertionError(e.getMessage() + (detail.isEmpty() ? "" : "; state: " + detail), e);
    }
  }

  /** The cluster IP of Service {@code name} in {@code ns}. */
  static String clusterIp(String ns, String name) {
    return client().services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
  }

  static void sleep(Duration d) {
    try {
      TimeUnit.NANOSECONDS.sleep(d.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
