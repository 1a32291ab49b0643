package io.cephaloproxy.tests.apiserver;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Stands in for the kubelet, which this control plane does not have: the pods the ReplicaSet
 * controller creates never run, so this loop writes the status a kubelet would report for each
 * proxy pod (phase, conditions, init and main container states). The real ReplicaSet and Deployment
 * controllers then compute ready/available replicas from it, and the operator sees the same objects
 * it would see in a cluster. Each pod's state comes from a rule the test sets.
 */
public final class FakeKubelet implements AutoCloseable {
  /** What a pod looks like. */
  public interface State {}

  /** Init container done, main container running and ready. */
  public record Running() implements State {}

  /** Main container keeps crashing (CrashLoopBackOff, not ready). */
  public record CrashLoop(int restarts) implements State {}

  /** The init container exits 1 with this termination message (Squid rejected the config). */
  public record InitFailed(String terminationMessage) implements State {}

  /** Leave the pod as the API server created it (Pending, no status). */
  public record Untouched() implements State {}

  public static final String SELECTOR = "app.kubernetes.io/managed-by=cephaloproxy-operator";

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, String> written = new ConcurrentHashMap<>();
  private volatile Function<Pod, State> rule = p -> new Running();
  private volatile boolean running = true;
  private final Thread loop;

  /** Also required of the pods this kubelet looks at (null: every proxy and check pod). */
  private final String component;

  public FakeKubelet(KubernetesClient client, String namespace) {
    this(client, namespace, null);
  }

  /**
   * Looks only at pods labelled {@code app.kubernetes.io/component=component} (e.g. {@code
   * config-check}: at 1000 proxies, listing their thousand pods every 200 ms would load the API
   * server more than what is measured).
   */
  public FakeKubelet(KubernetesClient client, String namespace, String component) {
    this.client = client;
    this.namespace = namespace;
    this.component = component;
    this.loop = new Thread(this::run, "fake-kubelet-" + namespace);
    loop.setDaemon(true);
    loop.start();
  }

  /** Sets the rule deciding each proxy pod's state (default: every pod Running). */
  public void rule(Function<Pod, State> rule) {
    this.rule = rule;
  }

