package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The install artifacts on a real kube-apiserver (with etcd; the binaries stage 30 builds): the
 * chart's CRD is accepted, the docs' SquidProxy and Kubernetes manifests, the examples and the
 * chart's objects pass server-side dry-run, and CrdSchema (what the other tests use) agrees with
 * the server on valid and invalid specs.
 */
class ApiServerDryRunIT {
  @TempDir static Path dir;
  static final List<Process> PROCESSES = new ArrayList<>();
  static Path kubeconfig;

  @BeforeAll
  static void startApiServer() throws Exception {
    Path bin = binaries();
    int etcdClient = freePort();
    int etcdPeer = freePort();
    int api = freePort();
    start(dir.resolve("etcd.log"), bin.resolve("etcd").toString(), "--data-dir", dir.resolve("etcd").toString(),
        "--listen-client-urls", "http://127.0.0.1:" + etcdClient, "--advertise-client-urls", "http://127.0.0.1:" + etcdClient,
        "--listen-peer-urls", "http://127.0.0.1:" + etcdPeer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + etcdPeer,
        "--initial-cluster", "default=http://127.0.0.1:" + etcdPeer);
    Path key = dir.resolve("sa.key");
    run(List.of("openssl", "genrsa", "-out", key.toString(), "2048"), null);
    Files.writeString(dir.resolve("tokens.csv"), "admin-token,admin,admin,system:masters\n");
    start(dir.resolve("kube-apiserver.log"), bin.resolve("kube-apiserver").toString(),
        "--etcd-servers=http://127.0.0.1:" + etcdClient, "--bind-address=127.0.0.1", "--secure-port=" + api,
        "--cert-dir=" + dir.resolve("certs"), "--service-account-key-file=" + key,
        "--service-account-signing-key-file=" + key, "--service-account-issuer=https://kubernetes.default.svc",
        "--token-auth-file=" + dir.resolve("tokens.csv"), "--authorization-mode=RBAC",
        "--service-cluster-ip-range=10.96.0.0/16");
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: test, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
        users: [{name: admin, user: {token: admin-token}}]
        contexts: [{name: test, context: {cluster: test, user: admin}}]
        current-context: test
        """.formatted(api));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!kubectl(null, "get", "--raw", "/readyz").output().strip().equals("ok")) {
      assertThat(System.nanoTime()).as("kube-apiserver ready within 90 s; see %s", dir.resolve("kube-apiserver.log"))
          .isLessThan(deadline);
      Thread.sleep(500);
    }
    assertThat(kubectl(null, "apply", "--server-side", "-f", Repo.CHART_CRD.toString()).exit()).isZero();
    assertThat(kubectl(null, "wait", "--for=condition=Established", "--timeout=60s",
        "crd/squidproxies.cephaloproxy.io").exit()).isZero();
    for (String ns : List.of("demo", "team-a", "team-b", "cephaloproxy-system", "argocd", "ops-leases")) {
      kubectl(null, "create", "namespace", ns);
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    List<Process> newestFirst = new ArrayList<>(PROCESSES);
    java.util.Collections.reverse(newestFirst);
    for (Process p : newestFirst) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void docsManifestsPassServerSideDryRun() throws Exception {
    int checked = 0;
    for (Markdown.Block b : DocsTest.blocks("yaml")) {
      for (Map<String, Object> doc : Yaml.documents(b.text())) {
        String apiVersion = (String) doc.get("apiVersion");
        if (apiVersion.startsWith("argoproj.io/") || apiVersion.startsWith("operators.coreos.com/")) {
          continue; // Argo CD's and OLM's CRDs are not installed here; DocsTest checks these objects
        }
        Result r = kubectl(Yaml.toYaml(doc), "apply", "--dry-run=server", "-f", "-");
        assertThat(r.exit()).as("%s: %s", b.where(), r.output()).isZero();
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(4);
  }

  @Test
  void examplesPassServerSideDryRun() throws Exception {
    for (Path f : BundleGenerator.exampleFiles()) {
      Result r = kubectl(null, "apply", "-n", "demo", "--dry-run=server", "-f", f.toString());
      assertThat(r.exit()).as("%s: %s", f, r.output()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "watchNamespaces: [team-a, team-b]\nreplicas: 3\nleaderElection: {namespace: ops-leases}\n"
      + "metrics: {service: {enabled: true}}\n"})
  void chartObjectsPassServerSideDryRun(String values) throws Exception {
    Map<String, Object> v = values.isEmpty() ? Map.of() : DocsTest.flatten("", Yaml.documents(values).get(0));
    Result r = kubectl(Chart.template(v), "apply", "--dry-run=server", "-f", "-");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("deployment.apps/cp-cephaloproxy-operator created (server dry run)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{port: 8080}", "{port: 3129, replicas: 2}",
      "{access: {allowedClientCIDRs: [\"10.0.0.0/8\", \"fd00::/8\"]}}", "{access: {allowedClientCIDRs: [\"10.0.0.1/8\"]}}",
      "{access: {allowedDomains: [\".example.com\", \"api.example.org\"]}}", "{access: {allowedDomains: [\"*.example.com\"]}}",
      "{access: {mode: Block}}", "{cache: {type: Memory, memory: {size: 256Mi}}}", "{cache: {type: Memory, memory: {size: 512Ki}}}",
      "{cache: {type: Disk}}", "{sslBump: {enabled: true}}", "{sslBump: {enabled: true, caSecret: {name: ca}}}",
      "{sslBump: {enabled: true, caSecret: {name: ca}, policy: PeekAndSplice, spliceDomains: [\".bank.example\"]}}",
      "{upstream: {host: \"proxy.corp.example\", port: 8080}}", "{upstream: {host: \"bad host\"}}",
      "{colour: blue}", "{workers: 17}", "{extraConfig: \"cache_effective_user nobody\"}"})
  void crdSchemaAgreesWithTheApiServer(String spec) throws Exception {
    String manifest = "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata: {name: probe, namespace: demo}\nspec: "
        + spec + "\n";
    Result server = kubectl(manifest, "apply", "--dry-run=server", "-f", "-");
    List<String> ours = CrdSchema.load(Repo.CHART_CRD).validate(Yaml.documents(manifest).get(0));
    assertThat(ours.isEmpty()).as("server: %s%nours: %s", server.output(), ours).isEqualTo(server.exit() == 0);
  }

  // --- helpers

  record Result(int exit, String output) {}

  static Result kubectl(String stdin, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Tools.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
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
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s", cmd).isTrue();
    return new Result(p.exitValue(), out);
  }

  static void start(Path log, String... cmd) throws IOException {
    PROCESSES.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** $KUBE_API_TEST_DIR/k8s/VERSION-linux-amd64 (default /var/cache/cephaloproxy/kube), built by stage 30. */
  static Path binaries() throws IOException {
    Path k8s = Paths.get(System.getenv().getOrDefault("KUBE_API_TEST_DIR", Tools.CACHE.resolve("kube").toString()), "k8s");
    assertThat(k8s).as("run scripts/stages/30-control-plane.sh").isDirectory();
    try (Stream<Path> dirs = Files.list(k8s)) {
      return dirs.filter(d -> Files.isExecutable(d.resolve("kube-apiserver")) && Files.isExecutable(d.resolve("etcd")))
          .max(Comparator.naturalOrder())
          .orElseThrow(() -> new AssertionError("no kube-apiserver and etcd under " + k8s
              + ": run scripts/stages/30-control-plane.sh"));
    }
  }
}
