package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's legal and contributor files, and CHANGELOG.md as the source of the chart's changes.
 */
class ProjectFilesTest {
  private static final Path CHANGELOG_SH = Repo.ROOT.resolve("scripts/changelog.sh");

  @Test
  void licenseIsTheApacheLicenseTheChartClaims() throws IOException {
    // Debian's base-files ships the canonical text; the chart's annotation says Apache-2.0.
    assertThat(Files.readString(Repo.ROOT.resolve("LICENSE")))
        .isEqualTo(Files.readString(Path.of("/usr/share/common-licenses/Apache-2.0")));
    assertThat(Files.readString(Repo.CHART.resolve("Chart.yaml")))
        .contains("artifacthub.io/license: Apache-2.0");
  }

  @Test
  void chartChangesComeFromTheChangelog() throws Exception {
    Result r = changelog(List.of("--check"), null);
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("match CHANGELOG.md [0.1.0]");
  }

  @Test
  void editedChartChangesAreCaughtWithTheFix(@TempDir Path tmp) throws Exception {
    Path chart = tmp.resolve("Chart.yaml");
    Files.writeString(
        chart,
        Files.readString(Repo.CHART.resolve("Chart.yaml"))
            .replace("A Helm chart, an OLM bundle", "A chart, a bundle"));
    Result r = changelog(List.of("--check"), chart);
    assertThat(r.exit).isNotZero();
    assertThat(r.output)
        .contains("artifacthub.io/changes differ from CHANGELOG.md's section [0.1.0]")
        .contains("scripts/changelog.sh artifacthub 0.1.0");
  }

  @Test
  void releaseNotesAreTheVersionsSection() throws Exception {
    Result notes = changelog(List.of("notes", "0.1.0"), null);
    assertThat(notes.exit).as(notes.output).isZero();
    assertThat(notes.output).startsWith("### Added").doesNotContain("## [");
    Result missing = changelog(List.of("notes", "9.9.9"), null);
    assertThat(missing.exit).isNotZero();
    assertThat(missing.output).contains("CHANGELOG.md has no section '## [9.9.9]'");
  }

  @Test
  void contributingNamesOnlyScriptsThatExist() throws IOException {
    String text = Files.readString(Repo.ROOT.resolve("CONTRIBUTING.md"));
    Matcher m = Pattern.compile("`(scripts/[A-Za-z0-9_./-]+\\.sh)").matcher(text);
    int found = 0;
    while (m.find()) {
      found++;
      assertThat(Repo.ROOT.resolve(m.group(1)))
          .as("CONTRIBUTING.md names %s", m.group(1))
          .isExecutable();
    }
    assertThat(found).isGreaterThanOrEqualTo(4);
    assertThat(Repo.ROOT.resolve("SECURITY.md")).content().contains("Reporting a vulnerability");
  }

  private record Result(int exit, String output) {}

  private static Result changelog(List<String> args, Path chartYaml) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("bash", CHANGELOG_SH.toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (chartYaml != null) pb.environment().put("CHART_YAML", chartYaml.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
