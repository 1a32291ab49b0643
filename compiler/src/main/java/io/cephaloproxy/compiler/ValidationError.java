package io.cephaloproxy.compiler;

/**
 * One reason a spec cannot be compiled.
 *
 * @param field where, as a spec path (e.g. {@code spec.access.allowedDomains[2]}, {@code
 *     spec.extraConfig line 3}, {@code ConfigMap lists key domains.txt line 7})
 * @param message what is wrong and how to fix it
 * @param reason a CamelCase reason for the ConfigValid condition (see {@code Conditions})
 */
public record ValidationError(String field, String message, String reason) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
