package io.cephaloproxy.operator.reconciler;

import io.cephaloproxy.api.v1alpha1.AccessMode;
import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.EventReason;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.api.v1alpha1.SquidProxyStatus;
import io.cephaloproxy.compiler.ValidationError;
import io.cephaloproxy.operator.cluster.ClusterNetworks;
import io.cephaloproxy.operator.dependent.AppliedTemplate;
import io.cephaloproxy.operator.dependent.CacheClaimDependent;
import io.cephaloproxy.operator.dependent.DeploymentDependent;
import io.cephaloproxy.operator.dependent.HorizontalPodAutoscalerDependent;
import io.cephaloproxy.operator.dependent.InformerStores;
import io.cephaloproxy.operator.dependent.NetworkPolicyDependent;
import io.cephaloproxy.operator.dependent.PodDisruptionBudgetDependent;
import io.cephaloproxy.operator.dependent.ServiceDependent;
import io.cephaloproxy.operator.dependent.WorkflowModel;
import io.cephaloproxy.operator.model.ClusterProxy;
import io.cephaloproxy.operator.model.Generation;
import io.cephaloproxy.operator.model.Guardrails;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ModelFactory;
import io.cephaloproxy.operator.model.ProxyModel;
import io.cephaloproxy.operator.model.UsableSecrets;
import io.cephaloproxy.operator.model.WatchedObject;
import io.cephaloproxy.operator.model.WatchedObjects;
import io.cephaloproxy.operator.referenced.MetadataOnly;
import io.cephaloproxy.operator.referenced.ReferenceFetcher;
import io.cephaloproxy.operator.status.Observation;
import io.cephaloproxy.operator.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a SquidProxy. The workflow is invoked explicitly, and only when every referenced
 * Secret/ConfigMap exists and the spec compiles: a bad change never touches the running Deployment
 * (its pods keep serving) and the status says why.
 */
@ControllerConfiguration(
    name = SquidProxyReconciler.NAME,
    informer = @Informer(itemStore = InformerStores.WithoutManagedFields.class))
// JOSDK's default retry (5 retries, 2 s x 1.5, about 27 s in all) then waits for the next event,
// which for an
// unchanged SquidProxy is the 10-hour resync: a write rejected for a while (an admission policy, a
// missing RBAC
// rule, a long API-server outage) would strand the proxy. Keep retrying, from 1 s up to once a
// minute.
@GradualRetry(
    maxAttempts = -1,
    initialInterval = 1_000,
    intervalMultiplier = 1.5,
    maxInterval = 60_000)
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "cache", type = CacheClaimDependent.class),
      @Dependent(
          name = "deployment",
          type = DeploymentDependent.class,
          dependsOn = {"cache"}),
      @Dependent(name = "service", type = ServiceDependent.class),
      @Dependent(
          name = "pdb",
          type = PodDisruptionBudgetDependent.class,
          reconcilePrecondition = PodDisruptionBudgetDependent.WhenMoreThanOnePod.class),
      @Dependent(
          name = "networkpolicy",
          type = NetworkPolicyDependent.class,
          reconcilePrecondition = NetworkPolicyDependent.WhenEnabled.class),
      @Dependent(
          name = "hpa",
          type = HorizontalPodAutoscalerDependent.class,
          reconcilePrecondition = HorizontalPodAutoscalerDependent.WhenAutoscaling.class)
    })
public class SquidProxyReconciler implements Reconciler<SquidProxy> {
  /** The controller name, which is also the server-side-apply field manager. Never change it. */
  public static final String NAME = "squidproxy";

  static final String REFERENCE_INDEX = "cephaloproxy-references";
  private static final Logger LOG = LoggerFactory.getLogger(SquidProxyReconciler.class);

  private final String defaultImage;
  private final List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> healthPeers;
  private final Guardrails guardrails;
  private final ClusterProxy clusterProxy;
  private final Clock clock;

