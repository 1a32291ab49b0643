package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** An on-disk object cache (Squid rock store). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.volume == 'PersistentVolumeClaim' || !has(self.storageClassName)",
    message = "cache.disk.storageClassName only applies with volume: PersistentVolumeClaim")
public class DiskCacheSpec {
  @Required
  @Size(max = 20)
  @Pattern(Patterns.BYTES_QUANTITY)
  @ValidationRule(value = CelRules.QUANTITY, message = "cache.disk.size " + CelRules.QUANTITY_MSG)
  @JsonPropertyDescription(
      "Size of the cache volume, e.g. 10Gi. Squid uses 90% of it (cache_dir), the rest is "
          + "headroom for its metadata.")
  private String size;

  @Default("EmptyDir")
  @JsonPropertyDescription(
      "EmptyDir (default): the cache lives and dies with the pod. PersistentVolumeClaim: "
          + "a PVC named <name>-cache keeps it (use replicas: 1 unless the storage class is ReadWriteMany).")
  private CacheVolumeType volume = CacheVolumeType.EmptyDir;

  @Size(max = 253)
  @Pattern(Patterns.RESOURCE_NAME)
  @JsonPropertyDescription("Storage class of the PVC; the cluster default when left out.")
  private String storageClassName;

  public DiskCacheSpec() {}

  public DiskCacheSpec(String size) {
    this.size = size;
  }

  // --- accessors ---

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }

  public CacheVolumeType getVolume() {
    return volume;
  }

  public void setVolume(CacheVolumeType volume) {
    this.volume = volume;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }
}
