package io.cephaloproxy.operator.reconciler;

import static io.cephaloproxy.api.v1alpha1.Conditions.CONFIG_VALID;
import static io.cephaloproxy.api.v1alpha1.Conditions.DEGRADED;
import static io.cephaloproxy.api.v1alpha1.Conditions.READY;
import static io.cephaloproxy.api.v1alpha1.Conditions.REASON_MISSING_REFERENCE;

import io.cephaloproxy.operator.status.AggregatedStatus;
import io.cephaloproxy.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Which Events a status change deserves: only transitions, so a resync emits nothing. */
public final class Transitions {
  public record Event(boolean warning, String reason, String message) {}

  private Transitions() {}

  public static List<Event> between(List<Condition> before, String hashBefore, AggregatedStatus after) {
    List<Event> out = new ArrayList<>();
    Condition cvOld = StatusConditions.find(before, CONFIG_VALID);
    Condition cvNew = StatusConditions.find(after.conditions(), CONFIG_VALID);
    if (cvNew != null && "False".equals(cvNew.getStatus())
        && !REASON_MISSING_REFERENCE.equals(cvNew.getReason())
        && (cvOld == null || !"False".equals(cvOld.getStatus()) || !Objects.equals(cvOld.getMessage(), cvNew.getMessage()))) {
      out.add(new Event(true, "ConfigRejected", cvNew.getMessage()));
    }
    Condition dOld = StatusConditions.find(before, DEGRADED);
    Condition dNew = StatusConditions.find(after.conditions(), DEGRADED);
    if (dNew != null && "True".equals(dNew.getStatus()) && REASON_MISSING_REFERENCE.equals(dNew.getReason())
        && (dOld == null || !"True".equals(dOld.getStatus()) || !Objects.equals(dOld.getMessage(), dNew.getMessage()))) {
      out.add(new Event(true, "ReferenceMissing", dNew.getMessage()));
    }
    if (after.configHash() != null && !after.configHash().equals(hashBefore)) {
      out.add(new Event(false, "RolloutStarted", "rolling out configuration " + after.configHash()));
    }
    Condition rOld = StatusConditions.find(before, READY);
    Condition rNew = StatusConditions.find(after.conditions(), READY);
    if (rNew != null && "True".equals(rNew.getStatus()) && (rOld == null || !"True".equals(rOld.getStatus()))) {
      out.add(new Event(false, "RolloutFinished", "configuration " + after.configHash() + " is live: " + rNew.getMessage()));
    }
    return out;
  }
}
