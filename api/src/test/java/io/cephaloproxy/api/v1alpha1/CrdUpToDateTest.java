package io.cephaloproxy.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD under crds/ must be what {@link CrdGeneration} produces from the current
 * classes and snapshot.
 */
class CrdUpToDateTest {
  static final String FILE = SquidProxy.CRD_NAME + "-v1.yml";

  @Test
  void committedCrdMatchesGenerated() throws IOException {
    String fresh = CrdGeneration.generate(Path.of("target/crd"));
    Path committed = RepoRoot.get().resolve("crds").resolve(FILE);
    if (RepoRoot.regenerate()) {
      Files.createDirectories(committed.getParent());
      Files.writeString(committed, fresh);
    }
    assertThat(committed).as("committed CRD").exists();
    assertThat(Files.readString(committed))
        .as(
            "crds/%s is stale: regenerate it with  mvn -B -ntp -pl api verify -Dcephaloproxy.regenerate=true  and commit it",
            FILE)
        .isEqualTo(fresh);
  }
}
