package io.cephaloproxy.tests.install;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Validates a SquidProxy manifest against the CRD the way the API server does on create: schema
 * defaults applied first, then the structural OpenAPI v3 schema (types, required, enum, bounds,
 * lengths, patterns, list sizes, int-or-string, preserve-unknown-fields), unknown fields (rejected,
 * as `kubectl apply`'s default strict field validation does) and the CEL rules
 * (x-kubernetes-validations, see {@link CelEvaluator}). ApiServerDryRunIT checks that it agrees
 * with a real API server.
 */
final class CrdSchema {
  private final String group;
  private final Map<String, Map<String, Object>> versions; // served version -> openAPIV3Schema
  private final String kind;

  private CrdSchema(Map<String, Object> crd) {
    this.group = Yaml.at(crd, "spec", "group");
    this.kind = Yaml.at(crd, "spec", "names", "kind");
    this.versions = new java.util.LinkedHashMap<>();
    List<Map<String, Object>> vs = Yaml.at(crd, "spec", "versions");
    for (Map<String, Object> v : vs) {
      if (Boolean.TRUE.equals(v.get("served"))) {
        versions.put((String) v.get("name"), Yaml.at(v, "schema", "openAPIV3Schema"));
      }
    }
  }

  static CrdSchema load() {
    return load(Repo.CRD);
  }

  static CrdSchema load(Path crdFile) {
    return new CrdSchema(Yaml.single(crdFile));
  }

  String kind() {
    return kind;
  }

  boolean handles(Map<String, Object> manifest) {
    String apiVersion = (String) manifest.get("apiVersion");
    return kind.equals(manifest.get("kind"))
        && apiVersion != null
        && apiVersion.startsWith(group + "/");
  }

  /** The violations, each naming the field path; empty when the manifest is valid. */
  @SuppressWarnings("unchecked")
  List<String> validate(Map<String, Object> original) {
    // like the API server: defaults first, then validation (CEL rules see defaulted values)
    Map<String, Object> manifest = new java.util.LinkedHashMap<>(original);
    List<String> errors = new ArrayList<>();
    String apiVersion = String.valueOf(manifest.get("apiVersion"));
    if (!kind.equals(manifest.get("kind"))) {
      errors.add("kind: expected " + kind + ", got " + manifest.get("kind"));
      return errors;
    }
    String version =
        apiVersion.startsWith(group + "/") ? apiVersion.substring(group.length() + 1) : null;
    Map<String, Object> schema = version == null ? null : versions.get(version);
    if (schema == null) {
      errors.add(
          "apiVersion: "
              + apiVersion
              + " is not served (served: "
              + group
              + "/"
              + versions.keySet()
              + ")");
      return errors;
    }
    Object name = Yaml.at(manifest, "metadata", "name");
    Object generateName = Yaml.at(manifest, "metadata", "generateName");
    if (!(name instanceof String n && n.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?"))
        && generateName == null) {
      errors.add("metadata.name: required, a DNS subdomain (got " + name + ")");
    }
    Map<String, Object> props = Yaml.at(schema, "properties");
    for (Map.Entry<String, Object> e : manifest.entrySet()) {
      String key = e.getKey();
      if (key.equals("apiVersion") || key.equals("kind") || key.equals("metadata")) {
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> sub = props == null ? null : (Map<String, Object>) props.get(key);
      if (sub == null) {
        errors.add(key + ": unknown field");
      } else {
        check(key, withDefaults(e.getValue(), sub), sub, errors);
      }
    }
    List<String> required = Yaml.at(schema, "required");
    if (required != null) {
      for (String r : required) {
        if (!manifest.containsKey(r)) {
          errors.add(r + ": Required value");
        }
      }
    }
    return errors;
  }

  @SuppressWarnings("unchecked")
  private static void check(String path, Object value, Map<String, Object> s, List<String> errors) {
    if (value == null) {
      if (!Boolean.TRUE.equals(s.get("nullable"))) {
        errors.add(path + ": must not be null");
      }
      return;
    }
    if (Boolean.TRUE.equals(s.get("x-kubernetes-int-or-string"))) {
      if (!(value instanceof String) && !(value instanceof Integer || value instanceof Long)) {
        errors.add(path + ": must be an integer or a string");
        return;
      }
    } else {
      String type = (String) s.get("type");
      if (type != null && !hasType(value, type)) {
        errors.add(path + ": must be of type " + type + " (got " + describe(value) + ")");
        return;
      }
    }
    List<Object> enumValues = (List<Object>) s.get("enum");
    if (enumValues != null
        && enumValues.stream().noneMatch(v -> Objects.equals(norm(v), norm(value)))) {
      errors.add(path + ": Unsupported value: " + value + " (supported: " + enumValues + ")");
    }
    if (value instanceof String str) {
      Number min = (Number) s.get("minLength");
      Number max = (Number) s.get("maxLength");
      int len = str.codePointCount(0, str.length());
      if (min != null && len < min.intValue()) {
        errors.add(path + ": must be at least " + min + " characters long");
      }
      if (max != null && len > max.intValue()) {
        errors.add(path + ": may not be longer than " + max + " characters");
      }
      String pattern = (String) s.get("pattern");
      if (pattern != null && !Pattern.compile(pattern).matcher(str).find()) {
        errors.add(path + ": must match '" + pattern + "' (got '" + str + "')");
      }
    }
    if (value instanceof Number n && !(value instanceof String)) {
      Double min = number(s.get("minimum"));
      Double max = number(s.get("maximum"));
      boolean exMin = Boolean.TRUE.equals(s.get("exclusiveMinimum"));
      boolean exMax = Boolean.TRUE.equals(s.get("exclusiveMaximum"));
      double d = n.doubleValue();
      if (min != null && (exMin ? d <= min.doubleValue() : d < min.doubleValue())) {
        errors.add(path + ": must be greater than " + (exMin ? "" : "or equal to ") + min);
      }
      if (max != null && (exMax ? d >= max.doubleValue() : d > max.doubleValue())) {
        errors.add(path + ": must be less than " + (exMax ? "" : "or equal to ") + max);
      }
    }
    if (value instanceof List<?> list) {
      Number min = (Number) s.get("minItems");
      Number max = (Number) s.get("maxItems");
      if (min != null && list.size() < min.intValue()) {
        errors.add(path + ": must have at least " + min + " items");
      }
      if (max != null && list.size() > max.intValue()) {
        errors.add(path + ": must have at most " + max + " items");
      }
      if ("set".equals(s.get("x-kubernetes-list-type"))
          && new HashSet<>(list).size() != list.size()) {
        errors.add(path + ": duplicate entries in a set");
      }
      Map<String, Object> items = (Map<String, Object>) s.get("items");
      if (items != null) {
        for (int i = 0; i < list.size(); i++) {
          check(path + "[" + i + "]", list.get(i), items, errors);
        }
      }
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> props = (Map<String, Object>) s.get("properties");
      Object additional = s.get("additionalProperties");
      boolean preserve = Boolean.TRUE.equals(s.get("x-kubernetes-preserve-unknown-fields"));
      Number maxProps = (Number) s.get("maxProperties");
      if (maxProps != null && map.size() > maxProps.intValue()) {
        errors.add(path + ": must have at most " + maxProps + " properties");
      }
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        String sub = path + "." + key;
        if (props != null && props.containsKey(key)) {
          check(sub, e.getValue(), (Map<String, Object>) props.get(key), errors);
        } else if (additional instanceof Map<?, ?> addSchema) {
          check(sub, e.getValue(), (Map<String, Object>) addSchema, errors);
        } else if (!preserve
            && !Boolean.TRUE.equals(additional)
            && !Boolean.TRUE.equals(s.get("x-kubernetes-embedded-resource"))) {
          errors.add(sub + ": unknown field");
        }
      }
      List<String> required = (List<String>) s.get("required");
      if (required != null) {
        for (String r : required) {
          if (!map.containsKey(r)) {
            errors.add(path + "." + r + ": Required value");
          }
        }
      }
    }
    List<Map<String, Object>> rules = (List<Map<String, Object>>) s.get("x-kubernetes-validations");
    if (rules != null && errors.stream().noneMatch(e -> e.startsWith(path))) {
      for (Map<String, Object> rule : rules) {
        String failure = CelEvaluator.check((String) rule.get("rule"), value);
        if (failure != null) {
          errors.add(
              path
                  + ": "
                  + (failure.equals("rule failed")
                      ? String.valueOf(
                          rule.getOrDefault("message", "failed rule: " + rule.get("rule")))
                      : failure + ": " + rule.get("rule")));
        }
      }
    }
    for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
      List<Map<String, Object>> parts = (List<Map<String, Object>>) s.get(combinator);
      if (parts == null) {
        continue;
      }
      int ok = 0;
      List<String> partErrors = new ArrayList<>();
      for (Map<String, Object> part : parts) {
        List<String> pe = new ArrayList<>();
        checkConstraintsOnly(path, value, part, pe);
        if (pe.isEmpty()) {
          ok++;
        }
        partErrors.addAll(pe);
      }
      if (combinator.equals("allOf") && ok != parts.size()
          || combinator.equals("anyOf") && ok == 0
          || combinator.equals("oneOf") && ok != 1) {
        errors.add(path + ": does not satisfy " + combinator + ": " + partErrors);
      }
    }
  }

  /** A copy of value with the schema's defaults filled in where fields are absent, recursively. */
  @SuppressWarnings("unchecked")
  static Object withDefaults(Object value, Map<String, Object> s) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new java.util.LinkedHashMap<>((Map<String, Object>) map);
      Map<String, Object> props = (Map<String, Object>) s.getOrDefault("properties", Map.of());
      for (Map.Entry<String, Object> p : props.entrySet()) {
        Map<String, Object> ps = (Map<String, Object>) p.getValue();
        if (!out.containsKey(p.getKey()) && ps.containsKey("default")) {
          out.put(p.getKey(), Yaml.MAPPER.convertValue(ps.get("default"), Object.class));
        }
        if (out.containsKey(p.getKey())) {
          out.put(p.getKey(), withDefaults(out.get(p.getKey()), ps));
        }
      }
      return out;
    }
    if (value instanceof List<?> list && s.get("items") instanceof Map<?, ?> items) {
      return list.stream().map(x -> withDefaults(x, (Map<String, Object>) items)).toList();
    }
    return value;
  }

  /** allOf/anyOf/oneOf parts in structural schemas carry constraints only (no new fields). */
  @SuppressWarnings("unchecked")
  private static void checkConstraintsOnly(
      String path, Object value, Map<String, Object> part, List<String> errors) {
    Map<String, Object> copy = new java.util.HashMap<>(part);
    copy.remove("properties");
    copy.put("x-kubernetes-preserve-unknown-fields", true);
    check(path, value, copy, errors);
    Map<String, Object> props = (Map<String, Object>) part.get("properties");
    if (props != null && value instanceof Map<?, ?> map) {
      for (Map.Entry<String, Object> e : props.entrySet()) {
        if (map.containsKey(e.getKey())) {
          checkConstraintsOnly(
              path + "." + e.getKey(),
              map.get(e.getKey()),
              (Map<String, Object>) e.getValue(),
              errors);
        }
      }
    }
  }

  /** A bound from the schema; YAML 1.1 reads "2.147483647E9" as a string, Go's YAML as a number. */
  private static Double number(Object v) {
    return v == null
        ? null
        : v instanceof Number n ? n.doubleValue() : Double.valueOf(v.toString());
  }

  private static Object norm(Object v) {
    return v instanceof Number n ? (Object) n.doubleValue() : v;
  }

  private static boolean hasType(Object v, String type) {
    return switch (type) {
      case "object" -> v instanceof Map;
      case "array" -> v instanceof List;
      case "string" -> v instanceof String;
      case "boolean" -> v instanceof Boolean;
      case "integer" ->
          v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger;
      case "number" -> v instanceof Number;
      default -> true;
    };
  }

  private static String describe(Object v) {
    return v instanceof Map
        ? "object"
        : v instanceof List ? "array" : v.getClass().getSimpleName() + " " + v;
  }
}
