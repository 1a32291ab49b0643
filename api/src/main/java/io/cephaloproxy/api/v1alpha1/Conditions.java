package io.cephaloproxy.api.v1alpha1;

/**
 * Condition types and reasons written to {@code SquidProxy.status.conditions} (CamelCase, like
 * metav1.Condition wants).
 */
public final class Conditions {
  private Conditions() {}

  // --- types ---
  /** True when every desired replica is ready and serves the current config. */
  public static final String READY = "Ready";

  /** True while a rollout (new config, new image, scale) is under way. */
  public static final String PROGRESSING = "Progressing";

  /**
   * True when the proxy serves, but not as the spec asks (e.g. a new config failed and the old pods
   * keep serving).
   */
  public static final String DEGRADED = "Degraded";

  /**
   * False when the spec (or a referenced Secret/ConfigMap) cannot be compiled to a valid
   * squid.conf; the message says why.
   */
  public static final String CONFIG_VALID = "ConfigValid";

  // --- reasons ---
  public static final String REASON_COMPILED = "Compiled";
  public static final String REASON_INVALID_SPEC = "InvalidSpec";
  public static final String REASON_INVALID_REFERENCED_DATA = "InvalidReferencedData";
  public static final String REASON_MISSING_REFERENCE = "MissingReference";
  public static final String REASON_SQUID_REJECTED_CONFIG = "SquidRejectedConfig";
  public static final String REASON_AVAILABLE = "Available";
  public static final String REASON_ROLLING_OUT = "RollingOut";
  public static final String REASON_ROLLOUT_COMPLETE = "RolloutComplete";
  public static final String REASON_RECONCILE_ERROR = "ReconcileError";
  public static final String REASON_AS_EXPECTED = "AsExpected";
}
