package io.cephaloproxy.operator.render;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.runtime.Versions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code render -f FILE [-o DIR]}: what the operator would create for each SquidProxy in FILE, like
 * {@code helm template}. Secrets and ConfigMaps the proxies refer to are taken from the same file.
 */
public final class RenderCommand {
  private RenderCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) {
    String file = null;
    String dir = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "-f", "--file" -> {
          if (i + 1 >= args.size()) return usage(err, a + " needs a file name");
          file = args.get(++i);
        }
        case "-o", "--output" -> {
          if (i + 1 >= args.size()) return usage(err, a + " needs a directory");
          dir = args.get(++i);
        }
        default -> {
          return usage(err, "unknown option '" + a + "'");
        }
      }
    }
    if (file == null) {
      return usage(err, "render needs -f FILE");
    }
    List<HasMetadata> input;
    try {
      input = read(Path.of(file));
    } catch (IOException | RuntimeException e) {
      err.println("error: cannot read " + file + ": " + e.getMessage());
      return 1;
    }
    String image = System.getenv().getOrDefault("SQUID_IMAGE", Versions.defaultSquidImage());
    Renderer.Output result = Renderer.render(input, image);
    result.problems().forEach(p -> err.println("error: " + p));
    if (result.proxies() == 0) {
      if (result.problems().isEmpty()) {
        err.println(
            "error: "
                + file
                + " contains no SquidProxy (apiVersion cephaloproxy.io/v1alpha1, kind SquidProxy)");
      }
      return 1;
    }
    try {
      if (dir == null) {
        for (HasMetadata o : result.objects()) {
          out.print(Renderer.yaml(o));
        }
      } else {
        Path base = Path.of(dir);
        Files.createDirectories(base);
        for (HasMetadata o : result.objects()) {
          Path f = base.resolve(Renderer.fileName(o));
          Files.writeString(f, Renderer.yaml(o), StandardCharsets.UTF_8);
          out.println("wrote " + f);
        }
      }
    } catch (IOException e) {
      err.println("error: cannot write into " + dir + ": " + e.getMessage());
      return 1;
    }
    return result.problems().isEmpty() ? 0 : 1;
  }

  private static int usage(PrintStream err, String message) {
    err.println("error: " + message);
    err.println("usage: cephaloproxy-operator render -f FILE [-o DIR]");
    return 2;
  }

  /** Every document of a (multi-document) YAML file, typed where Fabric8 knows the kind. */
  public static List<HasMetadata> read(Path file) throws IOException {
    List<HasMetadata> out = new ArrayList<>();
    String text = Files.readString(file, StandardCharsets.UTF_8);
    for (String doc : text.split("(?m)^---\\s*$")) {
      if (doc.strip().isEmpty()
          || doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
        continue;
      }
      GenericKubernetesResource g = Serialization.unmarshal(doc, GenericKubernetesResource.class);
      if (g == null) {
        continue;
      }
      if ("SquidProxy".equals(g.getKind())
          && (SquidProxy.GROUP + "/" + SquidProxy.VERSION).equals(g.getApiVersion())) {
        out.add(Serialization.unmarshal(doc, SquidProxy.class));
      } else if ("Secret".equals(g.getKind())) {
        out.add(Serialization.unmarshal(doc, Secret.class));
      } else if ("ConfigMap".equals(g.getKind())) {
        out.add(Serialization.unmarshal(doc, ConfigMap.class));
      } else {
        out.add(g);
      }
    }
    return out;
  }
}
