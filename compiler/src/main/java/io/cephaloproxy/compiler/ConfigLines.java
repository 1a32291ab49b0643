package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Checks raw squid.conf text from users (spec.extraConfig, a squidConfFrom ConfigMap) line by line, and normalizes
 * the accepted lines (comments and blank lines dropped, whitespace runs folded to one space).
 */
final class ConfigLines {
  private ConfigLines() {}

  /** ACL and logformat names the generated config uses start with this; users may not define such names. */
  static final String RESERVED_PREFIX = "cp_";
  /** Squid's predefined ACLs; appending to them (e.g. 'acl localhost src 0.0.0.0/0') would open the cache manager. */
  static final Set<String> PREDEFINED_ACLS = Set.of("all", "manager", "localhost", "to_localhost", "to_linklocal",
      "connect");
  /** Preprocessor conditionals: an unbalanced 'if' would swallow the generated lines that follow. */
  static final Set<String> CONDITIONALS = Set.of("if", "else", "endif");

  private static final Pattern DIRECTIVE = Pattern.compile("^[a-z_][a-z0-9_]*$");
  private static final Map<String, String> HINTS = Map.ofEntries(
      Map.entry("access_log", "the access log always goes to stdout; choose its format with spec.logging.format"),
      Map.entry("cache_access_log", "the access log always goes to stdout; see spec.logging"),
      Map.entry("cache_log", "Squid's log always goes to stderr"),
      Map.entry("cache_store_log", "Squid's log always goes to stderr"),
      Map.entry("logfile_rotate", "logs go to stdout/stderr and are never rotated"),
      Map.entry("logfile_daemon", "logs go to stdout/stderr"),
      Map.entry("pid_filename", "the pid file location is fixed by the image"),
      Map.entry("coredump_dir", "the coredump dir is fixed by the image"),
      Map.entry("http_port", "use spec.port (and spec.sslBump for ssl-bump)"),
      Map.entry("https_port", "not supported; use spec.port"),
      Map.entry("workers", "use spec.workers"),
      Map.entry("cache_dir", "use spec.cache"),
      Map.entry("include", "put the lines themselves here"),
      Map.entry("shutdown_lifetime", "it is derived from spec.terminationGracePeriodSeconds"),
      Map.entry("sslcrtd_program", "use spec.sslBump"),
      Map.entry("sslcrtd_children", "use spec.sslBump"),
      Map.entry("auth_param", "use spec.auth"),
      Map.entry("cache_effective_user", "the pod's security context decides the user"),
      Map.entry("cache_effective_group", "the pod's security context decides the group"));

  /** Lines of a user config, normalized, or errors reported through {@code report(lineNo, message)}. */
  static List<String> check(String text, boolean allowConditionals, BiConsumer<Integer, String> report) {
    List<String> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String raw = lines[i];
      int bad = Text.firstBadChar(raw);
      if (bad >= 0) {
        report.accept(lineNo, String.format("contains the character U+%04X; only printable ASCII and tabs are "
            + "allowed (no carriage returns or other control characters)", (int) raw.charAt(bad)));
        continue;
      }
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        report.accept(lineNo, "ends with a backslash (a line continuation); write the directive on one line");
        continue;
      }
      String[] tokens = line.split("[ \t]+");
      String directive = tokens[0];
      if (!DIRECTIVE.matcher(directive).matches()) {
        report.accept(lineNo, Text.quote(directive) + " is not a squid.conf directive (lower-case letters, digits "
            + "and '_')");
        continue;
      }
      if (SquidProxySpec.FORBIDDEN_DIRECTIVES.contains(directive)) {
        String hint = HINTS.getOrDefault(directive, "the operator manages it");
        report.accept(lineNo, "'" + directive + "' is not allowed here: " + hint);
        continue;
      }
      if (!allowConditionals && CONDITIONALS.contains(directive)) {
        report.accept(lineNo, "'" + directive + "' (a preprocessor conditional) is not allowed in extraConfig");
        continue;
      }
      if ((directive.equals("acl") || directive.equals("logformat")) && tokens.length > 1) {
        String name = tokens[1];
        if (name.toLowerCase(Locale.ROOT).startsWith(RESERVED_PREFIX)) {
          report.accept(lineNo, "the name " + Text.quote(name) + " is reserved for the generated config (prefix '"
              + RESERVED_PREFIX + "'); choose another name");
          continue;
        }
        if (directive.equals("acl") && PREDEFINED_ACLS.contains(name.toLowerCase(Locale.ROOT))) {
          report.accept(lineNo, "'" + name + "' is one of Squid's predefined ACLs and cannot be changed; define an "
              + "ACL with another name");
          continue;
        }
      }
      out.add(String.join(" ", tokens));
    }
    return out;
  }
}
