package io.cephaloproxy.agent;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads Squid's console output: which lines are errors, and the message a user should see. */
public final class SquidOutput {
  /** "2026/11/28 23:34:53| " and "2026/11/28 23:34:53 kid1| " prefixes. */
  private static final Pattern TIMESTAMP =
      Pattern.compile("^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d+)?( kid\\d+)?\\| ?");

  /**
   * ERROR/FATAL, and Squid 5.7's unprefixed "file(2): unrecognized: 'directive'" and "Bungled"
   * lines.
   */
  private static final Pattern ERROR =
      Pattern.compile("\\b(ERROR|FATAL)\\b|: unrecognized: |\\bBungled\\b");

  /** Progress lines that never explain a failure. */
  private static final Pattern NOISE =
      Pattern.compile(
          "^(Processing|Startup:|Initializing|Initialized|Requiring client certificates"
              + "|Set Current Directory|Created PID file|Removing PID file|CPU Usage|Maximum Resident Size|Page faults"
              + "|Squid Cache \\(Version|Service Name|Process ID|Process Roles|With \\d+ file descriptors)");

  private SquidOutput() {}

  public static String stripTimestamp(String line) {
    return TIMESTAMP.matcher(line).replaceFirst("");
  }

  /** An ERROR/FATAL line; Squid's echo of the config ("Processing: ...") never counts. */
  public static boolean isError(String line) {
    String l = stripTimestamp(line);
    return !l.startsWith("Processing:") && ERROR.matcher(l).find();
  }

  public static boolean hasErrors(List<String> lines) {
    return lines.stream().anyMatch(SquidOutput::isError);
  }

  /**
   * Squid's own words: each error line with the config line being processed just before it and the
   * indented continuation lines after it. Falls back to the last lines when none is marked.
   */
  public static List<String> errorMessage(List<String> lines) {
    Set<Integer> keep = new LinkedHashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!isError(lines.get(i))) {
        continue;
      }
      for (int j = i - 1; j >= 0 && j >= i - 3; j--) {
        if (stripTimestamp(lines.get(j)).startsWith("Processing:")) {
          keep.add(j);
          break;
        }
      }
      keep.add(i);
      for (int j = i + 1; j < lines.size() && isContinuation(lines.get(j)); j++) {
        keep.add(j);
      }
    }
    List<String> out = new ArrayList<>();
    if (keep.isEmpty()) {
      // no marked line: Squid's last words, without its progress chatter
      List<Integer> useful = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        if (!NOISE.matcher(stripTimestamp(lines.get(i)).strip()).find()) {
          useful.add(i);
        }
      }
      keep.addAll(useful.subList(Math.max(0, useful.size() - 15), useful.size()));
    }
    keep.stream()
        .sorted()
        .forEach(
            i -> {
              String l = stripTimestamp(lines.get(i)).strip();
              if (!l.isEmpty()) {
                out.add(l);
              }
            });
    return out;
  }

  private static boolean isContinuation(String line) {
    return !line.isEmpty()
        && Character.isWhitespace(line.charAt(0))
        && !TIMESTAMP.matcher(line).find();
  }
}
