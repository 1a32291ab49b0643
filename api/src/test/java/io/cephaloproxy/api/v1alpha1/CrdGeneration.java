package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cephaloproxy.testsupport.RepoRoot;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates the committed CRD (crds/squidproxies.cephaloproxy.io-v1.yml): Fabric8's CRDGenerator on
 * {@link SquidProxy}, then three finishing steps the generator's annotations cannot express:
 *
 * <ul>
 *   <li>printer columns in the order people scan them ({@link #COLUMNS}; the generator sorts them
 *       by JSON path), without the default {@code priority: 0} the API server does not store;
 *   <li>{@code status.conditions} as a map list keyed by {@code type}, with metav1.Condition's
 *       validation;
 *   <li>descriptions of the embedded Kubernetes types (affinity, tolerations, resources, ...) and
 *       of the root, taken from the real API server's OpenAPI: the snapshot {@link #SNAPSHOT},
 *       which tests/apiserver's {@code UpstreamOpenApiIT} regenerates and checks for staleness.
 *       Nothing upstream is written by hand here.
 * </ul>
 */
final class CrdGeneration {
  /**
   * The kube-apiserver's OpenAPI v3 component schemas for the embedded types (committed,
   * generated).
   */
  static final String SNAPSHOT = "api/src/test/resources/kubernetes-openapi.json";

  static final String CONDITION = "io.k8s.apimachinery.pkg.apis.meta.v1.Condition";

  static final List<String> COLUMNS =
      List.of("Ready", "Reason", "Replicas", "Mode", "Endpoint", "Age");

  /** Field path in our schema → the upstream type of its value (for lists: of each element). */
  static final Map<String, String> EMBEDDED =
      Map.of(
          "spec.affinity",
          "io.k8s.api.core.v1.Affinity",
          "spec.tolerations",
          "io.k8s.api.core.v1.Toleration",
          "spec.topologySpreadConstraints",
          "io.k8s.api.core.v1.TopologySpreadConstraint",
          "spec.resources",
          "io.k8s.api.core.v1.ResourceRequirements",
          "spec.imagePullSecrets",
          "io.k8s.api.core.v1.LocalObjectReference",
          "spec.networkPolicy.metricsFrom[].namespaceSelector",
          "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
          "spec.networkPolicy.metricsFrom[].podSelector",
          "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
          "status.conditions",
          CONDITION);

  /** apiVersion, kind and metadata are described as in every top-level Kubernetes type. */
  static final String TOP_LEVEL = "io.k8s.api.policy.v1.PodDisruptionBudget";

  private CrdGeneration() {}

  /** The CRD as committed, generated from the classes and the upstream snapshot. */
  static String generate(Path outputDir) {
    JsonNode upstream = snapshot();
    try {
      Files.createDirectories(outputDir);
      new CRDGenerator()
          .inOutputDir(outputDir.toFile())
          .forCRDVersions("v1")
          .customResourceClasses(SquidProxy.class)
          .withPostProcessor(
              new CRDPostProcessor() {
                @Override
                public HasMetadata process(HasMetadata crd, String version) {
                  finish((CustomResourceDefinition) crd, upstream.get("schemas"));
                  return crd;
                }
              })
          .generate();
      return Files.readString(outputDir.resolve(CrdUpToDateTest.FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode snapshot() {
    Path file = RepoRoot.get().resolve(SNAPSHOT);
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read "
              + file
              + ": regenerate it with  mvn -B -ntp -pl tests/apiserver -am "
              + "verify -Dit.test=UpstreamOpenApiIT -Dcephaloproxy.regenerate=true",
          e);
    }
  }

  static void finish(CustomResourceDefinition crd, JsonNode schemas) {
    for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
      v.setAdditionalPrinterColumns(ordered(v.getAdditionalPrinterColumns()));
      JSONSchemaProps root = v.getSchema().getOpenAPIV3Schema();
      root.setDescription(
          "A managed Squid forward proxy. The operator turns it into a ConfigMap with the compiled "
              + "squid.conf, a Deployment, a Service and, when asked, a PodDisruptionBudget, a NetworkPolicy, a "
              + "HorizontalPodAutoscaler and a cache PersistentVolumeClaim.");
      JsonNode top = type(schemas, TOP_LEVEL);
      for (String field : List.of("apiVersion", "kind", "metadata")) {
        JSONSchemaProps p = root.getProperties().get(field);
        if (p != null && blank(p.getDescription())) {
          p.setDescription(top.path("properties").path(field).path("description").asText());
        }
      }
      EMBEDDED.forEach(
          (path, typeName) -> {
            JSONSchemaProps node = at(root, path);
            JsonNode type = type(schemas, typeName);
            if (node.getItems() != null && node.getItems().getSchema() != null) {
              JSONSchemaProps item = node.getItems().getSchema();
              setIfBlank(item, type.path("description"));
              describe(item, type, schemas);
            } else {
              setIfBlank(node, type.path("description"));
              describe(node, type, schemas);
            }
          });
      conditions(at(root, "status.conditions"), type(schemas, CONDITION));
      for (String list : List.of("limits", "requests")) {
        quantities(at(root, "spec.resources." + list), "spec.resources." + list);
      }
    }
  }

  /** At most this many resource names in {@code resources.limits} or {@code requests}. */
  static final long MAX_RESOURCE_NAMES = 32;

  /**
   * Longest quantity string: 2^63-1 in any notation fits in far fewer characters; the bound keeps
   * the API server's CEL cost estimate of the rule below its budget.
   */
  static final long MAX_QUANTITY_LENGTH = 64;

  /**
   * The quantities of {@code spec.resources.limits} and {@code requests} are checked at admission
   * (issue 12 §7): a value that is not a quantity (or is negative) would otherwise be admitted, the
   * Deployment's apply then fails with HTTP 500 ("failed to convert new object") and nothing rolls
   * out. An {@code isQuantity} rule over the upstream map, which has no bounds, is estimated by the
   * API server at more than 100 times its cost budget; {@link #MAX_RESOURCE_NAMES} names of at most
   * {@link #MAX_QUANTITY_LENGTH} characters bring it within. The operator checks them again.
   */
  static void quantities(JSONSchemaProps map, String field) {
    map.setMaxProperties(MAX_RESOURCE_NAMES);
    JSONSchemaProps value = map.getAdditionalProperties().getSchema();
    value.setMaxLength(MAX_QUANTITY_LENGTH);
    value.setXKubernetesValidations(
        List.of(
            new io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder()
                .withRule(
                    "type(self) == int ? self >= 0 : isQuantity(self) && quantity(self).compareTo(quantity('0')) >= 0")
                .withMessage(
                    "each of "
                        + field
                        + " must be a quantity that is not negative, e.g. 500m or 2 for cpu, 256Mi or"
                        + " 1Gi for memory")
                .build()));
  }

  private static List<CustomResourceColumnDefinition> ordered(
      List<CustomResourceColumnDefinition> columns) {
    List<CustomResourceColumnDefinition> out = new ArrayList<>(columns);
    for (CustomResourceColumnDefinition c : out) {
      if (!COLUMNS.contains(c.getName())) {
        throw new IllegalStateException(
            "printer column " + c.getName() + " has no place in CrdGeneration.COLUMNS");
      }
    }
    out.sort(Comparator.comparingInt(c -> COLUMNS.indexOf(c.getName())));
    // priority 0 is the default, and the API server drops it when it stores the CRD (omitempty):
    // a CRD that spells it out never equals the stored one, which Argo CD's server-side-apply diff
    // reports as a perpetual OutOfSync (issue 15)
    out.forEach(
        c -> {
          if (Integer.valueOf(0).equals(c.getPriority())) {
            c.setPriority(null);
          }
        });
    return out;
  }

  /**
   * metav1.Condition as controller-gen renders it: a map list keyed by type (server-side apply
   * merges conditions by type), the fields upstream requires, and the validation markers of the Go
   * type (k8s.io/apimachinery pkg/apis/meta/v1/types.go): status True/False/Unknown, type and
   * reason as CamelCase identifiers.
   */
  static void conditions(JSONSchemaProps list, JsonNode condition) {
    list.setXKubernetesListType("map");
    list.setXKubernetesListMapKeys(List.of("type"));
    JSONSchemaProps item = list.getItems().getSchema();
    List<String> required = new ArrayList<>();
    condition.path("required").forEach(r -> required.add(r.asText()));
    item.setRequired(required);
    Map<String, JSONSchemaProps> p = item.getProperties();
    p.get("type").setMaxLength(316L);
    p.get("type")
        .setPattern(
            "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$");
    p.get("status")
        .setEnum(List.of(new TextNode("True"), new TextNode("False"), new TextNode("Unknown")));
    p.get("reason").setMinLength(1L);
    p.get("reason").setMaxLength(1024L);
    p.get("reason").setPattern("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
    p.get("message").setMaxLength(32768L);
    p.get("observedGeneration").setMinimum(0.0);
    p.get("lastTransitionTime").setFormat("date-time");
  }

  /**
   * Copies upstream descriptions (and required fields) into {@code node}, which holds a value of
   * {@code type}.
   */
  private static void describe(JSONSchemaProps node, JsonNode type, JsonNode schemas) {
    if (node.getProperties() != null) {
      if ((node.getRequired() == null || node.getRequired().isEmpty()) && type.has("required")) {
        List<String> required = new ArrayList<>();
        type.get("required").forEach(r -> required.add(r.asText()));
        node.setRequired(required);
      }
      for (Map.Entry<String, JSONSchemaProps> e : node.getProperties().entrySet()) {
        JsonNode up = type.path("properties").path(e.getKey());
        if (up.isMissingNode()) {
          throw new IllegalStateException(
              "upstream type has no property " + e.getKey() + ": " + type.path("description"));
        }
        setIfBlank(e.getValue(), up.path("description"));
        value(e.getValue(), up, schemas);
      }
    }
  }

  /** Descends from a property into its object, list element or map value type. */
  private static void value(JSONSchemaProps node, JsonNode up, JsonNode schemas) {
    JsonNode resolved = resolve(up, schemas);
    describe(node, resolved, schemas);
    if (node.getItems() != null && node.getItems().getSchema() != null && resolved.has("items")) {
      JSONSchemaProps item = node.getItems().getSchema();
      JsonNode upItem = resolve(resolved.get("items"), schemas);
      setIfBlank(item, upItem.path("description"));
      value(item, resolved.get("items"), schemas);
    }
    if (node.getAdditionalProperties() != null
        && node.getAdditionalProperties().getSchema() != null
        && resolved.path("additionalProperties").isObject()) {
      JSONSchemaProps v = node.getAdditionalProperties().getSchema();
      JsonNode upValue = resolve(resolved.get("additionalProperties"), schemas);
      setIfBlank(v, upValue.path("description"));
      value(v, resolved.get("additionalProperties"), schemas);
    }
  }

  /**
   * Follows {@code $ref} and a single-element {@code allOf} (how OpenAPI v3 wraps a described
   * reference).
   */
  private static JsonNode resolve(JsonNode s, JsonNode schemas) {
    if (s.has("$ref")) {
      return resolve(
          type(schemas, s.get("$ref").asText().replace("#/components/schemas/", "")), schemas);
    }
    if (s.has("allOf") && s.get("allOf").size() == 1) {
      return resolve(s.get("allOf").get(0), schemas);
    }
    return s;
  }

  static JsonNode type(JsonNode schemas, String name) {
    JsonNode t = schemas.get(name);
    if (t == null) {
      throw new IllegalStateException(
          SNAPSHOT
              + " has no schema "
              + name
              + ": add it to UpstreamOpenApiIT.ROOTS and "
              + "regenerate the snapshot");
    }
    return t;
  }

  static JSONSchemaProps at(JSONSchemaProps root, String path) {
    JSONSchemaProps node = root;
    for (String part : path.split("\\.")) {
      // NAME[]: the items of the array NAME
      boolean items = part.endsWith("[]");
      node = node.getProperties().get(items ? part.substring(0, part.length() - 2) : part);
      if (node != null && items) {
        node = node.getItems() == null ? null : node.getItems().getSchema();
      }
      if (node == null) {
        throw new IllegalStateException("the generated schema has no " + path);
      }
    }
    return node;
  }

  private static void setIfBlank(JSONSchemaProps node, JsonNode description) {
    if (blank(node.getDescription())
        && description.isTextual()
        && !description.asText().isBlank()) {
      node.setDescription(description.asText());
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * Counts schema nodes without a description: the root and every property, at any depth (what
   * kubectl explain shows).
   */
  static List<String> undescribed(JSONSchemaProps root) {
    List<String> missing = new ArrayList<>();
    if (blank(root.getDescription())) {
      missing.add("<root>");
    }
    walk("", root, missing);
    return missing;
  }

  private static void walk(String path, JSONSchemaProps s, List<String> missing) {
    if (s.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> e :
          new LinkedHashMap<>(s.getProperties()).entrySet()) {
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (blank(e.getValue().getDescription())) {
          missing.add(p);
        }
        walk(p, e.getValue(), missing);
      }
    }
    if (s.getItems() != null && s.getItems().getSchema() != null) {
      walk(path + "[]", s.getItems().getSchema(), missing);
    }
    if (s.getAdditionalProperties() != null && s.getAdditionalProperties().getSchema() != null) {
      walk(path + "{}", s.getAdditionalProperties().getSchema(), missing);
    }
  }
}
