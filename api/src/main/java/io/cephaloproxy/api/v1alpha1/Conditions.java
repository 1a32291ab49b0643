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

  // reasons: ConditionReason
}
