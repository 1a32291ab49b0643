package io.cephaloproxy.operator.reconciler;

import static io.cephaloproxy.api.v1alpha1.Conditions.CONFIG_VALID;
import static io.cephaloproxy.api.v1alpha1.Conditions.DEGRADED;
import static io.cephaloproxy.api.v1alpha1.Conditions.READY;
import static io.cephaloproxy.api.v1alpha1.Conditions.REASON_MISSING_REFERENCE;

import io.cephaloproxy.api.v1alpha1.SquidProxyStatus;
import io.cephaloproxy.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Which Events a status change deserves: only transitions, so a resync emits nothing. */
public final class Transitions {
  public record Event(boolean warning, String reason, String message) {}

  private Transitions() {}

  public static List<Event> between(
      List<Condition> before, String hashBefore, SquidProxyStatus after) {
    List<Event> out = new ArrayList<>();
    Condition cvOld = StatusConditions.find(before, CONFIG_VALID);
    Condition cvNew = StatusConditions.find(after.getConditions(), CONFIG_VALID);
    if (cvNew != null
        && "False".equals(cvNew.getStatus())
        && !REASON_MISSING_REFERENCE.equals(cvNew.getReason())
        && (cvOld == null
            || !"False".equals(cvOld.getStatus())
            || !Objects.equals(cvOld.getMessage(), cvNew.getMessage()))) {
      out.add(new Event(true, "ConfigRejected", cvNew.getMessage()));
    }
    Condition dOld = StatusConditions.find(before, DEGRADED);
    Condition dNew = StatusConditions.find(after.getConditions(), DEGRADED);
    if (dNew != null
        && "True".equals(dNew.getStatus())
        && REASON_MISSING_REFERENCE.equals(dNew.getReason())
        && (dOld == null
            || !"True".equals(dOld.getStatus())
            || !Objects.equals(dOld.getMessage(), dNew.getMessage()))) {
      out.add(new Event(true, "ReferenceMissing", dNew.getMessage()));
    }
    if (after.getConfigHash() != null && !after.getConfigHash().equals(hashBefore)) {
      out.add(
          new Event(false, "RolloutStarted", "rolling out configuration " + after.getConfigHash()));
    }
    Condition rOld = StatusConditions.find(before, READY);
    Condition rNew = StatusConditions.find(after.getConditions(), READY);
    if (rNew != null
        && "True".equals(rNew.getStatus())
        && (rOld == null || !"True".equals(rOld.getStatus()))) {
      out.add(
          new Event(
              false,
              "RolloutFinished",
              "configuration " + after.getConfigHash() + " is live: " + rNew.getMessage()));
    }
    return out;
  }
}
