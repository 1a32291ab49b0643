package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.compiler.PodVolume;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Deployment and its pod template (docs/architecture.md "The Squid pod contract"): init
 * container {@code init}, Squid container {@code run}; Pod Security restricted and OpenShift
 * restricted-v2 at once; emptyDirs exactly for the writable paths; rolling update without
 * unavailability.
 */
public final class ProxyDeployment {
  private ProxyDeployment() {}

  public static Deployment deployment(ProxyModel m) {
    var spec =
        new DeploymentBuilder()
            .withMetadata(ProxyObjects.meta(m, m.name()))
            .withNewSpec()
            .withSelector(ProxyObjects.selector(m))
            .withRevisionHistoryLimit(5)
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString(0))
            .withMaxSurge(new IntOrString(1))
            .endRollingUpdate()
            .endStrategy()
            .withTemplate(podTemplate(m));
    if (m.autoscaling() == null) {
      // with an HPA the replica count is the HPA's: leave the field to it
      spec.withReplicas(m.replicas());
    }
    return spec.endSpec().build();
  }

  public static PodTemplateSpec podTemplate(ProxyModel m) {
    Map<String, String> labels = new TreeMap<>();
    if (m.podLabels() != null) {
      labels.putAll(m.podLabels());
    }
    labels.putAll(Labels.of(m.name()));
    Map<String, String> annotations = new TreeMap<>();
    if (m.podAnnotations() != null) {
      annotations.putAll(m.podAnnotations());
    }
    annotations.put(Labels.CONFIG_HASH_ANNOTATION, m.configHash());
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withSpec(podSpec(m))
        .build();
  }

  /** How long a check pod may take (pulling the image included) before the kubelet stops it. */
  public static final long CHECK_DEADLINE_SECONDS = 300;

  /**
   * The check pod of the model's config generation: the proxy pod's spec (image, mounts of the same
   * generation, security, scheduling, resources) with the init step as its only container, {@code
   * restartPolicy: Never}: it exits 0 when Squid accepts the config and the CA pair, else 1 with
   * Squid's message as its termination message. The cache is an emptyDir here and its structure is
   * not created ({@code cache.dirs} empty): a claim is attached to the serving pods.
   */
  public static Pod checkPod(ProxyModel m) {
    PodSpec spec = podSpec(m);
    spec.setInitContainers(null);
    Container check = initContainer(m);
    check.setArgs(List.of("init", "--set", "cache.dirs="));
    spec.setContainers(List.of(check));
    spec.setRestartPolicy("Never");
    spec.setActiveDeadlineSeconds(CHECK_DEADLINE_SECONDS);
    spec.setTerminationGracePeriodSeconds(1L);
    for (Volume v : spec.getVolumes()) {
      if (v.getPersistentVolumeClaim() != null) {
        v.setPersistentVolumeClaim(null);
        v.setEmptyDir(new io.fabric8.kubernetes.api.model.EmptyDirVolumeSource());
      }
    }
    return new PodBuilder()
        .withNewMetadata()
        .withName(SquidProxyResources.checkPodName(m.name(), m.configHash()))
        .withNamespace(m.namespace())
        .withLabels(Labels.check(m.name()))
        .withAnnotations(Map.of(Labels.CONFIG_HASH_ANNOTATION, m.configHash()))
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  /**
   * Isolates the proxy's check pods: selects them (instance and component labels) for ingress and
   * egress and allows neither, so where the cluster enforces NetworkPolicies a config under check
   * can neither be reached nor reach anything (the check needs no network). Not labelled
   * managed-by: the proxy's own NetworkPolicy dependent must not see it.
   */
  public static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy checkNetworkPolicy(
      ProxyModel m) {
    Map<String, String> labels = new TreeMap<>(Labels.check(m.name()));
    labels.remove(Labels.MANAGED_BY);
    return new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder()
        .withNewMetadata()
        .withName(SquidProxyResources.checkNetworkPolicyName(m.name()))
        .withNamespace(m.namespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNewPodSelector()
        .withMatchLabels(
            Map.of(Labels.INSTANCE, m.name(), Labels.COMPONENT, Labels.CHECK_COMPONENT))
        .endPodSelector()
        .withPolicyTypes("Ingress", "Egress")
        .endSpec()
        .build();
  }

  static PodSpec podSpec(ProxyModel m) {
    PodSpecBuilder b =
        new PodSpecBuilder()
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withTerminationGracePeriodSeconds(m.terminationGracePeriodSeconds())
            .withSecurityContext(podSecurityContext(m))
            .withInitContainers(initContainer(m))
            .withContainers(runContainer(m))
            .withVolumes(volumes(m));
    if (m.imagePullSecrets() != null && !m.imagePullSecrets().isEmpty()) {
      b.withImagePullSecrets(m.imagePullSecrets());
    }
    if (m.nodeSelector() != null && !m.nodeSelector().isEmpty()) {
      b.withNodeSelector(new TreeMap<>(m.nodeSelector()));
    }
    if (m.tolerations() != null && !m.tolerations().isEmpty()) {
      b.withTolerations(m.tolerations());
    }
    if (m.affinity() != null) {
      b.withAffinity(m.affinity());
    }
    if (m.topologySpreadConstraints() != null && !m.topologySpreadConstraints().isEmpty()) {
      b.withTopologySpreadConstraints(m.topologySpreadConstraints());
    }
    if (m.priorityClassName() != null) {
      b.withPriorityClassName(m.priorityClassName());
    }
    return b.build();
  }

  /** No fixed UID, GID or fsGroup unless the spec sets them, so OpenShift can assign its own. */
  static PodSecurityContext podSecurityContext(ProxyModel m) {
    PodSecurityContextBuilder b =
        new PodSecurityContextBuilder()
            .withRunAsNonRoot(true)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile();
    if (m.runAsUser() != null) {
      b.withRunAsUser(m.runAsUser());
    }
    if (m.runAsGroup() != null) {
      b.withRunAsGroup(m.runAsGroup());
    }
    if (m.fsGroup() != null) {
      b.withFsGroup(m.fsGroup());
    }
    return b.build();
  }

  static SecurityContext containerSecurityContext() {
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  static Container initContainer(ProxyModel m) {
    ContainerBuilder b = base(m, Labels.INIT_CONTAINER).withArgs("init");
    return b.build();
  }

  /** Startup probe attempts, one a second: Squid may take up to 3 minutes to start (a big list). */
  static final int STARTUP_PROBE_FAILURES = 180;

  static Container runContainer(ProxyModel m) {
    return base(m, Labels.RUN_CONTAINER)
        .withArgs("run")
        .withPorts(
            new ContainerPortBuilder()
                .withName("proxy")
                .withContainerPort(m.port())
                .withProtocol("TCP")
                .build(),
            new ContainerPortBuilder()
                .withName("health")
                .withContainerPort(Defaults.HEALTH_PORT)
                .withProtocol("TCP")
                .build())
        // every second from the start, 180 times (the same 3 minutes as before): with a 1 s delay
        // and a 2 s period the first pass came 2 or 4 s after the pod's first sync, depending on
        // the wall-clock second the container started in (GenerationsBenchmark, issue 11)
        .withStartupProbe(probe("/health", 0, 1, 1, STARTUP_PROBE_FAILURES))
        .withReadinessProbe(probe("/ready", 0, 5, 1, 2))
        .withLivenessProbe(probe("/health", 0, 10, 1, 3))
        .withNewLifecycle()
        .withNewPreStop()
        .withNewSleep((long) ProxyModel.PRE_STOP_SLEEP_SECONDS)
        .endPreStop()
        .endLifecycle()
        .build();
  }

  private static ContainerBuilder base(ProxyModel m, String name) {
    ContainerBuilder b =
        new ContainerBuilder()
            .withName(name)
            .withImage(m.image())
            .withSecurityContext(containerSecurityContext())
            .withTerminationMessagePath("/dev/termination-log")
            .withTerminationMessagePolicy(
                "File") // never the log tail: access-log lines carry client IPs and URLs
            .withVolumeMounts(volumeMounts(m));
    if (m.imagePullPolicy() != null) {
      b.withImagePullPolicy(m.imagePullPolicy());
    }
    if (m.resources() != null) {
      b.withResources(m.resources());
    }
    return b;
  }

  private static Probe probe(String path, int initialDelay, int period, int timeout, int failures) {
    ProbeBuilder b =
        new ProbeBuilder()
            .withNewHttpGet()
            .withPath(path)
            .withPort(new IntOrString("health"))
            .withScheme("HTTP")
            .endHttpGet()
            .withPeriodSeconds(period)
            .withTimeoutSeconds(timeout)
            .withFailureThreshold(failures)
            .withSuccessThreshold(1);
    if (initialDelay > 0) {
      b.withInitialDelaySeconds(initialDelay);
    }
    return b.build();
  }

  static List<VolumeMount> volumeMounts(ProxyModel m) {
    List<VolumeMount> out = new ArrayList<>();
    for (PodVolume v : m.volumes()) {
      VolumeMountBuilder b =
          new VolumeMountBuilder().withName(v.name()).withMountPath(v.mountPath());
      if (v.readOnly()) {
        b.withReadOnly(true);
      }
      out.add(b.build());
    }
    return out;
  }

  /**
   * The compiler's volumes (docs/architecture.md) as Kubernetes volumes: the generated config and
   * every referenced ConfigMap or Secret key from the config generation's immutable objects ({@link
   * Generation}), never from the user's objects, which can change under a serving pod.
   */
  static List<Volume> volumes(ProxyModel m) {
    List<Volume> out = new ArrayList<>();
    for (PodVolume v : m.volumes()) {
      VolumeBuilder b = new VolumeBuilder().withName(v.name());
      switch (v.kind()) {
        case EMPTY_DIR -> {
          if (v.size() != null) {
            b.withNewEmptyDir().withSizeLimit(new Quantity(v.size())).endEmptyDir();
          } else {
            b.withNewEmptyDir().endEmptyDir();
          }
        }
        case MEMORY_EMPTY_DIR -> {
          var e = b.withNewEmptyDir().withMedium("Memory");
          if (v.size() != null) {
            e.withSizeLimit(new Quantity(v.size()));
          }
          e.endEmptyDir();
        }
        case GENERATED_CONFIG ->
            b.withNewConfigMap().withName(m.generationName()).withDefaultMode(0444).endConfigMap();
        // the generation's copy of the referenced keys, stored under their file names
        case CONFIG_MAP ->
            b.withNewConfigMap()
                .withName(m.generationPartName(v.name()))
                .withDefaultMode(0444)
                .endConfigMap();
        // group-readable: the pod runs with an arbitrary UID and GID 0 (OpenShift), or fsGroup
        case SECRET ->
            b.withNewSecret()
                .withSecretName(m.generationPartName(v.name()))
                .withDefaultMode(0440)
                .endSecret();
        case PERSISTENT_VOLUME_CLAIM ->
            b.withNewPersistentVolumeClaim()
                .withClaimName(m.persistentCache().claimName())
                .endPersistentVolumeClaim();
        default -> throw new IllegalStateException("unknown volume kind " + v.kind());
      }
      out.add(b.build());
    }
    return out;
  }
}
