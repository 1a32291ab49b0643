package io.cephaloproxy.tests.install;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * docs/reference.md from the CRD: one table per object of the schema (field, type, default,
 * validation, description), the CEL rules with their messages, the printer columns.
 */
final class ReferenceGenerator {
  /** Kubernetes types embedded as is: documented by `kubectl explain pod.spec...`, not expanded. */
  static final Set<String> KUBERNETES_TYPES =
      Set.of(
          "spec.affinity",
          "spec.tolerations",
          "spec.topologySpreadConstraints",
          "spec.resources",
          "spec.imagePullSecrets");

  private ReferenceGenerator() {}

  static String markdown() {
    Map<String, Object> crd = Yaml.single(Repo.CRD);
    String kind = Yaml.at(crd, "spec", "names", "kind");
    String group = Yaml.at(crd, "spec", "group");
    StringBuilder md = new StringBuilder();
    md.append("<!-- GENERATED from crds/")
        .append(Repo.CRD.getFileName())
        .append(
            " by tests/install ReferenceGenerator: do not edit; run scripts/sync-install-artifacts.sh -->\n");
    md.append("# ").append(kind).append(" reference\n\n");
    List<Map<String, Object>> versions = Yaml.at(crd, "spec", "versions");
    for (Map<String, Object> v : versions) {
      String apiVersion = group + "/" + v.get("name");
      md.append("`apiVersion: ")
          .append(apiVersion)
          .append("`, `kind: ")
          .append(kind)
          .append("`, namespaced; short name `")
          .append(String.join("`, `", Yaml.<List<String>>at(crd, "spec", "names", "shortNames")))
          .append("`. Every field below is also shown by `kubectl explain ")
          .append(Yaml.<String>at(crd, "spec", "names", "singular"))
          .append(".spec`.\n\n");
      md.append(
              "Validation happens in the API server: the types, bounds and patterns below, and the ")
          .append(
              "rules listed under each object (CEL), each with the message a rejected `kubectl apply` prints.\n\n");
      List<Map<String, Object>> columns = Yaml.at(v, "additionalPrinterColumns");
      if (columns != null) {
        md.append("## `kubectl get ")
            .append(Yaml.<String>at(crd, "spec", "names", "plural"))
            .append("`\n\n");
        md.append("| Column | Value | Shown |\n| --- | --- | --- |\n");
        for (Map<String, Object> c : columns) {
          md.append("| ")
              .append(c.get("name"))
              .append(" | `")
              .append(c.get("jsonPath"))
              .append("` | ")
              .append(
                  Integer.valueOf(0).equals(c.getOrDefault("priority", 0))
                      ? "always"
                      : "with `-o wide`")
              .append(" |\n");
        }
        md.append('\n');
      }
      Map<String, Object> schema = Yaml.at(v, "schema", "openAPIV3Schema");
      object(md, "spec", Yaml.at(schema, "properties", "spec"));
      object(md, "status", Yaml.at(schema, "properties", "status"));
    }
    return md.toString();
  }

