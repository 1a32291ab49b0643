package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.ConditionReason;

/**
 * One reason a spec cannot be compiled.
 *
 * @param field where, as a spec path (e.g. {@code spec.access.allowedDomains[2]}, {@code
 *     spec.extraConfig line 3}, {@code ConfigMap lists key domains.txt line 7})
 * @param message what is wrong and how to fix it
 * @param reason the ConfigValid condition's reason: InvalidSpec, InvalidReferencedData or
 *     MissingReference
 */
public record ValidationError(String field, String message, ConditionReason reason) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
