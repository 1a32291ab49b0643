package io.cephaloproxy.operator.status;

import static io.cephaloproxy.api.v1alpha1.Conditions.*;

import io.cephaloproxy.api.v1alpha1.SquidProxyStatus;
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

/**
 * Computes Ready, Progressing, Degraded and ConfigValid from an {@link Observation}. Pure; the
 * reconciler patches the result only when it differs from the current status.
 */
public final class StatusAggregator {
  /** Waiting reasons of the kubelet that mean the image cannot be pulled. */
  private static final List<String> PULL_FAILURES =
      List.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

  private StatusAggregator() {}

  public static SquidProxyStatus aggregate(
      Observation o, List<Condition> previous, String previousHash, Instant now) {
    long gen = o.generation();
    List<Condition> next = new ArrayList<>();

    Optional<String> rejection = initRejection(o);
    Condition configValid;
    if (!o.configErrors().isEmpty()) {
      configValid =
          StatusConditions.of(
              CONFIG_VALID, false, REASON_INVALID_SPEC, String.join("; ", o.configErrors()), gen);
    } else if (rejection.isPresent()) {
      configValid =
          StatusConditions.of(
              CONFIG_VALID, false, REASON_SQUID_REJECTED_CONFIG, rejection.get(), gen);
    } else if (!o.missingReferences().isEmpty()) {
      configValid =
          StatusConditions.of(
              CONFIG_VALID, false, REASON_MISSING_REFERENCE, "cannot compile: " + missing(o), gen);
    } else {
      configValid =
          StatusConditions.of(CONFIG_VALID, true, REASON_COMPILED, "squid.conf compiled", gen);
    }

    Optional<String[]> degradedBy = degradation(o, rejection);
    Condition degraded =
        degradedBy
            .map(d -> StatusConditions.of(DEGRADED, true, d[0], d[1], gen))
            .orElseGet(
                () ->
                    StatusConditions.of(
                        DEGRADED, false, REASON_AS_EXPECTED, "no problem detected", gen));

    Rollout rollout = rollout(o);
    boolean blocked =
        !o.configErrors().isEmpty() || !o.missingReferences().isEmpty() || rejection.isPresent();
    Condition progressing;
    if (blocked) {
      progressing =
          StatusConditions.of(
              PROGRESSING,
              false,
              "Blocked",
              "the current spec cannot be rolled out (see ConfigValid and Degraded); running pods keep serving",
              gen);
    } else if (rollout.done) {
      progressing =
          StatusConditions.of(PROGRESSING, false, REASON_ROLLOUT_COMPLETE, rollout.message, gen);
    } else {
      progressing = StatusConditions.of(PROGRESSING, true, rollout.reason, rollout.message, gen);
    }

    Condition ready;
    if (blocked) {
      String why =
          !o.configErrors().isEmpty()
              ? REASON_INVALID_SPEC
              : !o.missingReferences().isEmpty()
                  ? REASON_MISSING_REFERENCE
                  : REASON_SQUID_REJECTED_CONFIG;
      ready =
          StatusConditions.of(
              READY,
              false,
              why,
              "generation " + gen + " is not deployed: " + blockedMessage(o, rejection),
              gen);
    } else if (rollout.done) {
      ready = StatusConditions.of(READY, true, REASON_AVAILABLE, rollout.message, gen);
    } else {
      ready = StatusConditions.of(READY, false, rollout.reason, rollout.message, gen);
    }
    next.add(ready);
    next.add(progressing);
    next.add(degraded);
    next.add(configValid);

    DeploymentStatus ds = o.deployment().map(Deployment::getStatus).orElse(null);
    int replicas = ds == null || ds.getReplicas() == null ? 0 : ds.getReplicas();
    int readyReplicas = ds == null || ds.getReadyReplicas() == null ? 0 : ds.getReadyReplicas();
    String hash = blocked || o.desiredHash().isEmpty() ? previousHash : o.desiredHash().get();
    return new SquidProxyStatus(
        StatusConditions.merge(previous, next, now),
        gen,
        replicas,
        readyReplicas,
        o.endpoint(),
        hash);
  }

  private static String blockedMessage(Observation o, Optional<String> rejection) {
    if (!o.configErrors().isEmpty()) {
      return "the spec is invalid";
    }
    if (!o.missingReferences().isEmpty()) {
      return missing(o);
    }
    return "Squid rejected the configuration: " + rejection.orElse("");
  }

  /**
   * Each entry is a sentence of the compiler ("spec.x: Secret "y" not found ...; create it or fix
   * the name").
   */
  private static String missing(Observation o) {
    return String.join("; ", o.missingReferences());
  }

