package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user docs: the reference is generated from the CRD; every manifest is valid (SquidProxy
 * against the CRD schema, Kubernetes kinds strictly through Fabric8's model, Argo CD objects
 * against the chart and the health check); every helm command's values pass the chart's schema;
 * files and links named exist; the SSL-bump guide's commands run.
 */
class DocsTest {
  /** The pages this suite owns; other pages are checked by their owners' suites. */
  static final List<String> PAGES =
      List.of(
          "index.md",
          "quickstart.md",
          "reference.md",
          "ssl-bump.md",
          "openshift.md",
          "gitops-argocd.md",
          "troubleshooting.md",
          "upgrading.md");

  static final Path REFERENCE = InstallArtifacts.REFERENCE;

  @Test
  void referenceIsGeneratedFromTheCrd() {
    Repo.assertGenerated(REFERENCE, ReferenceGenerator.markdown());
  }

  @Test
  void rbacTablesAreGeneratedFromTheRules() {
    Repo.assertGenerated(InstallArtifacts.OPERATOR_DOC, InstallArtifacts.operatorRbacTables());
  }

  @Test
  void referenceDocumentsEveryFieldOfTheSpec() {
    String md = Repo.read(REFERENCE);
    List<Map<String, Object>> versions = Yaml.at(Yaml.single(Repo.CRD), "spec", "versions");
    Map<String, Object> spec =
        Yaml.at(versions.get(0), "schema", "openAPIV3Schema", "properties", "spec", "properties");
    assertThat(spec).isNotEmpty();
    for (String field : spec.keySet()) {
      assertThat(md).as("spec.%s in reference.md", field).contains("`" + field + "`");
    }
    assertThat(md).contains("## `spec.sslBump`").contains("## `status`");
  }

