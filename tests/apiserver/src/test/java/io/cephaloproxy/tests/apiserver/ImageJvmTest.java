package io.cephaloproxy.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cephaloproxy.testsupport.RepoRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

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
  void aDockerfileWithoutTheOptionsLineIsNamed() {
    assertThatThrownBy(() -> ImageJvm.parse("FROM scratch\n", "resources: {limits: {memory: 1Gi}}"))
        .hasMessageContaining("ARG JVM_OPTIONS");
    assertThat(
            ImageJvm.memoryLimitMiB("resources: {limits: {memory: 1Gi}, requests: {memory: 1Mi}}"))
        .isEqualTo(1024);
  }
}
