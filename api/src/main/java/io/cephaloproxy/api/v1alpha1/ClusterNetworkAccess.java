package io.cephaloproxy.api.v1alpha1;

/**
 * Whether a proxy may reach the cluster's own Service and Pod networks: Deny (the default) or
 * Allow.
 */
public enum ClusterNetworkAccess {
  Deny,
  Allow
}
