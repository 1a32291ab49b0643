package io.cephaloproxy.api.v1alpha1;

/** Image pull policy. */
public enum PullPolicy {
  Always,
  IfNotPresent,
  Never
}
