package io.cephaloproxy.operator.cluster;

import io.cephaloproxy.api.v1alpha1.ClusterNetworkAccess;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.health.Status;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's Service and Pod networks, discovered from the API server and kept current (issue 12
 * §4), which every proxy denies unless {@code access.clusterNetworks: Allow}:
 *
 * <ul>
 *   <li>Service networks: the {@code spec.cidrs} of every ServiceCIDR ({@code
 *       networking.k8s.io/v1}, Kubernetes 1.33+). Where that API is not served or not readable, the
 *       ClusterIPs of the {@code kubernetes} Service in {@code default}, as single addresses.
 *   <li>Pod networks: every node's {@code spec.podCIDRs}.
 * </ul>
 *
 * <p>An event source of the SquidProxy controller: when the set changes, every proxy that denies
 * the cluster networks is reconciled (a new config, so a rollout). Node status updates that leave
 * {@code podCIDRs} alone change nothing. The informers keep only names and CIDRs, so memory grows
 * with the nodes' count, not with their status. Start blocks until the informers have synced, so no
 * proxy is rendered without the networks when the operator starts.
 */
public final class ClusterNetworks
    extends AbstractEventSource<ClusterNetworks.Networks, SquidProxy> {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNetworks.class);

  /** The name of this event source. */
  public static final String NAME = "cluster-networks";

  /** How long start waits for the first list of each kind. */
  static final long SYNC_TIMEOUT_SECONDS = 120;

  /** The discovered networks as CIDRs (single addresses as /32 or /128), sorted. */
  public record Networks(List<String> cidrs) {
    public Networks {
      cidrs = List.copyOf(cidrs);
    }
  }

  /** Where the Service network came from (the ServiceCIDR API or the fallback). */
  public enum ServiceSource {
    SERVICE_CIDRS,
    KUBERNETES_SERVICE,
    NONE
  }

  private final KubernetesClient client;
  private final Supplier<Stream<SquidProxy>> proxies;
  private final Map<String, List<String>> serviceNetworks = new ConcurrentHashMap<>();
  private final Map<String, List<String>> podNetworks = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<?>> informers =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Networks current = new Networks(List.of());
  private volatile ServiceSource serviceSource = ServiceSource.NONE;
  private volatile boolean podNetworksKnown;

  /**
   * @param client the operator's client
   * @param proxies the SquidProxies the controller knows (its primary cache)
   */
  public ClusterNetworks(KubernetesClient client, Supplier<Stream<SquidProxy>> proxies) {
    super(Networks.class, NAME);
    this.client = client;
    this.proxies = proxies;
  }

  /** The networks every proxy denies unless it allows them; empty until discovered. */
  public List<String> current() {
    return current.cidrs();
  }

  public ServiceSource serviceSource() {
    return serviceSource;
  }

  public boolean podNetworksKnown() {
    return podNetworksKnown;
  }

  @Override
  public Set<Networks> getSecondaryResources(SquidProxy primary) {
    return Set.of(current);
  }

  @Override
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    startServiceNetworks();
    podNetworksKnown =
        startInformer(
            "nodes",
            client.nodes().runnableInformer(0),
            podNetworks,
            n -> n.getSpec() == null ? null : n.getSpec().getPodCIDRs(),
            n -> trimmed(n, new Node(), x -> x.setSpec(n.getSpec())));
    if (!podNetworksKnown) {
      LOG.warn(
          "cannot list nodes: the pod networks are not denied by default; grant list and watch on"
              + " nodes (the chart does) or list the pod ranges in access.deniedDestinationCIDRs");
    }
    recompute();
    LOG.info(
        "cluster networks denied by default: {} (Service networks from {})",
        current.cidrs(),
        serviceSource == ServiceSource.SERVICE_CIDRS
            ? "ServiceCIDRs"
            : serviceSource == ServiceSource.KUBERNETES_SERVICE
                ? "the kubernetes Service"
                : "nowhere");
    super.start();
  }

  private void startServiceNetworks() {
    if (servesServiceCidrs()
        && startInformer(
            "servicecidrs",
            client.resources(ServiceCIDR.class).runnableInformer(0),
            serviceNetworks,
            s -> s.getSpec() == null ? null : s.getSpec().getCidrs(),
            s -> trimmed(s, new ServiceCIDR(), x -> x.setSpec(s.getSpec())))) {
      serviceSource = ServiceSource.SERVICE_CIDRS;
      return;
    }
    serviceNetworks.clear();
    if (startInformer(
        "the kubernetes Service",
        client.services().inNamespace("default").withName("kubernetes").runnableInformer(0),
        serviceNetworks,
        s -> s.getSpec() == null ? null : singleAddresses(s.getSpec().getClusterIPs()),
        s -> trimmed(s, new Service(), x -> x.setSpec(s.getSpec())))) {
      serviceSource = ServiceSource.KUBERNETES_SERVICE;
      return;
    }
    serviceNetworks.clear();
    LOG.warn(
        "cannot read ServiceCIDRs nor the kubernetes Service in default: the Service network is"
            + " not denied by default; grant list and watch on them (the chart does) or list the"
            + " Service range in access.deniedDestinationCIDRs");
  }

  /** Whether the API server serves networking.k8s.io/v1 servicecidrs (Kubernetes 1.33+). */
  private boolean servesServiceCidrs() {
    try {
      var resources = client.getApiResources("networking.k8s.io/v1");
      return resources != null
          && resources.getResources().stream().anyMatch(r -> "servicecidrs".equals(r.getName()));
    } catch (KubernetesClientException e) {
      LOG.debug("API discovery of networking.k8s.io/v1 failed", e);
      return false;
    }
  }

  /**
   * Starts one informer that keeps {@code into} (object name → its CIDRs) current; false when its
   * first list failed (not served, forbidden, timed out), after which it is stopped.
   */
  private <T extends HasMetadata> boolean startInformer(
      String what,
      SharedIndexInformer<T> informer,
      Map<String, List<String>> into,
      Function<T, List<String>> cidrsOf,
      java.util.function.UnaryOperator<T> trim) {
    informer.itemStore(new TransformingItemStore<>(trim));
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T o) {
            put(into, o.getMetadata().getName(), cidrsOf.apply(o));
          }

          @Override
          public void onUpdate(T before, T o) {
            put(into, o.getMetadata().getName(), cidrsOf.apply(o));
          }

          @Override
          public void onDelete(T o, boolean finalStateUnknown) {
            remove(into, o.getMetadata().getName());
          }
        });
    try {
      informer.start().toCompletableFuture().get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      informers.add(informer);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      LOG.debug("cannot watch {}: {}", what, cause.toString());
    }
    informer.stop();
    into.clear();
    return false;
  }

  /** Only the name, resourceVersion and the part holding the CIDRs. */
  private static <T extends HasMetadata> T trimmed(
      T o, T copy, java.util.function.Consumer<T> keep) {
    copy.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
    copy.getMetadata().setName(o.getMetadata().getName());
    copy.getMetadata().setNamespace(o.getMetadata().getNamespace());
    copy.getMetadata().setResourceVersion(o.getMetadata().getResourceVersion());
    copy.getMetadata().setUid(o.getMetadata().getUid());
    keep.accept(copy);
    return copy;
  }

  void put(Map<String, List<String>> into, String name, List<String> cidrs) {
    List<String> value = cidrs == null ? List.of() : List.copyOf(cidrs);
    if (!value.equals(into.put(name, value))) {
      recompute();
    }
  }

  void remove(Map<String, List<String>> into, String name) {
    if (into.remove(name) != null) {
      recompute();
    }
  }

  /** For tests: the maps the informers fill. */
  Map<String, List<String>> serviceNetworks() {
    return serviceNetworks;
  }

  Map<String, List<String>> podNetworks() {
    return podNetworks;
  }

  /**
   * Recomputes the set; when it changed and the source runs, every proxy that denies the cluster
   * networks is reconciled.
   */
  synchronized void recompute() {
    Networks next = new Networks(union(serviceNetworks.values(), podNetworks.values()));
    if (next.equals(current)) {
      return;
    }
    Networks before = current;
    current = next;
    if (!isRunning()) {
      return;
    }
    LOG.info("cluster networks changed: {} -> {}", before.cidrs(), next.cidrs());
    proxies
        .get()
        .filter(ClusterNetworks::deniesClusterNetworks)
        .map(ResourceID::fromResource)
        .forEach(id -> getEventHandler().handleEvent(new Event(id)));
  }

  static boolean deniesClusterNetworks(SquidProxy p) {
    return p.getSpec() == null
        || p.getSpec().getAccess() == null
        || p.getSpec().getAccess().getClusterNetworks() != ClusterNetworkAccess.Allow;
  }

  /** Every CIDR of the given lists, trimmed, distinct and sorted. */
  static List<String> union(
      java.util.Collection<List<String>> services, java.util.Collection<List<String>> pods) {
    TreeSet<String> all = new TreeSet<>();
    Stream.concat(services.stream(), pods.stream())
        .flatMap(List::stream)
        .filter(Objects::nonNull)
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .forEach(all::add);
    return List.copyOf(all);
  }

  /** ClusterIPs as CIDRs of one address (/32, or /128 for IPv6); "None" and empty skipped. */
  static List<String> singleAddresses(List<String> ips) {
    if (ips == null) {
      return List.of();
    }
    return ips.stream()
        .filter(ip -> ip != null && !ip.isBlank() && !"None".equals(ip))
        .map(ip -> ip.contains("/") ? ip : ip + (ip.contains(":") ? "/128" : "/32"))
        .toList();
  }

  /** Unhealthy (so /readyz and /healthz say so) when a started informer has stopped. */
  @Override
  public Status getStatus() {
    return informers.stream().allMatch(SharedIndexInformer::isRunning)
        ? Status.HEALTHY
        : Status.UNHEALTHY;
  }

  @Override
  public synchronized void stop() {
    informers.forEach(SharedIndexInformer::stop);
    informers.clear();
    super.stop();
  }
}
