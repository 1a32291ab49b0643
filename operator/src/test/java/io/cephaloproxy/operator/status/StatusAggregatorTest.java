package io.cephaloproxy.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.Conditions;
import io.cephaloproxy.api.v1alpha1.SquidProxyStatus;
import io.cephaloproxy.compiler.ValidationError;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.reconciler.Transitions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusAggregatorTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");
  static final String HASH = "abc123";

  static Deployment deployment(
      String hash, int replicas, int updated, int available, int ready, long gen, long observed) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("p")
        .withGeneration(gen)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewTemplate()
        .withNewMetadata()
        .addToAnnotations(Labels.CONFIG_HASH_ANNOTATION, hash)
        .endMetadata()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(observed)
        .withReplicas(Math.max(replicas, updated))
        .withUpdatedReplicas(updated)
        .withAvailableReplicas(available)
        .withReadyReplicas(ready)
        .endStatus()
        .build();
  }

  static Observation obs(
      Optional<Deployment> d,
      List<Pod> pods,
      List<ReplicaSet> rs,
      List<String> errors,
      List<String> missing) {
    List<ValidationError> problems = new java.util.ArrayList<>();
    errors.forEach(e -> problems.add(problem(e, ConditionReason.InvalidSpec)));
    missing.forEach(e -> problems.add(problem(e, ConditionReason.MissingReference)));
    return obs(d, pods, rs, problems);
  }

  static Observation obs(
      Optional<Deployment> d, List<Pod> pods, List<ReplicaSet> rs, List<ValidationError> problems) {
    return new Observation(3, problems, Optional.of(HASH), 2, d, rs, pods, "p.ns.svc:3128");
  }

  /** "field: message" as the compiler words it. */
  static ValidationError problem(String text, ConditionReason reason) {
    int colon = text.indexOf(": ");
    return new ValidationError(text.substring(0, colon), text.substring(colon + 2), reason);
  }

  static Condition cond(SquidProxyStatus s, String type) {
    return StatusConditions.find(s.getConditions(), type);
  }

  static Pod pod(String name, String hash) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToAnnotations(Labels.CONFIG_HASH_ANNOTATION, hash)
        .endMetadata()
        .withNewStatus()
        .endStatus()
        .build();
  }

  @Test
  void readyWhenAllReplicasUpdatedAndAvailable() {
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 2, 2, 2, 5, 5)),
                List.of(),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    assertThat(cond(s, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(cond(s, Conditions.PROGRESSING).getStatus()).isEqualTo("False");
    assertThat(cond(s, Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(cond(s, Conditions.CONFIG_VALID).getStatus()).isEqualTo("True");
    assertThat(s.getObservedGeneration()).isEqualTo(3L);
    assertThat(s.getReplicas()).isEqualTo(2);
    assertThat(s.getReadyReplicas()).isEqualTo(2);
    assertThat(s.getConfigHash()).isEqualTo(HASH);
    assertThat(s.getEndpoint()).isEqualTo("p.ns.svc:3128");
    assertThat(s.getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
  }

  @Test
  void noDeploymentYetIsProgressingCreating() {
    var s =
        StatusAggregator.aggregate(
            obs(Optional.empty(), List.of(), List.of(), List.of(), List.of()), List.of(), null, T0);
    assertThat(cond(s, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(cond(s, Conditions.PROGRESSING).getStatus()).isEqualTo("True");
    assertThat(cond(s, Conditions.PROGRESSING).getReason()).isEqualTo("Creating");
  }

  @Test
  void rollingOutWhileOldPodsRun() {
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 1, 2, 2, 6, 6)),
                List.of(),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    assertThat(cond(s, Conditions.PROGRESSING).getStatus()).isEqualTo("True");
    assertThat(cond(s, Conditions.PROGRESSING).getReason())
        .isEqualTo(ConditionReason.RollingOut.name());
    assertThat(cond(s, Conditions.PROGRESSING).getMessage()).contains("1 of 2 replicas updated");
    assertThat(cond(s, Conditions.READY).getStatus()).isEqualTo("False");
  }

  @Test
  void aStoppingPodOfThePreviousConfigKeepsReadyFalseUntilItIsGone() {
    Pod stopping = pod("p-old", "0ld");
    stopping.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
    Pod stoppingCurrent = pod("p-scaled-down", HASH);
    stoppingCurrent.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
    Deployment done = deployment(HASH, 2, 2, 2, 2, 6, 6);

    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(done),
                List.of(pod("p-a", HASH), pod("p-b", HASH), stopping, stoppingCurrent),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    assertThat(cond(s, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(cond(s, Conditions.PROGRESSING).getReason())
        .isEqualTo(ConditionReason.RollingOut.name());
    assertThat(cond(s, Conditions.PROGRESSING).getMessage())
        .endsWith("2 available, 1 pod of the previous config still stopping");

    // a stopping pod of the current config (scale-down, eviction) does not hold Ready back
    var gone =
        StatusAggregator.aggregate(
            obs(
                Optional.of(done),
                List.of(pod("p-a", HASH), pod("p-b", HASH), stoppingCurrent),
                List.of(),
                List.of(),
                List.of()),
            s.getConditions(),
            HASH,
            T1);
    assertThat(cond(gone, Conditions.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void deploymentWithOldHashIsNotReady() {
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment("old", 2, 2, 2, 2, 5, 5)),
                List.of(),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    assertThat(cond(s, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(cond(s, Conditions.PROGRESSING).getReason()).isEqualTo("ConfigChanged");
  }

  @Test
  void unobservedDeploymentGenerationIsPending() {
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 2, 2, 2, 7, 6)),
                List.of(),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    assertThat(cond(s, Conditions.PROGRESSING).getReason()).isEqualTo("DeploymentPending");
    assertThat(cond(s, Conditions.READY).getStatus()).isEqualTo("False");
  }

  /** What ModelFactory passes for a missing Secret: the compiler's ValidationError as a string. */
  static final String MISSING_CA =
      "spec.sslBump.caSecret: Secret 'proxy-ca' not found in the SquidProxy's namespace; create it or fix the name";

  static final ValidationError BAD_LIST_LINE =
      new ValidationError(
          "ConfigMap allowlist key domains.txt line 2",
          "'*.example.com' is not a domain name; write .example.com for a domain and its subdomains",
          ConditionReason.InvalidReferencedData);

  @Test
  void badReferencedDataIsInvalidReferencedDataOnEveryCondition() {
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment("old", 2, 2, 2, 2, 5, 5)),
                List.of(),
                List.of(),
                List.of(BAD_LIST_LINE)),
            List.of(),
            "old",
            T0);
    for (String type : List.of(Conditions.CONFIG_VALID, Conditions.READY, Conditions.DEGRADED)) {
      assertThat(cond(s, type).getReason())
          .as(type)
          .isEqualTo(ConditionReason.InvalidReferencedData.name());
    }
    assertThat(cond(s, Conditions.CONFIG_VALID).getMessage()).isEqualTo(BAD_LIST_LINE.toString());
    assertThat(cond(s, Conditions.DEGRADED).getMessage()).contains("domains.txt line 2");
    assertThat(cond(s, Conditions.PROGRESSING).getReason())
        .isEqualTo(ConditionReason.Blocked.name());
    assertThat(s.getConfigHash()).as("the previous configuration stays").isEqualTo("old");
  }

  /**
   * Every pair of blocking problems present at once: Ready, Degraded and ConfigValid name the same
   * reason, the first in ConditionReason.BLOCKING, and the message lists every problem, that one
   * first (before, the three conditions each had their own order).
   */
  @Test
  void precedenceIsTheSameOnEveryCondition() {
    ValidationError spec =
        new ValidationError("spec.extraConfig line 1", "bad", ConditionReason.InvalidSpec);
    ValidationError missing = problem(MISSING_CA, ConditionReason.MissingReference);
    List<List<ValidationError>> cases =
        List.of(
            List.of(missing, spec),
            List.of(missing, BAD_LIST_LINE),
            List.of(BAD_LIST_LINE, spec),
            List.of(missing, BAD_LIST_LINE, spec));
    for (List<ValidationError> problems : cases) {
      ConditionReason want =
          ConditionReason.BLOCKING.stream()
              .filter(r -> problems.stream().anyMatch(p -> p.reason() == r))
              .findFirst()
              .orElseThrow();
      var s =
          StatusAggregator.aggregate(
              obs(Optional.of(deployment("old", 2, 2, 2, 2, 5, 5)), List.of(), List.of(), problems),
              List.of(),
              "old",
              T0);
      for (String type : List.of(Conditions.CONFIG_VALID, Conditions.READY, Conditions.DEGRADED)) {
        assertThat(cond(s, type).getReason())
            .as("%s for %s", type, problems)
            .isEqualTo(want.name());
      }
      for (ValidationError p : problems) {
        assertThat(cond(s, Conditions.CONFIG_VALID).getMessage()).contains(p.toString());
      }
      String first =
          problems.stream().filter(p -> p.reason() == want).findFirst().orElseThrow().toString();
      assertThat(cond(s, Conditions.CONFIG_VALID).getMessage())
          .as("the deciding problem comes first")
          .matches("(cannot compile: )?" + java.util.regex.Pattern.quote(first) + ".*");
    }
    assertThat(ConditionReason.BLOCKING)
        .containsExactly(
            ConditionReason.InvalidSpec,
            ConditionReason.InvalidReferencedData,
            ConditionReason.MissingReference,
            ConditionReason.SquidRejectedConfig);
  }

  @Test
  void missingSecretIsDegradedWithItsName() {
    var s =
        StatusAggregator.aggregate(
            obs(Optional.empty(), List.of(), List.of(), List.of(), List.of(MISSING_CA)),
            List.of(),
            null,
            T0);
    Condition degraded = cond(s, Conditions.DEGRADED);
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo(ConditionReason.MissingReference.name());
    assertThat(degraded.getMessage())
        .as("the compiler's sentence as it is, nothing appended")
        .isEqualTo(MISSING_CA);
    assertThat(cond(s, Conditions.CONFIG_VALID).getMessage())
        .isEqualTo("cannot compile: " + MISSING_CA);
    assertThat(cond(s, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(cond(s, Conditions.PROGRESSING).getStatus()).isEqualTo("False");
  }

  @Test
  void compilerErrorsMakeConfigInvalidAndKeepThePreviousHash() {
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment("old", 2, 2, 2, 2, 5, 5)),
                List.of(),
                List.of(),
                List.of("spec.access.allowedDomains[0]: 'bad domain' is not a domain"),
                List.of()),
            List.of(),
            "old",
            T0);
    Condition cv = cond(s, Conditions.CONFIG_VALID);
    assertThat(cv.getStatus()).isEqualTo("False");
    assertThat(cv.getReason()).isEqualTo(ConditionReason.InvalidSpec.name());
    assertThat(cv.getMessage()).contains("'bad domain' is not a domain");
    assertThat(s.getConfigHash()).isEqualTo("old");
    assertThat(cond(s, Conditions.DEGRADED).getReason())
        .isEqualTo(ConditionReason.InvalidSpec.name());
  }

  @Test
  void initContainerRejectionCarriesSquidsMessage() {
    Pod rejected =
        new PodBuilder(pod("p-new", HASH))
            .editStatus()
            .addNewInitContainerStatus()
            .withName(Labels.INIT_CONTAINER)
            .withRestartCount(3)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(1)
            .withMessage("FATAL: Bungled /etc/cephaloproxy/squid.conf line 12: acl x dstdomain\n")
            .endTerminated()
            .endLastState()
            .endInitContainerStatus()
            .endStatus()
            .build();
    Pod old = pod("p-old", "old");
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 1, 2, 2, 6, 6)),
                List.of(old, rejected),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            "old",
            T0);
    Condition cv = cond(s, Conditions.CONFIG_VALID);
    assertThat(cv.getStatus()).isEqualTo("False");
    assertThat(cv.getReason()).isEqualTo(ConditionReason.SquidRejectedConfig.name());
    assertThat(cv.getMessage())
        .isEqualTo("FATAL: Bungled /etc/cephaloproxy/squid.conf line 12: acl x dstdomain");
    assertThat(cond(s, Conditions.DEGRADED).getStatus()).isEqualTo("True");
    assertThat(cond(s, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(s.getConfigHash()).isEqualTo("old");
  }

  static Pod readyPod(String name, String hash) {
    return new PodBuilder(pod(name, hash))
        .editStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  /**
   * Issue 11 §4: "serving the last good config, the current spec was rejected" is in the status:
   * servingConfigHash stays the ready pods' config, desiredConfigHash is the rejected one, and
   * Ready's message says the pods keep serving.
   */
  @Test
  void servingAndDesiredHashesTellTheLastGoodConfigFromTheRejectedOne() {
    Pod rejected =
        new PodBuilder(pod("p-new", HASH))
            .editStatus()
            .addNewInitContainerStatus()
            .withName(Labels.INIT_CONTAINER)
            .withNewState()
            .withNewTerminated()
            .withExitCode(1)
            .withMessage("FATAL: Bungled squid.conf line 3: bogus_directive on")
            .endTerminated()
            .endState()
            .endInitContainerStatus()
            .endStatus()
            .build();
    String old = "0123456789abcdef";
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 1, 2, 2, 6, 6)),
                List.of(readyPod("p-old1", old), readyPod("p-old2", old), rejected),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            old,
            T0);
    assertThat(s.getServingConfigHash()).isEqualTo(old);
    assertThat(s.getDesiredConfigHash()).isEqualTo(HASH);
    assertThat(cond(s, Conditions.READY).getMessage())
        .endsWith("ready pods keep serving the last good config 0123456789");

    // a spec that does not compile has no desired hash; the pods still serve the old one
    var invalid =
        StatusAggregator.aggregate(
            new Observation(
                3,
                List.of(problem("spec.x: bad", ConditionReason.InvalidSpec)),
                Optional.empty(),
                2,
                Optional.of(deployment(old, 2, 2, 2, 2, 6, 6)),
                List.of(),
                List.of(readyPod("p-old1", old)),
                "p.ns.svc:3128"),
            List.of(),
            old,
            T0);
    assertThat(invalid.getServingConfigHash()).isEqualTo(old);
    assertThat(invalid.getDesiredConfigHash()).isNull();
    // ... and a new proxy whose spec does not compile has neither
    var invalidNew =
        StatusAggregator.aggregate(
            new Observation(
                1,
                List.of(problem("spec.x: bad", ConditionReason.InvalidSpec)),
                Optional.empty(),
                1,
                Optional.empty(),
                List.of(),
                List.of(),
                "p.ns.svc:3128"),
            List.of(),
            null,
            T0);
    assertThat(invalidNew.getServingConfigHash()).isNull();
    assertThat(invalidNew.getDesiredConfigHash()).isNull();

    // rolled out: both are the new hash; no pod ready: nothing serves
    var done =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 2, 2, 2, 6, 6)),
                List.of(readyPod("p-a", HASH), readyPod("p-b", HASH)),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            HASH,
            T0);
    assertThat(done.getServingConfigHash()).isEqualTo(HASH).isEqualTo(done.getDesiredConfigHash());
    var none =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 2, 2, 0, 6, 6)),
                List.of(pod("p-a", HASH)),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            HASH,
            T0);
    assertThat(none.getServingConfigHash()).isNull();
  }

  @Test
  void aFailedInitOfAnOldPodIsNotAboutTheNewConfig() {
    Pod oldFailed =
        new PodBuilder(pod("p-old", "old"))
            .editStatus()
            .addNewInitContainerStatus()
            .withName(Labels.INIT_CONTAINER)
            .withNewState()
            .withNewTerminated()
            .withExitCode(1)
            .withMessage("FATAL: old")
            .endTerminated()
            .endState()
            .endInitContainerStatus()
            .endStatus()
            .build();
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 2, 2, 2, 5, 5)),
                List.of(oldFailed),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    assertThat(cond(s, Conditions.CONFIG_VALID).getStatus()).isEqualTo("True");
  }

  @Test
  void imagePullFailureIsDegraded() {
    Pod p =
        new PodBuilder(pod("p-1", HASH))
            .editStatus()
            .addNewContainerStatus()
            .withName(Labels.RUN_CONTAINER)
            .withImage("ghcr.io/cephaloproxy/squid:nope")
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 2, 0, 0, 5, 5)),
                List.of(p),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    Condition d = cond(s, Conditions.DEGRADED);
    assertThat(d.getReason()).isEqualTo("ImagePullFailed");
    assertThat(d.getMessage())
        .startsWith(
            "pod p-1 cannot pull image ghcr.io/cephaloproxy/squid:nope: Back-off pulling image;")
        .endsWith(
            "see why with kubectl describe pod p-1 (its Events), then fix spec.image (unset: the"
                + " operator's default, the chart's squidImage value) or spec.imagePullSecrets");
    assertThat(cond(s, Conditions.READY).getStatus()).isEqualTo("False");
  }

  @Test
  void crashLoopIsDegradedWithTheLastExit() {
    Pod p =
        new PodBuilder(pod("p-1", HASH))
            .editStatus()
            .addNewContainerStatus()
            .withName(Labels.RUN_CONTAINER)
            .withRestartCount(4)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(137)
            .withMessage("Bus error")
            .endTerminated()
            .endLastState()
            .endContainerStatus()
            .endStatus()
            .build();
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 2, 1, 1, 5, 5)),
                List.of(p),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    Condition d = cond(s, Conditions.DEGRADED);
    assertThat(d.getReason()).isEqualTo("CrashLoop");
    assertThat(d.getMessage())
        .isEqualTo(
            "container run of pod p-1 keeps crashing, 4 restarts (last exit code 137: Bus error);"
                + " read why in its log, kubectl logs p-1 -c run --previous, and fix what it names"
                + " (often a line of spec.extraConfig or spec.squidConfFrom that squid -k parse"
                + " accepts but Squid cannot run)");
  }

  /** The Degraded condition of one pod whose run container is in the given states. */
  static Condition degradedWith(Pod p) {
    return cond(
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 1, 1, 0, 0, 5, 5)),
                List.of(p),
                List.of(),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0),
        Conditions.DEGRADED);
  }

  static Pod pulling(String reason, String message) {
    return new PodBuilder(pod("p-1", HASH))
        .editMetadata()
        .withNamespace("team-a")
        .endMetadata()
        .editStatus()
        .addNewContainerStatus()
        .withName(Labels.RUN_CONTAINER)
        .withImage("registry.example/squid:1")
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        // containerd's words for a tag the registry lacks (ProxyE2E on the node)
        "ErrImagePull|rpc error: code = NotFound desc = failed to pull and unpack image"
            + " \"registry.example/squid:1\": registry.example/squid:1: not found"
            + "|the registry has no such image: fix the repository, tag or digest in spec.image",
        "ErrImagePull|failed to authorize: failed to fetch anonymous token: unexpected status:"
            + " 401 Unauthorized|the registry refused the pull: list a Secret with its credentials"
            + " in spec.imagePullSecrets",
        "ErrImagePull|dial tcp 192.0.2.9:443: connect: connection refused"
            + "|the node cannot reach the registry: check the registry host in spec.image",
        "InvalidImageName|couldn't parse image name \"Squid:Latest\": invalid reference format"
            + "|the name is not an image reference: fix spec.image",
        "ErrImageNeverPull|Container image \"registry.example/squid:1\" is not present with pull"
            + " policy of Never|set spec.imagePullPolicy to IfNotPresent",
      })
  void anImagePullFailureSaysWhatToChangeAfterTheKubeletsWords(
      String reason, String kubelet, String advice) {
    Condition d = degradedWith(pulling(reason, kubelet + "\n"));
    assertThat(d.getReason()).isEqualTo("ImagePullFailed");
    assertThat(d.getMessage())
        .startsWith("pod p-1 cannot pull image registry.example/squid:1: " + kubelet + "; ")
        .contains(advice)
        .doesNotContain("\n");
  }

  @Test
  void aLongKubeletMessageIsCutSoThatTheAdviceStaysReadable() {
    Condition d = degradedWith(pulling("ErrImagePull", "x".repeat(5000) + ": not found"));
    assertThat(d.getMessage())
        .hasSizeLessThan(700)
        .contains("x".repeat(200) + "...;")
        .endsWith(
            "fix the repository, tag or digest in spec.image (unset: the operator's default,"
                + " the chart's squidImage value)");
  }

  @Test
  void aCrashLoopOutOfMemoryNamesTheMemoryLimit() {
    Pod p =
        new PodBuilder(pod("p-1", HASH))
            .editMetadata()
            .withNamespace("team-a")
            .endMetadata()
            .editStatus()
            .addNewContainerStatus()
            .withName(Labels.RUN_CONTAINER)
            .withRestartCount(2)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(137)
            .withReason("OOMKilled")
            .endTerminated()
            .endLastState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(degradedWith(p).getMessage())
        .isEqualTo(
            "container run of pod p-1 keeps crashing, 2 restarts (last exit code 137); it ran out"
                + " of memory (OOMKilled): raise spec.resources.limits.memory, or lower"
                + " spec.cache.memory or spec.workers");
  }

  /** A Deployment whose progress deadline ran out, and its pods. */
  static Condition pastDeadline(Pod... pods) {
    Deployment d =
        new DeploymentBuilder(deployment(HASH, 1, 1, 0, 0, 5, 5))
            .editStatus()
            .addNewCondition()
            .withType("Progressing")
            .withStatus("False")
            .withReason("ProgressDeadlineExceeded")
            .withMessage("ReplicaSet \"p-5d8\" has timed out progressing.")
            .endCondition()
            .endStatus()
            .build();
    return cond(
        StatusAggregator.aggregate(
            obs(Optional.of(d), List.of(pods), List.of(), List.of(), List.of()),
            List.of(),
            null,
            T0),
        Conditions.DEGRADED);
  }

  static Pod withCondition(String name, String type, String reason, String message) {
    return new PodBuilder(pod(name, HASH))
        .editMetadata()
        .withNamespace("team-a")
        .endMetadata()
        .editStatus()
        .addNewCondition()
        .withType(type)
        .withStatus("False")
        .withReason(reason)
        .withMessage(message)
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void aProgressDeadlineSaysWhyThePodsAreNotReadyAndWhatToChange() {
    Condition unschedulable =
        pastDeadline(
            withCondition(
                "p-5d8-a",
                "PodScheduled",
                "Unschedulable",
                "0/1 nodes are available: 1 Insufficient memory."));
    assertThat(unschedulable.getReason()).isEqualTo("ProgressDeadlineExceeded");
    assertThat(unschedulable.getMessage())
        .isEqualTo(
            "the Deployment's pods did not become ready within its progress deadline (ReplicaSet"
                + " \"p-5d8\" has timed out progressing.): pod p-5d8-a cannot be scheduled"
                + " (0/1 nodes are available: 1 Insufficient memory.); lower"
                + " spec.resources.requests or change spec.nodeSelector, spec.affinity,"
                + " spec.tolerations or spec.topologySpreadConstraints so that a node fits, or add"
                + " nodes");
    Condition unready =
        pastDeadline(
            withCondition(
                "p-5d8-b", "Ready", "ContainersNotReady", "containers with unready status: [run]"));
    assertThat(unready.getMessage())
        .endsWith(
            ": pod p-5d8-b is not ready; see why with kubectl -n team-a describe pod p-5d8-b"
                + " (readiness probe, Events) and kubectl -n team-a logs p-5d8-b -c run");
    assertThat(pastDeadline().getMessage())
        .endsWith(
            "see why with kubectl describe deployment p and the ReplicaSet it names (quota,"
                + " admission), then change the SquidProxy field it points at");
  }

  @Test
  void podsRejectedSaysWhichFieldToChange() {
    ReplicaSet rs =
        new ReplicaSetBuilder()
            .withNewMetadata()
            .withName("p-5d8")
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("ReplicaFailure")
            .withStatus("True")
            .withReason("FailedCreate")
            .withMessage("pods \"p-5d8-x\" is forbidden: no PriorityClass with name nope was found")
            .endCondition()
            .endStatus()
            .build();
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 1, 1, 0, 0, 5, 5)),
                List.of(),
                List.of(rs),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    assertThat(cond(s, Conditions.DEGRADED).getMessage())
        .isEqualTo(
            "ReplicaSet p-5d8 cannot create pods: pods \"p-5d8-x\" is forbidden: no PriorityClass"
                + " with name nope was found; spec.priorityClassName names a PriorityClass the"
                + " cluster does not have: fix the name (kubectl get priorityclasses) or remove"
                + " it");
  }

  @Test
  void quotaRejectionFromTheReplicaSetIsDegraded() {
    ReplicaSet rs =
        new ReplicaSetBuilder()
            .withNewMetadata()
            .withName("p-5d8")
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("ReplicaFailure")
            .withStatus("True")
            .withReason("FailedCreate")
            .withMessage("pods \"p-5d8-x\" is forbidden: exceeded quota: compute, requested: cpu=1")
            .endCondition()
            .endStatus()
            .build();
    var s =
        StatusAggregator.aggregate(
            obs(
                Optional.of(deployment(HASH, 2, 0, 0, 0, 5, 5)),
                List.of(),
                List.of(rs),
                List.of(),
                List.of()),
            List.of(),
            null,
            T0);
    Condition d = cond(s, Conditions.DEGRADED);
    assertThat(d.getReason()).isEqualTo("PodsRejected");
    assertThat(d.getMessage()).contains("exceeded quota").contains("p-5d8");
  }

  /** Issue 11: the API server refused the desired config's check pod; the old config serves. */
  @Test
  void aRefusedCheckPodIsPodsRejectedAndTheOldConfigServes() {
    String refused =
        DegradedMessages.checkPodRefused(
            "p-check-0123456789", "no PriorityClass with name typo was found");
    var s =
        StatusAggregator.aggregate(
            new Observation(
                3,
                List.of(),
                Optional.of(HASH),
                2,
                Optional.of(deployment("old", 2, 2, 2, 2, 5, 5)),
                List.of(),
                List.of(readyPod("p-old1", "old")),
                "p.ns.svc:3128",
                Optional.empty(),
                Optional.of(refused)),
            List.of(),
            "old",
            T0);
    Condition d = cond(s, Conditions.DEGRADED);
    assertThat(d.getStatus()).isEqualTo("True");
    assertThat(d.getReason()).isEqualTo("PodsRejected");
    assertThat(d.getMessage())
        .isEqualTo(
            "the config check pod p-check-0123456789 cannot be created: no PriorityClass with"
                + " name typo was found; spec.priorityClassName names a PriorityClass the cluster"
                + " does not have: fix the name (kubectl get priorityclasses) or remove it");
    assertThat(cond(s, Conditions.READY).getMessage())
        .contains("its config check pod cannot be created (see Degraded)");
    assertThat(cond(s, Conditions.CONFIG_VALID).getStatus()).isEqualTo("True");
    assertThat(s.getServingConfigHash()).isEqualTo("old");
    assertThat(Transitions.between(List.of(), "old", s))
        .extracting(Transitions.Event::reason)
        .contains(io.cephaloproxy.api.v1alpha1.EventReason.PodsRejected);
  }

  /** A Deployment of HASH with 2 replicas wanted, {@code updated} of them updated, 1 ready. */
  private static Observation rolling(int updated) {
    return obs(
        Optional.of(deployment(HASH, 2, updated, 1, 1, 5, 5)),
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  @Test
  void aNewProxysFirstRolloutIsNotAnnouncedAChangeIs() {
    Observation rolling = rolling(1);
    var created = StatusAggregator.aggregate(rolling, List.of(), null, T0);
    assertThat(created.getConfigHash()).isEqualTo(HASH);
    assertThat(Transitions.between(List.of(), null, created))
        .extracting(Transitions.Event::reason)
        .doesNotContain(io.cephaloproxy.api.v1alpha1.EventReason.RolloutStarted);
    assertThat(Transitions.between(created.getConditions(), "a-previous-hash", created))
        .containsExactly(
            new Transitions.Event(
                io.cephaloproxy.api.v1alpha1.EventReason.RolloutStarted,
                "rolling out configuration " + HASH));
    assertThat(Transitions.between(created.getConditions(), HASH, created)).isEmpty();
  }

  @Test
  void lastTransitionTimeChangesOnlyOnATransition() {
    Observation rolling = rolling(1);
    var first = StatusAggregator.aggregate(rolling, List.of(), null, T0);
    Observation rollingFurther = rolling(2);
    var second =
        StatusAggregator.aggregate(
            rollingFurther, first.getConditions(), first.getConfigHash(), T1);
    // Progressing stays True (message changed): its time is kept
    assertThat(cond(second, Conditions.PROGRESSING).getLastTransitionTime())
        .isEqualTo("2026-01-01T00:00:00Z");
    assertThat(cond(second, Conditions.PROGRESSING).getMessage())
        .isNotEqualTo(cond(first, Conditions.PROGRESSING).getMessage());
    Observation done =
        obs(
            Optional.of(deployment(HASH, 2, 2, 2, 2, 5, 5)),
            List.of(),
            List.of(),
            List.of(),
            List.of());
    var third =
        StatusAggregator.aggregate(done, second.getConditions(), second.getConfigHash(), T1);
    assertThat(cond(third, Conditions.READY).getLastTransitionTime())
        .isEqualTo("2026-01-01T00:05:00Z");
    assertThat(cond(third, Conditions.DEGRADED).getLastTransitionTime())
        .isEqualTo("2026-01-01T00:00:00Z");
    // nothing changed: equal status, so the reconciler writes nothing
    var fourth =
        StatusAggregator.aggregate(
            done,
            third.getConditions(),
            third.getConfigHash(),
            Instant.parse("2026-01-01T01:00:00Z"));
    assertThat(fourth).isEqualTo(third);
  }

  /** What a proxy that was Ready with "old" looks like. */
  static SquidProxyStatus readyWithOldHash() {
    return StatusAggregator.aggregate(
        new Observation(
            2,
            List.of(),
            Optional.of("old"),
            2,
            Optional.of(deployment("old", 2, 2, 2, 2, 5, 5)),
            List.of(),
            List.of(),
            "p.ns.svc:3128"),
        List.of(),
        null,
        T0);
  }

  @Test
  void aRefusedCreationIsCreatingNotAMissingReadyCondition() {
    var s =
        StatusAggregator.afterFailure(
            3,
            Optional.of(obs(Optional.empty(), List.of(), List.of(), List.of(), List.of())),
            null,
            ConditionReason.DependentRejected,
            "the API server refused Deployment \"p\": no (HTTP 422); change spec.x in the SquidProxy",
            T1);
    assertThat(cond(s, Conditions.READY))
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"))
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("Creating"));
    assertThat(cond(s, Conditions.PROGRESSING).getReason()).isEqualTo("Creating");
    assertThat(cond(s, Conditions.CONFIG_VALID).getReason()).isEqualTo("Compiled");
    assertThat(cond(s, Conditions.DEGRADED))
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"))
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("DependentRejected"))
        .satisfies(c -> assertThat(c.getMessage()).startsWith("the API server refused"));
    assertThat(s.getConfigHash()).as("nothing rolled out").isNull();
  }

  @Test
  void aRefusedUpdateIsConfigChangedNotTheOldReadyTrue() {
    SquidProxyStatus before = readyWithOldHash();
    assertThat(cond(before, Conditions.READY).getStatus()).isEqualTo("True");
    var s =
        StatusAggregator.afterFailure(
            3,
            Optional.of(
                obs(
                    Optional.of(deployment("old", 2, 2, 2, 2, 5, 5)),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of())),
            before,
            ConditionReason.DependentRejected,
            "refused",
            T1);
    assertThat(cond(s, Conditions.READY))
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"))
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("ConfigChanged"))
        .satisfies(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
    assertThat(cond(s, Conditions.PROGRESSING).getReason()).isEqualTo("ConfigChanged");
    assertThat(cond(s, Conditions.DEGRADED).getReason()).isEqualTo("DependentRejected");
    assertThat(s.getConfigHash()).as("the pods still run the previous one").isEqualTo("old");
    assertThat(cond(s, Conditions.READY).getLastTransitionTime()).isEqualTo("2026-01-01T00:05:00Z");
  }

  @Test
  void aFailureBeforeTheSpecCompiledKeepsTheOtherConditions() {
    SquidProxyStatus before = readyWithOldHash();
    var s =
        StatusAggregator.afterFailure(
            2,
            Optional.empty(),
            before,
            ConditionReason.ReconcileError,
            "reconcile failed, retrying: timeout",
            T1);
    assertThat(cond(s, Conditions.READY)).isEqualTo(cond(before, Conditions.READY));
    assertThat(cond(s, Conditions.DEGRADED).getReason()).isEqualTo("ReconcileError");
    assertThat(s.getConfigHash()).isEqualTo("old");
  }
}
