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

/**
 * Destination domain entries in Squid's dstdomain syntax ('.example.com' = the domain and its
 * subdomains).
 */
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
      return "uses a wildcard; write "
          + Text.quote(entry.substring(1))
          + " (a leading dot matches the domain and all "
          + "its subdomains)";
    }
    if (!DOMAIN.matcher(entry).matches()) {
      return "is not a domain name like example.com or .example.com (letters, digits, '-', '_' and dots only; no "
          + "scheme, port, path, spaces, quotes, '#', '%' or control characters)";
    }
    return null;
  }

  /**
   * Lower-cased, de-duplicated, sorted, without entries that a '.parent' entry already covers
   * (Squid refuses 'example.com' next to '.example.com' and warns about covered subdomains).
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
   * The longest line of an ACL list file Squid reads whole: it reads them with fgets() into a
   * 2048-byte buffer, so byte 2048 of a longer line starts a new entry (measured on Squid 5.7 and
   * 6.13: a comment line whose byte 2048 starts 'example.com' adds that domain). Counted in bytes
   * of the file, without the newline.
   */
  static final int SQUID_LIST_LINE_LIMIT = 2047;

  /**
   * Problems reported per list; after that the list is not checked further (a 1 MiB list has 500k
   * lines).
   */
  static final int MAX_REPORTED = 20;

  /**
   * Checks a list file (one entry per line, '#' comments and blank lines allowed) the way Squid
   * reads it, and reports each bad line: lines Squid would split (comments too), characters Squid
   * would misread (Squid only strips spaces and tabs, so any other whitespace stays part of the
   * entry and is refused here), and 'x' next to '.x' (which makes Squid refuse to start). Entries
   * covered by a '.parent' entry are accepted (Squid only warns). Stops after {@link #MAX_REPORTED}
   * problems, saying so.
   *
   * @param content the file as Squid reads it (its UTF-8 bytes)
   * @param report called with (line number, message) for each problem
   */
  static void checkListFile(String content, BiConsumer<Integer, String> report) {
    Map<String, Integer> firstLine = new HashMap<>();
    int reported = 0;
    int lineNo = 0;
    int start = 0;
    while (true) {
      int end = content.indexOf('\n', start);
      int stop = end < 0 ? content.length() : end;
      lineNo++;
      String problem = lineProblem(content, start, stop);
      if (problem != null) {
        report.accept(lineNo, problem);
        if (++reported >= MAX_REPORTED) {
          if (end >= 0) {
            report.accept(
                lineNo,
                "validation of this list stopped after "
                    + MAX_REPORTED
                    + " problems; fix these and "
                    + "the rest of the list is checked again");
          }
          return;
        }
      } else {
        String e = entry(content, start, stop);
        if (e != null) {
          firstLine.putIfAbsent(e.toLowerCase(Locale.ROOT), lineNo);
        }
      }
      if (end < 0) {
        break;
      }
      start = end + 1;
    }
    for (Map.Entry<String, Integer> en :
        new TreeSet<>(firstLine.keySet())
            .stream().map(k -> Map.entry(k, firstLine.get(k))).toList()) {
      String e = en.getKey();
      if (!e.startsWith(".") && firstLine.containsKey("." + e)) {
        int other = firstLine.get("." + e);
        report.accept(
            en.getValue(),
            Text.quote(e)
                + " conflicts with "
                + Text.quote("." + e)
                + " on line "
                + other
                + ": Squid refuses both in one list; '."
                + e
                + "' already matches "
                + e
                + ", remove line "
                + en.getValue());
        if (++reported >= MAX_REPORTED) {
          return;
        }
      }
    }
  }

  /** What is wrong with line [from, to) of a list file, or null. */
  private static String lineProblem(String content, int from, int to) {
    int bytes = Text.utf8Length(content, from, to);
    if (bytes > SQUID_LIST_LINE_LIMIT) {
      return "is "
          + bytes
          + " bytes long; Squid reads list files in lines of at most "
          + SQUID_LIST_LINE_LIMIT
          + " bytes and would read the rest as another entry: shorten the line (comments too)";
    }
    if (to > from && content.charAt(to - 1) == '\r') {
      return "ends with a carriage return (Windows line ending); save the list with Unix line endings";
    }
    String e = entry(content, from, to);
    if (e == null) {
      return null;
    }
    String problem = problem(e);
    return problem == null ? null : Text.quote(e) + " " + problem;
  }

  /**
   * The entry on line [from, to) with the spaces and tabs around it removed (only those: Squid's
   * list reader strips nothing else), or null for a blank or comment line.
   */
  private static String entry(String content, int from, int to) {
    while (from < to && (content.charAt(from) == ' ' || content.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (content.charAt(to - 1) == ' ' || content.charAt(to - 1) == '\t')) {
      to--;
    }
    if (from == to || content.charAt(from) == '#') {
      return null;
    }
    return content.substring(from, to);
  }
}
