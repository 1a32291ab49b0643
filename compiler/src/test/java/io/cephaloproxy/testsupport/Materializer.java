package io.cephaloproxy.testsupport;

import io.cephaloproxy.compiler.CompiledConfig;
import io.cephaloproxy.compiler.Layout;
import io.cephaloproxy.compiler.PodVolume;
import io.cephaloproxy.compiler.ReferencedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a compiled config onto a host directory tree the way the pod would see it: the generated
 * files in the config dir, the referenced ConfigMap/Secret items at their mount paths (from the
 * given data), and the writable directories. For trying the output with a real {@code squid -k
 * parse}.
 */
public final class Materializer {
  private Materializer() {}

  public static void write(CompiledConfig c, Layout layout, ReferencedData data)
      throws IOException {
    Path config = Path.of(layout.configDir());
    Files.createDirectories(config);
    for (Map.Entry<String, String> e : c.configMapData().entrySet()) {
      Files.writeString(config.resolve(e.getKey()), e.getValue());
    }
    for (PodVolume v : c.volumes()) {
      Path dir = Path.of(v.mountPath());
      Files.createDirectories(dir);
      for (Map.Entry<String, String> item : v.items().entrySet()) {
        byte[] content =
            switch (v.kind()) {
              case CONFIG_MAP ->
                  data.configMap(v.source())
                      .map(m -> m.get(item.getKey()))
                      .map(s -> s.getBytes(StandardCharsets.UTF_8))
                      .orElse(null);
              case SECRET -> data.secret(v.source()).map(m -> m.get(item.getKey())).orElse(null);
              default -> null;
            };
        if (content != null) {
          Files.write(dir.resolve(item.getValue()), content);
        }
      }
    }
  }
}
