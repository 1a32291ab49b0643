package io.cephaloproxy.tests.squid;

import io.cephaloproxy.agent.TrustedCaBundle;
import io.cephaloproxy.agent.UpstreamInclude;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.compiler.CompiledConfig;
import io.cephaloproxy.compiler.Layout;
import io.cephaloproxy.compiler.PodVolume;
import io.cephaloproxy.compiler.ReferencedData;
import io.cephaloproxy.compiler.SquidConfCompiler;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A {@code SquidProxy} compiled by the real compiler into an instance directory laid out like the
 * pod: the compiler's {@link PodVolume}s are "mounted" (the generated ConfigMap, the referenced
 * Secret and ConfigMap keys under their item names, the emptyDirs), then the init step's upstream
 * include and trusted CA bundle are written with the agent's own code. {@link SquidInstance} runs
 * Squid from it.
 */
public final class CompiledSquid {
  private final SquidLab lab;
  private final Path dir;
  private final CompiledConfig compiled;
  private final SquidInstance.Settings settings;

  private CompiledSquid(
      SquidLab lab, Path dir, CompiledConfig compiled, SquidInstance.Settings settings) {
    this.lab = lab;
    this.dir = dir;
    this.compiled = compiled;
    this.settings = settings;
  }

  /** Parses {@code specYaml} (the body of {@code spec:}) into a SquidProxy named {@code name}. */
  public static SquidProxy proxy(String name, String specYaml) {
    String body = specYaml.strip();
    String indented = body.lines().map(l -> "  " + l).collect(Collectors.joining("\n"));
    String doc =
        "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata:\n  name: "
            + name
            + "\n  namespace: tests\nspec:\n"
            + (body.equals("{}") ? "  {}" : indented)
            + "\n";
    try {
      return Serialization.unmarshal(doc, SquidProxy.class);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad test spec:\n" + doc, e);
    }
  }

  /** Secret and ConfigMap data keyed {@code secret/NAME/KEY} or {@code configmap/NAME/KEY}. */
  static ReferencedData referencedData(Map<String, String> data) {
    Map<String, Map<String, String>> secrets = new TreeMap<>();
    Map<String, Map<String, String>> configMaps = new TreeMap<>();
    data.forEach(
        (k, v) -> {
          String[] p = k.split("/", 3);
          if (p.length != 3 || !(p[0].equals("secret") || p[0].equals("configmap"))) {
            throw new IllegalArgumentException(
                "referenced data key must be secret/NAME/KEY or configmap/NAME/KEY: " + k);
          }
          (p[0].equals("secret") ? secrets : configMaps)
              .computeIfAbsent(p[1], x -> new TreeMap<>())
              .put(p[2], v);
        });
    ReferencedData.Builder b = ReferencedData.builder();
    secrets.forEach(b::secretStrings);
    configMaps.forEach(b::configMap);
    return b.build();
  }

  /**
   * The test layout: everything under {@code dir}, the lab's hosts file, and as name server the
   * origin's silent UDP port 53 (or, without the Java origin, 127.0.0.1 where nothing listens).
   */
  static Layout layout(SquidLab lab, Path dir, String name) {
    return Layout.underRoot(dir.toString())
        .serviceName(lab.serviceName(name))
        .hostsFile(lab.hostsFile.toString())
        .dnsNameservers(List.of(lab.origin != null ? NetLab.ORIGIN_IP : "127.0.0.1"))
        .build();
  }

  public static CompiledSquid compile(
      SquidLab lab, String name, String specYaml, Map<String, String> referenced) {
    return compile(
        lab, name, proxy(name, specYaml), referencedData(referenced), (source, key, file) -> null);
  }

  /** Content for a mounted Secret/ConfigMap key the test data does not have, or null. */
  public interface Stubs {
    String content(String source, String key, String file);
  }

