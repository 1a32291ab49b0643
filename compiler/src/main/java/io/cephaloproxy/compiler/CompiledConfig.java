package io.cephaloproxy.compiler;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a spec compiles to.
 *
 * @param squidConf the squid.conf text
 * @param aclFiles ACL file name → content (also keys of the generated ConfigMap, mounted in the
 *     config dir)
 * @param runtimeProperties runtime.properties text (sorted keys; docs/architecture.md)
 * @param volumes the volumes and mounts the Squid pod needs, sorted by mount path
 * @param shutdownLifetimeSeconds squid.conf's shutdown_lifetime
 * @param workers Squid workers
 * @param port the proxy port
 * @param hash sha256 hex of every generated file and of the referenced data that was given (the pod
 *     template's {@code cephaloproxy.io/config-hash})
 */
public record CompiledConfig(
    String squidConf,
    SortedMap<String, String> aclFiles,
    String runtimeProperties,
    List<PodVolume> volumes,
    int shutdownLifetimeSeconds,
    int workers,
    int port,
    String hash) {

  public static final String SQUID_CONF = "squid.conf";
  public static final String RUNTIME_PROPERTIES = "runtime.properties";

  public CompiledConfig {
    aclFiles = Collections.unmodifiableSortedMap(new TreeMap<>(aclFiles));
    volumes = List.copyOf(volumes);
  }

  /** The data of the generated ConfigMap: squid.conf, runtime.properties and the ACL files. */
  public SortedMap<String, String> configMapData() {
    TreeMap<String, String> data = new TreeMap<>(aclFiles);
    data.put(SQUID_CONF, squidConf);
    data.put(RUNTIME_PROPERTIES, runtimeProperties);
    return Collections.unmodifiableSortedMap(data);
  }
}
