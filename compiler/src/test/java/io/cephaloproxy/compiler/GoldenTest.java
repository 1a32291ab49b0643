package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Dump;
import io.cephaloproxy.testsupport.ExampleFile;
import io.cephaloproxy.testsupport.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: api/src/test/resources/golden/NAME.yaml compiles (default Layout, offline) to
 * exactly golden/NAME.out. After an intended change, regenerate with mvn -B -ntp -pl api verify
 * -Dcephaloproxy.regenerate=true and review the diff of golden/*.out before committing.
 */
class GoldenTest {
  static final Path DIR = Path.of("src/test/resources/golden");

  static List<String> cases() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - 5))
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void compilesToGolden(String name) throws IOException {
    ExampleFile in = ExampleFile.load(DIR.resolve(name + ".yaml"));
    String actual =
        Dump.of(SquidConfCompiler.compile(in.proxy().getSpec(), in.data(), Layout.defaults()));
    Path golden = DIR.resolve(name + ".out");
    if (RepoRoot.regenerate()) {
      Files.writeString(golden, actual);
    }
    assertThat(golden).as("golden file; create it with -Dcephaloproxy.regenerate=true").exists();
    assertThat(actual)
        .as(
            "golden/%s.out is stale: if the change is intended, regenerate with "
                + "mvn -B -ntp -pl api verify -Dcephaloproxy.regenerate=true and review the diff",
            name)
        .isEqualTo(Files.readString(golden));
  }

  @org.junit.jupiter.api.Test
  void coversTheRepresentativeSpecs() throws IOException {
    assertThat(cases())
        .contains(
            "default",
            "allowlist",
            "denylist",
            "audit",
            "sslbump",
            "splice",
            "auth",
            "parent",
            "memory-cache",
            "disk-cache",
            "workers-2",
            "raw-extra");
  }

  static Path repoGolden() {
    return RepoRoot.get().resolve("compiler").resolve(DIR);
  }
}
