package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.AccessLogFormat;
import io.cephaloproxy.api.v1alpha1.LoggingSpec;

/**
 * The access log: one {@code logformat} (spec.logging.format, plus would_deny= in Audit mode) to
 * stdout, without the pod's own cache manager requests: the agent's {@code /ready} and {@code
 * /metrics} (readiness probe and Prometheus scrapes) read Squid's cache manager on 127.0.0.1 and
 * would otherwise add lines to the access log every few seconds. A cache manager request from any
 * other address (denied) is still logged. Each line starts with {@link #DECISION_PREFIX}, which the
 * agent strips.
 */
final class LoggingSection {
  /** The name of the generated logformat. */
  static final String LOGFORMAT = "cp_access";

  /**
   * What every access log line starts with, for the image's agent: it counts the request by these
   * fields (decision, rule, would_deny, Squid's result code, HTTP status, reply bytes, duration in
   * ms, and the request's host, which it keeps for denied requests: the operator's summary Event)
   * and writes the rest of the line, the format the user chose, to the container log
   * (docs/agent.md, "Decisions"). Tag cp2: the prefix with the host (cp1 was the one without, which
   * the agent still reads).
   */
  static final String DECISION_PREFIX = prefix("cp2");

  /**
   * JSON (logging.format): the prefix with tag cpj2, then Squid's fields URL-encoded ({@code %#}:
   * no field holds a space), from which the agent writes one JSON object per request (its {@code
   * JsonLog} names the fields in this order; docs/agent.md documents each).
   */
  static final String JSON_FIELDS =
      prefix("cpj2")
          + "%{%Y-%m-%dT%H:%M:%S}tg.%03tuZ %#>a %#un %#rm %#>rs %#>rd %#>rP %#>rp %>Hs %<st %tr %#Ss"
          + " %#ssl::>sni %#ssl::bump_mode %#<a %#Sh %#mt %#{User-Agent}>h";

  private static String prefix(String tag) {
    return tag
        + " %{"
        + AccessSection.DECISION_NOTE
        + "}note %{"
        + AccessSection.RULE_NOTE
        + "}note %{"
        + AccessSection.AUDIT_NOTE
        + "}note %Ss %>Hs %<st %tr %#>rd ";
  }

  /** The ACL of the pod's own cache manager requests (localhost and manager). */
  static final String PROBES_ACL = "cp_probes";

  private LoggingSection() {}

  static void write(SquidConfWriter out, LoggingSpec logging, boolean audit) {
    out.line(
        "logformat "
            + LOGFORMAT
            + " "
            + logformat(ResolvedSpec.or(logging.getFormat(), () -> AccessLogFormat.Squid), audit));
    out.line("acl " + PROBES_ACL + " all-of localhost manager");
    out.line("access_log stdio:/dev/stdout " + LOGFORMAT + " !" + PROBES_ACL);
  }

  /** The whole logformat: the decision prefix and the user's text format, or the JSON fields. */
  static String logformat(AccessLogFormat f, boolean audit) {
    return f == AccessLogFormat.JSON ? JSON_FIELDS : DECISION_PREFIX + format(f, audit);
  }

  /** A text format as the container log shows it (Audit mode: with would_deny= at the end). */
  static String format(AccessLogFormat f, boolean audit) {
    String format =
        switch (f) {
          case Squid -> "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt";
          case Common -> "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st %Ss:%Sh";
          case Combined ->
              "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st \"%{Referer}>h\" \"%{User-Agent}>h\" %Ss:%Sh";
          case JSON -> throw new IllegalArgumentException("JSON is written by the agent");
        };
    return audit ? format + " would_deny=%{" + AccessSection.AUDIT_NOTE + "}note" : format;
  }
}
