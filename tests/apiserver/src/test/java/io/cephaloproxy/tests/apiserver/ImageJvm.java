package io.cephaloproxy.tests.apiserver;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the operator image runs the JVM, read from where it is defined, so that the suites measure
 * what ships: the JVM options jlink bakes into the image ({@code ARG JVM_OPTIONS} of
 * operator/Dockerfile), the image's environment ({@code ENV}: MALLOC_ARENA_MAX) and the chart's
 * default memory limit (resources.limits.memory of the chart's values.yaml), which sizes the heap.
 * {@code -Doperator.dockerfile=FILE} reads another Dockerfile (the "before" column of a comparison,
 * with {@code -Doperator.jar=FILE}).
 */
record ImageJvm(List<String> options, Map<String, String> env, int chartMemoryLimitMiB) {
  private static final Pattern OPTIONS = Pattern.compile("(?m)^ARG JVM_OPTIONS=\"([^\"]*)\"\\s*$");
  private static final Pattern ENV = Pattern.compile("(?m)^ENV (.+)$");

  /** Where the image keeps the operator jar (operator/Dockerfile). */
  static final String IMAGE_JAR = "opt/cephaloproxy/operator.jar";

  private static final String ARCHIVE = "-XX:SharedArchiveFile=";

  /**
   * The image's file system when this Java home is a copy of the image's runtime
   * (tests/apiserver/image-jre.sh: DIR/bin/java runs DIR/root/opt/java/bin/java).
   */
  static Optional<Path> imageRoot(Path javaHome) {
    Path root = javaHome.resolve("root");
    return Files.isRegularFile(root.resolve(IMAGE_JAR)) ? Optional.of(root) : Optional.empty();
  }

  /**
   * The options as the command line of a JVM in this Java home gets them. The image's CDS archive
   * ({@code -XX:SharedArchiveFile=/opt/...}) is a path in the image and belongs to the image's JVM:
   * on a copy of the image's runtime it becomes the copy's path (the JVM accepts the jar moved
   * along with the archive), on any other JVM it is left out (Java 17 would give up its own default
   * archive for a missing one).
   */
  List<String> optionsFor(Path javaHome) {
    Optional<Path> root = imageRoot(javaHome);
    List<String> out = new ArrayList<>();
    for (String o : options) {
      if (!o.startsWith(ARCHIVE)) {
        out.add(o);
      } else if (root.isPresent()) {
        out.add(
            ARCHIVE + root.get().resolve(o.substring(ARCHIVE.length()).replaceFirst("^/+", "")));
      }
    }
    return out;
  }

  static ImageJvm of(ControlPlane cp) {
    String other = System.getProperty("operator.dockerfile", "");
    Path dockerfile =
        other.isBlank() ? cp.repoRoot().resolve("operator/Dockerfile") : Path.of(other);
    return parse(
        read(dockerfile), read(cp.repoRoot().resolve("helm/cephaloproxy-operator/values.yaml")));
  }

  static ImageJvm parse(String dockerfile, String chartValues) {
    Matcher m = OPTIONS.matcher(dockerfile);
    if (!m.find()) {
      throw new IllegalStateException("no ARG JVM_OPTIONS=\"...\" line in the operator Dockerfile");
    }
    List<String> options = List.of(m.group(1).trim().split("\\s+"));
    Map<String, String> env = new LinkedHashMap<>();
    Matcher e = ENV.matcher(dockerfile);
    while (e.find()) {
      for (String kv : e.group(1).trim().split("\\s+")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new IllegalStateException("ENV entry without KEY=VALUE: " + kv);
        }
        env.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return new ImageJvm(new ArrayList<>(options), env, memoryLimitMiB(chartValues));
  }

  @SuppressWarnings("unchecked")
  static int memoryLimitMiB(String chartValues) {
    Map<String, Object> values = Serialization.unmarshal(chartValues, Map.class);
    Object limit =
        ((Map<String, Object>) ((Map<String, Object>) values.get("resources")).get("limits"))
            .get("memory");
    String s = String.valueOf(limit);
    if (s.endsWith("Mi")) {
      return Integer.parseInt(s.substring(0, s.length() - 2));
    }
    if (s.endsWith("Gi")) {
      return Integer.parseInt(s.substring(0, s.length() - 2)) * 1024;
    }
    throw new IllegalStateException("chart resources.limits.memory not in Mi or Gi: " + s);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
