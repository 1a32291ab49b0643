package io.cephaloproxy.operator.testing;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.testsupport.RepoRoot;
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
    return RepoRoot.get().resolve("examples");
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