  private void run() {
    while (running) {
      try {
        var selected =
            client
                .pods()
                .inNamespace(namespace)
                .withLabel("app.kubernetes.io/managed-by", "cephaloproxy-operator");
        if (component != null) {
          selected = selected.withLabel("app.kubernetes.io/component", component);
        }
        for (Pod p : selected.list().getItems()) {
          if (p.getMetadata().getDeletionTimestamp() != null) {
            continue;
          }
          State want = rule.apply(p);
          String key = p.getMetadata().getUid();
          String fingerprint = want.toString();
          if (want instanceof Untouched || fingerprint.equals(written.get(key))) {
            continue;
          }
          p.setStatus(status(p, want));
          try {
            client.pods().inNamespace(namespace).resource(p).updateStatus();
            written.put(key, fingerprint);
          } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) {
              throw e;
            }
          }
        }
      } catch (RuntimeException e) {
        if (running) {
          System.err.println("fake kubelet (" + namespace + "): " + e);
        }
      }
      ControlPlane.sleep(200);
    }
  }

  static PodStatus status(Pod p, State s) {
    String now = Instant.now().toString();
    if ("config-check".equals(p.getMetadata().getLabels().get("app.kubernetes.io/component"))) {
      return checkStatus(p, s, now);
    }
    String image = p.getSpec().getContainers().get(0).getImage();
    String initName =
        p.getSpec().getInitContainers() == null || p.getSpec().getInitContainers().isEmpty()
            ? null
            : p.getSpec().getInitContainers().get(0).getName();
    String runName = p.getSpec().getContainers().get(0).getName();
    boolean ready = s instanceof Running;
    boolean initialized = !(s instanceof InitFailed);
    ContainerStatus init = null;
    if (initName != null && s instanceof InitFailed f) {
      init =
          new ContainerStatusBuilder()
              .withName(initName)
              .withImage(image)
              .withImageID("")
              .withReady(false)
              .withRestartCount(3)
              .withNewState()
              .withNewWaiting()
              .withReason("CrashLoopBackOff")
              .withMessage("back-off 40s restarting failed container=" + initName)
              .endWaiting()
              .endState()
              .withNewLastState()
              .withNewTerminated()
              .withExitCode(1)
              .withReason("Error")
              .withMessage(f.terminationMessage())
              .withStartedAt(now)
              .withFinishedAt(now)
              .endTerminated()
              .endLastState()
              .build();
    } else if (initName != null) {
      init =
          new ContainerStatusBuilder()
              .withName(initName)
              .withImage(image)
              .withImageID("")
              .withReady(true)
              .withRestartCount(0)
              .withNewState()
              .withNewTerminated()
              .withExitCode(0)
              .withReason("Completed")
              .withStartedAt(now)
              .withFinishedAt(now)
              .endTerminated()
              .endState()
              .build();
    }
    ContainerStatus main;
    if (s instanceof CrashLoop c) {
      main =
          new ContainerStatusBuilder()
              .withName(runName)
              .withImage(image)
              .withImageID("")
              .withReady(false)
              .withStarted(false)
              .withRestartCount(c.restarts())
              .withNewState()
              .withNewWaiting()
              .withReason("CrashLoopBackOff")
              .withMessage("back-off 5m0s restarting failed container=" + runName)
              .endWaiting()
              .endState()
              .withNewLastState()
              .withNewTerminated()
              .withExitCode(1)
              .withReason("Error")
              .withStartedAt(now)
              .withFinishedAt(now)
              .endTerminated()
              .endLastState()
              .build();
    } else if (s instanceof InitFailed) {
      main =
          new ContainerStatusBuilder()
              .withName(runName)
              .withImage(image)
              .withImageID("")
              .withReady(false)
              .withRestartCount(0)
              .withNewState()
              .withNewWaiting()
              .withReason("PodInitializing")
              .endWaiting()
              .endState()
              .build();
    } else {
      main =
          new ContainerStatusBuilder()
              .withName(runName)
              .withImage(image)
              .withImageID("")
              .withReady(true)
              .withStarted(true)
              .withRestartCount(0)
              .withNewState()
              .withNewRunning()
              .withStartedAt(now)
              .endRunning()
              .endState()
              .build();
    }
    List<PodCondition> conditions =
        List.of(
            condition("PodScheduled", true, now),
            condition("Initialized", initialized, now),
            condition("ContainersReady", ready, now),
            condition("Ready", ready, now));
    return new PodStatusBuilder()
        .withPhase(initialized ? "Running" : "Pending")
        .withConditions(conditions)
        .withHostIP("10.255.0.1")
        .withPodIP("10.244.0." + (1 + Math.abs(Objects.hash(p.getMetadata().getName())) % 250))
        .withStartTime(p.getMetadata().getCreationTimestamp())
        .withInitContainerStatuses(init == null ? List.of() : List.of(init))
        .withContainerStatuses(main)
        .build();
  }

  /**
   * A config check pod (restartPolicy Never, one container running the init step): {@link Running}
   * means Squid accepted the config (Succeeded, exit 0), {@link InitFailed} that it did not
   * (Failed, exit 1, the message as the container's termination message), as a kubelet reports it.
   */
  static PodStatus checkStatus(Pod p, State s, String now) {
    boolean ok = !(s instanceof InitFailed);
    var c = p.getSpec().getContainers().get(0);
    ContainerStatus done =
        new ContainerStatusBuilder()
            .withName(c.getName())
            .withImage(c.getImage())
            .withImageID("")
            .withReady(false)
            .withStarted(false)
            .withRestartCount(0)
            .withNewState()
            .withNewTerminated()
            .withExitCode(ok ? 0 : 1)
            .withReason(ok ? "Completed" : "Error")
            .withMessage(s instanceof InitFailed f ? f.terminationMessage() : null)
            .withStartedAt(now)
            .withFinishedAt(now)
            .endTerminated()
            .endState()
            .build();
    return new PodStatusBuilder()
        .withPhase(ok ? "Succeeded" : "Failed")
        .withConditions(
            condition("PodScheduled", true, now),
            condition("Initialized", true, now),
            condition("ContainersReady", false, now),
            condition("Ready", false, now))
        .withHostIP("10.255.0.1")
        .withStartTime(p.getMetadata().getCreationTimestamp())
        .withContainerStatuses(done)
        .build();
  }

  private static PodCondition condition(String type, boolean status, String now) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withLastTransitionTime(now)
        .build();
  }

  @Override
  public void close() {
    running = false;
    try {
      loop.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
