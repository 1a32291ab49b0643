package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Markdown tables generated from their single sources: the chart's values table (from values.yaml
 * and its comments) and the RBAC tables (from files/rules.yaml and its comments). Each lives
 * between {@code <!-- BEGIN GENERATED name -->} and {@code <!-- END GENERATED name -->} in a
 * hand-written page.
 */
final class DocTables {
  private DocTables() {}

  /** The page with the section between the markers replaced by {@code table}. */
  static String withSection(Path page, String name, String table) {
    return replace(Repo.read(page), name, table);
  }

  /**
   * {@code text} with the section between the markers of {@code name} replaced by {@code table}.
   */
  static String replace(String text, String name, String table) {
    String begin =
        "<!-- BEGIN GENERATED "
            + name
            + ": do not edit; run scripts/sync-install-artifacts.sh -->\n";
    String end = "<!-- END GENERATED " + name + " -->";
    int a = text.indexOf(begin);
    int b = text.indexOf(end);
    assertThat(a).as("the page has the marker %s", begin.strip()).isNotNegative();
    assertThat(b).as("the page has the marker %s", end).isGreaterThan(a);
    return text.substring(0, a + begin.length()) + table + text.substring(b);
  }

  // --- values.yaml

  private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z][A-Za-z0-9]*):(?: (.*))?$");

  /** One row per value: the comment lines right above a key describe it. */
  record Value(String path, String description, Object defaultValue) {}

  /**
   * The documented values: a key with a value on its line is a row; a map key with a comment of its
   * own whose children have none is one row (its whole default); other map keys are walked into.
   */
  static List<Value> values(Path valuesYaml) {
    Map<String, Object> defaults = Yaml.single(valuesYaml);
    List<String> lines = Repo.read(valuesYaml).lines().toList();
    List<Key> keys = new ArrayList<>();
    List<String> comment = new ArrayList<>();
    List<String> stack = new ArrayList<>();
    List<Integer> indents = new ArrayList<>();
    for (String line : lines) {
      String t = line.strip();
      if (t.startsWith("#")) {
        comment.add(t.replaceFirst("^#\\s?", ""));
        continue;
      }
      if (t.isEmpty()) {
        comment.clear();
        continue;
      }
      Matcher m = KEY.matcher(line);
      if (!m.matches()) {
        comment.clear();
        continue;
      }
      int indent = m.group(1).length();
      while (!indents.isEmpty() && indents.get(indents.size() - 1) >= indent) {
        indents.remove(indents.size() - 1);
        stack.remove(stack.size() - 1);
      }
      stack.add(m.group(2));
      indents.add(indent);
      String value = m.group(3) == null ? "" : m.group(3).replaceFirst("\\s+#.*$", "").strip();
      keys.add(new Key(String.join(".", stack), String.join(" ", comment), !value.isEmpty()));
      comment.clear();
    }
    List<Value> out = new ArrayList<>();
    for (Key k : keys) {
      boolean insideRow =
          keys.stream().anyMatch(p -> k.path().startsWith(p.path() + ".") && isRowMap(p, keys));
      if (!insideRow && (k.inline() || isRowMap(k, keys))) {
        out.add(new Value(k.path(), k.comment(), at(defaults, k.path())));
      }
    }
    return out;
  }

  private record Key(String path, String comment, boolean inline) {}

  /** A map key with a comment of its own whose descendants have none: documented as one value. */
  private static boolean isRowMap(Key k, List<Key> keys) {
    return !k.inline()
        && !k.comment().isEmpty()
        && keys.stream()
            .filter(c -> c.path().startsWith(k.path() + "."))
            .allMatch(c -> c.comment().isEmpty());
  }

  @SuppressWarnings("unchecked")
  private static Object at(Map<String, Object> map, String path) {
    Object cur = map;
    for (String part : path.split("\\.")) {
      cur = ((Map<String, Object>) cur).get(part);
    }
    return cur;
  }

  static String valuesTable(Path valuesYaml) {
    StringBuilder md =
        new StringBuilder("| value | default | description |\n| --- | --- | --- |\n");
    for (Value v : values(valuesYaml)) {
      md.append("| `")
          .append(v.path())
          .append("` | ")
          .append(defaultText(v.defaultValue()))
          .append(" | ")
          .append(cell(v.description()))
          .append(" |\n");
    }
    return md.toString();
  }

  private static String defaultText(Object value) {
    try {
      return "`" + new ObjectMapper().writeValueAsString(value).replace("|", "\\|") + "`";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }

  // --- files/rules.yaml

  /**
   * One row per rule of a section; the comment lines above a rule (or above the first rule of a
   * run) say why.
   */
  static String rbacTable(Path rulesYaml, String section) {
    List<Map<String, Object>> rules = Yaml.at(Yaml.single(rulesYaml), section);
    List<String> lines = Repo.read(rulesYaml).lines().toList();
    Map<Integer, String> why = new LinkedHashMap<>();
    boolean in = false;
    int index = -1;
    List<String> comment = new ArrayList<>();
    String last = "";
    for (String line : lines) {
      if (!line.startsWith(" ") && !line.startsWith("#") && !line.isBlank()) {
        in = line.startsWith(section + ":");
        comment.clear();
        continue;
      }
      String t = line.strip();
      if (!in || t.isEmpty()) {
        comment.clear();
        continue;
      }
      if (t.startsWith("#")) {
        comment.add(t.replaceFirst("^#\\s?", ""));
      } else if (t.startsWith("- apiGroups:")) {
        index++;
        if (!comment.isEmpty()) {
          last = String.join(" ", comment);
        }
        why.put(index, comment.isEmpty() ? "(as above) " + last : last);
        comment.clear();
      }
    }
    assertThat(index + 1).as("rules of section %s", section).isEqualTo(rules.size());
    StringBuilder md =
        new StringBuilder("| API group | resources | verbs | why |\n| --- | --- | --- | --- |\n");
    for (int i = 0; i < rules.size(); i++) {
      Map<String, Object> r = rules.get(i);
      md.append("| ")
          .append(join(r.get("apiGroups"), true))
          .append(" | ")
          .append(join(r.get("resources"), true))
          .append(
              r.get("resourceNames") == null
                  ? ""
                  : " (only " + join(r.get("resourceNames"), true) + ")")
          .append(" | ")
          .append(join(r.get("verbs"), false))
          .append(" | ")
          .append(cell(why.get(i).startsWith("(as above) ") ? "as above" : why.get(i)))
          .append(" |\n");
    }
    return md.toString();
  }

  private static String join(Object list, boolean code) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) list) {
      String s = String.valueOf(o);
      out.add(code ? "`" + (s.isEmpty() ? "\"\"" : s) + "`" : s);
    }
    return String.join(", ", out);
  }
}
