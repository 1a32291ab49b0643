package io.cephaloproxy.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The reason tables of docs/troubleshooting.md and docs/api.md are generated from {@link
 * ConditionReason} and {@link EventReason}: this test fails when they are stale and rewrites them
 * with {@code -Dcephaloproxy.regenerate=true}.
 */
class ReasonTablesTest {
  static final String HOW =
      "do not edit; run mvn -B -ntp -pl api verify -Dcephaloproxy.regenerate=true";
  static final List<String> TYPES =
      List.of(
          Conditions.READY, Conditions.PROGRESSING, Conditions.DEGRADED, Conditions.CONFIG_VALID);

  static String conditionReasons() {
    StringBuilder sb = new StringBuilder("| reason | conditions | meaning and what to do |\n");
    sb.append("| --- | --- | --- |\n");
    for (ConditionReason r : ConditionReason.values()) {
      sb.append("| `")
          .append(r.name())
          .append("` | ")
          .append(r.conditions().stream().map(c -> "`" + c + "`").collect(Collectors.joining(", ")))
          .append(" | ")
          .append(r.meaning())
          .append(" |\n");
    }
    sb.append("\nWhen several configuration problems apply at once, `Ready`, `Degraded` and")
        .append(" `ConfigValid` all name the first of ")
        .append(
            ConditionReason.BLOCKING.stream()
                .map(r -> "`" + r.name() + "`")
                .collect(Collectors.joining(", ")))
        .append(", and the message lists every problem in that order.\n");
    return sb.toString();
  }

  static String conditionTypes() {
    StringBuilder sb = new StringBuilder("| condition | reasons |\n| --- | --- |\n");
    for (String type : TYPES) {
      sb.append("| `")
          .append(type)
          .append("` | ")
          .append(
              Arrays.stream(ConditionReason.values())
                  .filter(r -> r.conditions().contains(type))
                  .map(r -> "`" + r.name() + "`")
                  .collect(Collectors.joining(", ")))
          .append(" |\n");
    }
    return sb.toString();
  }

  static String eventReasons() {
    StringBuilder sb =
        new StringBuilder("| reason | type | recorded when |\n| --- | --- | --- |\n");
    for (EventReason r : EventReason.values()) {
      sb.append("| `")
          .append(r.name())
          .append("` | ")
          .append(r.type().name())
          .append(" | ")
          .append(r.meaning())
          .append(" |\n");
    }
    return sb.toString();
  }

  /** Replaces the body between the markers of {@code name}; fails when the markers are missing. */
  static String fill(String doc, String name, String body, Path file) {
    String begin = "<!-- BEGIN GENERATED " + name + ": " + HOW + " -->\n";
    String end = "<!-- END GENERATED " + name + " -->";
    int b = doc.indexOf(begin);
    int e = doc.indexOf(end);
    assertThat(b).as("%s has the marker line %s", file, begin.strip()).isGreaterThanOrEqualTo(0);
    assertThat(e).as("%s has the marker line %s", file, end).isGreaterThan(b);
    return doc.substring(0, b + begin.length()) + body + doc.substring(e);
  }

  static void check(String file, List<String[]> tables) throws IOException {
    Path path = RepoRoot.get().resolve(file);
    String doc = Files.readString(path);
    String fresh = doc;
    for (String[] t : tables) {
      fresh = fill(fresh, t[0], t[1], path);
    }
    if (RepoRoot.regenerate() && !fresh.equals(doc)) {
      Files.writeString(path, fresh);
      doc = fresh;
    }
    assertThat(doc)
        .as(
            "the reason tables of %s are stale: regenerate with  mvn -B -ntp -pl api verify -Dcephaloproxy.regenerate=true",
            file)
        .isEqualTo(fresh);
  }

  @Test
  void troubleshootingTablesAreGenerated() throws IOException {
    check(
        "docs/troubleshooting.md",
        List.of(
            new String[] {"condition-reasons", conditionReasons()},
            new String[] {"event-reasons", eventReasons()}));
  }

  @Test
  void apiTableIsGenerated() throws IOException {
    check("docs/api.md", List.<String[]>of(new String[] {"condition-types", conditionTypes()}));
  }

  @Test
  void everyReasonIsOnAConditionWeWrite() {
    for (ConditionReason r : ConditionReason.values()) {
      assertThat(r.conditions()).as(r.name()).isNotEmpty();
      assertThat(TYPES).as(r.name()).containsAll(r.conditions());
      assertThat(r.meaning()).as(r.name()).doesNotContain("|").doesNotContain("\n");
    }
  }
}