  /**
   * The config hash each proxy's last RolloutStarted event announced (by uid). The cached primary
   * can still show the status from before our own last patch when the next reconcile starts, so
   * events are decided against this as well; after a restart the status' configHash is the
   * reference.
   */
  private final Map<String, String> announcedHash = new ConcurrentHashMap<>();

  private volatile EventRecorder events;

  /** The Event recorder, made on first use with the operator's client. */
  private EventRecorder events(Context<SquidProxy> context) {
    EventRecorder r = events;
    if (r == null) {
      synchronized (this) {
        if (events == null) {
          events = new EventRecorder(context.getClient(), clock);
        }
        r = events;
      }
    }
    return r;
  }

  /**
   * Metadata only (name, namespace, uid, resourceVersion) of Secrets and ConfigMaps; see {@link
   * MetadataOnly}.
   */
  private InformerEventSource<GenericKubernetesResource, SquidProxy> secrets;

  private InformerEventSource<GenericKubernetesResource, SquidProxy> configMaps;
  private KubernetesClient metadataClient;
  private ReferenceFetcher fetcher;

  /**
   * Metadata and labels of the operator's config generations ({@link Generation}): what exists, for
   * creating a generation once and collecting old ones.
   */
  private InformerEventSource<GenericKubernetesResource, SquidProxy> generationConfigMaps;

  private InformerEventSource<GenericKubernetesResource, SquidProxy> generationSecrets;
  private InformerEventSource<Pod, SquidProxy> pods;
  private InformerEventSource<ReplicaSet, SquidProxy> replicaSets;
  private ClusterNetworks clusterNetworks;

  private final Generations generations =
      new Generations(() -> generationConfigMaps, () -> generationSecrets);

  private final OperatorMetrics metrics;
  private final ConfigCheck check;

  /** The SquidProxies in the operator's cache (set when the event sources are prepared). */
  private volatile io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache<
          SquidProxy>
      primaryCache;

  public SquidProxyReconciler(String defaultImage, Guardrails guardrails, Clock clock) {
    this(defaultImage, guardrails, ClusterProxy.NONE, clock, OperatorMetrics.unregistered());
  }

  public SquidProxyReconciler(
      String defaultImage,
      Guardrails guardrails,
      ClusterProxy clusterProxy,
      Clock clock,
      OperatorMetrics metrics) {
    this(defaultImage, guardrails, clusterProxy, clock, metrics, List.of());
  }

  /**
   * @param healthPeers peers every proxy's NetworkPolicy admits to the health port besides its
   *     metrics scrapers: the operator's own pods ({@code model.HealthPeers})
   */
  public SquidProxyReconciler(
      String defaultImage,
      Guardrails guardrails,
      ClusterProxy clusterProxy,
      Clock clock,
      OperatorMetrics metrics,
      List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> healthPeers) {
    this.healthPeers = List.copyOf(healthPeers);
    this.defaultImage = defaultImage;
    this.guardrails = guardrails;
    this.clusterProxy = clusterProxy;
    this.clock = clock;
    this.metrics = metrics;
    this.check = new ConfigCheck(() -> generationConfigMaps, metrics::checked);
  }

  /** The SquidProxies in the operator's cache; empty before the controller started. */
  public List<SquidProxy> cachedProxies() {
    var cache = primaryCache;
    return cache == null ? List.of() : cache.list().toList();
  }

