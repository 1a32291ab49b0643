package io.cephaloproxy.operator.status;

import static io.cephaloproxy.api.v1alpha1.Conditions.*;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.api.v1alpha1.SquidProxyStatus;
import io.cephaloproxy.compiler.ValidationError;
import io.cephaloproxy.operator.model.Labels;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Computes Ready, Progressing, Degraded and ConfigValid from an {@link Observation}. Pure; the
 * reconciler patches the result only when it differs from the current status.
 */
public final class StatusAggregator {
  /** Waiting reasons of the kubelet that mean the image cannot be pulled. */
  private static final List<String> PULL_FAILURES =
      List.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

  private StatusAggregator() {}

  /**
   * What keeps the current spec from being rolled out: the first of {@link
   * ConditionReason#BLOCKING} that applies, and every problem in that order (a spec error first,
   * then unusable referenced data, then missing references, then Squid's own verdict). Ready,
   * Progressing, Degraded and ConfigValid all take it from here.
   *
   * @param problems the compiler's problems in BLOCKING order, each "field: message"; for
   *     SquidRejectedConfig Squid's message
   */
  record Blocker(ConditionReason reason, String problems) {}

  static Optional<Blocker> blocker(Observation o, Optional<String> rejection) {
    if (!o.problems().isEmpty()) {
      List<ValidationError> sorted =
          o.problems().stream().sorted(Comparator.comparingInt(v -> rank(v.reason()))).toList();
      return Optional.of(
          new Blocker(
              sorted.get(0).reason(),
              sorted.stream().map(ValidationError::toString).collect(Collectors.joining("; "))));
    }
    return rejection.map(r -> new Blocker(ConditionReason.SquidRejectedConfig, r));
  }

  private static int rank(ConditionReason r) {
    int i = ConditionReason.BLOCKING.indexOf(r);
    return i < 0 ? 0 : i; // an unexpected reason counts as a spec error
  }

  public static SquidProxyStatus aggregate(
      Observation o, List<Condition> previous, String previousHash, Instant now) {
    long gen = o.generation();
    Optional<Blocker> blocker = blocker(o, o.checkRejection().or(() -> initRejection(o)));
    Rollout rollout = rollout(o);
    Optional<String> serving = servingHash(o);

    Condition configValid =
        blocker
            .map(
                b ->
                    StatusConditions.of(
                        CONFIG_VALID,
                        false,
                        b.reason(),
                        (b.reason() == ConditionReason.MissingReference ? "cannot compile: " : "")
                            + b.problems(),
                        gen))
            .orElseGet(
                () ->
                    StatusConditions.of(
                        CONFIG_VALID, true, ConditionReason.Compiled, "squid.conf compiled", gen));

    Condition degraded =
        blocker
            .map(b -> new Problem(b.reason(), degradedMessage(b)))
            .or(() -> degradation(o))
            .map(d -> StatusConditions.of(DEGRADED, true, d.reason(), d.message(), gen))
            .orElseGet(
                () ->
                    StatusConditions.of(
                        DEGRADED, false, ConditionReason.AsExpected, "no problem detected", gen));

    Condition progressing;
    Condition ready;
    if (blocker.isPresent()) {
      progressing =
          StatusConditions.of(
              PROGRESSING,
              false,
              ConditionReason.Blocked,
              "the current spec cannot be rolled out (see ConfigValid and Degraded); running pods keep serving",
              gen);
      ready =
          StatusConditions.of(
              READY,
              false,
              blocker.get().reason(),
              "generation "
                  + gen
                  + " is not deployed: "
                  + readyMessage(blocker.get())
                  + serving
                      .map(
                          h ->
                              "; ready pods keep serving the last good config "
                                  + SquidProxyResources.generationHash(h))
                      .orElse("; no pod is ready"),
              gen);
    } else if (rollout.done) {
      progressing =
          StatusConditions.of(
              PROGRESSING, false, ConditionReason.RolloutComplete, rollout.message, gen);
      ready = StatusConditions.of(READY, true, ConditionReason.Available, rollout.message, gen);
    } else {
      progressing = StatusConditions.of(PROGRESSING, true, rollout.reason, rollout.message, gen);
      ready = StatusConditions.of(READY, false, rollout.reason, rollout.message, gen);
    }
    List<Condition> next = List.of(ready, progressing, degraded, configValid);

    DeploymentStatus ds = o.deployment().map(Deployment::getStatus).orElse(null);
    int replicas = ds == null || ds.getReplicas() == null ? 0 : ds.getReplicas();
    int readyReplicas = ds == null || ds.getReadyReplicas() == null ? 0 : ds.getReadyReplicas();
    String hash =
        blocker.isPresent() || o.desiredHash().isEmpty() ? previousHash : o.desiredHash().get();
    return new SquidProxyStatus(
            StatusConditions.merge(previous, next, now),
            gen,
            replicas,
            readyReplicas,
            o.endpoint(),
            hash)
        .withConfigHashes(serving.orElse(null), o.desiredHash().orElse(null));
  }

