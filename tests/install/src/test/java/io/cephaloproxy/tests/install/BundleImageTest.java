package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * bundle/bundle.Dockerfile builds with the real Docker engine (FROM scratch: no registry needed)
 * into an image whose labels are metadata/annotations.yaml and whose files are the bundle.
 */
class BundleImageTest {
  static final String DOCKER =
      Files.isExecutable(Paths.get("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";

  @Test
  void bundleImageCarriesTheBundleAndItsAnnotationsAsLabels() throws Exception {
    String tag = "localhost/cephaloproxy/operator-bundle:test-" + ProcessHandle.current().pid();
    docker("info", "--format", "{{.ServerVersion}}");
    docker(
        "build",
        "-q",
        "-f",
        Repo.BUNDLE.resolve("bundle.Dockerfile").toString(),
        "-t",
        tag,
        Repo.BUNDLE.toString());
    String container = null;
    try {
      Map<String, String> labels =
          Yaml.JSON.readValue(
              docker("image", "inspect", "--format", "{{json .Config.Labels}}", tag),
              new TypeReference<>() {});
      Map<String, Object> annotations =
          Yaml.at(Yaml.single(Repo.BUNDLE.resolve("metadata/annotations.yaml")), "annotations");
      assertThat(labels).isEqualTo(annotations);

      container = docker("create", tag, "none").strip();
      Map<String, byte[]> files = tar(dockerBytes("export", container));
      List<String> expected = new ArrayList<>();
      for (String dir : List.of("manifests", "metadata")) {
        try (var list = Files.list(Repo.BUNDLE.resolve(dir))) {
          for (Path f : list.sorted().toList()) {
            String name = dir + "/" + f.getFileName();
            expected.add(name);
            assertThat(files).as(name).containsKey(name);
            assertThat(new String(files.get(name), StandardCharsets.UTF_8))
                .as(name)
                .isEqualTo(Files.readString(f));
          }
        }
      }
      assertThat(files.keySet())
          .filteredOn(n -> n.startsWith("manifests/") || n.startsWith("metadata/"))
          .containsExactlyInAnyOrderElementsOf(expected);
      assertThat(files.keySet())
          .noneMatch(
              n -> n.endsWith("csv-base.yaml") || n.endsWith(".svg") || n.endsWith("ci.yaml"));
      String scorecard = "tests/scorecard/config.yaml";
      assertThat(files).as(scorecard).containsKey(scorecard);
      assertThat(new String(files.get(scorecard), StandardCharsets.UTF_8))
          .as(scorecard)
          .isEqualTo(Files.readString(Repo.BUNDLE.resolve(scorecard)));
    } finally {
      if (container != null) {
        docker("rm", container);
      }
      docker("rmi", tag);
    }
  }

  /** Regular files of a tar stream (POSIX ustar as docker export writes it), by path. */
  static Map<String, byte[]> tar(byte[] tar) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    var in = new ByteArrayInputStream(tar);
    byte[] header = new byte[512];
    while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
      String name = cString(header, 0, 100);
      String prefix = cString(header, 345, 155);
      long size =
          Long.parseLong(
              cString(header, 124, 12).strip().isEmpty() ? "0" : cString(header, 124, 12).strip(),
              8);
      byte[] data = in.readNBytes((int) size);
      in.skipNBytes((512 - size % 512) % 512);
      char type = (char) header[156];
      if (type == '0' || type == 0) {
        out.put((prefix.isEmpty() ? "" : prefix + "/") + name.replaceFirst("^\\./", ""), data);
      }
    }
    return out;
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  static String docker(String... args) throws IOException, InterruptedException {
    return new String(dockerBytes(args), StandardCharsets.UTF_8);
  }

  static byte[] dockerBytes(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(DOCKER));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("DOCKER_BUILDKIT", "1");
    Path err = Files.createTempFile("docker-", ".err");
    try {
      Process p = pb.redirectError(err.toFile()).start();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue())
          .as(
              "%s failed: %s (the Docker engine is started by "
                  + "scripts/stages/35-install-tools.sh)",
              cmd, Files.readString(err))
          .isZero();
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
