package io.cephaloproxy.compiler;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One volume the Squid pod needs and where it is mounted in the Squid container (and the init
 * container).
 *
 * @param name volume name (DNS label), unique in the pod
 * @param kind what backs it
 * @param mountPath absolute mount path
 * @param readOnly mount read-only
 * @param source name of the Secret/ConfigMap for {@link Kind#SECRET} and {@link Kind#CONFIG_MAP};
 *     null otherwise ({@link Kind#GENERATED_CONFIG} is the operator's {@code <name>-config}, {@link
 *     Kind#PERSISTENT_VOLUME_CLAIM} its {@code <name>-cache})
 * @param items key → file name inside the mount (Secret/ConfigMap {@code items}); empty = all keys
 * @param size emptyDir sizeLimit or PVC storage request (Kubernetes quantity), or null
 * @param storageClassName PVC storage class, or null for the default
 */
public record PodVolume(
    String name,
    Kind kind,
    String mountPath,
    boolean readOnly,
    String source,
    SortedMap<String, String> items,
    String size,
    String storageClassName) {

  /** What backs a volume. */
  public enum Kind {
    /** The ConfigMap with the compiled files ({@link CompiledConfig#configMapData()}). */
    GENERATED_CONFIG,
    /** A user ConfigMap (with items). */
    CONFIG_MAP,
    /** A user Secret (with items). */
    SECRET,
    /** A disk-backed emptyDir (sizeLimit = size when set). */
    EMPTY_DIR,
    /** A memory-backed emptyDir (medium: Memory, sizeLimit = size). */
    MEMORY_EMPTY_DIR,
    /** The cache PVC (requests storage = size). */
    PERSISTENT_VOLUME_CLAIM
  }

  public PodVolume {
    items = new TreeMap<>(items == null ? Map.of() : items);
  }

  static PodVolume emptyDir(String name, String path, String size) {
    return new PodVolume(name, Kind.EMPTY_DIR, path, false, null, null, size, null);
  }

  static PodVolume projected(
      String name, Kind kind, String path, String source, Map<String, String> items) {
    return new PodVolume(name, kind, path, true, source, new TreeMap<>(items), null, null);
  }
}
