package io.cephaloproxy.operator.model;

import java.util.List;
import java.util.Map;

/**
 * One volume of the Squid pod and where it is mounted in both containers.
 *
 * @param name volume name
 * @param path mount path
 * @param kind what backs it
 * @param source the ConfigMap/Secret/PVC name (null for emptyDirs)
 * @param items for Secret/ConfigMap: key in the object → file name (fixed names per the contract)
 * @param sizeLimit emptyDir size limit (null for none)
 * @param readOnly mounted read-only
 */
public record Mount(
    String name, String path, Kind kind, String source, Map<String, String> items, String sizeLimit, boolean readOnly) {

  public enum Kind {
    EMPTY_DIR,
    MEMORY,
    CONFIG_MAP,
    SECRET,
    PVC
  }

  public Mount {
    items = items == null ? Map.of() : Map.copyOf(items);
  }

  public static Mount emptyDir(String name, String path) {
    return new Mount(name, path, Kind.EMPTY_DIR, null, null, null, false);
  }

  public static List<String> names(List<Mount> mounts) {
    return mounts.stream().map(Mount::name).toList();
  }
}
