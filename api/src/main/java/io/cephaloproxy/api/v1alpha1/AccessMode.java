package io.cephaloproxy.api.v1alpha1;

/**
 * Enforce denies what the access rules deny; Audit lets it through and logs which rule would have
 * denied it.
 */
public enum AccessMode {
  Enforce,
  Audit
}