  @Override
  public List<EventSource<?, SquidProxy>> prepareEventSources(
      EventSourceContext<SquidProxy> context) {
    var primaries = context.getPrimaryCache();
    primaryCache = primaries;
    primaries.addIndexer(
        REFERENCE_INDEX,
        p ->
            WatchedObjects.of(p.getSpec()).stream()
                .map(
                    r -> WatchedObject.indexKey(r.kind(), p.getMetadata().getNamespace(), r.name()))
                .distinct()
                .toList());
    // Secrets and ConfigMaps: metadata only, so that memory and start-up grow with the proxies, not
    // with the
    // cluster's Secrets and ConfigMaps; the data of the referenced ones is read on demand by the
    // fetcher
    metadataClient = MetadataOnly.client(context.getClient().getConfiguration());
    fetcher = new ReferenceFetcher(context.getClient());
    // the operator's own generation objects are watched by the generation informers below; users
    // never refer to them
    secrets =
        metadataInformer(
            context,
            WatchedObject.SECRET,
            "referenced-secrets",
            Labels.USABLE_SECRETS_SELECTOR,
            byReference(primaries, WatchedObject.SECRET),
            MetadataOnly.store(WatchedObject.SECRET));
    configMaps =
        metadataInformer(
            context,
            WatchedObject.CONFIG_MAP,
            "referenced-configmaps",
            Labels.MANAGED_BY + "!=" + Labels.MANAGER,
            byReference(primaries, WatchedObject.CONFIG_MAP),
            MetadataOnly.store(WatchedObject.CONFIG_MAP));
    generationConfigMaps =
        metadataInformer(
            context,
            WatchedObject.CONFIG_MAP,
            "generation-configmaps",
            Labels.GENERATION_SELECTOR,
            SquidProxyReconciler::byInstanceLabel,
            MetadataOnly.storeWithLabels(WatchedObject.CONFIG_MAP));
    generationSecrets =
        metadataInformer(
            context,
            WatchedObject.SECRET,
            "generation-secrets",
            Labels.GENERATION_SELECTOR,
            SquidProxyReconciler::byInstanceLabel,
            MetadataOnly.storeWithLabels(WatchedObject.SECRET));
    pods =
        informer(
            context,
            Pod.class,
            "pods",
            Labels.MANAGED_SELECTOR,
            SquidProxyReconciler::byInstanceLabel,
            InformerStores.pods());
    replicaSets =
        informer(
            context,
            ReplicaSet.class,
            "replicasets",
            Labels.MANAGED_SELECTOR,
            SquidProxyReconciler::byInstanceLabel,
            InformerStores.replicaSets());
    // the cluster's Service and Pod networks: a change reconciles every proxy that denies them
    clusterNetworks = new ClusterNetworks(context.getClient(), primaries::list);
    return List.of(
        secrets,
        configMaps,
        generationConfigMaps,
        generationSecrets,
        pods,
        replicaSets,
        clusterNetworks);
  }

  /**
   * Drops the announced hashes of proxies that are gone (there is no finalizer, so no cleanup
   * callback): only when the map holds more entries than the cache has proxies, so a long-running
   * operator does not keep one entry per proxy ever deleted.
   */
  private void forgetDeleted(Context<SquidProxy> context) {
    var cache = context.getPrimaryCache();
    if (announcedHash.size() <= cache.list().count()) {
      return;
    }
    java.util.Set<String> live =
        cache
            .list()
            .map(p -> p.getMetadata().getUid())
            .collect(java.util.stream.Collectors.toSet());
    announcedHash.keySet().retainAll(live);
  }

  /**
   * Proxies whose last announced rollout is remembered (InProcessOperatorIT: entries of deleted
   * proxies are dropped).
   */
  public int rememberedRollouts() {
    return announcedHash.size();
  }

  private static <R extends HasMetadata> InformerEventSource<R, SquidProxy> informer(
      EventSourceContext<SquidProxy> context,
      Class<R> type,
      String name,
      String labelSelector,
      io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper<R> mapper,
      io.fabric8.kubernetes.client.informers.cache.ItemStore<R> store) {
    var config =
        InformerEventSourceConfiguration.from(type, SquidProxy.class)
            .withName(name)
            .withSecondaryToPrimaryMapper(mapper)
            .withItemStore(store);
    if (labelSelector != null) {
      config.withLabelSelector(labelSelector);
    }
    return new InformerEventSource<>(config.build(), context);
  }

