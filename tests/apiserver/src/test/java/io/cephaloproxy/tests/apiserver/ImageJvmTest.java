package io.cephaloproxy.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cephaloproxy.testsupport.RepoRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suites start the operator with the image's JVM options, read from the image's Dockerfile. */
class ImageJvmTest {
  @Test
  void readsTheImagesJvmOptionsEnvironmentAndTheChartsMemoryLimit() throws Exception {
    Path root = RepoRoot.get();
    ImageJvm jvm =
        ImageJvm.parse(
            Files.readString(root.resolve("operator/Dockerfile")),
            Files.readString(root.resolve("helm/cephaloproxy-operator/values.yaml")));
    assertThat(jvm.options())
        .contains("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData")
        .allMatch(o -> o.startsWith("-XX:") || o.startsWith("-D"));
    assertThat(jvm.env()).containsKey("MALLOC_ARENA_MAX");
    assertThat(jvm.chartMemoryLimitMiB()).isBetween(128, 4096);
  }

  @Test
  void theImagesCdsArchiveIsTheOneItsDockerfileDumpsAndGoesOnlyToTheImagesOwnJava(@TempDir Path tmp)
      throws Exception {
    Path root = RepoRoot.get();
    String dockerfile = Files.readString(root.resolve("operator/Dockerfile"));
    ImageJvm jvm =
        ImageJvm.parse(
            dockerfile, Files.readString(root.resolve("helm/cephaloproxy-operator/values.yaml")));
    String archive = "-XX:SharedArchiveFile=/opt/cephaloproxy/operator.jsa";
    assertThat(jvm.options()).contains(archive);
    assertThat(dockerfile)
        .contains(
            "-XX:SharedArchiveFile=/opt/cephaloproxy/operator.jsa -cp /" + ImageJvm.IMAGE_JAR);
    // the JVM running the tests (Java 17 here) does not get the image's path
    assertThat(jvm.optionsFor(tmp)).doesNotContain(archive).contains("-XX:+UseSerialGC");
    // a copy of the image's runtime (image-jre.sh: DIR/root) gets the copy's archive
    Files.createDirectories(tmp.resolve("root/opt/cephaloproxy"));
    Files.writeString(tmp.resolve("root").resolve(ImageJvm.IMAGE_JAR), "jar");
    assertThat(ImageJvm.imageRoot(tmp)).contains(tmp.resolve("root"));
    assertThat(jvm.optionsFor(tmp))
        .contains("-XX:SharedArchiveFile=" + tmp.resolve("root/opt/cephaloproxy/operator.jsa"))
        .doesNotContain(archive);
  }

  @Test
  void aDockerfileWithoutTheOptionsLineIsNamed() {
    assertThatThrownBy(() -> ImageJvm.parse("FROM scratch\n", "resources: {limits: {memory: 1Gi}}"))
        .hasMessageContaining("ARG JVM_OPTIONS");
    assertThat(
            ImageJvm.memoryLimitMiB("resources: {limits: {memory: 1Gi}, requests: {memory: 1Mi}}"))
        .isEqualTo(1024);
  }
}
