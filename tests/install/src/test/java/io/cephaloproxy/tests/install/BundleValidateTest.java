package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * operator-framework/api's validators — what `operator-sdk bundle validate --select-optional
 * suite=operatorframework` runs (operator-sdk itself is not available from the Go module proxy
 * here) — on the committed bundle, built by scripts/stages/35-install-tools.sh.
 */
class BundleValidateTest {
  record Result(int exit, String output) {}

  @Test
  void bundlePassesTheOperatorFrameworkSuiteWithoutErrorsOrWarnings() throws Exception {
    Result r = validate(Repo.BUNDLE);
    assertThat(r.output()).contains("0 errors, 0 warnings");
    assertThat(r.exit()).as(r.output()).isZero();
  }

  @Test
  void theValidatorsCatchABrokenCsv(@TempDir Path dir) throws Exception {
    copy(Repo.BUNDLE.resolve("manifests"), dir.resolve("manifests"));
    copy(Repo.BUNDLE.resolve("metadata"), dir.resolve("metadata"));
    Path csv = dir.resolve("manifests").resolve(BundleGenerator.CSV.getFileName());
    String text = Files.readString(csv);
    assertThat(text).containsPattern("(?m)^    capabilities: \\S");
    Files.writeString(
        csv, text.replaceFirst("(?m)^    capabilities: .*$", "    capabilities: Everything"));
    Result r = validate(dir);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output())
        .contains("ERROR")
        .contains("Everything")
        .containsIgnoringCase("capabilit");
  }

  static Result validate(Path bundle) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(Tools.bundleValidate().toString(), "-strict", bundle.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
