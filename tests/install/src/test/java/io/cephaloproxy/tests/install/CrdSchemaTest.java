package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schema check the docs and bundle tests rely on rejects what the API server rejects. */
class CrdSchemaTest {
  final CrdSchema schema = CrdSchema.load();

  @Test
  void everyExampleIsValid() {
    List<Map<String, Object>> examples = BundleGenerator.examples();
    assertThat(examples).isNotEmpty();
    examples.forEach(
        e ->
            assertThat(schema.validate(e))
                .as("%s", Yaml.<String>at(e, "metadata", "name"))
                .isEmpty());
  }

  @Test
  void rejectsWhatTheSchemaForbidsNamingTheField() {
    assertThat(schema.validate(proxy(Map.of("replicas", "two"))))
        .containsExactly("spec.replicas: must be of type integer (got String two)");
    assertThat(schema.validate(proxy(Map.of("port", 70000))))
        .containsExactly("spec.port: must be less than or equal to 65535.0");
    assertThat(schema.validate(proxy(Map.of("access", Map.of("mode", "Block")))))
        .singleElement()
        .asString()
        .startsWith("spec.access.mode: Unsupported value: Block");
    assertThat(schema.validate(proxy(Map.of("colour", "blue"))))
        .containsExactly("spec.colour: unknown field");
    assertThat(
            schema.validate(
                proxy(Map.of("sslBump", Map.of("enabled", true, "caSecret", Map.of())))))
        .containsExactly("spec.sslBump.caSecret.name: Required value");
    assertThat(
            schema.validate(
                proxy(Map.of("cache", Map.of("type", "Memory", "memory", Map.of("size", "lots"))))))
        .singleElement()
        .asString()
        .startsWith("spec.cache.memory.size: must match");
    Map<String, Object> noName = proxy(Map.of());
    noName.put("metadata", Map.of());
    assertThat(schema.validate(noName))
        .singleElement()
        .asString()
        .startsWith("metadata.name: required");
    Map<String, Object> wrongVersion = proxy(Map.of());
    wrongVersion.put("apiVersion", "cephaloproxy.io/v1");
    assertThat(schema.validate(wrongVersion)).singleElement().asString().contains("is not served");
  }

  @Test
  void evaluatesTheCelRulesWithTheirMessages() {
    assertThat(schema.validate(proxy(Map.of("port", 8080))))
        .singleElement()
        .asString()
        .startsWith("spec: port 8080 is the proxy pod's health port");
    assertThat(schema.validate(proxy(Map.of("sslBump", Map.of("enabled", true)))))
        .singleElement()
        .asString()
        .startsWith("spec.sslBump: sslBump.enabled needs sslBump.caSecret.name");
    assertThat(
            schema.validate(
                proxy(
                    Map.of(
                        "sslBump",
                        Map.of(
                            "enabled",
                            true,
                            "caSecret",
                            Map.of("name", "ca"),
                            "policy",
                            "PeekAndSplice",
                            "spliceDomains",
                            List.of(".bank.example"))))))
        .singleElement()
        .asString()
        .contains("spliceDomains only applies with policy BumpAll");
    assertThat(
            schema.validate(
                proxy(
                    Map.of(
                        "access",
                        Map.of("allowedClientCIDRs", List.of("10.0.0.0/8", "fd00::/8"))))))
        .isEmpty();
    assertThat(
            schema.validate(
                proxy(Map.of("access", Map.of("allowedClientCIDRs", List.of("10.0.0.1/8"))))))
        .singleElement()
        .asString()
        .startsWith("spec.access.allowedClientCIDRs: ");
    assertThat(
            schema.validate(
                proxy(Map.of("access", Map.of("allowedClientCIDRs", List.of("example.com/8"))))))
        .hasSize(1);
    assertThat(
            schema.validate(
                proxy(Map.of("access", Map.of("allowedDomains", List.of("*.example.com"))))))
        .singleElement()
        .asString()
        .contains("allowedDomains: each entry must be a domain name");
    assertThat(
            schema.validate(
                proxy(
                    Map.of("cache", Map.of("type", "Memory", "memory", Map.of("size", "512Ki"))))))
        .singleElement()
        .asString()
        .startsWith("spec.cache.memory.size: ");
    assertThat(
            schema.validate(
                proxy(
                    Map.of("cache", Map.of("type", "Memory", "memory", Map.of("size", "256Mi"))))))
        .isEmpty();
    assertThat(schema.validate(proxy(Map.of("cache", Map.of("type", "Disk")))))
        .as("defaults do not hide a missing required object")
        .hasSize(1);
  }

  @Test
  void acceptsKubernetesQuantitiesAndEmbeddedTypes() {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put(
        "resources",
        Map.of(
            "requests",
            Map.of("cpu", "100m", "memory", 268435456),
            "limits",
            Map.of("memory", "512Mi")));
    spec.put(
        "tolerations",
        new ArrayList<>(
            List.of(Map.of("key", "egress", "operator", "Exists", "effect", "NoSchedule"))));
    assertThat(schema.validate(proxy(spec))).isEmpty();
  }

  static Map<String, Object> proxy(Map<String, Object> spec) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apiVersion", "cephaloproxy.io/v1alpha1");
    m.put("kind", "SquidProxy");
    m.put("metadata", Map.of("name", "p"));
    m.put("spec", spec);
    return m;
  }
}
