package io.cephaloproxy.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArgoCdTestdataTest {
  static final Path COMMITTED = RepoRoot.get().resolve(ArgoCdTestdata.DIR);

  static GenericKubernetesResource committed(String state) throws IOException {
    return Serialization.unmarshal(
        Files.readString(COMMITTED.resolve(state + ".yaml")), GenericKubernetesResource.class);
  }

  @Test
  void signatureIsWhatTheCheckDecidesOn() throws IOException {
    assertThat(ArgoCdTestdata.signature("missing-secret", committed("missing-secret")))
        .containsExactly(
            Map.entry("deleting", false),
            Map.entry("status", true),
            Map.entry("observed", true),
            Map.entry("Ready", "False/MissingReference"),
            Map.entry("Progressing", "False/Blocked"),
            Map.entry("Degraded", "True/MissingReference"),
            Map.entry("ConfigValid", "False/MissingReference"));
    // a proxy being deleted: only that, its conditions depend on the moment
    assertThat(ArgoCdTestdata.signature("deleting", committed("deleting")))
        .containsExactly(Map.entry("deleting", true));
    // its status is one generation behind (deletionTimestamp bumps the generation)
    assertThat(ArgoCdTestdata.signature("other", committed("deleting")))
        .containsEntry("observed", false);
  }

  @Test
  void anUnchangedRecordingIsNotStaleAndAChangedReasonIs(@TempDir Path dir) throws IOException {
    Files.copy(COMMITTED.resolve("progressing.yaml"), dir.resolve("progressing.yaml"));
    ArgoCdTestdata testdata = new ArgoCdTestdata(dir, "by a test", "ns-x", "REGENERATE");
    GenericKubernetesResource same = committed("progressing");
    same.getMetadata().setNamespace("ns-x");
    testdata.record("progressing", same);
    assertThat(testdata.stale()).isEmpty();

    GenericKubernetesResource changed = committed("progressing");
    @SuppressWarnings("unchecked")
    Map<String, Object> ready =
        ((List<Map<String, Object>>)
                ((Map<String, Object>) changed.getAdditionalProperties().get("status"))
                    .get("conditions"))
            .get(0);
    ready.put("reason", "SomethingNew");
    testdata.record("progressing", changed);
    assertThat(testdata.stale())
        .singleElement()
        .asString()
        .startsWith("progressing: committed {")
        .contains("Ready=False/WaitingForAvailability")
        .contains("the operator now writes {")
        .contains("Ready=False/SomethingNew");
    assertThat(testdata.staleMessage()).contains("`REGENERATE`");
    assertThat(Files.readString(dir.resolve("progressing.yaml")))
        .isEqualTo(Files.readString(COMMITTED.resolve("progressing.yaml")));
  }

  @Test
  void regenerateWritesTheObjectWithTheNamespaceRenamed(@TempDir Path dir) throws IOException {
    GenericKubernetesResource r = committed("missing-secret");
    r.getMetadata().setNamespace("ns-x");
    r.getMetadata().setUid("1234");
    r.getMetadata().setResourceVersion("42");
    System.setProperty("cephaloproxy.regenerate", "true");
    try {
      new ArgoCdTestdata(dir, "on a test by ArgoCdTestdataTest", "ns-x", "R")
          .record("missing-secret", r);
    } finally {
      System.clearProperty("cephaloproxy.regenerate");
    }
    String written = Files.readString(dir.resolve("missing-secret.yaml"));
    assertThat(written)
        .startsWith("# recorded from the operator on a test by ArgoCdTestdataTest\n")
        .contains("namespace: \"team-a\"")
        .doesNotContain("ns-x")
        .doesNotContain("uid:")
        .doesNotContain("resourceVersion");
    assertThat(
            ArgoCdTestdata.signature(
                "missing-secret",
                Serialization.unmarshal(written, GenericKubernetesResource.class)))
        .isEqualTo(ArgoCdTestdata.signature("missing-secret", committed("missing-secret")));
  }
}
