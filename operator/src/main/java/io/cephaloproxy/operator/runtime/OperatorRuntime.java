package io.cephaloproxy.operator.runtime;

import io.cephaloproxy.operator.denials.DenialPoller;
import io.cephaloproxy.operator.model.HealthPeers;
import io.cephaloproxy.operator.reconciler.EventRecorder;
import io.cephaloproxy.operator.reconciler.OperatorMetrics;
import io.cephaloproxy.operator.reconciler.SquidProxyReconciler;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.HashSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires JOSDK for the settings: watched namespaces, leader election, metrics, the reconciler. Used
 * by {@code main} and by the API-server suite's in-process scenarios alike, so what is tested is
 * what runs.
 */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  private final Operator operator;
  private final PrometheusMeterRegistry registry;
  private final SquidProxyReconciler reconciler;
  private final OperatorMetrics operatorMetrics;
  private final DenialPoller denials;
  private volatile boolean stopping;

  /** Whether this process holds the leader lease (always, without leader election). */
  private volatile boolean leading;

  /**
   * Dependents are server-side applied and compared by JOSDK's SSA matcher (its default), the
   * config generations are applied once each (reconciler.Generations), the status is patched by
   * server-side apply.
   */
  public OperatorRuntime(OperatorSettings settings, KubernetesClient client) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withUseSSAToPatchPrimaryResource(true)
                  .withStopOnInformerErrorDuringStartup(true)
                  .withCloseClientOnStop(false)
                  .withExecutorService(
                      idleExiting("reconciler", RECONCILE_THREADS, IDLE_THREAD_SECONDS))
                  .withWorkflowExecutorService(
                      idleExiting("workflow", WORKFLOW_THREADS, IDLE_THREAD_SECONDS));
              if (settings.leaderElection()) {
                // JOSDK's own exit-on-stop-leading would also fire when we stop on SIGTERM (and
                // System.exit inside shutdown blocks); exit only when the lease is really lost
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        settings.leaseName(),
                        settings.leaderElectionNamespace().orElse(null),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        settings.identity().orElse(null),
                        new LeaderCallbacks(
                            () -> {
                              leading = true;
                              LOG.info("became the leader");
                            },
                            this::lostLease,
                            leader -> LOG.info("leader is {}", leader)),
                        false));
              }
            });
    this.operatorMetrics = new OperatorMetrics(registry);
    this.reconciler =
        new SquidProxyReconciler(
            settings.squidImage(),
            settings.guardrails(),
            settings.clusterProxy(),
            Clock.systemUTC(),
            operatorMetrics,
            HealthPeers.operator(
                settings.denialEvents(), settings.podNamespace(), settings.operatorPodLabels()));
    this.leading = !settings.leaderElection();
    this.denials =
        settings.denialEvents()
            ? new DenialPoller(
                settings.denialEventsInterval(),
                reconciler::cachedProxies,
                reconciler::cachedPods,
                new EventRecorder(client, Clock.systemUTC()),
                Clock.systemUTC(),
                () -> leading && !stopping,
                io.cephaloproxy.api.v1alpha1.Defaults.HEALTH_PORT)
            : null;
    operator.register(
        reconciler,
        c -> {
          if (settings.watchesAllNamespaces()) {
            c.watchingAllNamespaces();
          } else {
            c.settingNamespaces(new HashSet<>(settings.watchNamespaces()));
          }
        });
  }

  /**
   * Reconciles at once: JOSDK's default of 50, the raw client's concurrency in the 1000-proxy
   * benchmark. 25 (with 25 workflow threads) saved about 16 MiB of RSS at convergence but converged
   * 1000 proxies at 84 % of the raw client's rate, 50 + 50 at 106 % within 200 MiB
   * (docs/benchmarks.md, issue 19). Idle threads exit, so steady state keeps few of them.
   */
  static final int RECONCILE_THREADS = 50;

  /**
   * Threads for the dependents' workflows (JOSDK's default, 50, a pool of its own beside the
   * reconcile threads): a reconcile hands its ready dependents (Deployment, Service, ...) to this
   * pool and waits for them.
   */
  static final int WORKFLOW_THREADS = 50;

  /** How long an idle reconcile or workflow thread lives. */
  static final long IDLE_THREAD_SECONDS = 30;

  /**
   * JOSDK's pools (fixed: 50 threads each for reconciles and for the dependents' workflows) keep
   * all their threads, and the stack pages each touched, for good once a burst of reconciles has
   * started them. The same pools, but a thread that has been idle for {@link #IDLE_THREAD_SECONDS}
   * exits, so in steady state only the threads in use stay.
   */
  static ThreadPoolExecutor idleExiting(String name, int threads, long idleSeconds) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            idleSeconds,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name + "-" + n.incrementAndGet());
              t.setDaemon(false);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * How long the operator waits for one API request: kube-apiserver's own limit (its default {@code
   * --request-timeout}), so the server decides when a request took too long.
   */
  public static final int REQUEST_TIMEOUT_MILLIS = 60_000;

  /**
   * The operator's client settings on top of the kubeconfig / in-cluster ones. Fabric8 gives up on
   * a request after 10 s by default and then sends it again. On the real API server a Service
   * create waits for the cluster-wide ClusterIP allocator (one at a time): with 1000 SquidProxies
   * and 50 reconciles in flight that took 10 s, so the client abandoned creates the server then
   * completed (audit: 504 "context canceled"), re-sent them (409 "the object has been modified"
   * when the first had gone through, since JOSDK creates with resourceVersion 1) and so fed the
   * queue it was waiting on.
   */
  public static Config clientConfig(Config base) {
    return new ConfigBuilder(base).withRequestTimeout(REQUEST_TIMEOUT_MILLIS).build();
  }

  /**
   * Lease requests keep Fabric8's 10 s: JOSDK's leader election shares the operator's client, and
   * Fabric8's elector renews synchronously, checking its renew deadline only between attempts, so a
   * renewal hanging for the full 60 s would let a deposed leader keep reconciling that much longer.
   */
  public static final int LEASE_REQUEST_TIMEOUT_MILLIS = 10_000;

  static final Interceptor LEASE_TIMEOUT =
      new Interceptor() {
        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
          if (builder instanceof HttpRequest.Builder b
              && request.uri().getPath().startsWith("/apis/coordination.k8s.io/")) {
            b.timeout(LEASE_REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
          }
        }
      };

  /** The operator's client: {@link #clientConfig} and the Lease request timeout. */
  public static KubernetesClient client(Config base) {
    return new KubernetesClientBuilder()
        .withConfig(clientConfig(base))
        .withHttpClientBuilderConsumer(
            b -> b.addOrReplaceInterceptor("lease-timeout", LEASE_TIMEOUT))
        .build();
  }

  private void lostLease() {
    if (stopping) {
      return;
    }
    LOG.error("lost the leader lease: exiting so that a new process can compete for it");
    new Thread(() -> System.exit(1), "exit-on-lost-lease").start();
  }

  public void start() {
    operator.start();
    if (denials != null) {
      denials.start();
    }
    LOG.info("operator started");
  }

  public SquidProxyReconciler reconciler() {
    return reconciler;
  }

  /** Liveness: false only when the operator runs and one of its informers is unhealthy. */
  public boolean live() {
    RuntimeInfo info = operator.getRuntimeInfo();
    return !info.isStarted() || info.allEventSourcesAreHealthy();
  }

  /** Readiness: started, every informer synced and healthy. */
  public boolean ready() {
    RuntimeInfo info = operator.getRuntimeInfo();
    return info.isStarted() && info.allEventSourcesAreHealthy();
  }

  public String scrape() {
    operatorMetrics.countProxies(reconciler.cachedProxies());
    return registry.scrape();
  }

  @Override
  public void close() {
    stopping = true;
    if (denials != null) {
      denials.close();
    }
    operator.stop();
    reconciler.close();
  }
}
