package io.cephaloproxy.api.v1alpha1;

/** How HTTPS CONNECT tunnels are handled when SSL-bump is on. */
public enum SslBumpPolicy {
  BumpAll,
  PeekAndSplice
}
