package io.cephaloproxy.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.EventReason;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.testing.TestApi;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events of a retry loop or a flapping pod are aggregated and rate-limited, not a storm. */
class EventRecorderTest {
  KubernetesMockServer server;
  KubernetesClient client;
  Instant now = Instant.parse("2026-01-01T00:00:00Z");
  EventRecorder recorder;

  final Clock clock = TestApi.clock(() -> now);

  @BeforeEach
  void start() {
    server = TestApi.crudServer();
    client = server.createClient();
    recorder = new EventRecorder(client, clock);
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  static SquidProxy proxy(String name) {
    SquidProxy p = new SquidProxy();
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace("ns");
    p.getMetadata().setUid("uid-" + name);
    return p;
  }

  List<Event> events(String reason) {
    return client.v1().events().inNamespace("ns").list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  @Test
  void aRetryLoopMakesOneEventWithACount() {
    SquidProxy p = proxy("web");
    // a reconcile retried every second for ten minutes, the restart count growing
    for (int i = 0; i < 600; i++) {
      recorder.record(p, EventReason.CrashLoop, "container run keeps crashing, " + i + " restarts");
      now = now.plusSeconds(1);
    }
    List<Event> crash = events("CrashLoop");
    assertThat(crash).hasSize(1);
    Event e = crash.get(0);
    assertThat(e.getType()).isEqualTo("Warning");
    assertThat(e.getCount()).as("occurrences folded into the count").isGreaterThanOrEqualTo(540);
    assertThat(e.getMessage()).as("the latest message").matches(".*, 5[4-9][0-9] restarts");
    assertThat(recorder.writes())
        .as("one create, then at most one count update a minute")
        .isLessThanOrEqualTo(1 + 600 / EventRecorder.UPDATE_INTERVAL.toSeconds());
  }

  @Test
  void newMessagesAreRateLimitedPerProxyAndReason() {
    SquidProxy p = proxy("web");
    for (int i = 0; i < 100; i++) {
      // 100 different stories (numbers aside, repeats would be counted, not dropped)
      String name = "" + (char) ('a' + i % 26) + (char) ('a' + i / 26);
      recorder.record(p, EventReason.PodsRejected, "quota " + name + " exceeded");
    }
    assertThat(events("PodsRejected")).hasSize(EventRecorder.BURST);
    assertThat(recorder.dropped()).isEqualTo(100 - EventRecorder.BURST);
    // another reason and another proxy have their own buckets
    recorder.record(p, EventReason.ImagePullFailed, "cannot pull");
    recorder.record(proxy("other"), EventReason.PodsRejected, "quota exceeded");
    assertThat(events("ImagePullFailed")).hasSize(1);
    assertThat(events("PodsRejected")).hasSize(EventRecorder.BURST + 1);
    // the bucket refills one token per REFILL
    now = now.plus(EventRecorder.REFILL).plus(Duration.ofSeconds(1));
    recorder.record(p, EventReason.PodsRejected, "quota yet another exceeded");
    assertThat(events("PodsRejected")).hasSize(EventRecorder.BURST + 2);
  }

  @Test
  void messagesAreOneBoundedLine() {
    recorder.record(proxy("web"), EventReason.ConfigRejected, "y".repeat(5000));
    assertThat(events("ConfigRejected").get(0).getMessage()).hasSize(EventRecorder.MAX_MESSAGE);
  }
}