  private InformerEventSource<GenericKubernetesResource, SquidProxy> metadataInformer(
      EventSourceContext<SquidProxy> context,
      String kind,
      String name,
      String labelSelector,
      io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper<
              GenericKubernetesResource>
          mapper,
      io.fabric8.kubernetes.client.informers.cache.ItemStore<GenericKubernetesResource> store) {
    var config =
        InformerEventSourceConfiguration.from(
                new GroupVersionKind("", "v1", kind), SquidProxy.class)
            .withName(name)
            .withSecondaryToPrimaryMapper(mapper)
            .withItemStore(store)
            .withKubernetesClient(metadataClient);
    if (labelSelector != null) {
      config.withLabelSelector(labelSelector);
    }
    return new InformerEventSource<>(config.build(), context);
  }

  /** Releases the metadata-only client and the referenced data (the operator is stopping). */
  public void close() {
    if (fetcher != null) {
      fetcher.close();
    }
    if (metadataClient != null) {
      metadataClient.close();
    }
  }

  /** Secret/ConfigMap → the proxies whose spec refers to it, from the primary cache's index. */
  private static <R extends HasMetadata>
      io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper<R> byReference(
          io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache<SquidProxy>
              primaries,
          String kind) {
    return o ->
        primaries
            .byIndex(
                REFERENCE_INDEX,
                WatchedObject.indexKey(
                    kind, o.getMetadata().getNamespace(), o.getMetadata().getName()))
            .stream()
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet());
  }

  private static Set<ResourceID> byInstanceLabel(HasMetadata o) {
    Map<String, String> labels = o.getMetadata().getLabels();
    String instance = labels == null ? null : labels.get(Labels.INSTANCE);
    return instance == null
        ? Set.of()
        : Set.of(new ResourceID(instance, o.getMetadata().getNamespace()));
  }

  @Override
  public UpdateControl<SquidProxy> reconcile(SquidProxy proxy, Context<SquidProxy> context) {
    return metrics.timeReconcile(() -> reconcileTimed(proxy, context));
  }

  private UpdateControl<SquidProxy> reconcileTimed(SquidProxy proxy, Context<SquidProxy> context) {
    String ns = proxy.getMetadata().getNamespace();
    String name = proxy.getMetadata().getName();
    Map<String, String> secretVersions = new java.util.HashMap<>();
    ModelFactory.Result result = model(proxy, secretVersions);
    Optional<String> checkRejection = Optional.empty();
    Optional<String> checkRefused = Optional.empty();
    String checking = null;
    if (result.model().isPresent()) {
      ProxyModel model = result.model().get();
      if (!generations.ensure(proxy, model, secretVersions, context.getClient())) {
        // a referenced Secret changed since its version was hashed: its informer event brings the
        // next reconcile, and the rescheduling covers an event that came before this read
        return UpdateControl.<SquidProxy>noUpdate()
            .rescheduleAfter(java.time.Duration.ofSeconds(1));
      }
      // validate before promote: a config other than the one the Deployment carries is checked by
      // Squid in a pod of its own first (a new proxy has nothing serving to protect: its pods'
      // init step checks it)
      Optional<Deployment> current = context.getSecondaryResource(Deployment.class);
      String deployed = current.map(SquidProxyReconciler::templateHash).orElse(null);
      ConfigCheck.Verdict verdict = new ConfigCheck.Passed();
      if (deployed != null && !deployed.equals(model.configHash())) {
        checking = SquidProxyResources.checkPodName(name, model.configHash());
        verdict = check.verdict(proxy, model, proxyPods(ns, name), context.getClient());
      }
      if (verdict instanceof ConfigCheck.Failed f) {
        checkRejection = Optional.of(f.message());
      }
      if (verdict instanceof ConfigCheck.Refused r) {
        checkRefused = Optional.of(r.message());
      }
      if (!(verdict instanceof ConfigCheck.Passed)) {
        // not promoted: the Deployment keeps its pod template (the last good config)
        WorkflowModel.keepTemplate(context, AppliedTemplate.of(current.get(), NAME));
      }
      // the operator's pods may read the health port (/denials for the summary Events)
      WorkflowModel.put(context, model.withHealthPeers(healthPeers));
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    } else {
      LOG.info(
          "{}/{}: not rolled out: {}",
          ns,
          name,
          result.problems().stream()
              .map(p -> p.reason() + " " + p)
              .collect(Collectors.joining("; ")));
    }
    // a superseded config's check pod is not waited for any more: at most one check pod a proxy
    ConfigCheck.deleteSuperseded(proxyPods(ns, name), checking, ns, name, context.getClient());
    Observation observation =
        observe(proxy, context, result.problems(), result.model(), checkRejection, checkRefused);
    generations.collect(
        proxy,
        result.model().map(ProxyModel::configHash),
        observation.deployment(),
        observation.pods(),
        context.getClient());
    int desiredReplicas = observation.desiredReplicas();
    SquidProxyStatus current = proxy.getStatus();
    List<Condition> before =
        current == null || current.getConditions() == null ? List.of() : current.getConditions();
    String hashBefore = current == null ? null : current.getConfigHash();
    SquidProxyStatus next =
        StatusAggregator.aggregate(observation, before, hashBefore, clock.instant());
    String uid = proxy.getMetadata().getUid();
    String announced = uid == null ? hashBefore : announcedHash.getOrDefault(uid, hashBefore);
    if (uid != null && next.getConfigHash() != null) {
      announcedHash.put(uid, next.getConfigHash());
      forgetDeleted(context);
    }
    for (Transitions.Event e : Transitions.between(before, announced, next)) {
      events(context).record(proxy, e.reason(), e.message());
    }
    next =
        next.withKubectlFields(
            next.getReadyReplicas() + "/" + desiredReplicas, effectiveMode(proxy), selector(name));
    UpdateControl<SquidProxy> control =
        next.equals(current)
            ? UpdateControl.noUpdate()
            : UpdateControl.patchStatus(fresh(proxy, next));
    // a refused check pod is tried again: nothing the operator watches tells when the quota has
    // room again or the PriorityClass exists
    if (checkRefused.isPresent()) {
      return control.rescheduleAfter(ConfigCheck.RETRY_REFUSED);
    }
    // a Secret created without the label that lets proxies use it brings no informer event: look
    // again later, so the message says what is wrong now
    return waitsForSecret(result) ? control.rescheduleAfter(SECRET_RECHECK) : control;
  }

  static final java.time.Duration SECRET_RECHECK = java.time.Duration.ofSeconds(30);

  private static boolean waitsForSecret(ModelFactory.Result result) {
    return result.model().isEmpty()
        && result.problems().stream()
            .anyMatch(
                p ->
                    p.reason() == ConditionReason.MissingReference
                        && p.message().startsWith("Secret "));
  }

  /** The proxy's pods in the operator's cache (proxy pods and check pods); empty before start. */
  public List<Pod> cachedPods(String ns, String name) {
    return pods == null ? List.of() : proxyPods(ns, name);
  }

  /** The proxy's pods (informer cache: proxy pods and check pods). */
  private List<Pod> proxyPods(String ns, String name) {
    return pods.list(ns, p -> name.equals(p.getMetadata().getLabels().get(Labels.INSTANCE)))
        .toList();
  }

  /** What the status is computed from: the compiler's verdict and the cached dependents. */
  private Observation observe(
      SquidProxy proxy,
      Context<SquidProxy> context,
      List<ValidationError> problems,
      Optional<ProxyModel> model,
      Optional<String> checkRejection,
      Optional<String> checkRefused) {
    String ns = proxy.getMetadata().getNamespace();
    String name = proxy.getMetadata().getName();
    Optional<Deployment> deployment = context.getSecondaryResource(Deployment.class);
    List<Pod> proxyPods = proxyPods(ns, name);
    List<ReplicaSet> proxyReplicaSets =
        replicaSets
            .list(ns, r -> name.equals(r.getMetadata().getLabels().get(Labels.INSTANCE)))
            .toList();
    int port =
        proxy.getSpec() == null || proxy.getSpec().getPort() == null
            ? Defaults.PORT
            : proxy.getSpec().getPort();
    int desiredReplicas = model.map(m -> m.autoscaling() == null ? m.replicas() : -1).orElse(-1);
    if (desiredReplicas < 0) {
      desiredReplicas =
          deployment
              .map(d -> d.getSpec().getReplicas())
              .filter(Objects::nonNull)
              .orElse(
                  proxy.getSpec() == null || proxy.getSpec().getReplicas() == null
                      ? Defaults.REPLICAS
                      : proxy.getSpec().getReplicas());
    }
    return new Observation(
        proxy.getMetadata().getGeneration() == null ? 0 : proxy.getMetadata().getGeneration(),
        problems,
        model.map(ProxyModel::configHash),
        desiredReplicas,
        deployment,
        proxyReplicaSets,
        proxyPods,
        SquidProxyResources.endpoint(name, ns, port),
        checkRejection,
        checkRefused);
  }

  /**
   * Unexpected failures: a Degraded condition with the error, then JOSDK's retry. Ready,
   * Progressing and ConfigValid say what is really deployed (the cached Deployment, ReplicaSets and
   * pods): a Deployment the API server refused to create is {@code Creating}, one it refused to
   * update still carries the previous configuration ({@code ConfigChanged}); neither keeps a
   * Ready=True of an older generation.
   */
  @Override
  public ErrorStatusUpdateControl<SquidProxy> updateErrorStatus(
      SquidProxy proxy, Context<SquidProxy> context, Exception e) {
    SquidProxyStatus current = proxy.getStatus();
    long gen =
        proxy.getMetadata().getGeneration() == null ? 0 : proxy.getMetadata().getGeneration();
    Optional<Observation> observed =
        WorkflowModel.find(context)
            .filter(m -> pods != null && replicaSets != null)
            .map(
                m ->
                    observe(
                        proxy,
                        context,
                        List.of(),
                        Optional.of(m),
                        Optional.empty(),
                        Optional.empty()));
    boolean rejected = ApiErrors.rejected(e);
    String line = ApiErrors.oneLine(e);
    ConditionReason reason =
        rejected ? ConditionReason.DependentRejected : ConditionReason.ReconcileError;
    metrics.failed(reason.name());
    if (rejected) {
      events(context).record(proxy, EventReason.DependentRejected, line);
    }
    SquidProxyStatus status =
        StatusAggregator.afterFailure(
            gen,
            observed,
            current,
            reason,
            rejected ? line : "reconcile failed, retrying: " + line,
            clock.instant());
    if (observed.isPresent()) {
      status =
          status.withKubectlFields(
              status.getReadyReplicas() + "/" + observed.get().desiredReplicas(),
              effectiveMode(proxy),
              selector(proxy.getMetadata().getName()));
    }
    if (status.equals(current)) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    return ErrorStatusUpdateControl.patchStatus(fresh(proxy, status));
  }

  /**
   * The Mode column: CRD defaults do not reach an omitted access, so the operator says what
   * applies.
   */
  static String effectiveMode(SquidProxy proxy) {
    var spec = proxy.getSpec();
    if (spec != null && spec.getSquidConfFrom() != null) {
      return "Custom";
    }
    return spec == null || spec.getAccess() == null || spec.getAccess().getMode() == null
        ? AccessMode.Enforce.name()
        : spec.getAccess().getMode().name();
  }

  /** The proxy pods' label selector in string form, for the scale subresource. */
  static String selector(String name) {
    return Labels.selector(name).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /**
   * Reads the referenced objects (metadata informer, then the fetcher), then compiles within the
   * fetcher's budget for referenced data. A referenced object too large to use, or a Secret its
   * owner has not labelled {@link Labels#USABLE_BY_PROXIES}, blocks the rollout with a message
   * naming it.
   */
  private ModelFactory.Result model(SquidProxy proxy, Map<String, String> secretVersions) {
    String ns = proxy.getMetadata().getNamespace();
    // the platform team's guardrails, as the chart's admission policy has them (defence in depth)
    List<ValidationError> refused = guardrails.check(proxy.getSpec(), clusterNetworks.current());
    if (!refused.isEmpty()) {
      return new ModelFactory.Result(Optional.empty(), refused);
    }
    Map<String, Map<String, String>> found = new java.util.HashMap<>();
    // secretVersions: uid/resourceVersion of each Secret as the informer had it when its keys were
    // read: what the config hash covers (the operator keeps no Secret values, see
    // ReferenceFetcher) and what a generation's copy of it must come from
    List<ValidationError> unusable = new ArrayList<>();
    long bytes = 0;
    for (WatchedObject r : WatchedObjects.of(proxy.getSpec())) {
      boolean secret = WatchedObject.SECRET.equals(r.kind());
      Optional<GenericKubernetesResource> meta =
          (secret ? secrets : configMaps).get(new ResourceID(r.name(), ns));
      if (secret && meta.isEmpty() && exists(ns, r.name())) {
        // there, but its owner did not let proxies use it
        unusable.add(UsableSecrets.unlabelled(proxy.getSpec(), ns, r.name()));
        continue;
      }
      String version = meta.map(o -> o.getMetadata().getResourceVersion()).orElse(null);
      ReferenceFetcher.Lookup lookup = fetcher.get(r.kind(), ns, r.name(), version);
      if (lookup instanceof ReferenceFetcher.Found f) {
        found.put(WatchedObject.indexKey(r.kind(), ns, r.name()), f.data());
        if (secret) {
          secretVersions.put(r.name(), ModelFactory.version(meta.get()));
        }
        bytes += f.bytes();
      } else if (lookup instanceof ReferenceFetcher.TooLarge t) {
        unusable.add(
            new ValidationError(
                UsableSecrets.field(proxy.getSpec(), r),
                t.message(),
                ConditionReason.InvalidReferencedData));
      }
    }
    if (!unusable.isEmpty()) {
      return new ModelFactory.Result(Optional.empty(), unusable);
    }
    try (var permit = fetcher.reserve(bytes)) {
      return ModelFactory.create(
          proxy,
          defaultImage,
          (kind, n) -> found.get(WatchedObject.indexKey(kind, ns, n)),
          (kind, n) -> WatchedObject.SECRET.equals(kind) ? secretVersions.get(n) : null,
          true,
          clusterNetworks.current(),
          clusterProxy);
    }
  }

  /**
   * Whether a Secret the informer does not hold exists all the same (without the label that lets
   * proxies use it): one metadata-only list by name, only for a proxy whose Secret is missing.
   */
  private boolean exists(String ns, String name) {
    return !metadataClient
        .genericKubernetesResources("v1", "Secret")
        .inNamespace(ns)
        .withField("metadata.name", name)
        .list()
        .getItems()
        .isEmpty();
  }

  /** The config hash the Deployment's pod template carries, or null. */
  static String templateHash(Deployment d) {
    if (d.getSpec() == null
        || d.getSpec().getTemplate() == null
        || d.getSpec().getTemplate().getMetadata() == null
        || d.getSpec().getTemplate().getMetadata().getAnnotations() == null) {
      return null;
    }
    return d.getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(Labels.CONFIG_HASH_ANNOTATION);
  }

  /** Name, namespace and status only: server-side apply then owns exactly the status fields. */
  static SquidProxy fresh(SquidProxy proxy, SquidProxyStatus status) {
    SquidProxy f = new SquidProxy();
    f.getMetadata().setName(proxy.getMetadata().getName());
    f.getMetadata().setNamespace(proxy.getMetadata().getNamespace());
    f.setSpec(null);
    f.setStatus(status);
    return f;
  }
}
