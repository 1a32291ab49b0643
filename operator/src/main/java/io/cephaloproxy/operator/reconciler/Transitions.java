package io.cephaloproxy.operator.reconciler;

import static io.cephaloproxy.api.v1alpha1.Conditions.CONFIG_VALID;
import static io.cephaloproxy.api.v1alpha1.Conditions.DEGRADED;
import static io.cephaloproxy.api.v1alpha1.Conditions.READY;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.EventReason;
import io.cephaloproxy.api.v1alpha1.SquidProxyStatus;
import io.cephaloproxy.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which Events a status change deserves: only transitions, so a resync emits nothing (and {@link
 * EventRecorder} folds repeats of a flapping one into a count).
 */
public final class Transitions {
  public record Event(EventReason reason, String message) {}

  /** The Degraded reasons that have a Warning Event of their own. */
  static final Map<ConditionReason, EventReason> DEGRADED_EVENTS =
      Map.of(
          ConditionReason.MissingReference, EventReason.ReferenceMissing,
          ConditionReason.CrashLoop, EventReason.CrashLoop,
          ConditionReason.ImagePullFailed, EventReason.ImagePullFailed,
          ConditionReason.PodsRejected, EventReason.PodsRejected,
          ConditionReason.DependentRejected, EventReason.DependentRejected);

  private Transitions() {}

  public static List<Event> between(
      List<Condition> before, String hashBefore, SquidProxyStatus after) {
    List<Event> out = new ArrayList<>();
    Condition cvOld = StatusConditions.find(before, CONFIG_VALID);
    Condition cvNew = StatusConditions.find(after.getConditions(), CONFIG_VALID);
    if (cvNew != null
        && "False".equals(cvNew.getStatus())
        && StatusConditions.reason(cvNew).orElse(null) != ConditionReason.MissingReference
        && (cvOld == null
            || !"False".equals(cvOld.getStatus())
            || !Objects.equals(cvOld.getMessage(), cvNew.getMessage()))) {
      out.add(new Event(EventReason.ConfigRejected, cvNew.getMessage()));
    }
    degradedEvent(StatusConditions.find(before, DEGRADED), after.getConditions())
        .ifPresent(out::add);
    // a changed configuration only: a new proxy's first rollout is its creation, and
    // RolloutFinished says when it is live (one write fewer per new proxy: issue 19's rate)
    if (after.getConfigHash() != null
        && hashBefore != null
        && !after.getConfigHash().equals(hashBefore)) {
      out.add(
          new Event(
              EventReason.RolloutStarted, "rolling out configuration " + after.getConfigHash()));
    }
    Condition rOld = StatusConditions.find(before, READY);
    Condition rNew = StatusConditions.find(after.getConditions(), READY);
    if (rNew != null
        && "True".equals(rNew.getStatus())
        && (rOld == null || !"True".equals(rOld.getStatus()))) {
      out.add(
          new Event(
              EventReason.RolloutFinished,
              "configuration " + after.getConfigHash() + " is live: " + rNew.getMessage()));
    }
    return out;
  }

  /**
   * A Warning when Degraded turns True with a reason that has an Event, or keeps it with another
   * message (a missing reference is a new story when another object is missing; a crash loop's
   * restart count is not: the recorder counts those).
   */
  static Optional<Event> degradedEvent(Condition dOld, List<Condition> after) {
    Condition dNew = StatusConditions.find(after, DEGRADED);
    if (dNew == null || !"True".equals(dNew.getStatus())) {
      return Optional.empty();
    }
    EventReason event = StatusConditions.reason(dNew).map(DEGRADED_EVENTS::get).orElse(null);
    if (event == null) {
      return Optional.empty();
    }
    boolean same =
        dOld != null
            && "True".equals(dOld.getStatus())
            && Objects.equals(dOld.getReason(), dNew.getReason())
            && Objects.equals(shape(dOld.getMessage()), shape(dNew.getMessage()));
    return same ? Optional.empty() : Optional.of(new Event(event, dNew.getMessage()));
  }

  private static String shape(String message) {
    return message == null ? "" : message.replaceAll("[0-9]+", "#");
  }
}