  @SuppressWarnings("unchecked")
  private static void object(StringBuilder md, String path, Map<String, Object> schema) {
    if (schema == null) {
      return;
    }
    md.append("## `").append(path).append("`\n\n");
    if (schema.get("description") != null) {
      md.append(oneLine((String) schema.get("description"))).append("\n\n");
    }
    rules(md, path, schema);
    Map<String, Object> props = (Map<String, Object>) schema.get("properties");
    if (props == null || props.isEmpty()) {
      return;
    }
    List<String> required = (List<String>) schema.getOrDefault("required", List.of());
    md.append(
        "| Field | Type | Default | Validation | Description |\n| --- | --- | --- | --- | --- |\n");
    List<String[]> nested = new ArrayList<>();
    for (var e : props.entrySet()) {
      Map<String, Object> f = (Map<String, Object>) e.getValue();
      String fieldPath = path + "." + e.getKey();
      String anchor = null;
      Map<String, Object> itemSchema = (Map<String, Object>) f.get("items");
      boolean expand =
          !KUBERNETES_TYPES.contains(fieldPath)
              && ("object".equals(f.get("type")) && f.get("properties") != null
                  || itemSchema != null && itemSchema.get("properties") != null);
      if (expand) {
        anchor =
            itemSchema != null && itemSchema.get("properties") != null
                ? fieldPath + "[]"
                : fieldPath;
        nested.add(new String[] {anchor, e.getKey()});
      }
      String name = "`" + e.getKey() + "`" + (required.contains(e.getKey()) ? " (required)" : "");
      if (anchor != null) {
        name = "[" + name + "](#" + anchorOf(anchor) + ")";
      }
      md.append("| ")
          .append(name)
          .append(" | ")
          .append(type(f, fieldPath))
          .append(" | ")
          .append(
              f.containsKey("default")
                  ? "`" + cell(Yaml.toJson(f.get("default")).replaceAll("\\s+", " ")) + "`"
                  : "")
          .append(" | ")
          .append(validation(f))
          .append(" | ")
          .append(cell(oneLine((String) f.getOrDefault("description", ""))))
          .append(" |\n");
    }
    md.append('\n');
    for (String[] n : nested) {
      Map<String, Object> f = (Map<String, Object>) props.get(n[1]);
      if (n[0].endsWith("[]")) {
        Map<String, Object> items =
            new java.util.LinkedHashMap<>((Map<String, Object>) f.get("items"));
        items.putIfAbsent(
            "description", "Each item of `" + n[0].substring(0, n[0].length() - 2) + "`.");
        object(md, n[0], items);
      } else {
        object(md, n[0], f);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void rules(StringBuilder md, String path, Map<String, Object> schema) {
    List<Map<String, Object>> all = new ArrayList<>();
    List<Map<String, Object>> own =
        (List<Map<String, Object>>) schema.get("x-kubernetes-validations");
    if (own != null) {
      all.addAll(own);
    }
    Map<String, Object> props = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
    for (var e : props.entrySet()) {
      Map<String, Object> f = (Map<String, Object>) e.getValue();
      List<Map<String, Object>> fieldRules =
          (List<Map<String, Object>>) f.get("x-kubernetes-validations");
      if (fieldRules != null && !"object".equals(f.get("type"))) {
        all.addAll(fieldRules);
      }
    }
    if (all.isEmpty()) {
      return;
    }
    md.append("Rules:\n\n");
    for (Map<String, Object> r : all) {
      md.append("- ")
          .append(oneLine(String.valueOf(r.getOrDefault("message", r.get("rule")))))
          .append('\n');
    }
    md.append('\n');
  }

  @SuppressWarnings("unchecked")
  private static String type(Map<String, Object> f, String path) {
    if (Boolean.TRUE.equals(f.get("x-kubernetes-int-or-string"))) {
      return "integer or string";
    }
    String t = String.valueOf(f.getOrDefault("type", "any"));
    if (KUBERNETES_TYPES.contains(path)) {
      return t + " (Kubernetes, see `kubectl explain pod.spec`)";
    }
    if ("array".equals(t) && f.get("items") instanceof Map<?, ?> items) {
      return "[]" + ((Map<String, Object>) items).getOrDefault("type", "any");
    }
    if ("object".equals(t) && f.get("additionalProperties") instanceof Map<?, ?> add) {
      Object at = ((Map<String, Object>) add).get("type");
      return "map[string]" + (at == null ? "integer or string" : at);
    }
    return t;
  }

  @SuppressWarnings("unchecked")
  private static String validation(Map<String, Object> f) {
    List<String> v = new ArrayList<>();
    if (f.get("enum") != null) {
      v.add(
          "one of "
              + String.join(
                  ", ", ((List<Object>) f.get("enum")).stream().map(x -> "`" + x + "`").toList()));
    }
    bound(v, f, "minimum", "≥ ");
    bound(v, f, "maximum", "≤ ");
    bound(v, f, "minLength", "length ≥ ");
    bound(v, f, "maxLength", "length ≤ ");
    bound(v, f, "minItems", "items ≥ ");
    bound(v, f, "maxItems", "items ≤ ");
    if (f.get("pattern") != null) {
      v.add("matches `" + f.get("pattern") + "`");
    }
    if (f.get("items") instanceof Map<?, ?> items) {
      Map<String, Object> i = (Map<String, Object>) items;
      bound(v, i, "maxLength", "each length ≤ ");
      if (i.get("pattern") != null) {
        v.add("each matches `" + i.get("pattern") + "`");
      }
    }
    return cell(String.join("; ", v));
  }

  private static void bound(List<String> out, Map<String, Object> f, String key, String prefix) {
    Object b = f.get(key);
    if (b != null) {
      double d = b instanceof Number n ? n.doubleValue() : Double.parseDouble(b.toString());
      out.add(prefix + (d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d)));
    }
  }

  static String anchorOf(String path) {
    return path.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 -]", "");
  }

  private static String oneLine(String s) {
    return s.strip().replaceAll("\\s*\\n\\s*", " ");
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("<", "&lt;");
  }
}
