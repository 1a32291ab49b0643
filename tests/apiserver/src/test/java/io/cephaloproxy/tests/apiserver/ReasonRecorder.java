package io.cephaloproxy.tests.apiserver;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the SquidProxies of one namespace and records every condition reason their statuses go
 * through, including the short-lived ones a poll would miss: for each "type=reason" the first proxy
 * and message that showed it, and how often each proxy's condition turned to a reason.
 */
final class ReasonRecorder implements AutoCloseable {
  /** Where a reason was first seen. */
  record Seen(String proxy, String status, String message) {}

  private final Map<String, Seen> first = new ConcurrentHashMap<>();
  private final Map<String, java.util.Set<Seen>> all = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> lastReason = new ConcurrentHashMap<>();
  private final Map<String, Integer> transitions = new ConcurrentHashMap<>();
  private final Watch watch;

  ReasonRecorder(KubernetesClient client, String namespace) {
    watch =
        client
            .resources(SquidProxy.class)
            .inNamespace(namespace)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, SquidProxy sp) {
                    record(sp);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  private void record(SquidProxy sp) {
    if (sp.getStatus() == null || sp.getStatus().getConditions() == null) {
      return;
    }
    String proxy = sp.getMetadata().getName();
    Map<String, String> last = lastReason.computeIfAbsent(proxy, p -> new ConcurrentHashMap<>());
    for (Condition c : sp.getStatus().getConditions()) {
      String key = c.getType() + "=" + c.getReason();
      Seen seen = new Seen(proxy, c.getStatus(), c.getMessage());
      first.putIfAbsent(key, seen);
      java.util.Set<Seen> each = all.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
      if (each.size() < 200) {
        each.add(seen);
      }
      String state = c.getStatus() + "/" + c.getReason();
      if (!Objects.equals(last.put(c.getType(), state), state)) {
        transitions.merge(proxy + " " + c.getType() + "=" + state, 1, Integer::sum);
      }
    }
  }

  /** "type=reason" → where it was first seen. */
  Map<String, Seen> seen() {
    return new LinkedHashMap<>(first);
  }

  /** Every distinct proxy, status and message seen with "type=reason" (at most 200). */
  java.util.Set<Seen> all(String key) {
    return java.util.Set.copyOf(all.getOrDefault(key, java.util.Set.of()));
  }

  /** How often {@code proxy}'s condition {@code type} turned to {@code status}/{@code reason}. */
  int transitionsTo(String proxy, String type, String status, String reason) {
    return transitions.getOrDefault(proxy + " " + type + "=" + status + "/" + reason, 0);
  }

  @Override
  public void close() {
    watch.close();
  }
}