  @Test
  void indexLinksEveryPage() throws IOException {
    List<String> links = Markdown.links(Repo.DOCS.resolve("index.md"));
    try (Stream<Path> files = Files.list(Repo.DOCS)) {
      files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".md") && !n.equals("index.md"))
          .forEach(n -> assertThat(links).as("docs/index.md links %s", n).contains(n));
    }
  }

  @TestFactory
  Stream<DynamicTest> linksResolve() {
    return PAGES.stream()
        .map(
            page ->
                DynamicTest.dynamicTest(
                    page,
                    () -> {
                      Path file = Repo.DOCS.resolve(page);
                      for (String link : Markdown.links(file)) {
                        if (link.matches("^[a-z]+:.*")) {
                          continue; // external
                        }
                        String[] parts = link.split("#", 2);
                        Path target =
                            parts[0].isEmpty()
                                ? file
                                : file.getParent().resolve(parts[0]).normalize();
                        assertThat(target).as("%s links %s", page, link).exists();
                        if (parts.length == 2 && target.toString().endsWith(".md")) {
                          assertThat(anchors(target))
                              .as("%s links %s", page, link)
                              .contains(parts[1]);
                        }
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> everyYamlBlockIsAValidManifest() {
    CrdSchema schema = CrdSchema.load();
    List<Markdown.Block> blocks = blocks("yaml");
    assertThat(blocks).hasSizeGreaterThan(8);
    return blocks.stream()
        .map(
            b ->
                DynamicTest.dynamicTest(
                    b.where(),
                    () -> {
                      List<Map<String, Object>> docs = Yaml.documents(b.text());
                      assertThat(docs).as(b.where()).isNotEmpty();
                      for (Map<String, Object> doc : docs) {
                        assertThat(doc)
                            .as(b.where())
                            .containsKeys("apiVersion", "kind", "metadata");
                        assertThat(Yaml.<String>at(doc, "metadata", "name"))
                            .as(b.where())
                            .isNotBlank();
                        if (schema.handles(doc)) {
                          assertThat(schema.validate(doc)).as(b.where()).isEmpty();
                          continue;
                        }
                        HasMetadata parsed =
                            Serialization.unmarshal(Yaml.toJson(doc), HasMetadata.class);
                        if (parsed instanceof GenericKubernetesResource generic) {
                          checkGeneric(b, generic, doc);
                        } else {
                          assertThat(StrictModel.unknownFields(parsed)).as(b.where()).isEmpty();
                          checkArgoCdConfigMap(b, doc);
                        }
                      }
                    }));
  }

  @Test
  void docsManifestsScriptPrintsEveryYamlBlock(@TempDir Path dir) throws Exception {
    String out =
        run(dir, List.of("bash", Repo.ROOT.resolve("scripts/docs-manifests.sh").toString()));
    List<Map<String, Object>> printed = Yaml.documents(out);
    List<Map<String, Object>> expected = new ArrayList<>();
    blocks("yaml").forEach(b -> expected.addAll(Yaml.documents(b.text())));
    assertThat(printed).isNotEmpty().isEqualTo(expected);
  }

  @TestFactory
  Stream<DynamicTest> helmCommandsInTheDocsUseValuesTheChartAccepts() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Markdown.Block b : blocks("sh")) {
      for (String cmd : Markdown.commands(b)) {
        if (cmd.matches("helm (install|upgrade|template) .*")) {
          tests.add(
              DynamicTest.dynamicTest(
                  b.where() + ": " + cmd,
                  () -> {
                    Matcher chart = Pattern.compile("\\s(\\./\\S+)").matcher(cmd);
                    assertThat(chart.find()).as("chart path in %s", cmd).isTrue();
                    assertThat(Repo.ROOT.resolve(chart.group(1)).normalize()).isEqualTo(Repo.CHART);
                    Chart.template(
                        setValues(cmd)); // throws with the schema's message when a value is bad
                  }));
        }
      }
    }
    assertThat(tests).isNotEmpty();
    return tests.stream();
  }

  private static final Pattern HEREDOC =
      Pattern.compile("cat > (\\S+) <<'(\\w+)'\\n(.*?)\\n\\2(\\n|$)", Pattern.DOTALL);

  /**
   * Every kubectl and helm command of the docs is accepted by the tool's own parser: run against an
   * API server address that refuses connections, a valid command gets as far as connecting (or as
   * reading a file the reader makes first), a wrong flag or subcommand fails before.
   */
  @TestFactory
  Stream<DynamicTest> kubectlAndHelmCommandsInTheDocsParse(@TempDir Path dir) throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: nobody, user: {token: none}}]
        contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]
        current-context: nowhere
        """);
    List<DynamicTest> tests = new ArrayList<>();
    for (Markdown.Block b : blocks("sh")) {
      if (b.info().equals("run-here")) {
        continue; // executed by sslBumpGuideCommandsRun
      }
      // files the block writes with a here-document (cat > FILE <<'END' ... END) exist for its
      // commands, in the test's directory
      Map<String, Path> written = new java.util.HashMap<>();
      Matcher heredoc = HEREDOC.matcher(b.text());
      while (heredoc.find()) {
        Path file = dir.resolve(Path.of(heredoc.group(1)).getFileName());
        Files.writeString(file, heredoc.group(3) + "\n");
        written.put(heredoc.group(1), file);
      }
      for (String cmd : Markdown.commands(b)) {
        for (String segment : cmd.split("\\s*(\\|\\||&&|\\||;)\\s*")) {
          String replaced = segment.replaceAll("\\s*&$", "").replace("<pod>", "basic-0");
          for (Map.Entry<String, Path> w : written.entrySet()) {
            replaced = replaced.replace("=" + w.getKey(), "=" + w.getValue());
          }
          String c = replaced;
          if (!c.startsWith("kubectl ") && !c.startsWith("helm ")) {
            continue;
          }
          tests.add(
              DynamicTest.dynamicTest(
                  b.where() + ": " + c,
                  () -> {
                    List<String> argv = new ArrayList<>(shellWords(c));
                    argv.set(
                        0, (c.startsWith("helm ") ? Tools.helm() : Tools.kubectl()).toString());
                    ProcessBuilder pb =
                        new ProcessBuilder(argv)
                            .directory(Repo.ROOT.toFile())
                            .redirectErrorStream(true)
                            .redirectInput(
                                ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                    pb.environment().put("KUBECONFIG", kubeconfig.toString());
                    Process p = pb.start();
                    String out =
                        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    assertThat(out)
                        .as(c)
                        .doesNotContainIgnoringCase("unknown flag")
                        .doesNotContainIgnoringCase("unknown command")
                        .doesNotContainIgnoringCase("unknown shorthand")
                        .doesNotContainIgnoringCase("invalid argument")
                        .doesNotContain("Usage:");
                    assertThat(out)
                        .as(c)
                        .containsAnyOf(
                            "127.0.0.1:1",
                            "does not exist",
                            "no objects passed",
                            "Kubernetes cluster unreachable");
                  }));
        }
      }
    }
    assertThat(tests).hasSizeGreaterThan(10);
    return tests.stream();
  }

  /** Splits a command line like a POSIX shell: quotes and backslashes, no expansions. */
  static List<String> shellWords(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (ch == '\'') {
        int end = line.indexOf('\'', i + 1);
        cur.append(line, i + 1, end);
        i = end;
        inWord = true;
      } else if (ch == '"') {
        int j = i + 1;
        for (; line.charAt(j) != '"'; j++) {
          if (line.charAt(j) == '\\' && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
            j++;
          }
          cur.append(line.charAt(j));
        }
        i = j;
        inWord = true;
      } else if (ch == '\\' && i + 1 < line.length()) {
        cur.append(line.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(ch)) {
        if (inWord) {
          words.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else {
        cur.append(ch);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(cur.toString());
    }
    return words;
  }

  /**
   * The operator's render command, as the troubleshooting page shows it, and on the quickstart's
   * allowlist.
   */
  @Test
  void renderCommandOfTheDocsShowsTheGeneratedConfig(@TempDir Path dir) throws Exception {
    Path jar = Repo.ROOT.resolve("operator/target/cephaloproxy-operator.jar");
    assertThat(jar)
        .as("build the operator first: mvn -B -ntp -pl operator -am install -DskipTests")
        .exists();
    List<String> renders = new ArrayList<>();
    for (Markdown.Block b : blocks("sh")) {
      Markdown.commands(b).stream()
          .filter(c -> c.startsWith("java -jar operator/target/cephaloproxy-operator.jar render"))
          .forEach(renders::add);
    }
    assertThat(renders).isNotEmpty();
    for (String cmd : renders) {
      ProcessBuilder pb =
          new ProcessBuilder(shellWords(cmd))
              .directory(Repo.ROOT.toFile())
              .redirectErrorStream(true);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("%s:%n%s", cmd, out).isZero();
      assertThat(Yaml.documents(out))
          .extracting(d -> d.get("kind"))
          .contains("ConfigMap", "Deployment", "Service");
      assertThat(out).contains("squid.conf");
    }
    // the quickstart's allowlist compiles into an ACL file with its domain
    Markdown.Block allowlist =
        blocks("yaml").stream()
            .filter(b -> b.file().endsWith("quickstart.md"))
            .filter(b -> b.text().contains("allowedDomains"))
            .findFirst()
            .orElseThrow();
    Path manifest = dir.resolve("allowlist.yaml");
    Files.writeString(manifest, allowlist.text());
    String out =
        run(dir, List.of("java", "-jar", jar.toString(), "render", "-f", manifest.toString()));
    Map<String, Object> configMap =
        Yaml.documents(out).stream()
            .filter(d -> "ConfigMap".equals(d.get("kind")))
            .findFirst()
            .orElseThrow();
    Map<String, String> data = Yaml.at(configMap, "data");
    assertThat(data.get("squid.conf")).contains("http_access");
    assertThat(data.entrySet())
        .anySatisfy(
            e -> {
              assertThat(e.getKey()).startsWith("acl-");
              assertThat(e.getValue().lines()).contains(".example.com");
            });
  }

  @Test
  void filesTheCommandsNameExist() {
    Pattern path =
        Pattern.compile("(?<![\\w/.])((?:examples|helm|bundle|argocd|scripts)/[\\w./-]+)");
    for (Markdown.Block b : blocks("sh")) {
      Matcher m = path.matcher(b.text());
      while (m.find()) {
        assertThat(Repo.ROOT.resolve(m.group(1))).as("%s names %s", b.where(), m.group(1)).exists();
      }
    }
  }

  @Test
  void sslBumpGuideCommandsRun(@TempDir Path dir) throws Exception {
    List<Markdown.Block> runnable =
        Markdown.blocks(Repo.DOCS.resolve("ssl-bump.md")).stream()
            .filter(b -> b.language().equals("sh") && b.info().equals("run-here"))
            .toList();
    assertThat(runnable).hasSizeGreaterThanOrEqualTo(4);
    StringBuilder script = new StringBuilder("set -euo pipefail\n");
    runnable.forEach(b -> script.append("# ").append(b.where()).append('\n').append(b.text()));
    String out = run(dir, List.of("bash", "-c", script.toString()));

    assertThat(out)
        .contains("CA:TRUE, pathlen:0")
        .contains("Certificate Sign, CRL Sign")
        .contains("site.crt: OK")
        .contains("trustedCertEntry");
    String text = run(dir, List.of("openssl", "x509", "-in", "squid-ca.crt", "-noout", "-text"));
    assertThat(text).contains("Subject: O = Example Corp, CN = Example Corp Egress Inspection CA");
    // the key belongs to the certificate: same public key
    assertThat(run(dir, List.of("openssl", "pkey", "-in", "squid-ca.key", "-pubout")))
        .isEqualTo(
            run(dir, List.of("openssl", "x509", "-in", "squid-ca.crt", "-noout", "-pubkey")));
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("squid-ca.key"))))
        .isEqualTo("rw-------");
    Secret secret =
        Serialization.unmarshal(
            Files.readString(dir.resolve("squid-ca-secret.yaml")), Secret.class);
    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(secret.getMetadata().getName()).isEqualTo("squid-ca");
    assertThat(
            new String(
                Base64.getDecoder().decode(secret.getData().get("tls.crt")),
                StandardCharsets.UTF_8))
        .isEqualTo(Files.readString(dir.resolve("squid-ca.crt")));
    // the Secret is the one the guide's SquidProxy names
    assertThat(
            blocks("yaml").stream()
                .filter(b -> b.file().endsWith("ssl-bump.md"))
                .flatMap(b -> Yaml.documents(b.text()).stream())
                .map(d -> Yaml.<String>at(d, "spec", "sslBump", "caSecret", "name")))
        .isNotEmpty()
        .containsOnly("squid-ca");
    String bundle = Files.readString(dir.resolve("ca-bundle-with-squid.pem"));
    assertThat(bundle).endsWith(Files.readString(dir.resolve("squid-ca.crt")));
  }

  // --- helpers

  static List<Markdown.Block> blocks(String language) {
    List<Markdown.Block> out = new ArrayList<>();
    for (String page : PAGES) {
      Markdown.blocks(Repo.DOCS.resolve(page)).stream()
          .filter(b -> b.language().equals(language))
          .forEach(out::add);
    }
    return out;
  }

  static List<String> anchors(Path md) {
    List<String> out = new ArrayList<>();
    for (String line : Repo.read(md).split("\n")) {
      if (line.startsWith("#")) {
        out.add(Markdown.anchor(line.replaceFirst("^#+", "")));
      }
    }
    return out;
  }

  /** Kinds Fabric8 has no model for: Argo CD and OLM objects. */
  static void checkGeneric(Markdown.Block b, GenericKubernetesResource r, Map<String, Object> doc) {
    switch (r.getKind()) {
      case "Application" -> {
        assertThat(r.getApiVersion()).isEqualTo("argoproj.io/v1alpha1");
        Map<String, Object> source = Yaml.at(doc, "spec", "source");
        assertThat(source).as(b.where()).containsKeys("repoURL", "targetRevision", "path");
        assertThat(Yaml.<Map<String, Object>>at(doc, "spec", "destination"))
            .containsKeys("server", "namespace");
        if (((String) source.get("repoURL")).contains("cephaloproxy/cephaloproxy")) {
          assertThat(Repo.ROOT.resolve((String) source.get("path")))
              .as(b.where())
              .isEqualTo(Repo.CHART);
          Map<String, Object> values = Yaml.at(source, "helm", "valuesObject");
          Chart.template(values == null ? Map.of() : flatten("", values));
        }
      }
      case "OperatorGroup", "Subscription", "CatalogSource" -> {
        assertThat(r.getApiVersion()).startsWith("operators.coreos.com/");
        if (r.getKind().equals("Subscription")) {
          Map<String, Object> spec = Yaml.at(doc, "spec");
          Map<String, Object> ann =
              Yaml.at(Yaml.single(Repo.BUNDLE.resolve("metadata/annotations.yaml")), "annotations");
          assertThat(spec.get("name"))
              .isEqualTo(ann.get("operators.operatorframework.io.bundle.package.v1"));
          assertThat(
                  ((String) ann.get("operators.operatorframework.io.bundle.channels.v1"))
                      .split(","))
              .contains((String) spec.get("channel"));
        }
      }
      default -> throw new AssertionError(b.where() + ": no check for kind " + r.getKind());
    }
  }

  static void checkArgoCdConfigMap(Markdown.Block b, Map<String, Object> doc) {
    if (!"argocd-cm".equals(Yaml.at(doc, "metadata", "name"))) {
      return;
    }
    String lua = Yaml.at(doc, "data", "resource.customizations.health.cephaloproxy.io_SquidProxy");
    assertThat(lua)
        .as("%s: the health check in argocd-cm", b.where())
        .isEqualTo(Repo.read(Repo.ARGOCD_HEALTH.resolve("health.lua")));
  }

  /** --set pairs of a helm command as dotted keys; {a,b} lists, integers and booleans typed. */
  static Map<String, Object> setValues(String cmd) {
    Map<String, Object> values = new LinkedHashMap<>();
    Matcher m = Pattern.compile("--set(?:=|\\s+)('([^']*)'|\"([^\"]*)\"|(\\S+))").matcher(cmd);
    while (m.find()) {
      String pair = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
      String[] kv = pair.split("=", 2);
      String v = kv[1];
      Object typed =
          v.startsWith("{") && v.endsWith("}")
              ? List.of(v.substring(1, v.length() - 1).split(","))
              : v.matches("-?\\d+")
                  ? (Object) Integer.valueOf(v)
                  : v.equals("true") || v.equals("false") ? (Object) Boolean.valueOf(v) : v;
      values.put(kv[0], typed);
    }
    return values;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> flatten(String prefix, Map<String, Object> nested) {
    Map<String, Object> out = new LinkedHashMap<>();
    nested.forEach(
        (k, v) -> {
          if (v instanceof Map<?, ?> m) {
            out.putAll(flatten(prefix + k + ".", (Map<String, Object>) m));
          } else {
            out.put(prefix + k, v);
          }
        });
    return out;
  }

  /**
   * Runs a command in dir with the kubectl the stages install on PATH; fails on a non-zero exit.
   */
  static String run(Path dir, List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("PATH", Tools.kubectl().getParent() + ":" + pb.environment().get("PATH"));
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("%s failed:\n%s", command, text).isZero();
    return text;
  }
}
