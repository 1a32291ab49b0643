package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The names the docs mention in backticks exist: a field of the CRD (read from the committed CRD,
 * so it follows API changes), a value of the chart's values.yaml, a key of the agent's
 * runtime.properties, a condition or Event reason, a metric the agent exports, a label or
 * annotation the operator or chart writes, a port the code uses. Every {@code docs/*.md} and
 * README.md is scanned; a name that is none of these fails with the page, the line and what it
 * could not be found in.
 *
 * <p>The sources of truth are read from the committed files, never copied here: {@code crds/}, the
 * chart's values.yaml and templates, {@code AgentConfig.java} (runtime.properties keys), the
 * agent's metric names (its sources, and Squid's counters page as the test fixture records it), the
 * identifiers and string literals of the main sources (reasons, whatever enum or constants hold
 * them) and the upstream Kubernetes OpenAPI snapshot (fields and kinds of embedded types).
 */
class DocReferencesTest {

  // --- what a token is

  /** A field or value path: {@code access.allowedDomains}, {@code spec.port}, {@code a.b[]}. */
  private static final Pattern PATH =
      Pattern.compile("^[a-z][A-Za-z0-9]*(\\[\\])?(\\.[a-z][A-Za-z0-9]*(\\[\\])?)+$");

  /** A single camelCase name with a capital inside: {@code allowedPorts}, {@code logFormat}. */
  private static final Pattern CAMEL = Pattern.compile("^[a-z]+[A-Z][A-Za-z0-9]*$");

  /** A PascalCase word: a reason, condition type, kind, enum value or class. */
  private static final Pattern PASCAL = Pattern.compile("^[A-Z][a-z]+[A-Z][A-Za-z0-9]*$");

  /** A metric of the agent. */
  private static final Pattern METRIC =
      Pattern.compile("^(squid|cephaloproxy_agent)_[a-z0-9_{},]+(\\{[a-z_,]*\\})?$");

  /** A label or annotation of this project, with an optional =value. */
  private static final Pattern LABEL =
      Pattern.compile(
          "^((?:[a-z0-9-]+\\.)*cephaloproxy\\.io|app\\.kubernetes\\.io)/([a-z0-9-]+)(=(.*))?$");

  /** {@code key: value} as the docs write a setting. */
  private static final Pattern SETTING = Pattern.compile("^([A-Za-z][A-Za-z0-9.\\[\\]]*): .+$");

  /** File names: a dotted token ending in one of these is a file, not a field. */
  private static final Set<String> FILE_EXTENSIONS =
      Set.of(
          "md",
          "yaml",
          "yml",
          "json",
          "sh",
          "conf",
          "properties",
          "lua",
          "txt",
          "log",
          "pub",
          "env",
          "mod",
          "sum",
          "crt",
          "key",
          "pem",
          "jar",
          "d",
          "pid",
          "xml",
          "java",
          "go",
          "tpl",
          "toml",
          "jsa",
          "css",
          "html",
          "tgz",
          "gz");

  /** Dotted names that are domains or Java packages, by their first or last segment. */
  private static final Set<String> DOMAIN_ENDS = Set.of("io", "com", "org", "local", "net", "dev");

  private static final Set<String> PACKAGE_STARTS =
      Set.of("io", "java", "jdk", "sun", "com", "org");

  /**
   * Names in the docs that are none of the project's own, each with why it is mentioned. A name
   * added to a page that is not in a source of truth must be added here, with its reason.
   */
  private static final Map<String, String> OTHER_NAMES =
      Map.ofEntries(
          Map.entry("my.proxy", "troubleshooting/api: an invalid SquidProxy name, as the example"),
          Map.entry("string.format", "testing.md: a Lua function Argo CD's engine lacks"),
          Map.entry("referenced.MetadataOnly", "operator.md: a Java class (package referenced)"),
          Map.entry("requests.cpu", "a ResourceQuota key in an example of a quota rejection"),
          Map.entry("spec.cidrs", "api.md: a field of Kubernetes' ServiceCIDR (networking/v1)"),
          Map.entry("revisionHistoryLimit", "a Deployment field (apps/v1, not in the snapshot)"),
          Map.entry("progressDeadlineSeconds", "a Deployment field (apps/v1)"),
          Map.entry("maxUnavailable", "a Deployment/PDB field (apps/v1, policy/v1)"),
          Map.entry("maxSurge", "a Deployment strategy field (apps/v1)"),
          Map.entry("minAvailable", "a PodDisruptionBudget field (policy/v1)"),
          Map.entry("valuesObject", "Argo CD Application spec.source.helm.valuesObject"),
          Map.entry("ignoreDifferences", "Argo CD Application field"),
          Map.entry("syncPolicy", "Argo CD Application field"),
          Map.entry("serverSideApply", "Argo CD sync option"),
          Map.entry("targetRevision", "Argo CD Application field"),
          Map.entry("repoURL", "Argo CD Application field"),
          Map.entry("OutOfSync", "an Argo CD sync status"),
          Map.entry("extraArgs", "upgrading.md: a chart value removed in 0.1.0, named as removed"),
          Map.entry("isCA", "ssl-bump.md: a cert-manager Certificate field"),
          Map.entry("CapEff", "local-cluster.md: a line of /proc/PID/status"),
          Map.entry("ClassCastException", "testing.md: what kube-api-test throws"),
          Map.entry("KubeAPIServerConfigBuilder", "testing.md: a class of kube-api-test"),
          Map.entry("pluginManagement", "supply-chain.md: a Maven POM element"),
          Map.entry("RuntimeConfig", "local-cluster.md: a CRI call of the kubelet"),
          Map.entry("olm.targetNamespaces", "openshift.md: an annotation OLM writes"),
          Map.entry("olm.channel", "supply-chain.md: an OLM catalog schema"),
          Map.entry("installPlanApproval", "upgrading.md: an OLM Subscription field"),
          Map.entry("managedNamespaceMetadata", "gitops-argocd.md: an Argo CD sync policy field"),
          Map.entry("syncPolicy.automated.allowEmpty", "gitops-argocd.md: an Argo CD field"));

  // --- the sources of truth

  record Known(
      Set<String> crdPaths,
      Set<String> valuePaths,
      Set<String> mapValuePaths,
      Set<String> runtimeKeys,
      Set<String> kubernetesFields,
      Set<String> codeWords,
      Set<String> metrics,
      String codeText) {}

  static Known known() {
    Set<String> crd = new TreeSet<>();
    List<Map<String, Object>> versions = Yaml.at(Yaml.single(Repo.CRD), "spec", "versions");
    for (Map<String, Object> v : versions) {
      Map<String, Object> root = Yaml.at(v, "schema", "openAPIV3Schema", "properties");
      paths("", root, crd);
    }
    Set<String> values = new TreeSet<>();
    Set<String> mapValues = new TreeSet<>();
    valuePaths("", Yaml.single(Repo.CHART.resolve("values.yaml")), values, mapValues);

    Set<String> runtime = new TreeSet<>();
    Matcher rk =
        Pattern.compile("get(?:Path|Int|List)?\\(\"([a-zA-Z]+\\.[A-Za-z.]+)\"")
            .matcher(Repo.read(agentSource("AgentConfig.java")));
    while (rk.find()) {
      runtime.add(rk.group(1));
    }
    assertThat(runtime).as("runtime.properties keys in AgentConfig.java").contains("squid.port");

    Set<String> k8s = new TreeSet<>();
    Map<String, Object> openapi =
        Yaml.single(Repo.ROOT.resolve("api/src/test/resources/kubernetes-openapi.json"));
    propertyNames(openapi, k8s);
    // and every field of the objects the operator and the chart create, from Fabric8's model
    for (Class<?> kind :
        List.of(
            io.fabric8.kubernetes.api.model.Pod.class,
            io.fabric8.kubernetes.api.model.apps.Deployment.class,
            io.fabric8.kubernetes.api.model.Service.class,
            io.fabric8.kubernetes.api.model.Event.class,
            io.fabric8.kubernetes.api.model.ResourceQuota.class,
            io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class,
            io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class,
            io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class,
            io.fabric8.kubernetes.api.model.rbac.ClusterRole.class)) {
      modelFields(Yaml.JSON.constructType(kind), k8s, new java.util.HashSet<>());
    }
    assertThat(k8s)
        .as("fields of the Kubernetes model")
        .contains("runAsUser", "revisionHistoryLimit");

    StringBuilder code = new StringBuilder();
    for (String dir :
        List.of(
            "api/src/main/java",
            "operator/src/main/java",
            "compiler/src/main/java",
            "image/agent/src/main/java",
            "helm/cephaloproxy-operator/templates",
            "argocd",
            "bundle",
            "scripts",
            "tests",
            "api/src/test/java",
            "operator/src/test/java",
            "compiler/src/test/java",
            "image/agent/src/test/java")) {
      appendFiles(Repo.ROOT.resolve(dir), code);
    }
    code.append(Repo.read(Repo.ROOT.resolve("api/src/test/resources/kubernetes-openapi.json")));
    Set<String> words = new TreeSet<>();
    Matcher w = Pattern.compile("[A-Za-z][A-Za-z0-9]*").matcher(code);
    while (w.find()) {
      words.add(w.group());
    }

    Set<String> metrics = new TreeSet<>();
    StringBuilder agent = new StringBuilder();
    appendFiles(Repo.ROOT.resolve("image/agent/src/main/java"), agent);
    Matcher m = Pattern.compile("\"((?:squid|cephaloproxy_agent)_[a-z0-9_]+)\"").matcher(agent);
    while (m.find()) {
      metrics.add(m.group(1));
    }
    // the counters the agent turns into squid_<key>_total, in bytes and seconds
    // (Metrics.counterMetric), as Squid's cache manager lists them in the agent's recorded fixtures
    try (Stream<Path> fixtures = Files.walk(Repo.ROOT.resolve("image/agent/src/test/resources"))) {
      for (Path f : fixtures.filter(p -> p.endsWith("counters.txt")).toList()) {
        for (String line : Repo.read(f).split("\n")) {
          int eq = line.indexOf(" = ");
          if (eq > 0) {
            String key = line.substring(0, eq).strip();
            String name = "squid_" + key.replaceAll("[^a-zA-Z0-9_]", "_");
            if (key.equals("cpu_time")) {
              name = "squid_cpu_seconds_total";
            } else if (key.equals("cd.memory") || key.equals("cd.local_memory")) {
              name += "_bytes"; // a gauge
            } else if (key.contains("kbytes")) {
              name = name.replaceAll("_?kbytes_?", "_").replaceAll("_$", "") + "_bytes_total";
            } else {
              name += "_total";
            }
            metrics.add(name);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(metrics).as("metric names of the agent").contains("squid_up");
    return new Known(crd, values, mapValues, runtime, k8s, words, metrics, code.toString());
  }

  private static Path agentSource(String name) {
    return Repo.ROOT.resolve("image/agent/src/main/java/io/cephaloproxy/agent").resolve(name);
  }

  private static void appendFiles(Path dir, StringBuilder out) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .filter(Files::isRegularFile)
          .filter(p -> !p.toString().contains("/target/"))
          .filter(p -> p.toString().matches(".*\\.(java|yaml|yml|lua|tpl|go|json|sh|toml|conf)$"))
          .filter(p -> !p.endsWith("DocReferencesTest.java"))
          .forEach(p -> out.append(Repo.read(p)).append('\n'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static void paths(String prefix, Map<String, Object> properties, Set<String> out) {
    for (Map.Entry<String, Object> e : properties.entrySet()) {
      String path = prefix + e.getKey();
      out.add(path);
      Map<String, Object> schema = (Map<String, Object>) e.getValue();
      if (schema.get("properties") instanceof Map<?, ?> p) {
        paths(path + ".", (Map<String, Object>) p, out);
      }
      if (schema.get("items") instanceof Map<?, ?> items
          && items.get("properties") instanceof Map<?, ?> p) {
        out.add(path + "[]");
        paths(path + "[].", (Map<String, Object>) p, out);
        paths(path + ".", (Map<String, Object>) p, out);
      }
      if (schema.get("additionalProperties") instanceof Map<?, ?> ap
          && ap.get("properties") instanceof Map<?, ?> p) {
        paths(path + ".", (Map<String, Object>) p, out);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void valuePaths(
      String prefix, Map<String, Object> values, Set<String> out, Set<String> maps) {
    for (Map.Entry<String, Object> e : values.entrySet()) {
      String path = prefix + e.getKey();
      out.add(path);
      if (e.getValue() instanceof Map<?, ?> m) {
        if (m.isEmpty()) {
          maps.add(path); // a free-form map ({}): any key below it is the user's
        }
        valuePaths(path + ".", (Map<String, Object>) m, out, maps);
      }
    }
  }

  private static void modelFields(
      com.fasterxml.jackson.databind.JavaType type, Set<String> out, Set<Class<?>> seen) {
    if (type.isContainerType()) {
      if (type.getContentType() != null) {
        modelFields(type.getContentType(), out, seen);
      }
      return;
    }
    Class<?> raw = type.getRawClass();
    if (!raw.getName().startsWith("io.fabric8.kubernetes.api.model") || !seen.add(raw)) {
      return;
    }
    for (var p : Yaml.JSON.getSerializationConfig().introspect(type).findProperties()) {
      out.add(p.getName());
      modelFields(p.getPrimaryType(), out, seen);
    }
  }

  @SuppressWarnings("unchecked")
  private static void propertyNames(Object node, Set<String> out) {
    if (node instanceof Map<?, ?> m) {
      if (m.get("properties") instanceof Map<?, ?> p) {
        out.addAll((Set<String>) p.keySet());
      }
      m.values().forEach(v -> propertyNames(v, out));
    } else if (node instanceof List<?> l) {
      l.forEach(v -> propertyNames(v, out));
    }
  }

  // --- the pages

  record Mention(Path page, int line, String token) {
    String where() {
      return Repo.ROOT.relativize(page) + ":" + line;
    }
  }

  static List<Path> pages() throws IOException {
    List<Path> out = new ArrayList<>();
    out.add(Repo.ROOT.resolve("README.md"));
    try (Stream<Path> files = Files.list(Repo.DOCS)) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
    }
    return out;
  }

  /** Backticked spans outside fenced blocks, with their line. */
  static List<Mention> mentions(Path page) {
    List<Mention> out = new ArrayList<>();
    String[] lines = Repo.read(page).split("\n", -1);
    boolean fenced = false;
    StringBuilder para = new StringBuilder();
    int paraStart = 0;
    for (int i = 0; i <= lines.length; i++) {
      String line = i < lines.length ? lines[i] : "";
      if (line.startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      // spans may wrap over a line break: scan paragraph by paragraph
      if (line.isBlank() || i == lines.length) {
        Matcher m = Pattern.compile("`([^`]+)`").matcher(para);
        while (m.find()) {
          int line0 =
              paraStart + (int) para.substring(0, m.start()).chars().filter(c -> c == '\n').count();
          out.add(new Mention(page, line0 + 1, m.group(1).replace('\n', ' ').strip()));
        }
        para.setLength(0);
        paraStart = i + 1;
        continue;
      }
      para.append(line).append('\n');
    }
    return out;
  }

  // --- the check

  /** Why {@code token} does not resolve, or null when it names something that exists. */
  static String problem(String token, Known k) {
    Matcher setting = SETTING.matcher(token);
    if (setting.matches() && !token.contains("://")) {
      token = setting.group(1);
    }
    if (OTHER_NAMES.containsKey(token)) {
      return null;
    }
    Matcher label = LABEL.matcher(token);
    if (label.matches()) {
      String key = label.group(1) + "/" + label.group(2);
      if (key.equals("cephaloproxy.io/v1alpha1")) {
        return null; // the API version
      }
      if (!k.codeText().contains(key)) {
        return "label/annotation " + key + " is not written by the operator, chart or tests";
      }
      String value = label.group(4);
      if (value != null
          && value.matches("[a-z0-9][a-z0-9.-]*")
          && !Pattern.compile("(?<![\\w.-])" + Pattern.quote(value) + "(?![\\w.-])")
              .matcher(k.codeText())
              .find()) {
        return "label value " + value + " of " + key + " is not in the code";
      }
      return null;
    }
    if (METRIC.matcher(token).matches()) {
      for (String name : expandMetric(token)) {
        if (!k.metrics().contains(name)) {
          return "metric " + name + " is not exported by the agent (image/agent)";
        }
      }
      return null;
    }
    if (PATH.matcher(token).matches()) {
      String[] parts = token.split("\\.");
      String last = parts[parts.length - 1];
      if (FILE_EXTENSIONS.contains(last)
          || DOMAIN_ENDS.contains(last)
          || PACKAGE_STARTS.contains(parts[0])) {
        return null; // a file, a domain or a Java package
      }
      return resolvesAsPath(token, k) || verbatimInCode(token, k)
          ? null
          : "field "
              + token
              + " is neither in the CRD, the chart's values, runtime.properties nor"
              + " a Kubernetes field";
    }
    if (CAMEL.matcher(token).matches()) {
      String t = token;
      boolean found =
          k.crdPaths().stream().anyMatch(p -> p.equals(t) || p.endsWith("." + t))
              || k.valuePaths().stream().anyMatch(p -> p.equals(t) || p.endsWith("." + t))
              || k.kubernetesFields().contains(t)
              || k.codeWords().contains(t);
      return found ? null : "name " + token + " is in no field, value or source of the project";
    }
    if (PASCAL.matcher(token).matches()) {
      return k.codeWords().contains(token)
          ? null
          : "reason/kind " + token + " is in no source of the project (reasons: api and operator)";
    }
    return null;
  }

  static boolean resolvesAsPath(String token, Known k) {
    String t = token.replaceFirst("^spec\\.", "spec.").replace("[]", "[]");
    if (k.crdPaths().contains(t)
        || k.crdPaths().stream().anyMatch(p -> p.endsWith("." + t))
        || k.crdPaths().contains(t.replace("[]", ""))
        || k.crdPaths().stream().anyMatch(p -> p.endsWith("." + t.replace("[]", "")))) {
      return true;
    }
    if (k.valuePaths().contains(t)
        || k.valuePaths().stream().anyMatch(p -> p.endsWith("." + t))
        || k.mapValuePaths().stream().anyMatch(m -> t.startsWith(m + "."))
        || k.runtimeKeys().contains(t)) {
      return true;
    }
    // a path of a Kubernetes object: every segment a field of the upstream schema
    for (String seg : t.replace("[]", "").split("\\.")) {
      if (!k.kubernetesFields().contains(seg) && !seg.equals("metadata")) {
        return false;
      }
    }
    return true;
  }

  /**
   * A dotted name the project's own files spell out whole (an OLM annotation of the bundle, a key a
   * script writes): {@code access.allowedDomain} does not match {@code access.allowedDomains}.
   */
  static boolean verbatimInCode(String token, Known k) {
    return Pattern.compile("(?<![\\w.])" + Pattern.quote(token) + "(?![\\w])")
        .matcher(k.codeText())
        .find();
  }

  /** {@code a_{x,y}_b} → a_x_b, a_y_b; a trailing {labels} is dropped. */
  static List<String> expandMetric(String token) {
    String t = token.replaceFirst("\\{[a-z_,]*\\}$", "");
    Matcher brace = Pattern.compile("\\{([a-z_,]+)\\}").matcher(t);
    if (!brace.find()) {
      return List.of(t);
    }
    List<String> out = new ArrayList<>();
    for (String alt : brace.group(1).split(",")) {
      out.addAll(expandMetric(t.substring(0, brace.start()) + alt + t.substring(brace.end())));
    }
    return out;
  }

  /** "port 8080", "port (8080", "ports `3128`" in prose, and host:port in backticks. */
  private static final Pattern PORT_MENTION =
      Pattern.compile("(?i)\\bports?\\s+\\(?`?(\\d{2,5})\\b|`[^`\\s]*[a-z.>\\]]:(\\d{2,5})[/`]");

  /**
   * Every port a page names is one the code, the chart, the CRD or the scripts use: a port number
   * that appears in none of them is a stale or mistyped one.
   */
  @Test
  void everyPortTheDocsNameIsUsed() throws IOException {
    StringBuilder code = new StringBuilder(known().codeText());
    code.append(Repo.read(Repo.CRD)).append(Repo.read(Repo.CHART.resolve("values.yaml")));
    try (Stream<Path> scripts = Files.walk(Repo.ROOT.resolve("scripts"))) {
      scripts
          .filter(p -> p.toString().endsWith(".sh"))
          .forEach(p -> code.append(Repo.read(p)).append('\n'));
    }
    Set<String> numbers = new TreeSet<>();
    Matcher n = Pattern.compile("(?<![\\w.])\\d{2,5}(?![\\w.])").matcher(code);
    while (n.find()) {
      numbers.add(n.group());
    }
    Set<String> problems = new LinkedHashSet<>();
    int checked = 0;
    for (Path page : pages()) {
      String[] lines = Repo.read(page).split("\n");
      boolean fenced = false;
      for (int i = 0; i < lines.length; i++) {
        if (lines[i].startsWith("```")) {
          fenced = !fenced;
          continue;
        }
        Matcher m = PORT_MENTION.matcher(lines[i]);
        while (!fenced && m.find()) {
          String port = m.group(1) != null ? m.group(1) : m.group(2);
          checked++;
          if (!numbers.contains(port)) {
            problems.add(
                Repo.ROOT.relativize(page) + ":" + (i + 1) + ": port " + port + " is used nowhere");
          }
        }
      }
    }
    assertThat(checked).as("port mentions scanned").isGreaterThan(8);
    assertThat(problems).as("ports the docs name that the code does not use").isEmpty();
  }

  /** The check itself: names that exist pass, near misses and stale names fail. */
  @Test
  void theCheckTellsExistingNamesFromMadeUpOnes() {
    Known k = known();
    for (String ok :
        List.of(
            "spec.access.allowedDomains",
            "access.allowedDomains",
            "mode: Enforce",
            "status.conditions[]",
            "watchNamespaces",
            "metrics.podMonitor.enabled",
            "podSecurityContext.runAsUser",
            "health.port",
            "squid_up",
            "squid_client_http_requests_total",
            "cephaloproxy.io/config-hash",
            "app.kubernetes.io/managed-by=cephaloproxy-operator",
            "InvalidSpec",
            "ConfigValid")) {
      assertThat(problem(ok, k)).as(ok).isNull();
    }
    for (String bad :
        List.of(
            "spec.access.allowedDomain",
            "access.allowedDomain",
            "networkPolicy.egress",
            "logFormatt: json",
            "watchNamespace",
            "squid_requests_total",
            "cephaloproxy.io/config-digest",
            "app.kubernetes.io/managed-by=squid-operator",
            "ScaledToZero",
            "NotAvailable")) {
      assertThat(problem(bad, k)).as(bad).isNotNull();
    }
  }

  @Test
  void everyNameTheDocsMentionExists() throws IOException {
    Known k = known();
    Set<String> problems = new LinkedHashSet<>();
    int checked = 0;
    for (Path page : pages()) {
      for (Mention m : mentions(page)) {
        checked++;
        String p = problem(m.token(), k);
        if (p != null) {
          problems.add(m.where() + ": `" + m.token() + "`: " + p);
        }
      }
    }
    assertThat(checked).as("backticked names scanned").isGreaterThan(1000);
    assertThat(problems)
        .as(
            "names in the docs that do not exist: fix the page, or, for a name that is not the"
                + " project's, add it with its reason to DocReferencesTest.OTHER_NAMES")
        .isEmpty();
  }
}
