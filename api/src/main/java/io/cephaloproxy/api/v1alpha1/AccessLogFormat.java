package io.cephaloproxy.api.v1alpha1;

/** Access log line format (written to stdout). */
public enum AccessLogFormat {
  Squid,
  Common,
  Combined,
  JSON
}
