package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The commands and manifests of README.md, docs/quickstart.md and docs/troubleshooting.md, run on
 * the node as a reader types them, read from the Markdown at test time so that they cannot drift:
 * every fenced block of those pages is run here (in page order, each {@code sh} block as one bash
 * script, each {@code yaml} block saved as the file the next command applies) or listed in {@link
 * #NOT_RUN} with the reason. A block that is neither fails the test.
 *
 * <p>What differs from a reader's machine is rewritten, and only that ({@link #rewrite}): the
 * namespaces are the test's own ({@code demo}, {@code cephaloproxy-system}, {@code team-a/b}); the
 * chart from the working tree gets the released images (the node pulls by digest from the local
 * registry, it cannot reach ghcr.io); {@code kubectl run ... --image=curlimages/curl -- curl} runs
 * the same curl in a network namespace on the pod network (no image registry for curlimages),
 * retrying while the connection is refused as long as such a pod would take to start ({@link
 * #routedCurl}); {@code http://example.com/} is the suite's origin in the cluster (test traffic
 * stays on this machine); {@code <pod>} is a pod of the proxy; port-forward uses a free local port
 * and waits until it listens. A sentence after a block saying it prints {@code `X`} is asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocsE2E {
  static final List<String> PAGES =
      List.of("README.md", "docs/quickstart.md", "docs/troubleshooting.md");

  /** Blocks not run here, by a line they contain, and why. */
  static final Map<String, String> NOT_RUN =
      Map.of(
          "scripts/run.sh",
          "README: the whole demo (build, registry, release, node, install); CI runs its steps as"
              + " stages of scripts/test-all.sh, and DemoE2E its last one (demo.sh) and the curl line"
              + " it prints",
          "scripts/test-all.sh",
          "README: all of CI; this suite is one of its stages",
          "kubectl -n demo debug",
          "troubleshooting §6, the kubectl debug recipe: interactive (-it ... -- sh); run from this"
              + " page by ProxyE2E#theKubectlDebugRecipeOfTheTroubleshootingPageWorksUnderRestricted"
              + " on a terminal (script(1)) with the commands below typed into it",
          "/proc/1/root/etc/cephaloproxy",
          "troubleshooting §6: typed inside that ephemeral container's shell; fed to it by"
              + " ProxyE2E#theKubectlDebugRecipeOfTheTroubleshootingPageWorksUnderRestricted");

  static final Duration TIMEOUT = Duration.ofMinutes(4);
  static final String RELEASE = "cephaloproxy-operator";

  Path workDir;
  Origin origin;
  PodNetworkClient client;
  String ns;
  String operatorNs;
  String teamA;
  String teamB;
  String helm;
  int localPort;

  @BeforeAll
  void setUp() throws IOException {
    Cluster.client();
    workDir = Files.createTempDirectory("docs-e2e");
    helm = Cluster.helmCli();
    String kubectl = Cluster.kubectlCli();
    Path bin = Files.createDirectories(workDir.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("helm"), Path.of(helm));
    Files.createSymbolicLink(bin.resolve("kubectl"), Path.of(kubectl));
    String suffix = Long.toString(System.nanoTime() % 1_000_000L, 36);
    ns = "docs-demo-" + suffix;
    operatorNs = "docs-system-" + suffix;
    teamA = "docs-team-a-" + suffix;
    teamB = "docs-team-b-" + suffix;
    origin = Origin.deploy(workDir);
    client = PodNetworkClient.create("docs-e2e", 203);
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      localPort = s.getLocalPort();
    }
    OperatorRelease.removeCrd(); // the chart's CRD template: this release must own it
  }

  @AfterAll
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (helm != null) {
      uninstall();
    }
    if (origin != null) {
      origin.close();
    }
    Cluster.deleteNamespaces(
        Duration.ofSeconds(120),
        ns,
        teamA,
        teamB,
        operatorNs,
        origin == null ? null : origin.namespace);
  }

  record Block(String page, int line, String language, String text, String after) {
    String where() {
      return page + ":" + line;
    }
  }

  private static final Pattern FENCE =
      Pattern.compile("(?ms)^```([A-Za-z0-9_-]*)[^\\n]*\\n(.*?)^```[ \\t]*$");

  static List<Block> blocks() throws IOException {
    List<Block> out = new ArrayList<>();
    for (String page : PAGES) {
      String text = Files.readString(Cluster.REPO.resolve(page));
      Matcher m = FENCE.matcher(text);
      List<int[]> spans = new ArrayList<>();
      List<String[]> found = new ArrayList<>();
      while (m.find()) {
        spans.add(new int[] {m.start(), m.end()});
        found.add(new String[] {m.group(1), m.group(2)});
      }
      for (int i = 0; i < spans.size(); i++) {
        int start = spans.get(i)[0];
        int line = (int) text.substring(0, start).chars().filter(c -> c == '\n').count() + 1;
        int next = i + 1 < spans.size() ? spans.get(i + 1)[0] : text.length();
        out.add(
            new Block(
                page,
                line,
                found.get(i)[0],
                found.get(i)[1],
                text.substring(spans.get(i)[1], next)));
      }
    }
    return out;
  }

  static String notRunReason(Block b) {
    return NOT_RUN.entrySet().stream()
        .filter(e -> b.text().contains(e.getKey()))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  /**
   * The block as the test runs it: continuation lines joined, then the rewrites of the class doc.
   */
  String rewrite(String text) {
    String t = text.replace("\\\n", " ");
    t = t.replaceAll("\\bcephaloproxy-system\\b", operatorNs);
    t = t.replaceAll("\\bteam-a\\b", teamA).replaceAll("\\bteam-b\\b", teamB);
    t = t.replaceAll("\\bdemo\\b", ns);
    Release r = Release.current();
    t =
        t.replaceAll(
            "(helm install \\S+ \\./helm/cephaloproxy-operator)",
            "$1 --set image.repository="
                + r.registry()
                + "/"
                + r.repositoryPath(r.operatorImage())
                + " --set image.digest="
                + Release.digest(r.operatorImage())
                + " --set squidImage.repository="
                + r.registry()
                + "/"
                + r.repositoryPath(r.squidImage())
                + " --set squidImage.digest="
                + Release.digest(r.squidImage()));
    t =
        t.replaceAll(
            "kubectl -n \\S+ run curl --rm -i --restart=Never --image=curlimages/curl +-- +curl ",
            "routed_curl ");
    t = t.replace("http://example.com/", "http://" + origin.host() + "/");
    t =
        t.replace(
            "<pod>",
            "$(kubectl -n "
                + ns
                + " get pods -l app.kubernetes.io/instance=basic"
                + " --field-selector=status.phase=Running -o jsonpath='{.items[0].metadata.name}')");
    t =
        t.replace("8080:8080", localPort + ":8080")
            .replace("127.0.0.1:8080", "127.0.0.1:" + localPort);
    List<String> lines = new ArrayList<>();
    for (String line : t.split("\n")) {
      if (line.contains(" --previous")) {
        // the pod has not restarted: kubectl must answer that there is no previous container
        String cmd = line.replaceAll("\\s+#.*$", "");
        lines.add(
            "if out=$("
                + cmd
                + " 2>&1); then echo \"$out\"; else grep -F 'previous terminated container' <<<\"$out\";"
                + " fi");
        continue;
      }
      lines.add(line);
      if (line.strip().endsWith("&")) {
        lines.add(
            "for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"
                + localPort
                + ") 2>/dev/null && break; sleep 0.2; done");
      }
      Matcher apply = Pattern.compile("kubectl apply -f (\\S+\\.yaml)").matcher(line);
      if (apply.find()) {
        // a reader waits for the new pods before trying the new configuration
        lines.add(
            "g=$(kubectl -n "
                + ns
                + " get squidproxy basic -o jsonpath='{.metadata.generation}')"
                + "; kubectl -n "
                + ns
                + " wait squidproxy/basic --for=jsonpath='{.status.observedGeneration}'=$g --timeout=3m"
                + " && kubectl -n "
                + ns
                + " wait squidproxy/basic --for=condition=Ready --timeout=3m");
      }
    }
    return String.join("\n", lines) + "\n";
  }

  /**
   * The bash function {@code routed_curl}: the docs' curl, run in the client's network namespace on
   * the pod network. While the connection is refused (exit 7: kube-proxy has not yet routed a
   * Service whose pods just became Ready; the docs' {@code kubectl run} pod takes longer than that
   * to start) it retries for up to {@link PodNetworkClient#ROUTING_WAIT}; any other outcome is the
   * command's, printed once.
   */
  String routedCurl() {
    return ("routed_curl() { local out rc i; for i in $(seq %d); do"
            + " out=$(ip netns exec %s curl \"$@\") && rc=0 || rc=$?;"
            + " [ \"$rc\" -ne 7 ] && break; sleep 0.5; done;"
            + " printf '%%s\\n' \"$out\"; return \"$rc\"; }\n")
        .formatted(PodNetworkClient.ROUTING_WAIT.toSeconds() * 2, client.netns);
  }

  Cmd.Result bash(String script) {
    Path file = workDir.resolve("block.sh");
    try {
      Files.writeString(
          file,
          "set -eu\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
              + routedCurl()
              + "set -x\ncd '"
              + Cluster.REPO
              + "'\n"
              + script);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return Cmd.run(
        TIMEOUT,
        "env",
        "PATH=" + workDir.resolve("bin") + ":" + System.getenv("PATH"),
        "KUBECONFIG=" + Cluster.KUBECONFIG,
        "bash",
        file.toString());
  }

  @Test
  void everyCommandAndManifestOfTheDocsRunsOnTheNode() throws IOException {
    List<Block> blocks = blocks();
    assertThat(blocks).hasSizeGreaterThan(10);
    Map<String, String> report = new LinkedHashMap<>();
    List<Block> deferred = new ArrayList<>();
    Path pendingManifest = null;
    for (Block b : blocks) {
      String reason = notRunReason(b);
      if (reason != null) {
        report.put(b.where(), "not run: " + reason);
        continue;
      }
      switch (b.language()) {
        case "yaml" -> {
          // saved as the file the next block applies ("kubectl apply -f NAME.yaml # the manifest
          // above")
          pendingManifest = workDir.resolve("manifest-" + b.line() + ".yaml");
          Files.writeString(pendingManifest, rewrite(b.text()));
          report.put(b.where(), "saved for the next block");
        }
        case "sh" -> {
          if (b.text().contains("watchNamespaces")) {
            deferred.add(b); // another install of the same release: after the others
            continue;
          }
          String script = rewrite(b.text());
          Matcher applyAbove =
              Pattern.compile("-f (\\S+\\.yaml)\\s+# the manifest above").matcher(b.text());
          if (applyAbove.find()) {
            assertThat(pendingManifest).as("%s applies the manifest above", b.where()).isNotNull();
            script = script.replace("-f " + applyAbove.group(1), "-f " + pendingManifest);
            pendingManifest = null;
          }
          report.put(b.where(), "ran in " + run(b, script) + " s");
        }
        default ->
            throw new AssertionError(
                b.where()
                    + ": a ```"
                    + b.language()
                    + " block is neither run (sh, yaml) nor listed in DocsE2E.NOT_RUN");
      }
    }
    // the install with watchNamespaces and two replicas: the first release goes first
    for (Block b : deferred) {
      uninstall().orThrow();
      OperatorRelease.removeCrd();
      for (String team : List.of(teamA, teamB)) {
        Cluster.client()
            .namespaces()
            .resource(
                new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                    .withNewMetadata()
                    .withName(team)
                    .endMetadata()
                    .build())
            .create();
      }
      long seconds =
          run(
              b,
              rewrite(b.text())
                  + "kubectl -n "
                  + operatorNs
                  + " rollout status deployment/"
                  + RELEASE
                  + " --timeout=3m\n");
      var d = Cluster.client().apps().deployments().inNamespace(operatorNs).withName(RELEASE).get();
      assertThat(d.getStatus().getReadyReplicas()).as("%s: replicas=2", b.where()).isEqualTo(2);
      for (String team : List.of(teamA, teamB)) {
        assertThat(Cluster.client().rbac().roles().inNamespace(team).list().getItems())
            .as("%s: a Role in the watched namespace %s", b.where(), team)
            .isNotEmpty();
      }
      report.put(b.where(), "ran in " + seconds + " s (after the other blocks)");
    }
    System.out.println("DocsE2E blocks:");
    report.forEach((k, v) -> System.out.println("  " + k + ": " + v));
  }

  private Cmd.Result uninstall() {
    return Cmd.run(
        Duration.ofMinutes(2),
        helm,
        "uninstall",
        RELEASE,
        "--namespace",
        operatorNs,
        "--kubeconfig",
        Cluster.KUBECONFIG.toString(),
        "--ignore-not-found",
        "--wait");
  }

  /** Runs the block's script, asserts what the page says it prints; returns its seconds. */
  private long run(Block b, String script) {
    long t0 = System.nanoTime();
    Cmd.Result r = bash(script);
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    // namespaces the docs' commands created: labelled so that stage 80 removes them after an
    // interrupted run
    for (String n : List.of(ns, operatorNs)) {
      var namespace = Cluster.client().namespaces().withName(n);
      if (namespace.get() != null) {
        namespace.edit(
            x -> {
              x.getMetadata().getLabels().put("app.kubernetes.io/part-of", "cephaloproxy-e2e");
              return x;
            });
      }
    }
    assertThat(r.exit())
        .as(
            "%s failed (exit %d):%n%s%nstdout:%n%s%nstderr:%n%s",
            b.where(), r.exit(), script, r.out(), r.err())
        .isZero();
    Matcher prints = Pattern.compile("prints `([^`]+)`").matcher(b.after());
    while (prints.find()) {
      assertThat(r.out().lines().map(String::strip).toList())
          .as("%s: the page says it prints %s; stdout:%n%s", b.where(), prints.group(1), r.out())
          .contains(prints.group(1));
    }
    return seconds;
  }
}