  public static CompiledSquid compile(
      SquidLab lab, String name, SquidProxy proxy, ReferencedData data, Stubs stubs) {
    Path dir = lab.newInstanceDir(name);
    // as the operator does: the resource's own visible hostname
    Layout layout =
        layout(lab, dir, name).toBuilder()
            .visibleHostname(
                Layout.visibleHostnameFor(
                    proxy.getMetadata().getName(), proxy.getMetadata().getNamespace()))
            .build();
    CompiledConfig compiled = SquidConfCompiler.compile(proxy.getSpec(), data, layout);
    mount(dir, compiled, data, stubs);
    SquidInstance.groupWritable(dir);
    initStep(compiled);
    SquidInstance.groupWritable(dir);
    SquidInstance.Settings settings =
        SquidInstance.Settings.fromRuntimeProperties(Path.of(layout.runtimeProperties()));
    return new CompiledSquid(lab, dir, compiled, settings);
  }

  /** What the kubelet does with the compiler's volumes. */
  static void mount(Path dir, CompiledConfig compiled, ReferencedData data, Stubs stubs) {
    for (PodVolume v : compiled.volumes()) {
      Path mount = Path.of(v.mountPath());
      switch (v.kind()) {
        case GENERATED_CONFIG ->
            compiled
                .configMapData()
                .forEach((file, content) -> write(mount.resolve(file), content));
        case CONFIG_MAP ->
            v.items()
                .forEach(
                    (key, file) ->
                        write(
                            mount.resolve(file),
                            data.configMap(v.source())
                                .map(m -> m.get(key))
                                .or(() -> Optional.ofNullable(stubs.content(v.source(), key, file)))
                                .orElseThrow(
                                    () ->
                                        new IllegalArgumentException(
                                            "test data lacks configmap/"
                                                + v.source()
                                                + "/"
                                                + key))));
        case SECRET ->
            v.items()
                .forEach(
                    (key, file) ->
                        write(
                            mount.resolve(file),
                            data.secret(v.source())
                                .map(m -> m.get(key))
                                .map(String::new)
                                .or(() -> Optional.ofNullable(stubs.content(v.source(), key, file)))
                                .orElseThrow(
                                    () ->
                                        new IllegalArgumentException(
                                            "test data lacks secret/" + v.source() + "/" + key))));
        case EMPTY_DIR, PERSISTENT_VOLUME_CLAIM -> mkdirs(mount);
        case MEMORY_EMPTY_DIR -> {
          // SquidInstance mounts a fresh tmpfs on /dev/shm in Squid's own mount namespace
          if (!mount.equals(Path.of("/dev/shm"))) {
            throw new IllegalStateException("a memory emptyDir outside /dev/shm: " + v);
          }
        }
        default -> throw new IllegalStateException("unknown volume kind " + v);
      }
      if (v.kind() != PodVolume.Kind.MEMORY_EMPTY_DIR && !mount.startsWith(dir)) {
        throw new IllegalStateException(
            "volume " + v.name() + " outside the instance dir " + dir + ": " + v.mountPath());
      }
    }
  }

  /**
   * The init container's file steps, with the agent's code (Squid's own init steps are in
   * SquidInstance).
   */
  static void initStep(CompiledConfig compiled) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(compiled.runtimeProperties()));
      String creds = p.getProperty("upstream.credentials", "");
      String line =
          UpstreamInclude.line(
              p.getProperty("upstream.cachePeer", ""), creds.isEmpty() ? null : Path.of(creds));
      write(Path.of(p.getProperty("upstream.include")), line);
      List<Path> sources =
          Arrays.stream(p.getProperty("trustedCA.sources", "").split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .map(Path::of)
              .toList();
      if (!sources.isEmpty()) {
        TrustedCaBundle.build(
            Path.of(p.getProperty("trustedCA.system")),
            sources,
            Path.of(p.getProperty("trustedCA.bundle")));
      }
    } catch (Exception e) {
      throw new IllegalStateException("init step failed: " + e.getMessage(), e);
    }
  }

  public String squidConf() {
    return compiled.squidConf();
  }

  public CompiledConfig compiled() {
    return compiled;
  }

  public Path dir() {
    return dir;
  }

  /**
   * A new (not started) Squid for this compiled config; several may run one after another on the
   * same dirs.
   */
  public SquidInstance instance() {
    return new SquidInstance(lab.net, settings, dir);
  }

  static void mkdirs(Path d) {
    try {
      Files.createDirectories(d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
