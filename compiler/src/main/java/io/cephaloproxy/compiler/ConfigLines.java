package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Checks raw squid.conf text from users (spec.extraConfig, a squidConfFrom ConfigMap) line by line,
 * and normalizes the accepted lines (comments and blank lines dropped, whitespace runs folded to
 * one space).
 */
final class ConfigLines {
  private ConfigLines() {}

  /**
   * ACL and logformat names the generated config uses start with this; users may not define such
   * names.
   */
  static final String RESERVED_PREFIX = "cp_";

  /**
   * Squid's predefined ACLs; appending to them (e.g. 'acl localhost src 0.0.0.0/0') would open the
   * cache manager.
   */
  static final Set<String> PREDEFINED_ACLS =
      Set.of("all", "manager", "localhost", "to_localhost", "to_linklocal", "connect");

  /**
   * Preprocessor conditionals: an unbalanced 'if' would swallow the generated lines that follow.
   */
  static final Set<String> CONDITIONALS = Set.of("if", "else", "endif");

  /**
   * The longest squid.conf line Squid reads whole: it reads the file with fgets() into an 8192-byte
   * buffer, so byte 8192 of a longer line starts a new directive (measured on Squid 5.7 and 6.13).
   * In bytes, without the newline.
   */
  static final int SQUID_CONF_LINE_LIMIT = SquidProxySpec.SQUID_CONF_LINE_LIMIT;

  /** Problems reported per text; after that the text is not checked further. */
  static final int MAX_REPORTED = 20;

  private static final Pattern DIRECTIVE = Pattern.compile("^[a-z_][a-z0-9_]*$");
  private static final Map<String, String> HINTS =
      Map.ofEntries(
          Map.entry(
              "access_log",
              "the access log always goes to stdout; choose its format with spec.logging.format"),
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
          Map.entry("cache_effective_group", "the pod's security context decides the group"),
          Map.entry(
              "err_page_stylesheet",
              "it copies a file of the pod into every error page; error pages use Squid's stylesheet"),
          Map.entry("error_map", "it serves files or URLs as error pages"),
          Map.entry(
              "follow_x_forwarded_for",
              "it would let clients choose the address the client rules check"),
          Map.entry(
              "acl_uses_indirect_client",
              "client rules check the connecting address, never one a client supplies"),
          Map.entry(
              "delay_pool_uses_indirect_client",
              "client rules check the connecting address, never one a client supplies"),
          Map.entry(
              "log_uses_indirect_client",
              "the access log shows the connecting address, never one a client supplies"),
          Map.entry(
              "cache_peer",
              "a peer can reach destinations the proxy denies; use spec.upstream for a parent proxy"),
          Map.entry("cache_peer_access", "use spec.upstream for a parent proxy"),
          Map.entry("cache_peer_domain", "use spec.upstream for a parent proxy"),
          Map.entry("neighbor_type_domain", "use spec.upstream for a parent proxy"),
          Map.entry(
              "icap_service", "an adaptation service can reach destinations the proxy denies"),
          Map.entry(
              "ecap_service", "an adaptation service can reach destinations the proxy denies"),
          Map.entry("loadable_modules", "it loads code into Squid"),
          Map.entry("sslpassword_program", "it runs a program; use spec.sslBump"));

  /**
   * Lines of a user config, normalized, or errors reported through {@code report(lineNo, message)}.
   */
  static List<String> check(
      String text, boolean allowConditionals, BiConsumer<Integer, String> report) {
    List<String> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    int reported = 0;
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String[] problem = {null};
      String line = checkLine(lines[i], allowConditionals, m -> problem[0] = m);
      if (problem[0] != null) {
        if (++reported > MAX_REPORTED) {
          report.accept(
              lineNo,
              "and more: validation stopped after "
                  + MAX_REPORTED
                  + " problems; fix these and the "
                  + "rest is checked again");
          break;
        }
        report.accept(lineNo, problem[0]);
      } else if (line != null) {
        out.add(line);
      }
    }
    return out;
  }

  /**
   * The normalized directive of one line; null for blank and comment lines, and for bad lines
   * (reported).
   */
  private static String checkLine(String raw, boolean allowConditionals, Consumer<String> report) {
    int bytes = Text.utf8Length(raw, 0, raw.length());
    if (bytes > SQUID_CONF_LINE_LIMIT) {
      report.accept(
          "is "
              + bytes
              + " bytes long; Squid reads squid.conf in lines of at most "
              + SQUID_CONF_LINE_LIMIT
              + " bytes and would read the rest as a new directive: split it into shorter lines (e.g. several acl lines "
              + "with the same name add up)");
      return null;
    }
    int bad = Text.firstBadChar(raw);
    if (bad >= 0) {
      report.accept(
          String.format(
              "contains the character U+%04X; only printable ASCII and tabs are "
                  + "allowed (no carriage returns or other control characters)",
              (int) raw.charAt(bad)));
      return null;
    }
    String line = raw.strip();
    if (line.isEmpty() || line.startsWith("#")) {
      return null;
    }
    if (line.endsWith("\\")) {
      report.accept("ends with a backslash (a line continuation); write the directive on one line");
      return null;
    }
    String[] tokens = line.split("[ \t]+");
    String directive = tokens[0];
    if (!DIRECTIVE.matcher(directive).matches()) {
      report.accept(
          Text.quote(directive)
              + " is not a squid.conf directive (lower-case letters, digits "
              + "and '_')");
      return null;
    }
    if (SquidProxySpec.FORBIDDEN_DIRECTIVES.contains(directive)) {
      String hint = HINTS.getOrDefault(directive, "the operator manages it");
      report.accept("'" + directive + "' is not allowed here: " + hint);
      return null;
    }
    if (!allowConditionals && CONDITIONALS.contains(directive)) {
      report.accept(
          "'" + directive + "' (a preprocessor conditional) is not allowed in extraConfig");
      return null;
    }
    if ((directive.equals("acl") || directive.equals("logformat")) && tokens.length > 1) {
      String name = tokens[1];
      if (name.toLowerCase(Locale.ROOT).startsWith(RESERVED_PREFIX)) {
        report.accept(
            "the name "
                + Text.quote(name)
                + " is reserved for the generated config (prefix '"
                + RESERVED_PREFIX
                + "'); choose another name");
        return null;
      }
      if (directive.equals("acl") && PREDEFINED_ACLS.contains(name.toLowerCase(Locale.ROOT))) {
        report.accept(
            "'"
                + name
                + "' is one of Squid's predefined ACLs and cannot be changed; define an "
                + "ACL with another name");
        return null;
      }
    }
    if (!allowConditionals && line.contains("${")) {
      // Squid replaces ${process_number}, ${service_name} ... before parsing: the directive would
      // not be the line
      report.accept(
          "contains '${', which Squid replaces by a macro value (e.g. ${process_number}) before reading the "
              + "line; write the value itself");
      return null;
    }
    return String.join(" ", tokens);
  }
}
