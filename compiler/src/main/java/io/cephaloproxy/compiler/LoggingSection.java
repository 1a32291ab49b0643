package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.AccessLogFormat;
import io.cephaloproxy.api.v1alpha1.LoggingSpec;

/**
 * The access log: one {@code logformat} (spec.logging.format, plus would_deny= in Audit mode) to
 * stdout, without the pod's own cache manager requests: the agent's {@code /ready} and {@code
 * /metrics} (readiness probe and Prometheus scrapes) read Squid's cache manager on 127.0.0.1 and
 * would otherwise add lines to the access log every few seconds. A cache manager request from any
 * other address (denied) is still logged.
 */
final class LoggingSection {
  /** The name of the generated logformat. */
  static final String LOGFORMAT = "cp_access";

  /** The ACL of the pod's own cache manager requests (localhost and manager). */
  static final String PROBES_ACL = "cp_probes";

  private LoggingSection() {}

  static void write(SquidConfWriter out, LoggingSpec logging, boolean audit) {
    out.line(
        "logformat "
            + LOGFORMAT
            + " "
            + format(ResolvedSpec.or(logging.getFormat(), () -> AccessLogFormat.Squid), audit));
    out.line("acl " + PROBES_ACL + " all-of localhost manager");
    out.line("access_log stdio:/dev/stdout " + LOGFORMAT + " !" + PROBES_ACL);
  }

  static String format(AccessLogFormat f, boolean audit) {
    String format =
        switch (f) {
          case Squid -> "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt";
          case Common -> "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st %Ss:%Sh";
          case Combined ->
              "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st \"%{Referer}>h\" \"%{User-Agent}>h\" %Ss:%Sh";
          case JSON ->
              "{\"time\":\"%{%Y-%m-%dT%H:%M:%S}tg.%03tuZ\",\"duration_ms\":%tr,\"client\":\"%>a\","
                  + "\"user\":\"%\"un\",\"method\":\"%\"rm\",\"url\":\"%\"ru\",\"status\":\"%03>Hs\",\"result\":\"%Ss\","
                  + "\"bytes\":%<st,\"hierarchy\":\"%Sh\",\"server\":\"%<a\",\"mime\":\"%\"mt\","
                  + "\"user_agent\":\"%\"{User-Agent}>h\"}";
        };
    if (!audit) {
      return format;
    }
    String note = AccessSection.AUDIT_NOTE;
    return f == AccessLogFormat.JSON
        ? format.substring(0, format.length() - 1) + ",\"" + note + "\":\"%\"{" + note + "}note\"}"
        : format + " " + note + "=%{" + note + "}note";
  }
}
