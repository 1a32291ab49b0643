package io.cephaloproxy.api.v1alpha1;

/** Where a disk cache lives. */
public enum CacheVolumeType {
  EmptyDir,
  PersistentVolumeClaim
}
