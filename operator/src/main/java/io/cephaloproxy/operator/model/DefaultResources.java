package io.cephaloproxy.operator.model;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests for the Squid containers when the spec leaves them out, so that proxy pods are never
 * BestEffort (the first evicted under node pressure) and the scheduler reserves what Squid uses.
 * Sizing (docs/api.md#resources): cpu 100m; memory 128 MiB (the agent's JVM ~47 MB and one Squid
 * ~28 MB measured, with room for connections) plus Squid's cache_mem and 32 MiB for each extra SMP
 * worker. A request the spec sets, or a limit (Kubernetes then requests the limit), is left alone.
 * No limits are added.
 */
public final class DefaultResources {
  public static final String CPU = "100m";
  public static final int BASE_MEMORY_MIB = 128;
  public static final int PER_EXTRA_WORKER_MIB = 32;
  private static final Pattern CACHE_MEM = Pattern.compile("(?m)^cache_mem (\\d+) MB$");

  private DefaultResources() {}

  /** The memory request for a compiled squid.conf and its worker count. */
  public static int memoryMiB(String squidConf, int workers) {
    Matcher m = CACHE_MEM.matcher(squidConf);
    int cacheMem = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return BASE_MEMORY_MIB + cacheMem + PER_EXTRA_WORKER_MIB * Math.max(0, workers - 1);
  }

  public static ResourceRequirements apply(
      ResourceRequirements spec, String squidConf, int workers) {
    Map<String, Quantity> requests =
        new TreeMap<>(spec == null || spec.getRequests() == null ? Map.of() : spec.getRequests());
    Map<String, Quantity> limits =
        spec == null || spec.getLimits() == null ? Map.of() : spec.getLimits();
    if (!requests.containsKey("cpu") && !limits.containsKey("cpu")) {
      requests.put("cpu", new Quantity(CPU));
    }
    if (!requests.containsKey("memory") && !limits.containsKey("memory")) {
      requests.put("memory", new Quantity(memoryMiB(squidConf, workers) + "Mi"));
    }
    ResourceRequirementsBuilder b =
        spec == null ? new ResourceRequirementsBuilder() : new ResourceRequirementsBuilder(spec);
    return b.withRequests(requests).build();
  }
}
