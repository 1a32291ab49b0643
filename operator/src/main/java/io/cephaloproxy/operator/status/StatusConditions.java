package io.cephaloproxy.operator.status;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Condition helpers: merging keeps lastTransitionTime unless the status flips (Keycloak style). */
public final class StatusConditions {

  /**
   * The longest condition message written (metav1.Condition's limit): longer ones are cut with a
   * note, so a status patch can always be stored however many problems the spec has.
   */
  public static final int MAX_MESSAGE = 32 * 1024;

  private StatusConditions() {}

  public static Condition of(
      String type, boolean status, ConditionReason reason, String message, long generation) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason.name())
        .withMessage(bounded(message))
        .withObservedGeneration(generation)
        .build();
  }

  /**
   * The message, cut to {@link #MAX_MESSAGE} characters with a note saying how much was left out.
   */
  public static String bounded(String message) {
    if (message == null || message.length() <= MAX_MESSAGE) {
      return message;
    }
    int keep = MAX_MESSAGE - 64; // room for the note
    return message.substring(0, keep)
        + " ... (message cut: "
        + (message.length() - keep)
        + " more characters)";
  }

  /**
   * Gives each new condition the previous lastTransitionTime when its status did not change, and
   * {@code now} (second precision, as the API server stores it) when it did or is new.
   */
  public static List<Condition> merge(List<Condition> previous, List<Condition> next, Instant now) {
    String nowText = now.truncatedTo(ChronoUnit.SECONDS).toString();
    List<Condition> out = new ArrayList<>();
    for (Condition c : next) {
      Condition old = find(previous, c.getType());
      String ltt =
          old != null
                  && Objects.equals(old.getStatus(), c.getStatus())
                  && old.getLastTransitionTime() != null
              ? old.getLastTransitionTime()
              : nowText;
      out.add(new ConditionBuilder(c).withLastTransitionTime(ltt).build());
    }
    return out;
  }

  /** The condition's reason as the enum, or empty when absent or not one of ours. */
  public static java.util.Optional<ConditionReason> reason(Condition c) {
    if (c == null || c.getReason() == null) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(ConditionReason.valueOf(c.getReason()));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    for (Condition c : conditions) {
      if (type.equals(c.getType())) {
        return c;
      }
    }
    return null;
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && "True".equals(c.getStatus());
  }

  public static boolean isFalse(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && "False".equals(c.getStatus());
  }
}
