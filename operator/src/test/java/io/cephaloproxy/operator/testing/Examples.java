package io.cephaloproxy.operator.testing;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The committed examples/ (the same files users apply), for tests that need realistic specs. */
public final class Examples {
  private Examples() {}

  public static Path dir() {
    String root = System.getProperty("repo.root");
    Path p = root != null ? Path.of(root, "examples") : Path.of("..", "examples");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("examples/ not found at " + p.toAbsolutePath());
    }
    return p;
  }

  public static List<Path> files() {
    try (Stream<Path> s = Files.list(dir())) {
      return s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first SquidProxy document of an example file. */
  public static SquidProxy proxy(String file) {
    try {
      String text = Files.readString(dir().resolve(file));
      for (String doc : text.split("(?m)^---\\s*$")) {
        if (doc.contains("kind: SquidProxy")) {
          return Serialization.unmarshal(doc, SquidProxy.class);
        }
      }
      throw new IllegalStateException(file + " has no SquidProxy");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
