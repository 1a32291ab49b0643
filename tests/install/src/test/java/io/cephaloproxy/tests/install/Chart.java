package io.cephaloproxy.tests.install;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The chart through helm-java (embedded Helm 3, offline). */
final class Chart {
  static final String RELEASE = "cp";
  static final String NAMESPACE = "cephaloproxy-system";

  private Chart() {}

  /** The Kubernetes version templates are rendered for (helm-java's default is 1.20). */
  static final String KUBE_VERSION = "1.31.0";

  /**
   * helm template with the given values (dotted keys become nested maps, as with --set; values may
   * be lists), passed as a values file (-f).
   */
  static String template(Map<String, Object> values) {
    try {
      Path file = Files.createTempFile("values-", ".yaml");
      try {
        Files.writeString(file, Yaml.toYaml(nest(values)));
        return new Helm(Repo.CHART)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION)
            .withValuesFile(file)
            .call();
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> nest(Map<String, Object> dotted) {
    Map<String, Object> root = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : dotted.entrySet()) {
      String[] parts = e.getKey().split("\\.");
      Map<String, Object> cur = root;
      for (int i = 0; i < parts.length - 1; i++) {
        cur = (Map<String, Object>) cur.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
      }
      cur.put(parts[parts.length - 1], e.getValue());
    }
    return root;
  }

  static List<HasMetadata> render(Map<String, Object> values) {
    return Yaml.objects(template(values));
  }

  static List<HasMetadata> render() {
    return render(Map.of());
  }

  static Map<String, Object> values(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(o -> (T) o).toList();
  }

  static List<HasMetadata> ofKind(List<HasMetadata> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
  }
}
