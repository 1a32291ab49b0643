package io.cephaloproxy.testsupport;

import io.cephaloproxy.compiler.CompiledConfig;
import io.cephaloproxy.compiler.PodVolume;
import java.util.Map;
import java.util.stream.Collectors;

/** A readable, diffable text form of everything a compilation produced (the golden files). */
public final class Dump {
  private Dump() {}

  public static String of(CompiledConfig c) {
    StringBuilder b = new StringBuilder();
    b.append("=== squid.conf\n").append(c.squidConf());
    for (Map.Entry<String, String> e : c.aclFiles().entrySet()) {
      b.append("=== ").append(e.getKey()).append('\n').append(e.getValue());
    }
    b.append("=== runtime.properties\n").append(c.runtimeProperties());
    b.append("=== volumes\n");
    for (PodVolume v : c.volumes()) {
      b.append(v.name())
          .append(' ')
          .append(v.kind())
          .append(' ')
          .append(v.mountPath())
          .append(v.readOnly() ? " ro" : " rw");
      if (v.source() != null) {
        b.append(" source=").append(v.source());
      }
      if (!v.items().isEmpty()) {
        b.append(" items=")
            .append(
                v.items().entrySet().stream()
                    .map(e -> e.getKey() + ":" + e.getValue())
                    .collect(Collectors.joining(",")));
      }
      if (v.size() != null) {
        b.append(" size=").append(v.size());
      }
      if (v.storageClassName() != null) {
        b.append(" storageClassName=").append(v.storageClassName());
      }
      b.append('\n');
    }
    b.append("=== shutdownLifetimeSeconds=")
        .append(c.shutdownLifetimeSeconds())
        .append(" workers=")
        .append(c.workers())
        .append(" port=")
        .append(c.port())
        .append('\n');
    b.append("=== hash=").append(c.hash()).append('\n');
    return b.toString();
  }
}
