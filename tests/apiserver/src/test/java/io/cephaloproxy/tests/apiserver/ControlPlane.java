package io.cephaloproxy.tests.apiserver;

import io.cephaloproxy.testsupport.RepoRoot;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real control plane per test JVM: etcd and kube-apiserver started by io.fabric8:kube-api-test
 * (offline, from the binaries stage 30 builds), plus a kube-controller-manager this class starts
 * against it (garbage collector, Deployment → ReplicaSet, namespace deletion, service accounts).
 * The API server writes an audit log of every write request, so tests can count the operator's
 * writes.
 */
public final class ControlPlane {
  private static ControlPlane instance;

  /** kube-api-test's timeout for each readiness poll of etcd and kube-apiserver. */
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

  private final Path repoRoot;
  private final String version;
  private final Path testDir;

  /** kube-api-test's directory for this run: certificates, and the binaries (linked) it starts. */
  private Path runDir;

  private final Path binDir;
  private final Path workDir;
  private final Path kubeconfig;
  private final Path auditLog;
  private final KubeAPIServer apiServer;
  private final Process controllerManager;
  private final KubernetesClient admin;

  /** The shared control plane, started on first use and stopped when the JVM exits. */
  public static synchronized ControlPlane get() {
    if (instance == null) {
      instance = new ControlPlane();
      Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "control-plane-stop"));
    }
    return instance;
  }

  private ControlPlane() {
    repoRoot = RepoRoot.get();
    version = pinnedVersion(repoRoot);
    testDir =
        Path.of(
            firstNonBlank(
                System.getProperty("kube.api.test.dir"),
                System.getenv("KUBE_API_TEST_DIR"),
                "/var/cache/cephaloproxy/kube"));
    binDir = testDir.resolve("k8s").resolve(version + "-linux-amd64");
    for (String b : List.of("kube-apiserver", "etcd", "kubectl", "kube-controller-manager")) {
      if (!Files.isExecutable(binDir.resolve(b))) {
        throw new IllegalStateException(
            "missing "
                + binDir.resolve(b)
                + ": build the Kubernetes "
                + version
                + " binaries first with scripts/stages/30-control-plane.sh"
                + " (or tests/control-plane/build.sh with the same KUBE_API_TEST_DIR)");
      }
    }
    try {
      workDir = Files.createTempDirectory("cephaloproxy-apiserver-");
      Path policy = workDir.resolve("audit-policy.yaml");
      Files.writeString(policy, AUDIT_POLICY);
      auditLog = workDir.resolve("audit.log");
      runDir = launcherDir();
      apiServer =
          new KubeAPIServer(
              KubeAPIServerConfigBuilder.anAPIServerConfig()
                  .withTestDir(runDir.toString())
                  .withApiServerVersion(version)
                  // set explicitly: kube-api-test 7.5.2 throws reading these from the environment
                  .withOfflineMode(true)
                  .withWaitForEtcdHealthCheckOnStartup(true)
                  .withStartupTimeout((int) STARTUP_TIMEOUT.toMillis())
                  .withUpdateKubeConfig(false)
                  .withApiServerFlag("--audit-policy-file", policy.toString())
                  .withApiServerFlag("--audit-log-path", auditLog.toString())
                  .withApiServerFlag("--audit-log-format", "json")
                  .build());
      Duration wait = StartupClock.waitBeforeStart(LocalTime.now(), STARTUP_TIMEOUT);
      if (!wait.isZero()) {
        System.out.printf(
            "control plane: waiting %d s for midnight (kube-api-test's polls wrap at 00:00)%n",
            wait.toSeconds());
        sleep(wait.toMillis());
      }
      Instant start = Instant.now();
      try {
        apiServer.start();
      } catch (RuntimeException e) {
        try {
          apiServer.stop(); // a start that failed half-way leaves no etcd or kube-apiserver behind
        } catch (RuntimeException stopFailed) {
          e.addSuppressed(stopFailed);
        }
        throw e;
      }
      kubeconfig = workDir.resolve("admin.kubeconfig");
      Files.writeString(kubeconfig, apiServer.getKubeConfigYaml());
      admin = clientFor(Config.fromKubeconfig(Files.readString(kubeconfig)));
      controllerManager = startControllerManager();
      waitForControllerManager();
      System.out.printf(
          "control plane: Kubernetes %s (etcd, kube-apiserver, kube-controller-manager) up in %d ms at %s%n",
          version, Duration.between(start, Instant.now()).toMillis(), admin.getMasterUrl());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * kube-api-test 7.5.2 appends {@code --service-cluster-ip-range 10.0.0.0/24} after our flags,
   * which leaves room for only ~250 Services (the benchmark needs 1000). Its binaries directory for
   * this run therefore links etcd and kubectl and has a two-line kube-apiserver wrapper that execs
   * the real binary with that one value widened to 10.0.0.0/16; everything else is passed through.
   * Its log (klog on stderr: slow-request traces, errors) goes to kube-apiserver.log in the run's
   * directory.
   */
  private Path launcherDir() throws IOException {
    Path dir = workDir.resolve("kube");
    Path bins = dir.resolve("k8s").resolve(version + "-linux-amd64");
    Files.createDirectories(bins);
    for (String b : List.of("etcd", "kubectl")) {
      Files.createSymbolicLink(bins.resolve(b), binDir.resolve(b));
    }
    Path wrapper = bins.resolve("kube-apiserver");
    Files.writeString(
        wrapper,
        "#!/bin/sh\n"
            + "for a in \"$@\"; do shift; [ \"$a\" = 10.0.0.0/24 ] && a=10.0.0.0/16; set -- \"$@\" \"$a\"; done\n"
            + "exec "
            + binDir.resolve("kube-apiserver")
            + " \"$@\" 2>>"
            + workDir.resolve("kube-apiserver.log")
            + "\n");
    wrapper.toFile().setExecutable(true);
    return dir;
  }

  /** Logs metadata of every write request (reads and watches are not logged). */
  private static final String AUDIT_POLICY =
      """
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: ["RequestReceived"]
      rules:
        - level: None
          verbs: ["get", "list", "watch"]
        - level: Metadata
      """;

  private Process startControllerManager() throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binDir.resolve("kube-controller-manager").toString(),
                "--kubeconfig=" + kubeconfig,
                "--authentication-kubeconfig=" + kubeconfig,
                "--authorization-kubeconfig=" + kubeconfig,
                "--leader-elect=false",
                "--secure-port=0",
                "--controllers=*",
                "--use-service-account-credentials=false",
                "--service-account-private-key-file=" + runDir.resolve("apiserver.key"),
                "--root-ca-file=" + runDir.resolve("apiserver.crt"),
                "--cluster-name=cephaloproxy-test",
                "--v=1"));
    Path log = workDir.resolve("kube-controller-manager.log");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** The service-account controller creates "default" in a new namespace once the manager runs. */
  private void waitForControllerManager() {
    String ns = "control-plane-probe";
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .serverSideApply();
    long deadline = System.currentTimeMillis() + 90_000;
    while (admin.serviceAccounts().inNamespace(ns).withName("default").get() == null) {
      if (!controllerManager.isAlive() || System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(
            "kube-controller-manager did not start; last log lines:\n"
                + tail(workDir.resolve("kube-controller-manager.log"), 30));
      }
      sleep(200);
    }
  }

  private boolean crdInstalled;

  /**
   * Installs the committed CRD (crds/squidproxies.cephaloproxy.io-v1.yml) by server-side apply and
   * waits until it is Established. Idempotent.
   */
  public synchronized CustomResourceDefinition installCrd() {
    Path file = repoRoot.resolve("crds/squidproxies.cephaloproxy.io-v1.yml");
    CustomResourceDefinition crd =
        admin.apiextensions().v1().customResourceDefinitions().load(file.toFile()).item();
    if (!crdInstalled) {
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(crd)
          .fieldManager("cephaloproxy-tests")
          .forceConflicts()
          .serverSideApply();
      crdInstalled = true;
    }
    return admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            cond ->
                                cond.getType().equals("Established")
                                    && cond.getStatus().equals("True")),
            60,
            TimeUnit.SECONDS);
  }

  /** Creates the namespace if needed (server-side apply). */
  public void namespace(String name) {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .fieldManager("cephaloproxy-tests")
        .serverSideApply();
  }

  /** A client with the admin (system:masters) identity. */
  public KubernetesClient admin() {
    return admin;
  }

  /** A new admin client (its own connection pool and informers). */
  public KubernetesClient newAdminClient() {
    return clientFor(admin.getConfiguration());
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path binDir() {
    return binDir;
  }

  public Path kubectl() {
    return binDir.resolve("kubectl");
  }

  public Path repoRoot() {
    return repoRoot;
  }

  public Path workDir() {
    return workDir;
  }

  public Path auditLog() {
    return auditLog;
  }

  public String version() {
    return version;
  }

  /**
   * Creates (if needed) a ServiceAccount and writes a kubeconfig that authenticates as it with a
   * bound token from the TokenRequest API — the identity the operator has in a pod.
   */
  public Path kubeconfigForServiceAccount(String namespace, String name) {
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .serverSideApply();
    admin
        .serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
    TokenRequest request =
        new TokenRequestBuilder().withNewSpec().withExpirationSeconds(24 * 3600L).endSpec().build();
    String token =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(name)
            .tokenRequest(request)
            .getStatus()
            .getToken();
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: test
            cluster:
              certificate-authority: %s
              server: %s
        users:
          - name: %s
            user:
              token: %s
        contexts:
          - name: test
            context: {cluster: test, user: %s, namespace: %s}
        current-context: test
        """
            .formatted(
                runDir.resolve("apiserver.crt"),
                admin.getMasterUrl().toString().replaceAll("/$", ""),
                name,
                token,
                name,
                namespace);
    try {
      Path file = workDir.resolve("sa-" + namespace + "-" + name + ".kubeconfig");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs kubectl against this control plane; returns exit code and combined output. */
  public CommandResult kubectl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(kubectl().toString());
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new CommandResult(p.waitFor(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public record CommandResult(int exitCode, String output) {}

  private void stop() {
    if (controllerManager != null) {
      controllerManager.destroy();
    }
    if (admin != null) {
      admin.close();
    }
    if (apiServer != null) {
      apiServer.stop();
    }
  }

  static KubernetesClient clientFor(Config config) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(config)
                .withRequestTimeout(30_000)
                .withConnectionTimeout(10_000)
                .build())
        .build();
  }

  /** The Kubernetes version pinned in tests/control-plane/go.mod (the one single source of it). */
  static String pinnedVersion(Path repoRoot) {
    try {
      String gomod = Files.readString(repoRoot.resolve("tests/control-plane/go.mod"));
      Matcher m =
          Pattern.compile("(?m)^\\s*k8s\\.io/kubernetes v(\\d+\\.\\d+\\.\\d+)\\s*$").matcher(gomod);
      if (!m.find()) {
        throw new IllegalStateException(
            "no k8s.io/kubernetes version in tests/control-plane/go.mod");
      }
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
