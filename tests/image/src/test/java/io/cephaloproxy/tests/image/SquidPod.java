package io.cephaloproxy.tests.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.compiler.CompiledConfig;
import io.cephaloproxy.compiler.Layout;
import io.cephaloproxy.compiler.PodVolume;
import io.cephaloproxy.compiler.ReferencedData;
import io.cephaloproxy.compiler.SquidConfCompiler;
import io.cephaloproxy.testsupport.ExampleFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Squid "pod" under Docker: a SquidProxy spec compiled by the operator's compiler, its files on
 * the host, and the two containers a pod has (init, then run) sharing volumes exactly where the
 * compiled config puts them: the generated ConfigMap and referenced Secrets/ConfigMaps as read-only
 * bind mounts, emptyDirs and the cache PVC as Docker volumes (created per pod, removed on close),
 * memory emptyDirs as tmpfs. Containers run with --read-only, --cap-drop ALL, no-new-privileges, a
 * UID that is not in the image and GID 0.
 */
final class SquidPod implements AutoCloseable {
  final String name;
  final Path dir;
  final CompiledConfig compiled;
  final Path terminationLog;
  private final List<String> mounts = new ArrayList<>();
  private final List<String> volumes = new ArrayList<>();
  private final List<String> containers = new ArrayList<>();
  String image = Docker.IMAGE;
  String user = "1234567:0";
  String network;

  /** The running container ({@link #start()}). */
  String container;

  private SquidPod(String name, Path dir, CompiledConfig compiled) {
    this.name = name;
    this.dir = dir;
    this.compiled = compiled;
    this.terminationLog = dir.resolve("termination-log");
  }

  static SquidPod compile(String prefix, String yaml) {
    return compile(prefix, ExampleFile.parse(yaml));
  }

