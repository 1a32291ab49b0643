package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
  static LocalApiServer server;
  static Path kubeconfig;

  @BeforeAll
  static void startApiServer() throws Exception {
    server = LocalApiServer.start(dir);
    kubeconfig = server.kubeconfig();
    assertThat(kubectl(null, "apply", "--server-side", "-f", Repo.CRD.toString()).exit()).isZero();
    assertThat(
            kubectl(
                    null,
                    "wait",
                    "--for=condition=Established",
                    "--timeout=60s",
                    "crd/squidproxies.cephaloproxy.io")
                .exit())
        .isZero();
    for (String ns :
        List.of("demo", "team-a", "team-b", "cephaloproxy-system", "argocd", "ops-leases")) {
      kubectl(null, "create", "namespace", ns);
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    server.close();
  }

  @Test
  void docsManifestsPassServerSideDryRun() throws Exception {
    int checked = 0;
    for (Markdown.Block b : DocsTest.blocks("yaml")) {
      for (Map<String, Object> doc : Yaml.documents(b.text())) {
        String apiVersion = (String) doc.get("apiVersion");
        if (apiVersion.startsWith("argoproj.io/")
            || apiVersion.startsWith("operators.coreos.com/")) {
          continue; // Argo CD's and OLM's CRDs are not installed here; DocsTest checks these
          // objects
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
  @ValueSource(
      strings = {
        "",
        "watchNamespaces: [team-a, team-b]\nreplicas: 3\nleaderElection: {namespace: ops-leases}\n"
            + "metrics: {service: {enabled: true}}\n"
      })
  void chartObjectsPassServerSideDryRun(String values) throws Exception {
    Map<String, Object> v =
        values.isEmpty() ? Map.of() : DocsTest.flatten("", Yaml.documents(values).get(0));
    Result r = kubectl(Chart.template(v), "apply", "--dry-run=server", "-f", "-");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("deployment.apps/cp-cephaloproxy-operator created (server dry run)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{port: 8080}",
        "{port: 3129, replicas: 2}",
        "{access: {allowedClientCIDRs: [\"10.0.0.0/8\", \"fd00::/8\"]}}",
        "{access: {allowedClientCIDRs: [\"10.0.0.1/8\"]}}",
        "{access: {allowedDomains: [\".example.com\", \"api.example.org\"]}}",
        "{access: {allowedDomains: [\"*.example.com\"]}}",
        "{access: {mode: Block}}",
        "{cache: {type: Memory, memory: {size: 256Mi}}}",
        "{cache: {type: Memory, memory: {size: 512Ki}}}",
        "{cache: {type: Disk}}",
        "{sslBump: {enabled: true}}",
        "{sslBump: {enabled: true, caSecret: {name: ca}}}",
        "{sslBump: {enabled: true, caSecret: {name: ca}, policy: PeekAndSplice, spliceDomains: [\".bank.example\"]}}",
        "{upstream: {host: \"proxy.corp.example\", port: 8080}}",
        "{upstream: {host: \"bad host\"}}",
        "{colour: blue}",
        "{workers: 17}",
        "{extraConfig: \"cache_effective_user nobody\"}"
      })
  void crdSchemaAgreesWithTheApiServer(String spec) throws Exception {
    String manifest =
        "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata: {name: probe, namespace: demo}\nspec: "
            + spec
            + "\n";
    Result server = kubectl(manifest, "apply", "--dry-run=server", "-f", "-");
    List<String> ours = CrdSchema.load(Repo.CRD).validate(Yaml.documents(manifest).get(0));
    assertThat(ours.isEmpty())
        .as("server: %s%nours: %s", server.output(), ours)
        .isEqualTo(server.exit() == 0);
  }

  // --- helpers

  record Result(int exit, String output) {}

  static Result kubectl(String stdin, String... args) throws IOException, InterruptedException {
    LocalApiServer.Result r = server.kubectl(stdin, args);
    return new Result(r.exit(), r.output());
  }
}
