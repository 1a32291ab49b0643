package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.Patterns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/** Destination domain entries in Squid's dstdomain syntax ('.example.com' = the domain and its subdomains). */
final class Domains {
  private Domains() {}

  static final int MAX_LENGTH = 254;
  private static final Pattern DOMAIN = Pattern.compile(Patterns.DOMAIN);

  /** Null when the entry is valid, else what is wrong. */
  static String problem(String entry) {
    if (entry == null || entry.isEmpty()) {
      return "is empty";
    }
    if (entry.length() > MAX_LENGTH) {
      return "is longer than " + MAX_LENGTH + " characters";
    }
    if (entry.startsWith("*.")) {
      return "uses a wildcard; write " + Text.quote(entry.substring(1)) + " (a leading dot matches the domain and all "
          + "its subdomains)";
    }
    if (!DOMAIN.matcher(entry).matches()) {
      return "is not a domain name like example.com or .example.com (letters, digits, '-', '_' and dots only; no "
          + "scheme, port, path, spaces, quotes, '#', '%' or control characters)";
    }
    return null;
  }

  /**
   * Lower-cased, de-duplicated, sorted, without entries that a '.parent' entry already covers (Squid refuses
   * 'example.com' next to '.example.com' and warns about covered subdomains).
   */
  static List<String> normalize(List<String> entries) {
    TreeSet<String> set = new TreeSet<>();
    for (String e : entries) {
      set.add(e.toLowerCase(Locale.ROOT));
    }
    List<String> out = new ArrayList<>();
    for (String e : set) {
      if (coveringEntry(e, set::contains) == null) {
        out.add(e);
      }
    }
    return out;
  }

  /** The '.parent' entry that covers {@code e} (other than e itself), or null. */
  private static String coveringEntry(String e, java.util.function.Predicate<String> present) {
    String host = e.startsWith(".") ? e.substring(1) : e;
    if (!e.startsWith(".") && present.test("." + host)) {
      return "." + host;
    }
    int dot = host.indexOf('.');
    while (dot >= 0) {
      String parent = host.substring(dot); // ".rest"
      if (present.test(parent)) {
        return parent;
      }
      dot = host.indexOf('.', dot + 1);
    }
    return null;
  }

  /**
   * Checks a list file (one entry per line, '#' comments and blank lines allowed) and reports each bad line:
   * syntax, characters Squid would misread, and 'x' next to '.x' (which makes Squid refuse to start).
   * Entries covered by a '.parent' entry are accepted (Squid only warns).
   *
   * @param report called with (line number, message) for each problem
   */
  static void checkListFile(String content, BiConsumer<Integer, String> report) {
    Map<String, Integer> firstLine = new HashMap<>();
    String[] lines = content.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String raw = lines[i];
      if (raw.endsWith("\r")) {
        report.accept(lineNo, "ends with a carriage return (Windows line ending); save the list with Unix line "
            + "endings");
        continue;
      }
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String problem = problem(line);
      if (problem != null) {
        report.accept(lineNo, Text.quote(line) + " " + problem);
        continue;
      }
      String e = line.toLowerCase(Locale.ROOT);
      firstLine.putIfAbsent(e, lineNo);
    }
    for (Map.Entry<String, Integer> en : new TreeSet<>(firstLine.keySet()).stream()
        .map(k -> Map.entry(k, firstLine.get(k))).toList()) {
      String e = en.getKey();
      if (!e.startsWith(".") && firstLine.containsKey("." + e)) {
        int other = firstLine.get("." + e);
        report.accept(en.getValue(), Text.quote(e) + " conflicts with " + Text.quote("." + e) + " on line " + other
            + ": Squid refuses both in one list; '." + e + "' already matches " + e + ", remove line "
            + en.getValue());
      }
    }
  }
}