  /** Compiles a SquidProxy (and the ConfigMaps/Secrets it refers to) into a pod on the host. */
  static SquidPod compile(String prefix, ExampleFile spec) {
    String name = Docker.uniqueName(prefix);
    CompiledConfig c =
        SquidConfCompiler.compile(spec.proxy().getSpec(), spec.data(), Layout.defaults());
    try {
      Path dir = Files.createTempDirectory(name);
      open(dir);
      SquidPod pod = new SquidPod(name, dir, c);
      Files.writeString(pod.terminationLog, "");
      Files.setPosixFilePermissions(
          pod.terminationLog, PosixFilePermissions.fromString("rw-rw-rw-"));
      pod.mountVolumes(spec.data());
      pod.makeNestedMountpoints();
      return pod;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void mountVolumes(ReferencedData data) throws IOException {
    for (PodVolume v : compiled.volumes()) {
      switch (v.kind()) {
        case GENERATED_CONFIG -> {
          Path d = hostDir(v);
          for (Map.Entry<String, String> e : compiled.configMapData().entrySet()) {
            writeFile(d.resolve(e.getKey()), e.getValue().getBytes(StandardCharsets.UTF_8));
          }
          mounts.addAll(List.of("-v", d + ":" + v.mountPath() + ":ro"));
        }
        case CONFIG_MAP, SECRET -> {
          Path d = hostDir(v);
          Map<String, byte[]> content = new TreeMap<>();
          if (v.kind() == PodVolume.Kind.SECRET) {
            content.putAll(data.secret(v.source()).orElse(Map.of()));
          } else {
            data.configMap(v.source())
                .orElse(Map.of())
                .forEach((k, s) -> content.put(k, s.getBytes(StandardCharsets.UTF_8)));
          }
          Map<String, String> items = new TreeMap<>(v.items());
          if (items.isEmpty()) {
            content.keySet().forEach(k -> items.put(k, k));
          }
          for (Map.Entry<String, String> item : items.entrySet()) {
            byte[] b = content.get(item.getKey());
            if (b != null) {
              // Secret files as the operator's volumes have them: root:root, defaultMode 0440
              writeFile(
                  d.resolve(item.getValue()),
                  b,
                  v.kind() == PodVolume.Kind.SECRET ? "r--r-----" : "rw-r--r--");
            }
          }
          mounts.addAll(List.of("-v", d + ":" + v.mountPath() + ":ro"));
        }
        case EMPTY_DIR, PERSISTENT_VOLUME_CLAIM -> {
          String vol = name + "-" + v.name();
          Docker.ok("volume", "create", vol);
          volumes.add(vol);
          mounts.addAll(List.of("-v", vol + ":" + v.mountPath()));
        }
        case MEMORY_EMPTY_DIR -> {
          String size = v.size() == null ? "256m" : v.size().replace("Mi", "m").replace("Gi", "g");
          if (v.mountPath().equals("/dev/shm")) {
            mounts.addAll(List.of("--shm-size", size));
          } else {
            mounts.addAll(List.of("--tmpfs", v.mountPath() + ":rw,mode=1777,size=" + size));
          }
        }
      }
    }
  }

  /**
   * Creates, in each bind-mounted host directory, the directories where other volumes are mounted
   * beneath it (the kubelet does the same for ConfigMap/Secret volumes): a read-only mount cannot
   * get new mount points once mounted.
   */
  private void makeNestedMountpoints() throws IOException {
    for (PodVolume parent : compiled.volumes()) {
      Path host = dir.resolve("mounts").resolve(parent.name());
      if (!Files.isDirectory(host)) {
        continue;
      }
      for (PodVolume child : compiled.volumes()) {
        if (child != parent && child.mountPath().startsWith(parent.mountPath() + "/")) {
          Path nested = host.resolve(child.mountPath().substring(parent.mountPath().length() + 1));
          Files.createDirectories(nested);
          for (Path p = nested; !p.equals(host); p = p.getParent()) {
            open(p);
          }
        }
      }
    }
  }

  private Path hostDir(PodVolume v) throws IOException {
    Path d = dir.resolve("mounts").resolve(v.name());
    Files.createDirectories(d);
    open(d.getParent());
    open(d);
    return d;
  }

  /** Replaces a file of a mounted ConfigMap/Secret (e.g. to break the config). */
  void writeConfigFile(String mountPath, String file, String content) {
    for (PodVolume v : compiled.volumes()) {
      if (v.mountPath().equals(mountPath)) {
        writeFile(
            dir.resolve("mounts").resolve(v.name()).resolve(file),
            content.getBytes(StandardCharsets.UTF_8));
        return;
      }
    }
    throw new IllegalArgumentException("no volume at " + mountPath);
  }

  /** Writes a host file readable by any container UID. */
  static void writeFile(Path p, byte[] content) {
    writeFile(p, content, "rw-r--r--");
  }

  static void writeFile(Path p, byte[] content, String permissions) {
    try {
      Files.write(p, content);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void open(Path d) throws IOException {
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** The hardened flags every Squid container of the suite gets, plus the pod's mounts. */
  List<String> podArgs() {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--user",
                user,
                "--read-only",
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges",
                "-v",
                terminationLog + ":/dev/termination-log",
                // names outside the suite's networks resolve nowhere: no lookup leaves the machine
                "--dns",
                "127.0.0.1"));
    if (network != null) {
      a.addAll(List.of("--network", network));
    }
    a.addAll(mounts);
    return a;
  }

  /** Makes the Docker volume at MOUNT_PATH read-only in both containers. */
  void readOnly(String mountPath) {
    int i = mounts.indexOf(name + "-" + volumeAt(mountPath).name() + ":" + mountPath);
    if (i < 0) {
      throw new IllegalArgumentException("no Docker volume at " + mountPath);
    }
    mounts.set(i, mounts.get(i) + ":ro");
  }

  /** Where the Docker volume at MOUNT_PATH lives on the host (tests run as root). */
  Path volumePath(String mountPath) {
    return Path.of(Docker.inspect(name + "-" + volumeAt(mountPath).name(), "{{.Mountpoint}}"));
  }

  private PodVolume volumeAt(String mountPath) {
    return compiled.volumes().stream()
        .filter(v -> v.mountPath().equals(mountPath))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no volume at " + mountPath + " in " + compiled.volumes()));
  }

  /** Adds raw docker run arguments (extra mounts) for both containers. */
  void addMount(String... args) {
    mounts.addAll(List.of(args));
  }

  /** The init container: runs to completion; returns its exit code and output. */
  Docker.Result init() {
    String c = name + "-init-" + containers.size();
    containers.add(c);
    List<String> args = new ArrayList<>(List.of("run", "--name", c));
    args.addAll(podArgs());
    args.addAll(List.of(image, "init"));
    return Docker.run(Duration.ofSeconds(90), args);
  }

  /** Starts the Squid container (detached), proxy and health ports published on 127.0.0.1. */
  String start() {
    container = name + "-run-" + containers.size();
    containers.add(container);
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "-d",
                "--name",
                container,
                "-p",
                "127.0.0.1::" + compiled.port(),
                "-p",
                "127.0.0.1::8080"));
    args.addAll(podArgs());
    args.addAll(List.of(image, "run"));
    Docker.ok(args.toArray(String[]::new));
    return container;
  }

  /** init (must succeed), then start, then wait for /ready. */
  SquidPod up() {
    Docker.Result init = init();
    assertThat(init.code()).as("init output:\n%s", init.all()).isZero();
    start();
    awaitReady(Duration.ofSeconds(20));
    return this;
  }

  int proxyPort() {
    return Docker.hostPort(container, compiled.port());
  }

  int healthPort() {
    return Docker.hostPort(container, 8080);
  }

  /** Polls /ready until 200; returns the milliseconds it took. */
  long awaitReady(Duration timeout) {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    int port = healthPort();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (!"true".equals(Docker.inspect(container, "{{.State.Running}}"))) {
        throw new AssertionError(
            "container "
                + container
                + " exited ("
                + Docker.inspect(container, "{{.State.ExitCode}}")
                + "):\n"
                + Docker.logs(container).all());
      }
      sleep(50);
    }
    throw new AssertionError(
        "/ready not 200 within "
            + timeout
            + " (last: "
            + last
            + "):\n"
            + Docker.logs(container).all());
  }

  String logs() {
    return Docker.logs(container).all();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    containers.forEach(Docker::rm);
    volumes.forEach(v -> Docker.run(Duration.ofSeconds(60), "volume", "rm", "-f", v));
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: temp files only
    }
  }
}
