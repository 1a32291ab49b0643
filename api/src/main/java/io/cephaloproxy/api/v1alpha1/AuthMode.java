package io.cephaloproxy.api.v1alpha1;

/** Client authentication. */
public enum AuthMode {
  None,
  Basic
}
