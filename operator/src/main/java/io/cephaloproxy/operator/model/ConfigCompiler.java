package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** The operator's view of the API module's compiler (see CompilerAdapter). */
public interface ConfigCompiler {

  /**
   * @param spec the SquidProxy spec
   * @param configMapData the data of every referenced ConfigMap, by name
   */
  Compiled compile(String name, SquidProxySpec spec, Map<String, Map<String, String>> configMapData);

  /**
   * @param files ConfigMap data: squid.conf, runtime.properties, ACL files (empty with errors)
   * @param writablePaths directories the pod must be able to write (emptyDirs)
   * @param cacheDirs cache_dir paths (a subset of, or below, a writable path)
   * @param shutdownLifetimeSeconds squid.conf's shutdown_lifetime
   * @param hash the compiler's hash of the files
   * @param errors validation errors; non-empty means nothing may be rolled out
   */
  record Compiled(
      SortedMap<String, String> files,
      List<String> writablePaths,
      List<String> cacheDirs,
      int shutdownLifetimeSeconds,
      String hash,
      List<String> errors) {}
}