  /**
   * The config hash of the ready pods: while pods of another config than the desired one are ready
   * (a rollout under way, or the current spec rejected), that one (the one most ready pods carry);
   * else the desired one if a pod of it is ready; empty when no pod is ready.
   */
  static Optional<String> servingHash(Observation o) {
    Map<String, Long> ready =
        o.pods().stream()
            .filter(StatusAggregator::ready)
            .map(p -> p.getMetadata().getAnnotations())
            .filter(a -> a != null && a.get(Labels.CONFIG_HASH_ANNOTATION) != null)
            .collect(
                Collectors.groupingBy(
                    a -> a.get(Labels.CONFIG_HASH_ANNOTATION),
                    java.util.TreeMap::new,
                    Collectors.counting()));
    String desired = o.desiredHash().orElse(null);
    return ready.entrySet().stream()
        .filter(e -> !e.getKey().equals(desired))
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .or(
            () ->
                desired != null && ready.containsKey(desired)
                    ? Optional.of(desired)
                    : Optional.empty());
  }

  private static boolean ready(Pod p) {
    return p.getMetadata().getDeletionTimestamp() == null
        && p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * The status after a reconcile that failed ({@code DependentRejected}, {@code ReconcileError}):
   * Degraded says what failed; Ready, Progressing and ConfigValid say what is deployed when the
   * spec compiled ({@code observed}: a Deployment the API server refused to create is {@code
   * Creating}, one it refused to update still carries the previous configuration, {@code
   * ConfigChanged}), else they stay as they were. The config hash stays the previous one: nothing
   * new was rolled out.
   */
  public static SquidProxyStatus afterFailure(
      long generation,
      Optional<Observation> observed,
      SquidProxyStatus current,
      ConditionReason reason,
      String message,
      Instant now) {
    List<Condition> previous =
        current == null || current.getConditions() == null ? List.of() : current.getConditions();
    String previousHash = current == null ? null : current.getConfigHash();
    SquidProxyStatus base =
        observed
            .map(o -> aggregate(o, previous, previousHash, now))
            .map(
                s ->
                    new SquidProxyStatus(
                        s.getConditions(),
                        s.getObservedGeneration(),
                        s.getReplicas(),
                        s.getReadyReplicas(),
                        s.getEndpoint(),
                        previousHash))
            .orElse(current == null ? new SquidProxyStatus() : current);
    List<Condition> next = new ArrayList<>();
    for (Condition c : base.getConditions() == null ? List.<Condition>of() : base.getConditions()) {
      if (!DEGRADED.equals(c.getType())) {
        next.add(c);
      }
    }
    next.add(StatusConditions.of(DEGRADED, true, reason, message, generation));
    return base.withConditions(StatusConditions.merge(previous, next, now));
  }

  private static String readyMessage(Blocker b) {
    return switch (b.reason()) {
      case InvalidReferencedData -> "a referenced ConfigMap or Secret holds unusable data";
      case MissingReference -> b.problems();
      case SquidRejectedConfig -> "Squid rejected the configuration: " + b.problems();
      default -> "the spec is invalid";
    };
  }

  private static String degradedMessage(Blocker b) {
    return switch (b.reason()) {
      case InvalidReferencedData ->
          "referenced data is invalid and was not rolled out: " + b.problems();
      case MissingReference -> b.problems();
      case SquidRejectedConfig ->
          "Squid rejected the new configuration; pods with the previous one keep serving: "
              + b.problems();
      default -> "the spec is invalid and was not rolled out: " + b.problems();
    };
  }

  /** A Degraded reason and its message. */
  record Problem(ConditionReason reason, String message) {}

  private record Rollout(boolean done, ConditionReason reason, String message) {}

  private static Rollout rollout(Observation o) {
    if (o.deployment().isEmpty()) {
      return new Rollout(false, ConditionReason.Creating, "the Deployment does not exist yet");
    }
    Deployment d = o.deployment().get();
    DeploymentStatus s = d.getStatus();
    int want = o.desiredReplicas();
    String templateHash = templateHash(d);
    if (o.desiredHash().isPresent() && !o.desiredHash().get().equals(templateHash)) {
      return new Rollout(
          false,
          ConditionReason.ConfigChanged,
          "the Deployment does not carry config "
              + o.desiredHash().get()
              + (o.checkRefused().isPresent()
                  ? ": its config check pod cannot be created (see Degraded); running pods keep"
                      + " serving the previous config"
                  : " yet"));
    }
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    if (s == null || s.getObservedGeneration() == null || s.getObservedGeneration() < generation) {
      return new Rollout(
          false,
          ConditionReason.DeploymentPending,
          "the Deployment controller has not observed the new pod template yet");
    }
    int updated = nz(s.getUpdatedReplicas());
    int available = nz(s.getAvailableReplicas());
    int total = nz(s.getReplicas());
    String counts = updated + " of " + want + " replicas updated, " + available + " available";
    if (updated < want || total > updated) {
      return new Rollout(
          false,
          ConditionReason.RollingOut,
          counts + (total > updated ? ", " + (total - updated) + " old still running" : ""));
    }
    if (available < want) {
      return new Rollout(false, ConditionReason.WaitingForAvailability, counts);
    }
    long stopping = stoppingWithOtherConfig(o);
    if (stopping > 0) {
      // a stopping pod serves its old config during preStop and drain, and the Service may still
      // route to it until kube-proxy catches up: the new config is not all that serves yet
      return new Rollout(
          false,
          ConditionReason.RollingOut,
          counts
              + ", "
              + stopping
              + (stopping == 1 ? " pod" : " pods")
              + " of the previous config still stopping");
    }
    return new Rollout(true, ConditionReason.Available, counts);
  }

  /** Pods being deleted that carry a config other than the desired one. */
  private static long stoppingWithOtherConfig(Observation o) {
    if (o.desiredHash().isEmpty()) {
      return 0;
    }
    String want = o.desiredHash().get();
    return o.pods().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() != null)
        .filter(
            p ->
                p.getMetadata().getAnnotations() == null
                    || !want.equals(
                        p.getMetadata().getAnnotations().get(Labels.CONFIG_HASH_ANNOTATION)))
        .count();
  }

