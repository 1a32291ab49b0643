package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link SquidConfCompiler#compile} when the spec or its referenced data is invalid. */
public class InvalidConfigException extends RuntimeException {
  private final List<ValidationError> errors;

  public InvalidConfigException(List<ValidationError> errors) {
    super(summary(errors));
    this.errors = List.copyOf(errors);
  }

  public List<ValidationError> errors() {
    return errors;
  }

  /** The reason for the ConfigValid=False condition: the first error's. */
  public ConditionReason reason() {
    return errors.isEmpty() ? ConditionReason.InvalidSpec : errors.get(0).reason();
  }

  /** All errors, one per line (at most 20, then a count), for the condition message. */
  public static String summary(List<ValidationError> errors) {
    int max = 20;
    String text =
        errors.stream().limit(max).map(ValidationError::toString).collect(Collectors.joining("\n"));
    return errors.size() > max
        ? text + "\n... and " + (errors.size() - max) + " more errors"
        : text;
  }
}
