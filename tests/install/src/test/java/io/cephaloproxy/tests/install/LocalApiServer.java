package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * etcd and kube-apiserver (the binaries stage 30 builds) on loopback ports, with an admin token and
 * RBAC: enough for server-side dry-runs, CRDs and Helm releases. No controllers run.
 */
final class LocalApiServer implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final Path dir;
  private Path kubeconfig;

  private LocalApiServer(Path dir) {
    this.dir = dir;
  }

  static LocalApiServer start(Path dir) throws IOException, InterruptedException {
    LocalApiServer s = new LocalApiServer(dir);
    s.startProcesses();
    return s;
  }

  private void startProcesses() throws IOException, InterruptedException {
    Path bin = binaries();
    int etcdClient = freePort();
    int etcdPeer = freePort();
    int api = freePort();
    start(
        dir.resolve("etcd.log"),
        bin.resolve("etcd").toString(),
        "--data-dir",
        dir.resolve("etcd").toString(),
        "--listen-client-urls",
        "http://127.0.0.1:" + etcdClient,
        "--advertise-client-urls",
        "http://127.0.0.1:" + etcdClient,
        "--listen-peer-urls",
        "http://127.0.0.1:" + etcdPeer,
        "--initial-advertise-peer-urls",
        "http://127.0.0.1:" + etcdPeer,
        "--initial-cluster",
        "default=http://127.0.0.1:" + etcdPeer);
    Path key = dir.resolve("sa.key");
    Result genrsa = run(List.of("openssl", "genrsa", "-out", key.toString(), "2048"), null);
    assertThat(genrsa.exit()).as(genrsa.output()).isZero();
    Files.writeString(dir.resolve("tokens.csv"), "admin-token,admin,admin,system:masters\n");
    start(
        dir.resolve("kube-apiserver.log"),
        bin.resolve("kube-apiserver").toString(),
        "--etcd-servers=http://127.0.0.1:" + etcdClient,
        "--bind-address=127.0.0.1",
        "--secure-port=" + api,
        "--cert-dir=" + dir.resolve("certs"),
        "--service-account-key-file=" + key,
        "--service-account-signing-key-file=" + key,
        "--service-account-issuer=https://kubernetes.default.svc",
        "--token-auth-file=" + dir.resolve("tokens.csv"),
        "--authorization-mode=RBAC",
        "--service-cluster-ip-range=10.96.0.0/16");
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: test, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
        users: [{name: admin, user: {token: admin-token}}]
        contexts: [{name: test, context: {cluster: test, user: admin}}]
        current-context: test
        """
            .formatted(api));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!kubectl(null, "get", "--raw", "/readyz").output().strip().equals("ok")) {
      assertThat(System.nanoTime())
          .as("kube-apiserver ready within 90 s; see %s", dir.resolve("kube-apiserver.log"))
          .isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  record Result(int exit, String output) {}

  Result kubectl(String stdin, String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of(Tools.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    return run(cmd, stdin);
  }

  static Result run(List<String> cmd, String stdin) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("%s", cmd).isTrue();
    return new Result(p.exitValue(), out);
  }

  private void start(Path log, String... cmd) throws IOException {
    processes.add(
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
  }

  @Override
  public void close() throws InterruptedException {
    List<Process> newestFirst = new ArrayList<>(processes);
    Collections.reverse(newestFirst);
    for (Process p : newestFirst) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * $KUBE_API_TEST_DIR/k8s/VERSION-linux-amd64 (default /var/cache/cephaloproxy/kube), built by
   * stage 30.
   */
  static Path binaries() throws IOException {
    Path k8s =
        Paths.get(
            System.getenv()
                .getOrDefault("KUBE_API_TEST_DIR", Tools.CACHE.resolve("kube").toString()),
            "k8s");
    assertThat(k8s).as("run scripts/stages/30-control-plane.sh").isDirectory();
    try (Stream<Path> dirs = Files.list(k8s)) {
      return dirs.filter(
              d ->
                  Files.isExecutable(d.resolve("kube-apiserver"))
                      && Files.isExecutable(d.resolve("etcd")))
          .max(Comparator.naturalOrder())
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no kube-apiserver and etcd under "
                          + k8s
                          + ": run scripts/stages/30-control-plane.sh"));
    }
  }
}
