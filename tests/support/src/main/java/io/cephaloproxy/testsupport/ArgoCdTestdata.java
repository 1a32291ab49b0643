package io.cephaloproxy.testsupport;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recorded SquidProxy objects the Argo CD health check is tested on
 * (argocd/resource_customizations/cephaloproxy.io/SquidProxy/testdata/STATE.yaml), shared by the
 * suites that record them from the operator (tests/apiserver ArgoCdHealthFixturesIT without a
 * kubelet, tests/cluster ArgoCdHealthFixturesE2E on the node, on branch argocd). By default {@link
 * #record} compares a committed file with what the operator writes now, on what the check decides
 * on ({@link #signature}); with {@code -Dcephaloproxy.regenerate=true} it rewrites the file. The
 * recording namespace is renamed "team-a"; managedFields, uid and resourceVersion are dropped;
 * nothing else is changed.
 */
public final class ArgoCdTestdata {
  public static final String DIR =
      "argocd/resource_customizations/cephaloproxy.io/SquidProxy/testdata";

  private final Path dir;
  private final String recordedBy;
  private final String namespace;
  private final String regenerateCommand;
  private final List<String> stale = new ArrayList<>();

  /**
   * @param recordedBy the file's first line after "# recorded from the operator ", e.g. "on the
   *     node by tests/cluster ArgoCdHealthFixturesE2E"
   * @param namespace the namespace the objects were recorded in (written as "team-a")
   * @param regenerateCommand the command that records the files again, for the failure message
   */
  public ArgoCdTestdata(String recordedBy, String namespace, String regenerateCommand) {
    this(RepoRoot.get().resolve(DIR), recordedBy, namespace, regenerateCommand);
  }

  /** The same for the files in {@code dir}. */
  public ArgoCdTestdata(Path dir, String recordedBy, String namespace, String regenerateCommand) {
    this.dir = dir;
    this.recordedBy = recordedBy;
    this.namespace = namespace;
    this.regenerateCommand = regenerateCommand;
  }

  public Path file(String state) {
    return dir.resolve(state + ".yaml");
  }

  /** Writes testdata/STATE.yaml from {@code seen}, or notes it as stale when it differs. */
  public void record(String state, GenericKubernetesResource seen) {
    seen.getMetadata().setManagedFields(null);
    seen.getMetadata().setUid(null);
    seen.getMetadata().setResourceVersion(null);
    String yaml =
        "# recorded from the operator "
            + recordedBy
            + "\n"
            + Serialization.asYaml(seen).replace("---\n", "").replace(namespace, "team-a");
    Path file = file(state);
    try {
      if (RepoRoot.regenerate()) {
        Files.writeString(file, yaml);
        return;
      }
      GenericKubernetesResource committed =
          Serialization.unmarshal(Files.readString(file), GenericKubernetesResource.class);
      if (!signature(state, committed).equals(signature(state, seen))) {
        stale.add(
            state
                + ": committed "
                + signature(state, committed)
                + ", the operator now writes "
                + signature(state, seen));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The files recorded so far that no longer match what the operator writes. */
  public List<String> stale() {
    return List.copyOf(stale);
  }

  /** The message for an assertion that {@link #stale()} is empty. */
  public String staleMessage() {
    return "testdata files that no longer match the operator's status: run `"
        + regenerateCommand
        + "` and review health_test.yaml";
  }

  /**
   * What the health check decides on: deletion, whether the status describes the current
   * generation, and each condition's status and reason; for a proxy being deleted only that (its
   * conditions depend on the moment).
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> signature(String state, GenericKubernetesResource r) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("deleting", r.getMetadata().getDeletionTimestamp() != null);
    if (state.equals("deleting")) {
      return s;
    }
    Object raw = r.getAdditionalProperties().get("status");
    Map<String, Object> status = raw instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    s.put("status", raw != null);
    Object observed = status.get("observedGeneration");
    s.put(
        "observed",
        observed instanceof Number n && n.longValue() == r.getMetadata().getGeneration());
    for (Object c : (List<Object>) status.getOrDefault("conditions", List.of())) {
      Map<String, Object> m = (Map<String, Object>) c;
      s.put(String.valueOf(m.get("type")), m.get("status") + "/" + m.get("reason"));
    }
    return s;
  }
}
