package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What Squid caches. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type != 'Memory' || has(self.memory)",
    message = "cache.type Memory needs cache.memory.size, e.g. memory: {size: 256Mi}")
@ValidationRule(
    value = "self.type == 'Memory' || !has(self.memory)",
    message = "cache.memory is only used with type: Memory; remove it or set type: Memory")
@ValidationRule(
    value = "self.type != 'Disk' || has(self.disk)",
    message = "cache.type Disk needs cache.disk.size, e.g. disk: {size: 10Gi}")
@ValidationRule(
    value = "self.type == 'Disk' || !has(self.disk)",
    message = "cache.disk is only used with type: Disk; remove it or set type: Disk")
public class CacheSpec {
  @Default("None")
  @JsonPropertyDescription(
      "None (default): cache nothing. Memory: cache in RAM (cache.memory). Disk: cache on a "
          + "volume (cache.disk), with a small memory cache in front.")
  private CacheType type = CacheType.None;

  @JsonPropertyDescription("Settings of the memory cache; only with type: Memory.")
  private MemoryCacheSpec memory;

  @JsonPropertyDescription("Settings of the disk cache; only with type: Disk.")
  private DiskCacheSpec disk;

  @Default(Defaults.MAXIMUM_OBJECT_SIZE)
  @Size(max = 20)
  @Pattern(Patterns.BYTES_QUANTITY)
  @ValidationRule(
      value =
          "isQuantity(self) && quantity(self).compareTo(quantity('1Ki')) >= 0 "
              + "&& quantity(self).compareTo(quantity('1Pi')) <= 0",
      message = "cache.maximumObjectSize must be a size between 1Ki and 1Pi, e.g. 4Mi")
  @JsonPropertyDescription(
      "Largest object that is cached (Squid maximum_object_size). Default "
          + Defaults.MAXIMUM_OBJECT_SIZE
          + ".")
  private String maximumObjectSize = Defaults.MAXIMUM_OBJECT_SIZE;

  // --- accessors ---

  public CacheType getType() {
    return type;
  }

  public void setType(CacheType type) {
    this.type = type;
  }

  public MemoryCacheSpec getMemory() {
    return memory;
  }

  public void setMemory(MemoryCacheSpec memory) {
    this.memory = memory;
  }

  public DiskCacheSpec getDisk() {
    return disk;
  }

  public void setDisk(DiskCacheSpec disk) {
    this.disk = disk;
  }

  public String getMaximumObjectSize() {
    return maximumObjectSize;
  }

  public void setMaximumObjectSize(String maximumObjectSize) {
    this.maximumObjectSize = maximumObjectSize;
  }
}
