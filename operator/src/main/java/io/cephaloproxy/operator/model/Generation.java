package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.compiler.CompiledConfig;
import io.cephaloproxy.compiler.PodVolume;
import io.cephaloproxy.compiler.SpecReferences;
import io.cephaloproxy.compiler.ValidationError;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A config generation: the immutable objects pods mount for one config hash. The ConfigMap {@code
 * <name>-config-<hash>} holds the compiled files; each pod volume backed by a referenced ConfigMap
 * or Secret gets a copy of the keys it mounts, {@code <name>-config-<hash>-<volume>} (an immutable
 * ConfigMap or Secret, controlled by the generation's ConfigMap, so deleting that one lets
 * Kubernetes' garbage collector delete the copies). One object per referenced volume keeps every
 * object under the 1 MiB limit whatever the lists weigh together. Nothing a serving pod mounts ever
 * changes: a new spec or new referenced data is a new generation.
 */
public final class Generation {
  /** Kubernetes' limit on the data of one ConfigMap or Secret (keys and values). */
  public static final long MAX_OBJECT_BYTES = 1L << 20;

  private Generation() {}

  /** A generation Secret to create: the source Secret's keys (key → file name) copied. */
  public record SecretCopy(
      String name, String volume, String source, SortedMap<String, String> files) {
    public SecretCopy {
      files = new TreeMap<>(files);
    }
  }

  static ObjectMeta meta(ProxyModel m, String name) {
    ObjectMeta meta = ProxyObjects.meta(m, name);
    meta.getLabels().put(Labels.GENERATION, SquidProxyResources.generationHash(m.configHash()));
    return meta;
  }

  /** The generation's ConfigMap: squid.conf, runtime.properties and the ACL files. */
  public static ConfigMap configMap(ProxyModel m) {
    return new ConfigMapBuilder()
        .withMetadata(meta(m, m.generationName()))
        .withImmutable(true)
        .withData(new TreeMap<>(m.configFiles()))
        .build();
  }

  /** The copies of referenced ConfigMap keys, one ConfigMap per pod volume, in volume order. */
  public static List<ConfigMap> configMapCopies(ProxyModel m) {
    List<ConfigMap> out = new ArrayList<>();
    m.copiedFiles()
        .forEach(
            (volume, files) ->
                out.add(
                    new ConfigMapBuilder()
                        .withMetadata(meta(m, m.generationPartName(volume)))
                        .withImmutable(true)
                        .withData(new TreeMap<>(files))
                        .build()));
    return out;
  }

  /** The Secret copies the generation needs, one per pod volume backed by a Secret. */
  public static List<SecretCopy> secretCopies(ProxyModel m) {
    List<SecretCopy> out = new ArrayList<>();
    for (PodVolume v : m.volumes()) {
      if (v.kind() == PodVolume.Kind.SECRET) {
        out.add(new SecretCopy(m.generationPartName(v.name()), v.name(), v.source(), v.items()));
      }
    }
    return out;
  }

  /**
   * The generation Secret for {@code copy}: the source's keys under their file names, values as
   * stored (base64).
   *
   * @param sourceData the source Secret's data (base64 values)
   */
  public static Secret secret(ProxyModel m, SecretCopy copy, Map<String, String> sourceData) {
    SortedMap<String, String> data = new TreeMap<>();
    copy.files().forEach((key, file) -> data.put(file, sourceData.getOrDefault(key, "")));
    return new SecretBuilder()
        .withMetadata(meta(m, copy.name()))
        .withType("Opaque")
        .withImmutable(true)
        .withData(data)
        .build();
  }

  /** The names of every object of the generation (the ConfigMap first). */
  public static List<String> objectNames(ProxyModel m) {
    List<String> out = new ArrayList<>();
    out.add(m.generationName());
    configMapCopies(m).forEach(c -> out.add(c.getMetadata().getName()));
    secretCopies(m).forEach(c -> out.add(c.name()));
    return out;
  }

  /**
   * The objects of a generation that would exceed {@link #MAX_OBJECT_BYTES}, each as a ConfigValid
   * problem naming the field and what to do.
   */
  static List<ValidationError> tooLarge(
      SquidProxySpec spec,
      CompiledConfig compiled,
      SortedMap<String, SortedMap<String, String>> copied) {
    List<ValidationError> out = new ArrayList<>();
    long main = bytes(compiled.configMapData());
    if (main > MAX_OBJECT_BYTES) {
      out.add(
          new ValidationError(
              "spec",
              "the compiled configuration (squid.conf and ACL files) is "
                  + main
                  + " bytes, more than the "
                  + MAX_OBJECT_BYTES
                  + " (1 MiB) one ConfigMap holds; move long inline lists (access.allowedDomains,"
                  + " access.deniedDomains) into ConfigMaps (allowedDomainsFrom, deniedDomainsFrom)",
              ConditionReason.InvalidSpec));
    }
    for (PodVolume v : compiled.volumes()) {
      SortedMap<String, String> files = copied.get(v.name());
      if (files == null) {
        continue;
      }
      long size = bytes(files);
      if (size <= MAX_OBJECT_BYTES) {
        continue;
      }
      String key = v.items().keySet().stream().findFirst().orElse("");
      String field =
          SpecReferences.of(spec).stream()
              .filter(
                  r ->
                      r.kind() == SpecReferences.Kind.ConfigMap
                          && r.name().equals(v.source())
                          && r.keys().contains(key))
              .map(SpecReferences.KeyReference::field)
              .findFirst()
              .orElse("spec");
      out.add(
          new ValidationError(
              field,
              "ConfigMap "
                  + v.source()
                  + " key "
                  + key
                  + " is "
                  + size
                  + " bytes, more than the "
                  + MAX_OBJECT_BYTES
                  + " (1 MiB) one object of a config generation holds; make the list smaller",
              ConditionReason.InvalidReferencedData));
    }
    return out;
  }

  private static long bytes(Map<String, String> data) {
    long n = 0;
    for (Map.Entry<String, String> e : data.entrySet()) {
      n += e.getKey().getBytes(StandardCharsets.UTF_8).length;
      n += e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    return n;
  }
}
