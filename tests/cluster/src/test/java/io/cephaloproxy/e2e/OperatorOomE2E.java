package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 19 §3: an operator whose heap is too small for what it watches says so where a user looks.
 * The watched namespace holds {@value #BALLAST_PROXIES} SquidProxies carrying a 250 KB annotation
 * each (about 25 MB that the operator's SquidProxy cache holds; their spec refers to a missing
 * Secret, so nothing is rolled out), standing in for a cluster too large for the pod. The released
 * chart runs the operator with its heap capped at 48 MiB ({@code JAVA_TOOL_OPTIONS=-Xmx48m} through
 * {@code extraEnv}): enough to start, not to hold them. The JVM exits on the OutOfMemoryError (exit
 * code 3, {@code -XX:+ExitOnOutOfMemoryError} in the image) and the kubelet shows its last log line
 * as the container's termination message ({@code terminationMessagePolicy: FallbackToLogsOnError}),
 * which {@code kubectl describe pod} prints under Last State. The restarted container reads that
 * before its informers start and posts a Warning Event {@code OperatorOutOfMemory} on its pod
 * ({@code kubectl get events}) naming {@code resources.limits.memory}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorOomE2E {
  static final String RELEASE = "cephaloproxy-oom";
  static final String OOM_LINE = "Terminating due to java.lang.OutOfMemoryError: Java heap space";
  static final int BALLAST_PROXIES = 100;
  static final int BALLAST_BYTES = 250_000;

  String ns;
  OperatorRelease release;
  boolean createdCrd;

  @BeforeAll
  void setUp() {
    Cluster.client();
    createdCrd = ensureCrd();
    ns = Cluster.restrictedNamespace("cephaloproxy-oom");
    String ballast = "x".repeat(BALLAST_BYTES);
    IntStream.range(0, BALLAST_PROXIES)
        .parallel()
        .forEach(
            i ->
                Cluster.client()
                    .genericKubernetesResources("cephaloproxy.io/v1alpha1", "SquidProxy")
                    .inNamespace(ns)
                    .resource(ballastProxy(String.format("ballast-%03d", i), ballast))
                    .create());
    release =
        OperatorRelease.installUnready(
            RELEASE,
            ns,
            Map.of(
                "watchNamespaces", ns,
                "extraEnv[0].name", "JAVA_TOOL_OPTIONS",
                "extraEnv[0].value", "-Xmx48m"));
  }

  /** A SquidProxy that nothing is rolled out for (its htpasswd Secret does not exist). */
  static GenericKubernetesResource ballastProxy(String name, String ballast) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("cephaloproxy.io/v1alpha1")
        .withKind("SquidProxy")
        .withNewMetadata()
        .withName(name)
        .withAnnotations(Map.of("e2e.cephaloproxy.io/ballast", ballast))
        .endMetadata()
        .withAdditionalProperties(
            Map.of(
                "spec",
                Map.of(
                    "auth", Map.of("mode", "Basic", "htpasswdSecret", Map.of("name", "missing")))))
        .build();
  }

  /**
   * The chart is installed without its CRD (other classes' releases own it, and some remove it when
   * they finish): the repository's CRD when the cluster has none. Returns whether it was created.
   */
  static boolean ensureCrd() {
    var crds = Cluster.client().apiextensions().v1().customResourceDefinitions();
    if (crds.withName(OperatorRelease.CRD).get() != null) {
      return false;
    }
    try (InputStream in =
        new FileInputStream(
            Cluster.REPO.resolve("crds/squidproxies.cephaloproxy.io-v1.yml").toFile())) {
      CustomResourceDefinition crd = crds.load(in).item();
      crds.resource(crd).create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Cluster.await(
        "CRD " + OperatorRelease.CRD + " established",
        Duration.ofSeconds(60),
        () ->
            crds.withName(OperatorRelease.CRD).get().getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
    return true;
  }

  @AfterAll
  void tearDown() {
    if (release != null) {
      release.uninstallIfPresent();
    }
    if (ns != null && Cluster.client().namespaces().withName(ns).get() != null) {
      Cluster.deleteNamespace(ns, Duration.ofSeconds(120));
    }
    if (createdCrd) {
      OperatorRelease.removeCrd();
    }
  }

  @Test
  void anOutOfMemoryErrorIsTheTerminationMessageAndAWarningEventAfterTheRestart() {
    AtomicReference<ContainerStateTerminated> seen = new AtomicReference<>();
    AtomicReference<Pod> pod = new AtomicReference<>();
    Cluster.await(
        "the operator container terminated with the JVM's OutOfMemoryError line",
        Duration.ofSeconds(300),
        () -> {
          for (Pod p : operatorPods()) {
            List<ContainerStatus> statuses =
                p.getStatus() == null ? null : p.getStatus().getContainerStatuses();
            if (statuses == null) {
              continue;
            }
            for (ContainerStatus s : statuses) {
              ContainerStateTerminated t =
                  s.getLastState() != null && s.getLastState().getTerminated() != null
                      ? s.getLastState().getTerminated()
                      : s.getState() == null ? null : s.getState().getTerminated();
              if (t != null && t.getMessage() != null) {
                seen.set(t);
                pod.set(p);
                return t.getMessage().contains("OutOfMemoryError");
              }
            }
          }
          return false;
        },
        () -> Diagnostics.pods(ns));
    ContainerStateTerminated t = seen.get();
    assertThat(t.getExitCode()).as("the JVM's exit code on an OutOfMemoryError").isEqualTo(3);
    assertThat(t.getMessage().strip())
        .as("the termination message (kubectl describe pod: Last State) ends with the JVM's line")
        .endsWith(OOM_LINE);
    String podName = pod.get().getMetadata().getName();
    AtomicReference<Event> event = new AtomicReference<>();
    Cluster.await(
        "a Warning Event OperatorOutOfMemory on pod " + podName + " from the restarted operator",
        Duration.ofSeconds(240),
        () -> {
          for (Event e : Cluster.client().v1().events().inNamespace(ns).list().getItems()) {
            if ("OperatorOutOfMemory".equals(e.getReason())
                && podName.equals(e.getInvolvedObject().getName())) {
              event.set(e);
              return true;
            }
          }
          return false;
        },
        () -> Diagnostics.pods(ns));
    Event e = event.get();
    System.out.println("OperatorOutOfMemory Event: " + e.getMessage());
    assertThat(e.getType()).isEqualTo("Warning");
    assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
    assertThat(e.getMessage())
        .as("what happened and what to change, with the pod's current limit")
        .contains("ran out of Java heap (java.lang.OutOfMemoryError, exit code 3)")
        .contains("raise resources.limits.memory (now 512Mi")
        .contains("or narrow watchNamespaces");
  }

  List<Pod> operatorPods() {
    return Cluster.client()
        .pods()
        .inNamespace(ns)
        .withLabel("app.kubernetes.io/instance", RELEASE)
        .list()
        .getItems();
  }
}
