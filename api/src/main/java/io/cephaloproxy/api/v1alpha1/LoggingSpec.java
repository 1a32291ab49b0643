package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Logging. The access log always goes to stdout and Squid's cache log to stderr. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoggingSpec {
  @Default("Squid")
  @JsonPropertyDescription(
      "Access log format: Squid (default, Squid's native format), Common (Apache common), "
          + "Combined (Apache combined, with referer and user agent) or JSON (one JSON object per line).")
  private AccessLogFormat format = AccessLogFormat.Squid;

  // --- accessors ---

  public AccessLogFormat getFormat() {
    return format;
  }

  public void setFormat(AccessLogFormat format) {
    this.format = format;
  }
}
