package io.cephaloproxy.api.v1alpha1;

/** Which cache Squid keeps. */
public enum CacheType {
  None,
  Memory,
  Disk
}
