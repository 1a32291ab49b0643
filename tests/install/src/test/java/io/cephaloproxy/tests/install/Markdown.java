package io.cephaloproxy.tests.install;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fenced code blocks and links of a Markdown file. */
final class Markdown {
  /** A fenced block: its language, the rest of the info string, its text and where it starts. */
  record Block(Path file, int line, String language, String info, String text) {
    String where() {
      return Repo.ROOT.relativize(file) + ":" + line;
    }
  }

  private static final Pattern FENCE =
      Pattern.compile("(?ms)^```([A-Za-z0-9_-]*)[ \\t]*([^\\n]*)\\n(.*?)^```[ \\t]*$");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  private Markdown() {}

  static List<Block> blocks(Path file) {
    String text = Repo.read(file);
    List<Block> out = new ArrayList<>();
    Matcher m = FENCE.matcher(text);
    while (m.find()) {
      int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
      out.add(new Block(file, line, m.group(1), m.group(2).strip(), m.group(3)));
    }
    return out;
  }

  /** Link targets outside code blocks. */
  static List<String> links(Path file) {
    String text = FENCE.matcher(Repo.read(file)).replaceAll("").replaceAll("`[^`\n]*`", "");
    List<String> out = new ArrayList<>();
    Matcher m = LINK.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Shell commands of a block, continuation lines joined, comments dropped. */
  static List<String> commands(Block b) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String raw : b.text().split("\n")) {
      String line = raw.replaceAll("\\s+#.*$", "").strip();
      if (line.startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        cur.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      cur.append(line);
      if (!cur.toString().isBlank()) {
        out.add(cur.toString().strip());
      }
      cur.setLength(0);
    }
    return out;
  }

  /** GitHub's anchor of a heading. */
  static String anchor(String heading) {
    return heading
        .strip()
        .toLowerCase(java.util.Locale.ROOT)
        .replaceAll("[^a-z0-9 _-]", "")
        .replace(' ', '-');
  }
}
