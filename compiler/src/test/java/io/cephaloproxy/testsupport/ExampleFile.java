package io.cephaloproxy.testsupport;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.compiler.ReferencedData;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A YAML file with one SquidProxy and any ConfigMaps/Secrets next to it (as in examples/). A file
 * {@code NAME.env} next to {@code NAME.yaml} gives the operator's environment the spec is compiled
 * with: its line {@code NO_PROXY=...} (the golden spec of upstream.fromClusterProxy).
 */
public record ExampleFile(SquidProxy proxy, ReferencedData data) {

  public static ExampleFile load(Path file) throws IOException {
    ExampleFile example;
    try (InputStream in = Files.newInputStream(file)) {
      example = parse(in);
    }
    Path env =
        file.resolveSibling(file.getFileName().toString().replaceFirst("\\.yaml$", "") + ".env");
    if (!file.toString().endsWith(".yaml") || !Files.exists(env)) {
      return example;
    }
    for (String line : Files.readAllLines(env, StandardCharsets.UTF_8)) {
      if (line.startsWith("NO_PROXY=")) {
        List<String> entries =
            Arrays.stream(line.substring("NO_PROXY=".length()).split(","))
                .map(String::trim)
                .filter(e -> !e.isEmpty())
                .toList();
        return new ExampleFile(example.proxy(), example.data().withNoProxy(entries));
      }
    }
    return example;
  }

  public static ExampleFile parse(String yaml) {
    return parse(new java.io.ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  private static ExampleFile parse(InputStream in) {
    Object parsed = Serialization.unmarshal(in);
    List<?> docs = parsed instanceof List<?> l ? l : List.of(parsed);
    SquidProxy proxy = null;
    ReferencedData.Builder data = ReferencedData.builder().complete(false);
    for (Object d : docs) {
      Object doc = d;
      if (doc instanceof GenericKubernetesResource g && SquidProxy.KIND.equals(g.getKind())) {
        doc = Serialization.unmarshal(Serialization.asJson(g), SquidProxy.class);
      }
      if (doc instanceof SquidProxy p) {
        proxy = p;
      } else if (doc instanceof ConfigMap cm) {
        data.configMap(cm.getMetadata().getName(), cm.getData() == null ? Map.of() : cm.getData());
      } else if (doc instanceof Secret s) {
        Map<String, byte[]> bytes = new TreeMap<>();
        if (s.getData() != null) {
          s.getData().forEach((k, v) -> bytes.put(k, Base64.getDecoder().decode(v)));
        }
        if (s.getStringData() != null) {
          s.getStringData().forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        data.secret(s.getMetadata().getName(), bytes);
      } else if (doc instanceof HasMetadata other) {
        throw new IllegalArgumentException("unexpected " + other.getKind() + " in example");
      }
    }
    if (proxy == null) {
      throw new IllegalArgumentException("no SquidProxy in the file");
    }
    return new ExampleFile(proxy, data.build());
  }
}
