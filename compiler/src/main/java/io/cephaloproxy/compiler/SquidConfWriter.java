package io.cephaloproxy.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What the section emitters write: squid.conf lines and the ACL files they point to. */
final class SquidConfWriter {
  private final List<String> lines = new ArrayList<>();
  private final SortedMap<String, String> aclFiles = new TreeMap<>();

  void line(String line) {
    lines.add(line);
  }

  /** A blank line and a {@code # --- title ---} header. */
  void section(String title) {
    lines.add("");
    lines.add("# --- " + title + " ---");
  }

  /** An ACL file (a key of the generated ConfigMap), one entry per line. */
  void aclFile(String name, List<String> entries) {
    aclFiles.put(name, entries.stream().map(e -> e + "\n").collect(Collectors.joining()));
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  String squidConf() {
    return String.join("\n", lines) + "\n";
  }

  SortedMap<String, String> aclFiles() {
    return aclFiles;
  }
}
