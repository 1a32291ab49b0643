package io.cephaloproxy.operator.referenced;

import io.cephaloproxy.operator.model.SecretAndConfigMapData;
import io.cephaloproxy.operator.model.WatchedObject;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Reads the data of the Secrets and ConfigMaps that SquidProxies refer to, on demand, within fixed
 * memory bounds. The metadata-only informers ({@link MetadataOnly}) say which objects exist and at
 * which resourceVersion; this class GETs an object when a reconcile needs its data and keeps it, by
 * resourceVersion, only while reconciles use it:
 *
 * <ul>
 *   <li>of a Secret only its keys are kept, each value replaced by a one-byte stand-in ({@link
 *       SecretAndConfigMapData#secretKeys}): the compiler checks only that a key is there and not
 *       empty, the pod mounts the Secret itself and the config hash covers its uid and
 *       resourceVersion, so the Secret's bytes are garbage as soon as the GET's answer has been
 *       read;
 *   <li>one copy per object version, shared by every proxy that refers to it; concurrent reconciles
 *       wait for the one GET in flight;
 *   <li>an entry not used for {@link #IDLE_NANOS} is dropped (in steady state no reconcile runs, so
 *       no Secret bytes stay in the heap); a new resourceVersion replaces it;
 *   <li>at most {@link #CACHE_BYTES} of data cached; past that objects are read for each use;
 *   <li>at most {@link #CONCURRENT_FETCHES} GETs at once, and reconciles compiling with large
 *       referenced data share a budget of {@link #USE_BUDGET_BYTES} ({@link #reserve}), so 50
 *       reconciles of proxies that use one 1 MiB object do not hold 50 decoded copies at once;
 *   <li>an object with more than {@link #MAX_OBJECT_BYTES} of data is not used: the proxy reports
 *       which one.
 * </ul>
 */
public final class ReferenceFetcher implements AutoCloseable {
  /** Kubernetes' own limit on the data of one Secret or ConfigMap (1 MiB). */
  public static final long MAX_OBJECT_BYTES = 1L << 20;

  static final long CACHE_BYTES = 16L << 20;
  static final long USE_BUDGET_BYTES = 8L << 20;
  static final int CONCURRENT_FETCHES = 4;
  static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** What a lookup found. */
  public sealed interface Lookup permits Found, Missing, TooLarge {}

  /**
   * A ConfigMap's data as {@link SecretAndConfigMapData#data} gives it, or a Secret's keys as
   * {@link SecretAndConfigMapData#secretKeys} gives them; bytes: what that holds (for a Secret, its
   * keys only).
   */
  public record Found(Map<String, String> data, long bytes) implements Lookup {}

  /** The object does not exist. */
  public record Missing() implements Lookup {}

  /**
   * The object exists but holds more than {@link #MAX_OBJECT_BYTES}; the message says which and
   * what to do.
   */
  public record TooLarge(String message) implements Lookup {}

  private record Key(String kind, String namespace, String name) {}

  private static final class Entry {
    final String version;
    final Lookup value;
    final long bytes;
    volatile long lastUsed;

    Entry(String version, Lookup value, long bytes, long now) {
      this.version = version;
      this.value = value;
      this.bytes = bytes;
      this.lastUsed = now;
    }
  }

  private final KubernetesClient client;
  private final LongSupplier nanoTime;
  private final Map<Key, Entry> cache = new ConcurrentHashMap<>();
  private final Map<Key, CompletableFuture<Entry>> inFlight = new ConcurrentHashMap<>();
  private final Semaphore fetches = new Semaphore(CONCURRENT_FETCHES);
  private final Semaphore useBudget = new Semaphore(kib(USE_BUDGET_BYTES), true);
  private final ScheduledExecutorService sweeper;
  private long cachedBytes;
  private volatile long gets;

  /** With a daemon thread that drops idle entries every 15 s. */
  public ReferenceFetcher(KubernetesClient client) {
    this(client, System::nanoTime, true);
  }

  ReferenceFetcher(KubernetesClient client, LongSupplier nanoTime, boolean sweep) {
    this.client = client;
    this.nanoTime = nanoTime;
    if (sweep) {
      sweeper =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "referenced-data-sweeper");
                t.setDaemon(true);
                return t;
              });
      sweeper.scheduleWithFixedDelay(this::sweep, 15, 15, TimeUnit.SECONDS);
    } else {
      sweeper = null;
    }
  }

  /**
   * The data of a referenced object.
   *
   * @param kind {@link WatchedObject#SECRET} or {@link WatchedObject#CONFIG_MAP}
   * @param version the resourceVersion the metadata informer has, or null when it has no such
   *     object
   */
  public Lookup get(String kind, String namespace, String name, String version) {
    Key key = new Key(kind, namespace, name);
    if (version == null) {
      drop(key);
      return new Missing();
    }
    Entry e = cache.get(key);
    if (e == null || !e.version.equals(version)) {
      e = fetchOnce(key);
    }
    e.lastUsed = nanoTime.getAsLong();
    return e.value;
  }

  /**
   * One GET per object at a time: concurrent lookups of the same object wait for it and share its
   * result.
   */
  private Entry fetchOnce(Key key) {
    CompletableFuture<Entry> mine = new CompletableFuture<>();
    CompletableFuture<Entry> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      try {
        return running.join();
      } catch (CompletionException ex) {
        throw ex.getCause() instanceof RuntimeException r ? r : ex;
      }
    }
    try {
      Entry e = fetch(key);
      mine.complete(e);
      return e;
    } catch (RuntimeException ex) {
      mine.completeExceptionally(ex);
      throw ex;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  private Entry fetch(Key key) {
    HasMetadata o;
    fetches.acquireUninterruptibly();
    try {
      gets++;
      o =
          WatchedObject.SECRET.equals(key.kind())
              ? client.secrets().inNamespace(key.namespace()).withName(key.name()).get()
              : client.configMaps().inNamespace(key.namespace()).withName(key.name()).get();
    } finally {
      fetches.release();
    }
    long now = nanoTime.getAsLong();
    if (o == null) {
      drop(key);
      return new Entry("", new Missing(), 0, now);
    }
    long bytes = dataBytes(o);
    Lookup value =
        bytes > MAX_OBJECT_BYTES
            ? new TooLarge(
                key.kind()
                    + " "
                    + key.name()
                    + " is too large to use: "
                    + bytes
                    + " bytes of data, more than the "
                    + MAX_OBJECT_BYTES
                    + " (1 MiB) the operator reads of one referenced Secret or ConfigMap; make it smaller or split it")
            : o instanceof Secret secret
                ? keysOnly(SecretAndConfigMapData.secretKeys(secret))
                : new Found(SecretAndConfigMapData.data(o), bytes);
    Entry e =
        new Entry(
            o.getMetadata().getResourceVersion(),
            value,
            value instanceof Found f ? f.bytes() : 0,
            now);
    store(key, e);
    return e;
  }

  private static Found keysOnly(Map<String, String> keys) {
    long size = 0;
    for (Map.Entry<String, String> k : keys.entrySet()) {
      size += k.getKey().length() + k.getValue().length();
    }
    return new Found(keys, size);
  }

  private synchronized void store(Key key, Entry e) {
    Entry old = cache.remove(key);
    if (old != null) {
      cachedBytes -= old.bytes;
    }
    if (cachedBytes + e.bytes <= CACHE_BYTES) {
      cache.put(key, e);
      cachedBytes += e.bytes;
    }
  }

  private synchronized void drop(Key key) {
    Entry old = cache.remove(key);
    if (old != null) {
      cachedBytes -= old.bytes;
    }
  }

  /** Drops the entries no reconcile used for {@link #IDLE_NANOS}. */
  public synchronized void sweep() {
    long now = nanoTime.getAsLong();
    cache
        .entrySet()
        .removeIf(
            en -> {
              boolean idle = now - en.getValue().lastUsed > IDLE_NANOS;
              if (idle) {
                cachedBytes -= en.getValue().bytes;
              }
              return idle;
            });
  }

  /**
   * Reserves a share of the budget for compiling with this many bytes of referenced data (at most
   * the whole budget); blocks while other reconciles hold it. Close the permit when the compile is
   * done.
   */
  public Permit reserve(long bytes) {
    int permits = (int) Math.min(kib(bytes), kib(USE_BUDGET_BYTES));
    useBudget.acquireUninterruptibly(permits);
    return () -> useBudget.release(permits);
  }

  /** A share of the compile budget. */
  public interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  /** Objects whose data is cached now. */
  public int cachedObjects() {
    return cache.size();
  }

  /** Bytes of data cached now. */
  public synchronized long cachedBytes() {
    return cachedBytes;
  }

  /** GET requests sent so far. */
  public long gets() {
    return gets;
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    synchronized (this) {
      cache.clear();
      cachedBytes = 0;
    }
  }

  /**
   * Bytes of data as Kubernetes counts them against its 1 MiB limit (decoded values, keys not
   * counted).
   */
  static long dataBytes(HasMetadata o) {
    long n = 0;
    if (o instanceof Secret s) {
      if (s.getData() != null) {
        for (String v : s.getData().values()) {
          n += decodedLength(v);
        }
      }
      if (s.getStringData() != null) {
        for (String v : s.getStringData().values()) {
          n += v == null ? 0 : v.length();
        }
      }
    } else if (o instanceof ConfigMap c) {
      if (c.getData() != null) {
        for (String v : c.getData().values()) {
          n += v == null ? 0 : v.length();
        }
      }
      if (c.getBinaryData() != null) {
        for (String v : c.getBinaryData().values()) {
          n += decodedLength(v);
        }
      }
    }
    return n;
  }

  private static long decodedLength(String base64) {
    if (base64 == null || base64.isEmpty()) {
      return 0;
    }
    int pad = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
    return base64.length() / 4L * 3 - pad;
  }

  private static int kib(long bytes) {
    return (int) ((bytes + 1023) / 1024);
  }
}
