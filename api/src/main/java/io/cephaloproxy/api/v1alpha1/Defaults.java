package io.cephaloproxy.api.v1alpha1;

/**
 * The one place for the defaults of a SquidProxy: the CRD's {@code default:} values (the
 * {@code @Default} annotations and field initializers take these constants) and the fallbacks of
 * the compiler and the operator when a field is absent (specs that never met an API server, e.g. in
 * {@code render}).
 */
public final class Defaults {
  private Defaults() {}

  /** spec.port: Squid's http_port, the container port {@code proxy} and the Service port. */
  public static final int PORT = 3128;

  /**
   * The proxy pod's health port (container port {@code health}: /health, /ready, /metrics); never
   * spec.port.
   */
  public static final int HEALTH_PORT = 8080;

  /** spec.replicas */
  public static final int REPLICAS = 1;

  /** spec.workers */
  public static final int WORKERS = 1;

  /** spec.terminationGracePeriodSeconds */
  public static final long TERMINATION_GRACE_PERIOD_SECONDS = 30;

  /** spec.upstream.port */
  public static final int UPSTREAM_PORT = 3128;

  /** spec.cache.maximumObjectSize */
  public static final String MAXIMUM_OBJECT_SIZE = "4Mi";

  /** spec.sslBump.certificateDbSize */
  public static final String CERTIFICATE_DB_SIZE = "4Mi";

  /** spec.auth.realm */
  public static final String AUTH_REALM = "CephaloProxy";

  /** spec.podDisruptionBudget.maxUnavailable */
  public static final int PDB_MAX_UNAVAILABLE = 1;

  /** Why spec.port cannot be the health port (the CEL rule's and the validator's message). */
  public static final String HEALTH_PORT_MESSAGE =
      "port "
          + HEALTH_PORT
          + " is the proxy pod's health port; choose "
          + "another proxy port, e.g. "
          + PORT;

  // the same values as annotation strings (constant expressions, so the CRD generator reads them)
  static final String PORT_TEXT = "" + PORT;
  static final String REPLICAS_TEXT = "" + REPLICAS;
  static final String WORKERS_TEXT = "" + WORKERS;
  static final String TERMINATION_GRACE_PERIOD_SECONDS_TEXT = "" + TERMINATION_GRACE_PERIOD_SECONDS;
  static final String UPSTREAM_PORT_TEXT = "" + UPSTREAM_PORT;
  static final String PDB_MAX_UNAVAILABLE_TEXT = "" + PDB_MAX_UNAVAILABLE;
}