  private static String templateHash(Deployment d) {
    if (d.getSpec() == null
        || d.getSpec().getTemplate() == null
        || d.getSpec().getTemplate().getMetadata() == null) {
      return null;
    }
    Map<String, String> a = d.getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? null : a.get(Labels.CONFIG_HASH_ANNOTATION);
  }

  /** Squid's own message from a failed init container of a pod that carries the desired config. */
  static Optional<String> initRejection(Observation o) {
    if (o.desiredHash().isEmpty()) {
      return Optional.empty();
    }
    return currentPods(o).stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(StatusAggregator::initFailure)
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static List<Pod> currentPods(Observation o) {
    String want = o.desiredHash().orElse(null);
    return o.pods().stream()
        .filter(
            p ->
                p.getMetadata().getAnnotations() != null
                    && Objects.equals(
                        want, p.getMetadata().getAnnotations().get(Labels.CONFIG_HASH_ANNOTATION)))
        .toList();
  }

  private static Optional<String> initFailure(Pod p) {
    if (p.getStatus() == null || p.getStatus().getInitContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus cs : p.getStatus().getInitContainerStatuses()) {
      if (!Labels.INIT_CONTAINER.equals(cs.getName())) {
        continue;
      }
      ContainerStateTerminated t = cs.getState() == null ? null : cs.getState().getTerminated();
      if ((t == null || nz(t.getExitCode()) == 0) && cs.getLastState() != null) {
        t = cs.getLastState().getTerminated();
      }
      if (t != null && nz(t.getExitCode()) != 0) {
        String msg = t.getMessage() == null ? "" : t.getMessage().strip();
        return Optional.of(
            msg.isEmpty()
                ? "the init container exited with code " + t.getExitCode() + " without a message"
                : msg);
      }
    }
    return Optional.empty();
  }

  /** The first problem of the running pods, in order of how actionable it is. */
  static Optional<Problem> degradation(Observation o) {
    List<Pod> pods =
        o.pods().stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
    for (Pod p : pods) {
      for (ContainerStatus cs : allStatuses(p)) {
        ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
        if (w != null && PULL_FAILURES.contains(w.getReason())) {
          return Optional.of(
              new Problem(ConditionReason.ImagePullFailed, DegradedMessages.imagePull(p, cs, w)));
        }
      }
    }
    for (Pod p : pods) {
      for (ContainerStatus cs : allStatuses(p)) {
        ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
        if (w != null
            && "CrashLoopBackOff".equals(w.getReason())
            && !Labels.INIT_CONTAINER.equals(cs.getName())) {
          return Optional.of(
              new Problem(ConditionReason.CrashLoop, DegradedMessages.crashLoop(p, cs)));
        }
      }
    }
    if (o.checkRefused().isPresent()) {
      return Optional.of(new Problem(ConditionReason.PodsRejected, o.checkRefused().get()));
    }
    for (ReplicaSet rs : o.replicaSets()) {
      if (rs.getStatus() == null || rs.getStatus().getConditions() == null) {
        continue;
      }
      for (ReplicaSetCondition c : rs.getStatus().getConditions()) {
        if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
          return Optional.of(
              new Problem(
                  ConditionReason.PodsRejected,
                  DegradedMessages.podsRejected(
                      "ReplicaSet " + rs.getMetadata().getName(), c.getMessage())));
        }
      }
    }
    Optional<Deployment> d = o.deployment();
    if (d.isPresent()
        && d.get().getStatus() != null
        && d.get().getStatus().getConditions() != null) {
      for (DeploymentCondition c : d.get().getStatus().getConditions()) {
        if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
          return Optional.of(
              new Problem(
                  ConditionReason.PodsRejected,
                  DegradedMessages.podsRejected("the Deployment", c.getMessage())));
        }
        if ("Progressing".equals(c.getType())
            && "False".equals(c.getStatus())
            && "ProgressDeadlineExceeded".equals(c.getReason())) {
          return Optional.of(
              new Problem(
                  ConditionReason.ProgressDeadlineExceeded,
                  DegradedMessages.progressDeadline(d.get(), c, pods)));
        }
      }
    }
    return Optional.empty();
  }

  private static List<ContainerStatus> allStatuses(Pod p) {
    List<ContainerStatus> out = new ArrayList<>();
    if (p.getStatus() != null) {
      if (p.getStatus().getInitContainerStatuses() != null) {
        out.addAll(p.getStatus().getInitContainerStatuses());
      }
      if (p.getStatus().getContainerStatuses() != null) {
        out.addAll(p.getStatus().getContainerStatuses());
      }
    }
    return out;
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
