package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.ExampleFile;
import io.cephaloproxy.testsupport.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file in examples/ compiles, and image/config/ is the compiled examples/basic.yaml. */
class ExamplesTest {
  static List<Path> examples() throws IOException {
    try (Stream<Path> s = Files.list(RepoRoot.get().resolve("examples"))) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleCompiles(Path file) throws IOException {
    String text = Files.readString(file);
    assertThat(text)
        .as("%s starts with a comment header saying what it shows", file.getFileName())
        .startsWith("# ");
    ExampleFile ex = ExampleFile.load(file);
    assertThat(ex.proxy().getMetadata().getName())
        .as("metadata.name is the file name")
        .isEqualTo(file.getFileName().toString().replace(".yaml", ""));
    assertThat(SquidConfCompiler.validate(ex.proxy().getSpec(), ex.data())).isEmpty();
    CompiledConfig c =
        SquidConfCompiler.compile(ex.proxy().getSpec(), ex.data(), Layout.defaults());
    assertThat(c.squidConf()).contains("http_access deny manager", "access_log stdio:/dev/stdout");
  }

  @Test
  void imageConfigIsTheCompiledBasicExample() throws IOException {
    Path root = RepoRoot.get();
    ExampleFile basic = ExampleFile.load(root.resolve("examples/basic.yaml"));
    CompiledConfig c =
        SquidConfCompiler.compile(basic.proxy().getSpec(), basic.data(), Layout.defaults());
    Path dir = root.resolve("image/config");
    if (RepoRoot.regenerate()) {
      Files.createDirectories(dir);
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.delete(p);
        }
      }
      for (Map.Entry<String, String> e : c.configMapData().entrySet()) {
        Files.writeString(dir.resolve(e.getKey()), e.getValue());
      }
    }
    Map<String, String> committed = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        committed.put(p.getFileName().toString(), Files.readString(p));
      }
    }
    assertThat(committed)
        .as(
            "image/config/ is stale: regenerate with  mvn -B -ntp -pl api verify -Dcephaloproxy.regenerate=true")
        .isEqualTo(c.configMapData());
  }
}
