package io.cephaloproxy.tests.install;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** YAML reading and writing for manifests (multi-document aware). */
final class Yaml {
  static final ObjectMapper MAPPER =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .disable(YAMLGenerator.Feature.SPLIT_LINES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR))
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Yaml() {}

  /** Every non-empty document of a (multi-document) YAML text, as maps. */
  static List<Map<String, Object>> documents(String text) {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (var parser = MAPPER.getFactory().createParser(text)) {
      var it = MAPPER.readValues(parser, new TypeReference<Map<String, Object>>() {});
      while (it.hasNext()) {
        Map<String, Object> doc = it.next();
        if (doc != null && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  static List<Map<String, Object>> documents(Path file) {
    return documents(Repo.read(file));
  }

  static Map<String, Object> single(Path file) {
    List<Map<String, Object>> docs = documents(file);
    if (docs.size() != 1) {
      throw new IllegalStateException(file + " has " + docs.size() + " documents, expected 1");
    }
    return docs.get(0);
  }

  /**
   * Fabric8 objects: typed (Deployment, ClusterRole...) when Fabric8 knows the kind, else generic.
   */
  static List<HasMetadata> objects(String text) {
    List<HasMetadata> objects = new ArrayList<>();
    for (Map<String, Object> doc : documents(text)) {
      objects.add(Serialization.unmarshal(toJson(doc), HasMetadata.class));
    }
    return objects;
  }

  static String toYaml(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static <T> T at(Map<String, Object> map, String... path) {
    Object cur = map;
    for (String key : path) {
      if (!(cur instanceof Map)) {
        return null;
      }
      cur = ((Map<String, Object>) cur).get(key);
    }
    return (T) cur;
  }
}