  private record Rollout(boolean done, String reason, String message) {}

  private static Rollout rollout(Observation o) {
    if (o.deployment().isEmpty()) {
      return new Rollout(false, "Creating", "the Deployment does not exist yet");
    }
    Deployment d = o.deployment().get();
    DeploymentStatus s = d.getStatus();
    int want = o.desiredReplicas();
    String templateHash = templateHash(d);
    if (o.desiredHash().isPresent() && !o.desiredHash().get().equals(templateHash)) {
      return new Rollout(
          false,
          "ConfigChanged",
          "the Deployment does not carry config " + o.desiredHash().get() + " yet");
    }
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    if (s == null || s.getObservedGeneration() == null || s.getObservedGeneration() < generation) {
      return new Rollout(
          false,
          "DeploymentPending",
          "the Deployment controller has not observed the new pod template yet");
    }
    int updated = nz(s.getUpdatedReplicas());
    int available = nz(s.getAvailableReplicas());
    int total = nz(s.getReplicas());
    String counts = updated + " of " + want + " replicas updated, " + available + " available";
    if (updated < want || total > updated) {
      return new Rollout(
          false,
          REASON_ROLLING_OUT,
          counts + (total > updated ? ", " + (total - updated) + " old still running" : ""));
    }
    if (available < want) {
      return new Rollout(false, "WaitingForAvailability", counts);
    }
    return new Rollout(true, REASON_AVAILABLE, counts);
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

  /** [reason, message] of the first problem found, in order of how actionable it is. */
  static Optional<String[]> degradation(Observation o, Optional<String> rejection) {
    if (!o.missingReferences().isEmpty()) {
      return Optional.of(new String[] {REASON_MISSING_REFERENCE, missing(o)});
    }
    if (rejection.isPresent()) {
      return Optional.of(
          new String[] {
            REASON_SQUID_REJECTED_CONFIG,
            "Squid rejected the new configuration; pods with the previous one keep serving: "
                + rejection.get()
          });
    }
    if (!o.configErrors().isEmpty()) {
      return Optional.of(
          new String[] {
            REASON_INVALID_SPEC,
            "the spec is invalid and was not rolled out: " + String.join("; ", o.configErrors())
          });
    }
    List<Pod> pods =
        o.pods().stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
    for (Pod p : pods) {
      for (ContainerStatus cs : allStatuses(p)) {
        ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
        if (w != null && PULL_FAILURES.contains(w.getReason())) {
          return Optional.of(
              new String[] {
                "ImagePullFailed",
                "pod "
                    + p.getMetadata().getName()
                    + " cannot pull image "
                    + cs.getImage()
                    + ": "
                    + (w.getMessage() == null ? w.getReason() : w.getMessage())
              });
        }
      }
    }
    for (Pod p : pods) {
      for (ContainerStatus cs : allStatuses(p)) {
        ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
        if (w != null
            && "CrashLoopBackOff".equals(w.getReason())
            && !Labels.INIT_CONTAINER.equals(cs.getName())) {
          ContainerStateTerminated last =
              cs.getLastState() == null ? null : cs.getLastState().getTerminated();
          String detail =
              last == null
                  ? ""
                  : " (last exit code "
                      + last.getExitCode()
                      + (last.getMessage() == null || last.getMessage().isBlank()
                          ? ""
                          : ": " + last.getMessage().strip())
                      + ")";
          return Optional.of(
              new String[] {
                "CrashLoop",
                "container "
                    + cs.getName()
                    + " of pod "
                    + p.getMetadata().getName()
                    + " keeps crashing, "
                    + nz(cs.getRestartCount())
                    + " restarts"
                    + detail
              });
        }
      }
    }
    for (ReplicaSet rs : o.replicaSets()) {
      if (rs.getStatus() == null || rs.getStatus().getConditions() == null) {
        continue;
      }
      for (ReplicaSetCondition c : rs.getStatus().getConditions()) {
        if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
          return Optional.of(
              new String[] {
                "PodsRejected",
                "ReplicaSet "
                    + rs.getMetadata().getName()
                    + " cannot create pods: "
                    + c.getMessage()
              });
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
              new String[] {
                "PodsRejected", "the Deployment cannot create pods: " + c.getMessage()
              });
        }
        if ("Progressing".equals(c.getType())
            && "False".equals(c.getStatus())
            && "ProgressDeadlineExceeded".equals(c.getReason())) {
          return Optional.of(new String[] {"ProgressDeadlineExceeded", c.getMessage()});
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
