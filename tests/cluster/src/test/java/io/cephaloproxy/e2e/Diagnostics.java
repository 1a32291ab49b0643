package io.cephaloproxy.e2e;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Comparator;
import java.util.stream.Collectors;

/**
 * What a failing test prints about a namespace: pods with their container states, recent events.
 */
final class Diagnostics {
  private Diagnostics() {}

  static String pods(String namespace) {
    try {
      String pods =
          Cluster.client().pods().inNamespace(namespace).list().getItems().stream()
              .map(Diagnostics::describe)
              .collect(Collectors.joining("; "));
      String events =
          Cluster.client().v1().events().inNamespace(namespace).list().getItems().stream()
              .sorted(Comparator.comparing(e -> String.valueOf(e.getLastTimestamp())))
              .skip(
                  Math.max(
                      0,
                      Cluster.client().v1().events().inNamespace(namespace).list().getItems().size()
                          - 8))
              .map(Diagnostics::describe)
              .collect(Collectors.joining("; "));
      return "pods [" + pods + "] events [" + events + "]";
    } catch (RuntimeException e) {
      return "(could not list pods: " + e.getMessage() + ")";
    }
  }

  static String describe(Pod p) {
    StringBuilder s =
        new StringBuilder(p.getMetadata().getName()).append(' ').append(p.getStatus().getPhase());
    if (p.getStatus().getContainerStatuses() != null) {
      p.getStatus()
          .getContainerStatuses()
          .forEach(
              c ->
                  s.append(' ')
                      .append(c.getName())
                      .append(" ready=")
                      .append(c.getReady())
                      .append(" restarts=")
                      .append(c.getRestartCount())
                      .append(' ')
                      .append(c.getState()));
    }
    return s.toString();
  }

  static String describe(Event e) {
    return e.getInvolvedObject().getKind()
        + "/"
        + e.getInvolvedObject().getName()
        + " "
        + e.getReason()
        + ": "
        + e.getMessage();
  }
}
