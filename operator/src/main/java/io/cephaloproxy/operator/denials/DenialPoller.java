package io.cephaloproxy.operator.denials;

import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.EventReason;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.reconciler.EventRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 17 §5: a summary Event of each proxy's denied requests, at most one per interval. The Squid
 * pods' agents have no API token, so the operator reads them: every {@code interval} it asks each
 * ready pod of each proxy for the denials of the window just closed ({@code GET
 * http://POD_IP:8080/denials?from=F&to=T}, {@code [F, T)} in whole 10-second buckets, {@code F} the
 * previous window's {@code T}, so nothing is counted twice or skipped while the operator keeps
 * running), sums them and records {@link EventReason#RequestsDenied} (and in Audit mode {@link
 * EventReason#RequestsWouldBeDenied}) only when something was denied: with no denials it writes
 * nothing.
 *
 * <p>Bounded: one thread schedules; at most {@link #CONCURRENCY} pods are read at a time, each
 * within {@link #CONNECT_TIMEOUT} and {@link #REQUEST_TIMEOUT}, answers of at most {@link
 * #MAX_ANSWER_BYTES}; a proxy without ready pods is not polled; only the leader polls. A pod that
 * does not answer (a NetworkPolicy that does not admit the operator, a pod going away) is logged
 * once until it answers again, and the Event says how many pods did not answer.
 */
public final class DenialPoller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DenialPoller.class);

  static final int CONCURRENCY = 4;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
  static final int MAX_ANSWER_BYTES = 64 * 1024;

  /** The agent's bucket; windows end one bucket early so lines still in flight are in. */
  static final long BUCKET_SECONDS = 10;

  /** Pods whose failure was logged (bounded: cleared when full). */
  private static final int MAX_LOGGED = 1024;

  private final Duration interval;
  private final Supplier<List<SquidProxy>> proxies;
  private final BiFunction<String, String, List<Pod>> pods;
  private final EventRecorder events;
  private final Clock clock;
  private final BooleanSupplier leading;
  private final int port;
  private final HttpClient http;
  private final ExecutorService fetchers;
  private final ScheduledExecutorService schedule;

  /** Per proxy uid: where its next window starts (seconds since the epoch). */
  private final Map<String, Long> cursors = new HashMap<>();

  private final Set<String> logged = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * @param proxies the SquidProxies in the operator's cache
   * @param pods (namespace, proxy name) → the proxy's pods in the operator's cache
   * @param leading whether this operator is the leader (polls only then)
   * @param port the agents' health port ({@link Defaults#HEALTH_PORT}; tests use another)
   */
  public DenialPoller(
      Duration interval,
      Supplier<List<SquidProxy>> proxies,
      BiFunction<String, String, List<Pod>> pods,
      EventRecorder events,
      Clock clock,
      BooleanSupplier leading,
      int port) {
    this.interval = interval;
    this.proxies = proxies;
    this.pods = pods;
    this.events = events;
    this.clock = clock;
    this.leading = leading;
    this.port = port;
    AtomicInteger n = new AtomicInteger();
    this.fetchers =
        Executors.newFixedThreadPool(
            CONCURRENCY,
            r -> {
              Thread t = new Thread(r, "denials-read-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();
    this.schedule =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "denial-events");
              t.setDaemon(true);
              return t;
            });
  }

  /** Polls every interval, the first time one interval from now. */
  public void start() {
    long millis = interval.toMillis();
    schedule.scheduleWithFixedDelay(this::pollSafely, millis, millis, TimeUnit.MILLISECONDS);
    LOG.info("denial summary Events: every {} s at most per proxy", interval.getSeconds());
  }

  private void pollSafely() {
    try {
      poll();
    } catch (RuntimeException e) {
      LOG.warn("denial summary: {}", DenialReport.oneLine(e.toString()));
    }
  }

  /** One round over every proxy: the window that ends one bucket before now. */
  void poll() {
    if (!leading.getAsBoolean()) {
      cursors.clear();
      return;
    }
    long now = clock.millis() / 1000;
    long to = Math.floorDiv(now, BUCKET_SECONDS) * BUCKET_SECONDS - BUCKET_SECONDS;
    Set<String> live = new java.util.HashSet<>();
    Map<SquidProxy, List<Future<Answer>>> reads = new LinkedHashMap<>();
    Map<SquidProxy, Long> froms = new HashMap<>();
    for (SquidProxy p : proxies.get()) {
      String uid = p.getMetadata().getUid();
      if (uid == null) {
        continue;
      }
      live.add(uid);
      long from = cursors.getOrDefault(uid, to - interval.getSeconds());
      cursors.put(uid, to);
      List<Pod> ready =
          pods.apply(p.getMetadata().getNamespace(), p.getMetadata().getName()).stream()
              .filter(DenialPoller::servingProxyPod)
              .toList();
      if (ready.isEmpty() || from >= to) {
        continue;
      }
      froms.put(p, from);
      List<Future<Answer>> futures = new ArrayList<>();
      for (Pod pod : ready) {
        futures.add(fetchers.submit(() -> read(pod, from, to)));
      }
      reads.put(p, futures);
    }
    cursors.keySet().retainAll(live);
    long deadline = System.nanoTime() + REQUEST_TIMEOUT.plus(CONNECT_TIMEOUT).toNanos();
    reads.forEach(
        (p, futures) -> {
          List<DenialReport.PodAnswer> answers = new ArrayList<>();
          int unanswered = 0;
          for (Future<Answer> f : futures) {
            Answer a = await(f, deadline);
            if (a == null || a.answer() == null) {
              unanswered++;
            } else {
              answers.add(a.answer());
            }
          }
          record(p, Duration.ofSeconds(to - froms.get(p)), answers, unanswered, futures.size());
        });
  }

  /** Records the Events of one proxy's window: one per decision that has denials, else nothing. */
  void record(
      SquidProxy p,
      Duration window,
      List<DenialReport.PodAnswer> answers,
      int unanswered,
      int podCount) {
    Map<String, List<DenialReport.RuleTotal>> sums = DenialReport.sum(answers);
    sums.forEach(
        (decision, totals) -> {
          EventReason reason =
              switch (decision) {
                case "deny" -> EventReason.RequestsDenied;
                case "would_deny" -> EventReason.RequestsWouldBeDenied;
                default -> null;
              };
          if (reason != null && !totals.isEmpty()) {
            events.record(
                p, reason, DenialReport.message(decision, totals, window, unanswered, podCount));
          }
        });
  }

  private record Answer(DenialReport.PodAnswer answer) {}

  private static Answer await(Future<Answer> f, long deadline) {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return null;
    } catch (ExecutionException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** A proxy pod (not a config check pod) that is ready, not terminating, and has an address. */
  static boolean servingProxyPod(Pod p) {
    Map<String, String> labels = p.getMetadata().getLabels();
    return labels != null
        && "proxy".equals(labels.get(Labels.COMPONENT))
        && p.getMetadata().getDeletionTimestamp() == null
        && p.getStatus() != null
        && p.getStatus().getPodIP() != null
        && !p.getStatus().getPodIP().isBlank()
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private Answer read(Pod pod, long from, long to) {
    String ip = pod.getStatus().getPodIP();
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    String where =
        pod.getMetadata().getNamespace()
            + "/"
            + pod.getMetadata().getName()
            + " ("
            + host
            + ":"
            + port
            + "/denials)";
    try {
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://" + host + ":" + port + "/denials?from=" + from + "&to=" + to))
                  .timeout(REQUEST_TIMEOUT)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      String body;
      try (InputStream in = r.body()) {
        byte[] b = in.readNBytes(MAX_ANSWER_BYTES + 1);
        if (b.length > MAX_ANSWER_BYTES) {
          throw new IllegalArgumentException("answer larger than " + MAX_ANSWER_BYTES + " bytes");
        }
        body = new String(b, StandardCharsets.UTF_8);
      }
      if (r.statusCode() != 200) {
        throw new IllegalArgumentException(
            "HTTP " + r.statusCode() + ": " + DenialReport.oneLine(body));
      }
      DenialReport.PodAnswer a = DenialReport.parse(body);
      if (logged.remove(where)) {
        LOG.info("denial summary: {} answers again", where);
      }
      return new Answer(a);
    } catch (IOException | IllegalArgumentException e) {
      failed(where, e);
      return new Answer(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(null);
    }
  }

  private void failed(String where, Exception e) {
    if (logged.size() >= MAX_LOGGED) {
      logged.clear();
    }
    if (logged.add(where)) {
      LOG.warn(
          "denial summary: could not read the denied requests of pod {}: {}; its NetworkPolicy must"
              + " admit the operator's pods to the health port (docs/observability.md); logged once"
              + " until it answers",
          where,
          DenialReport.oneLine(
              e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
  }

  /** The windows' next starts (tests). */
  Map<String, Long> cursors() {
    return Map.copyOf(cursors);
  }

  @Override
  public void close() {
    schedule.shutdownNow();
    fetchers.shutdownNow();
  }
}
