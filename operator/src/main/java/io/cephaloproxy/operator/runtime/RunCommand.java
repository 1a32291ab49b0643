package io.cephaloproxy.operator.runtime;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code run}: settings from the environment, a pre-flight check of the API server, then JOSDK. */
public final class RunCommand {
  private RunCommand() {}

  public static int run(Map<String, String> env, PrintStream err) {
    OperatorSettings settings;
    try {
      settings = OperatorSettings.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    LogSetup.configure(settings.logFormat(), settings.logLevel());
    Logger log = LoggerFactory.getLogger(RunCommand.class);

    String problem = missingClusterConfig(env);
    if (problem != null) {
      err.println("error: " + problem);
      return 1;
    }
    Config config = Config.autoConfigure(null);
    String preflight = preflight(config);
    if (preflight != null) {
      err.println("error: " + preflight);
      return 1;
    }
    KubernetesClient client = OperatorRuntime.client(config);
    OperatorRuntime runtime = new OperatorRuntime(settings, client);
    HttpEndpoints http;
    try {
      http = new HttpEndpoints(settings.httpPort(), runtime::live, runtime::ready, runtime::scrape);
    } catch (Exception e) {
      err.println(
          "error: cannot listen on HTTP_PORT " + settings.httpPort() + ": " + e.getMessage());
      client.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // JOSDK 5.2.3 installs no shutdown hook when leader election is on (#3376): always install
    // ours.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  try {
                    runtime.close();
                  } catch (RuntimeException e) {
                    log.warn("error while stopping the operator: {}", e.toString());
                  } finally {
                    http.close();
                    client.close();
                    stopped.countDown();
                  }
                },
                "shutdown"));
    log.info(
        "cephaloproxy-operator {} starting: namespaces={}, leaderElection={}, squidImage={}, httpPort={}",
        Versions.version(),
        settings.watchesAllNamespaces() ? "all" : String.join(",", settings.watchNamespaces()),
        settings.leaderElection(),
        settings.squidImage(),
        settings.httpPort());
    reportEarlierOutOfMemory(env, config, client);
    try {
      runtime.start();
    } catch (RuntimeException e) {
      log.error("operator failed to start: {}", e.getMessage());
      err.println("error: operator failed to start: " + rootMessage(e));
      return 1;
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * Before the informers start (where an operator too small for its cluster runs out of memory
   * again): a Warning Event on the operator's own pod when it last stopped for lack of memory
   * ({@link OutOfMemoryReport}). Its pod is POD_NAME in POD_NAMESPACE (the chart sets both from the
   * downward API), or in the namespace of its ServiceAccount when it runs in a pod.
   */
  static void reportEarlierOutOfMemory(
      Map<String, String> env, Config config, KubernetesClient client) {
    String pod = env.get("POD_NAME");
    String namespace = env.get("POD_NAMESPACE");
    if ((namespace == null || namespace.isBlank()) && env.get("KUBERNETES_SERVICE_HOST") != null) {
      namespace = config.getNamespace();
    }
    if (pod == null || pod.isBlank() || namespace == null || namespace.isBlank()) {
      return;
    }
    OutOfMemoryReport.report(client, namespace.trim(), pod.trim(), java.time.Clock.systemUTC());
  }

  /** Without a kubeconfig and outside a pod Fabric8 would guess https://kubernetes.default.svc. */
  static String missingClusterConfig(Map<String, String> env) {
    if (env.get("KUBERNETES_SERVICE_HOST") != null) {
      return null;
    }
    String kubeconfig = env.get("KUBECONFIG");
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      for (String p : kubeconfig.split(":")) {
        if (!p.isBlank() && Files.isRegularFile(Path.of(p))) {
          return null;
        }
      }
      return "no Kubernetes API server configured: KUBECONFIG="
          + kubeconfig
          + " names no readable file";
    }
    String home = System.getProperty("user.home");
    if (home != null && Files.isRegularFile(Path.of(home, ".kube", "config"))) {
      return null;
    }
    return "no Kubernetes API server configured: not running in a pod (KUBERNETES_SERVICE_HOST is unset)"
        + " and no kubeconfig (KUBECONFIG or ~/.kube/config)";
  }

  /** One request without retries, so an unreachable server gives one clear line, fast. */
  static String preflight(Config config) {
    Config once =
        new ConfigBuilder(config)
            .withRequestRetryBackoffLimit(0)
            .withConnectionTimeout(5_000)
            .withRequestTimeout(10_000)
            .build();
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(once).build()) {
      probe.getKubernetesVersion();
      return null;
    } catch (RuntimeException e) {
      return "cannot reach the Kubernetes API server at "
          + config.getMasterUrl()
          + ": "
          + rootMessage(e);
    }
  }

  /** The distinct messages of the cause chain, outermost first: "msg (cause msg)". */
  static String rootMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.UnknownHostException) {
        return "unknown host " + t.getMessage();
      }
    }
    java.util.LinkedHashSet<String> parts = new java.util.LinkedHashSet<>();
    for (Throwable t = e;
        t != null && parts.size() < 4;
        t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (t instanceof java.net.ConnectException) {
        parts.add("connection refused");
        break;
      } else if (m != null
          && !m.isBlank()
          && !m.startsWith("An error has occurred")
          && !m.matches("[\\w.]+(Exception|Error)(: .*)?")) {
        parts.add(m.strip());
      }
    }
    return parts.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", parts);
  }
}
