package io.cephaloproxy.operator.reconciler;

import io.cephaloproxy.api.v1alpha1.EventReason;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on the SquidProxy (core/v1, so {@code kubectl describe} shows them), aggregated
 * and rate-limited like client-go's event correlator, so a retry loop or a flapping pod cannot
 * flood the namespace:
 *
 * <ul>
 *   <li><b>aggregation</b>: an Event that repeats one already recorded for the same proxy, reason
 *       and message (numbers aside: "5 restarts" and "6 restarts" are the same story) updates that
 *       Event's {@code count}, {@code lastTimestamp} and message instead of creating another;
 *   <li>those updates are written at most once per {@link #UPDATE_INTERVAL} per Event (the repeats
 *       in between are added to the next count);
 *   <li><b>rate limit</b>: new Events per proxy and reason come from a token bucket of {@link
 *       #BURST}, refilled one every {@link #REFILL}; what exceeds it is dropped (the status
 *       conditions still say it).
 * </ul>
 */
public final class EventRecorder {
  static final String COMPONENT = "cephaloproxy-operator";
  static final int MAX_MESSAGE = 1024;
  static final Duration UPDATE_INTERVAL = Duration.ofSeconds(60);
  static final int BURST = 5;
  static final Duration REFILL = Duration.ofMinutes(5);
  private static final int MAX_TRACKED = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final Clock clock;

  private record Key(String uid, EventReason reason, String shape) {}

  private record BucketKey(String uid, EventReason reason) {}

  private static final class Series {
    String namespace;
    String eventName;
    int count;
    int pending;
    Instant lastWrite;
    String lastMessage;
  }

  private static final class Bucket {
    double tokens = BURST;
    Instant last;
  }

  private final Map<Key, Series> series = lru();
  private final Map<BucketKey, Bucket> buckets = lru();
  private long dropped;
  private long writes;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  private static <K, V> Map<K, V> lru() {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }

  /** Records (or counts) one occurrence; never throws: an Event is best effort. */
  public synchronized void record(SquidProxy p, EventReason reason, String text) {
    Instant now = clock.instant();
    String message = bounded(text);
    String uid = p.getMetadata().getUid() == null ? "" : p.getMetadata().getUid();
    Key key = new Key(uid, reason, message.replaceAll("[0-9]+", "#"));
    Series s = series.get(key);
    if (s != null) {
      s.pending++;
      s.lastMessage = message;
      if (Duration.between(s.lastWrite, now).compareTo(UPDATE_INTERVAL) >= 0) {
        flush(s, now, p, reason);
      }
      return;
    }
    if (!take(new BucketKey(uid, reason), now)) {
      dropped++;
      LOG.debug(
          "event {} on {}/{} dropped by the rate limit: {}",
          reason,
          p.getMetadata().getNamespace(),
          p.getMetadata().getName(),
          message);
      return;
    }
    Series created = create(p, reason, message, now, 1);
    if (created != null) {
      series.put(key, created);
    }
  }

  /** Event writes sent (creates and count updates). */
  public synchronized long writes() {
    return writes;
  }

  /** Occurrences dropped by the rate limit. */
  public synchronized long dropped() {
    return dropped;
  }

  private boolean take(BucketKey key, Instant now) {
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket());
    if (b.last != null) {
      double refill = (double) Duration.between(b.last, now).toMillis() / REFILL.toMillis();
      b.tokens = Math.min(BURST, b.tokens + Math.max(0, refill));
    }
    b.last = now;
    if (b.tokens < 1) {
      return false;
    }
    b.tokens -= 1;
    return true;
  }

  private void flush(Series s, Instant now, SquidProxy p, EventReason reason) {
    int count = s.count + s.pending;
    String ts = timestamp(now);
    Map<String, Object> patch =
        Map.of("count", count, "lastTimestamp", ts, "message", s.lastMessage);
    try {
      writes++;
      // patch the named Event as it is: withName(...).patch(...) would GET it first, which the
      // chart's RBAC does not grant (create and patch only)
      client
          .v1()
          .events()
          .inNamespace(s.namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(s.eventName)
                  .withNamespace(s.namespace)
                  .endMetadata()
                  .build())
          .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
      s.count = count;
      s.pending = 0;
      s.lastWrite = now;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        // expired (the API server keeps Events for an hour): start a new one with the total
        Series fresh = create(p, reason, s.lastMessage, now, count);
        if (fresh != null) {
          s.eventName = fresh.eventName;
          s.count = count;
          s.pending = 0;
          s.lastWrite = now;
        }
        return;
      }
      s.lastWrite = now; // do not retry on every occurrence
      warn(p, reason, e);
    }
  }

  private Series create(SquidProxy p, EventReason reason, String message, Instant now, int count) {
    String ts = timestamp(now);
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(p.getMetadata().getName() + ".")
            .withNamespace(p.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(p.getApiVersion())
                    .withKind(p.getKind())
                    .withName(p.getMetadata().getName())
                    .withNamespace(p.getMetadata().getNamespace())
                    .withUid(p.getMetadata().getUid())
                    .build())
            .withType(reason.type().name())
            .withReason(reason.name())
            .withMessage(message)
            .withFirstTimestamp(ts)
            .withLastTimestamp(ts)
            .withCount(count)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .build();
    try {
      writes++;
      Event created =
          client.v1().events().inNamespace(p.getMetadata().getNamespace()).resource(event).create();
      Series s = new Series();
      s.namespace = p.getMetadata().getNamespace();
      s.eventName = created.getMetadata().getName();
      s.count = count;
      s.lastWrite = now;
      s.lastMessage = message;
      return s;
    } catch (KubernetesClientException e) {
      warn(p, reason, e);
      return null;
    }
  }

  private static void warn(SquidProxy p, EventReason reason, KubernetesClientException e) {
    // never fail a reconcile for an Event
    LOG.warn(
        "could not record event {} on {}/{}: {}",
        reason,
        p.getMetadata().getNamespace(),
        p.getMetadata().getName(),
        ApiErrors.oneLine(e));
  }

  static String bounded(String message) {
    String m = message == null ? "" : message;
    return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE - 3) + "..." : m;
  }

  private static String timestamp(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
