package io.cephaloproxy.api.v1alpha1;

/**
 * Regular expressions shared by the CRD schema (OpenAPI {@code pattern}, CEL {@code matches}, both
 * RE2) and the Java-side validation ({@link java.util.regex.Pattern}); they only use syntax both
 * agree on.
 */
public final class Patterns {
  private Patterns() {}

  /** A DNS-1123 subdomain, the name of a Secret or ConfigMap. */
  public static final String RESOURCE_NAME = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

  /** A Secret/ConfigMap data key. */
  public static final String DATA_KEY = "^[-._a-zA-Z0-9]{1,253}$";

  /**
   * A destination domain for dstdomain / ssl::server_name: letters, digits, '-', '_' and dots; a
   * leading dot means "this domain and all its subdomains" (Squid's convention). An IPv4 address
   * also matches.
   */
  public static final String DOMAIN =
      "^[.]?([a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?[.])*[a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?$";

  /**
   * A port or an inclusive port range, e.g. 443 or 1025-65535 (range bounds checked separately).
   */
  public static final String PORT_OR_RANGE = "^[0-9]{1,5}(-[0-9]{1,5})?$";

  /** A Kubernetes quantity in bytes with a binary or decimal suffix, e.g. 512Mi, 10Gi, 100M. */
  public static final String BYTES_QUANTITY = "^[0-9]{1,12}(Ki|Mi|Gi|Ti|k|M|G|T)?$";

  /** A host name or IPv4 address for the upstream proxy (IPv6 is checked with isIP). */
  public static final String HOST =
      "^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?[.])*[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$";

  /** The basic-auth realm shown by browsers: printable ASCII without quotes or backslashes. */
  public static final String REALM = "^[a-zA-Z0-9 ._:/()-]{1,64}$";

  /** Control characters other than newline and tab (forbidden in raw config). */
  public static final String CONTROL_CHARS_EXCEPT_NL_TAB = "[\\x00-\\x08\\x0b-\\x1f\\x7f]";
}
