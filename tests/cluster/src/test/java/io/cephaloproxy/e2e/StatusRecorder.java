package io.cephaloproxy.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Watches one SquidProxy and records every distinct set of condition statuses it goes through, e.g.
 * [{Progressing=True, Ready=False}, {Progressing=False, Ready=True}], so a test can assert the
 * order.
 */
final class StatusRecorder implements AutoCloseable {
  private final List<Map<String, String>> states = new ArrayList<>();
  private final Map<String, String> reasons = new TreeMap<>();
  private final Map<String, Integer> turnedTo = new TreeMap<>();
  private final Watch watch;

  StatusRecorder(String namespace, String name) {
    watch =
        SquidProxies.api()
            .inNamespace(namespace)
            .withName(name)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, GenericKubernetesResource r) {
                    record(r);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  @SuppressWarnings("unchecked")
  private synchronized void record(GenericKubernetesResource r) {
    Map<String, String> state = new TreeMap<>();
    Object conditions = SquidProxies.status(r).get("conditions");
    if (conditions instanceof List<?> list) {
      for (Object c : list) {
        Map<String, Object> m = (Map<String, Object>) c;
        String type = String.valueOf(m.get("type"));
        state.put(type, String.valueOf(m.get("status")));
        String reason = String.valueOf(m.get("reason"));
        if (!reason.equals(reasons.put(type, reason))) {
          turnedTo.merge(type + "=" + reason, 1, Integer::sum);
        }
      }
    }
    if (!state.isEmpty() && (states.isEmpty() || !states.get(states.size() - 1).equals(state))) {
      states.add(state);
    }
  }

  synchronized List<Map<String, String>> states() {
    return List.copyOf(states);
  }

  /** Index of the first recorded state where {@code type} had {@code status}, or -1. */
  synchronized int firstIndex(String type, String status) {
    for (int i = 0; i < states.size(); i++) {
      if (status.equals(states.get(i).get(type))) {
        return i;
      }
    }
    return -1;
  }

  /** How often the condition {@code type} turned to {@code reason} (from another reason). */
  synchronized int turnedTo(String type, String reason) {
    return turnedTo.getOrDefault(type + "=" + reason, 0);
  }

  @Override
  public void close() {
    watch.close();
  }
}
