package io.cephaloproxy.operator.reconciler;

import static io.cephaloproxy.operator.testing.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.Conditions;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.status.StatusConditions;
import io.cephaloproxy.operator.testing.Examples;
import io.cephaloproxy.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler against the Fabric8 mock API server (CRUD mode), started as main starts it. */
class SquidProxyReconcilerTest {
  static final String NS = "team-a";
  static final Duration WAIT = Duration.ofSeconds(20);
  MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    cluster.startOperator();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  SquidProxy apply(String example, String name) {
    SquidProxy p = Examples.proxy(example);
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace(NS);
    return cluster.client.resource(p).create();
  }

  SquidProxy get(String name) {
    return cluster.client.resources(SquidProxy.class).inNamespace(NS).withName(name).get();
  }

  Condition condition(String name, String type) {
    SquidProxy p = get(name);
    return p == null || p.getStatus() == null
        ? null
        : StatusConditions.find(p.getStatus().getConditions(), type);
  }

  Deployment deployment(String name) {
    return cluster.client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  static String hash(Deployment d) {
    return d.getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(Labels.CONFIG_HASH_ANNOTATION);
  }

  List<Event> events(String reason) {
    return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  /** Plays the Deployment controller: all replicas updated and available. */
  void rolloutCompletes(String name) {
    retry(
        () ->
            cluster
                .client
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName(name)
                .editStatus(
                    d -> {
                      int replicas =
                          d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                      d.setStatus(
                          new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                              .withObservedGeneration(d.getMetadata().getGeneration())
                              .withReplicas(replicas)
                              .withUpdatedReplicas(replicas)
                              .withAvailableReplicas(replicas)
                              .withReadyReplicas(replicas)
                              .build());
                      return d;
                    }));
  }

  @Test
  void forgetsTheRolloutsOfDeletedProxies() {
    apply("basic.yaml", "short-lived");
    await(
        "short-lived announced",
        WAIT,
        () -> cluster.operator().reconciler().rememberedRollouts() == 1);
    cluster.client.resources(SquidProxy.class).inNamespace(NS).withName("short-lived").delete();
    await("short-lived gone from the cache", WAIT, () -> get("short-lived") == null);
    apply("basic.yaml", "next");
    await("next has status", WAIT, () -> condition("next", Conditions.PROGRESSING) != null);
    await(
        "only the live proxy remembered",
        WAIT,
        () -> cluster.operator().reconciler().rememberedRollouts() == 1);
    assertThat(events("RolloutStarted")).as("one rollout announced per proxy").hasSize(2);
  }

  @Test
  void createsOwnedObjectsAndReportsStatus() {
    SquidProxy p = apply("basic.yaml", "web");
    await(
        "Deployment, Service and ConfigMap",
        WAIT,
        () ->
            deployment("web") != null
                && cluster.client.services().inNamespace(NS).withName("web").get() != null
                && cluster.client.configMaps().inNamespace(NS).withName("web-config").get()
                    != null);
    ConfigMap cm = cluster.client.configMaps().inNamespace(NS).withName("web-config").get();
    assertThat(cm.getData()).containsKeys("squid.conf", "runtime.properties");
    // deletion is Kubernetes' garbage collection through owner references (the mock has none):
    // assert them
    for (HasMetadata o :
        List.<HasMetadata>of(
            deployment("web"),
            cm,
            cluster.client.services().inNamespace(NS).withName("web").get())) {
      assertThat(o.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(ref -> ownedBy(ref, p));
    }
    await("status with Progressing", WAIT, () -> condition("web", Conditions.PROGRESSING) != null);
    SquidProxy status = get("web");
    assertThat(status.getStatus().getObservedGeneration()).isEqualTo(1L);
    assertThat(status.getStatus().getEndpoint()).isEqualTo("web.team-a.svc:3128");
    assertThat(status.getStatus().getConfigHash()).isEqualTo(hash(deployment("web")));
    assertThat(condition("web", Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(condition("web", Conditions.CONFIG_VALID).getStatus()).isEqualTo("True");
    assertThat(events("RolloutStarted")).hasSize(1);

    rolloutCompletes("web");
    await("Ready", WAIT, () -> "True".equals(condition("web", Conditions.READY).getStatus()));
    assertThat(condition("web", Conditions.PROGRESSING).getStatus()).isEqualTo("False");
    assertThat(get("web").getStatus().getReadyReplicas()).isEqualTo(1);
    await("RolloutFinished event", WAIT, () -> events("RolloutFinished").size() == 1);
  }

  static void ownedBy(OwnerReference ref, SquidProxy p) {
    assertThat(ref.getKind()).isEqualTo("SquidProxy");
    assertThat(ref.getApiVersion()).isEqualTo("cephaloproxy.io/v1alpha1");
    assertThat(ref.getName()).isEqualTo(p.getMetadata().getName());
    assertThat(ref.getUid()).isEqualTo(p.getMetadata().getUid());
    // the SquidProxy is the managing controller, and foreground deletion waits for these objects
    assertThat(ref.getController()).as("controller").isTrue();
    assertThat(ref.getBlockOwnerDeletion()).as("blockOwnerDeletion").isTrue();
  }

  @Test
  void aSlowWriteIsAwaitedNotAbandonedAndSentAgain() {
    // on the real API server a Service create waits for the cluster-wide ClusterIP allocation lock:
    // with 50
    // reconciles at once it took more than the Fabric8 default of 10 s; the client then gave up,
    // sent the
    // create again (which then failed with 409 because the first one had gone through) and added to
    // the load
    String create = "POST /api/v1/namespaces/" + NS + "/services";
    cluster.dispatcher.delayWrites(create, 1, Duration.ofSeconds(12));
    apply("basic.yaml", "web");
    await(
        "Service and status",
        Duration.ofSeconds(40),
        () ->
            cluster.client.services().inNamespace(NS).withName("web").get() != null
                && condition("web", Conditions.CONFIG_VALID) != null);
    sleep(2_000);
    assertThat(cluster.dispatcher.writeRequests()).filteredOn(r -> r.startsWith(create)).hasSize(1);
    assertThat(
            condition("web", Conditions.DEGRADED) == null
                || !Conditions.REASON_RECONCILE_ERROR.equals(
                    condition("web", Conditions.DEGRADED).getReason()))
        .isTrue();
  }

  @Test
  void keepsRetryingLongerThanJosdksDefaultRetries() {
    apply("basic.yaml", "web");
    await(
        "Service",
        WAIT,
        () ->
            cluster.client.services().inNamespace(NS).withName("web").get() != null
                && condition("web", Conditions.CONFIG_VALID) != null);
    // e.g. an admission policy or a missing RBAC rule rejects the Service until an administrator
    // fixes it.
    // JOSDK's default retry gives up after 5 retries (about 27 s); with nothing else changing, the
    // proxy
    // would then wait for the 10-hour resync. (Fabric8 itself retries 429 and 5xx, not 403.)
    cluster.dispatcher.failWrites("POST /api/v1/namespaces/" + NS + "/services", 6, 403);
    cluster.client.services().inNamespace(NS).withName("web").delete();
    await(
        "Service re-created after 6 rejections",
        Duration.ofSeconds(60),
        () -> cluster.client.services().inNamespace(NS).withName("web").get() != null);
    assertThat(cluster.dispatcher.failuresLeft()).isZero();
    await(
        "no reconcile error left",
        WAIT,
        () ->
            condition("web", Conditions.DEGRADED) == null
                || !Conditions.REASON_RECONCILE_ERROR.equals(
                    condition("web", Conditions.DEGRADED).getReason()));
  }

  @Test
  void configChangeRollsANewPodTemplate() {
    apply("basic.yaml", "web");
    await("Deployment", WAIT, () -> deployment("web") != null);
    String before = hash(deployment("web"));
    // edit = get + JSON patch, so a concurrent status patch does not make this fail with 409
    retry(
        () ->
            cluster
                .client
                .resources(SquidProxy.class)
                .inNamespace(NS)
                .withName("web")
                .edit(
                    p -> {
                      if (p.getSpec().getAccess() == null) {
                        p.getSpec().setAccess(new io.cephaloproxy.api.v1alpha1.AccessSpec());
                      }
                      p.getSpec().getAccess().setDeniedDomains(List.of(".gambling.example"));
                      return p;
                    }));
    await("new hash on the pod template", WAIT, () -> !before.equals(hash(deployment("web"))));
    assertThat(
            cluster
                .client
                .configMaps()
                .inNamespace(NS)
                .withName("web-config")
                .get()
                .getData()
                .values())
        .anyMatch(v -> v.contains("gambling.example"));
    await(
        "status carries the new hash",
        WAIT,
        () -> hash(deployment("web")).equals(get("web").getStatus().getConfigHash()));
    assertThat(get("web").getStatus().getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void driftIsRepaired() {
    apply("basic.yaml", "web");
    await(
        "Deployment and Service",
        WAIT,
        () ->
            deployment("web") != null
                && cluster.client.services().inNamespace(NS).withName("web").get() != null);
    String uid = deployment("web").getMetadata().getUid();
    cluster.client.apps().deployments().inNamespace(NS).withName("web").delete();
    await(
        "Deployment re-created",
        WAIT,
        () -> deployment("web") != null && !uid.equals(deployment("web").getMetadata().getUid()));

    retry(
        () ->
            cluster
                .client
                .services()
                .inNamespace(NS)
                .withName("web")
                .edit(
                    s -> {
                      s.getSpec().getPorts().get(0).setPort(9999);
                      return s;
                    }));
    await(
        "Service port restored",
        WAIT,
        () ->
            cluster
                .client
                .services()
                .inNamespace(NS)
                .withName("web")
                .get()
                .getSpec()
                .getPorts()
                .stream()
                .anyMatch(port -> port.getPort() == 3128));

    retry(
        () ->
            cluster
                .client
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("web")
                .edit(
                    d -> {
                      d.getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .get(0)
                          .setImage("evil/squid:latest");
                      return d;
                    }));
    await(
        "image restored",
        WAIT,
        () ->
            deployment("web")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage()
                .startsWith("ghcr.io/cephaloproxy/squid:"));
  }

  @Test
  void missingSecretDegradesThenRecovers() {
    apply("sslbump.yaml", "bump");
    String secretName = get("bump").getSpec().getSslBump().getCaSecret().getName();
    await(
        "Degraded",
        WAIT,
        () ->
            condition("bump", Conditions.DEGRADED) != null
                && "True".equals(condition("bump", Conditions.DEGRADED).getStatus()));
    Condition degraded = condition("bump", Conditions.DEGRADED);
    assertThat(degraded.getReason()).isEqualTo(Conditions.REASON_MISSING_REFERENCE);
    assertThat(degraded.getMessage()).contains("Secret").contains(secretName).contains("not found");
    assertThat(deployment("bump")).as("nothing rolled out without the CA").isNull();
    await("ReferenceMissing event", WAIT, () -> events("ReferenceMissing").size() == 1);

    cluster
        .client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(secretName)
                .withNamespace(NS)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData(
                    "tls.crt",
                    b64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
                .addToData(
                    "tls.key",
                    b64("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"))
                .build())
        .create();
    await("Deployment after the Secret appeared", WAIT, () -> deployment("bump") != null);
    await(
        "Degraded cleared",
        WAIT,
        () -> "False".equals(condition("bump", Conditions.DEGRADED).getStatus()));
    assertThat(deployment("bump").getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(
            v ->
                assertThat(v.getSecret() == null ? null : v.getSecret().getSecretName())
                    .isEqualTo(secretName));

    // a changed Secret rolls the pods: the hash covers referenced data
    String before = hash(deployment("bump"));
    retry(
        () ->
            cluster
                .client
                .secrets()
                .inNamespace(NS)
                .withName(secretName)
                .edit(
                    secret -> {
                      secret
                          .getData()
                          .put(
                              "tls.crt",
                              b64(
                                  "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n"));
                      return secret;
                    }));
    await(
        "new hash after the Secret changed", WAIT, () -> !before.equals(hash(deployment("bump"))));
  }

  @Test
  void aReferencedSecretTooLargeToUseIsNamedInTheStatus() {
    // the mock server stores what the real one refuses (> 1 MiB of Secret data): the operator must
    // not use it
    String big = "x".repeat((1 << 20) + 1024);
    cluster
        .client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("huge-ca")
                .withNamespace(NS)
                .endMetadata()
                .addToData("tls.crt", b64(big))
                .addToData(
                    "tls.key",
                    b64("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"))
                .build())
        .create();
    SquidProxy p = Examples.proxy("sslbump.yaml");
    p.getMetadata().setName("bump");
    p.getMetadata().setNamespace(NS);
    p.getSpec().getSslBump().getCaSecret().setName("huge-ca");
    cluster.client.resource(p).create();
    await(
        "ConfigValid=False naming the Secret",
        WAIT,
        () ->
            condition("bump", Conditions.CONFIG_VALID) != null
                && "False".equals(condition("bump", Conditions.CONFIG_VALID).getStatus())
                && condition("bump", Conditions.CONFIG_VALID).getMessage().contains("too large"));
    assertThat(condition("bump", Conditions.CONFIG_VALID).getMessage())
        .contains(
            "Secret huge-ca is too large to use: 1049659 bytes of data, more than the 1048576 (1 MiB)");
    assertThat(deployment("bump")).as("nothing rolled out with it").isNull();
    assertThat(cluster.operator().reconciler().fetcher().cachedBytes())
        .as("its data is not kept")
        .isZero();
  }

  @Test
  void initContainerRejectionSetsConfigValidFalse() {
    apply("basic.yaml", "web");
    await("Deployment", WAIT, () -> deployment("web") != null);
    String hash = hash(deployment("web"));
    String squidSays = "FATAL: Bungled /etc/cephaloproxy/squid.conf line 7: acl blocked dstdomain";
    // what the kubelet reports for a pod of the new ReplicaSet whose init step rejected the config
    cluster
        .client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("web-5f7d-abcde")
                .withNamespace(NS)
                .withLabels(Labels.of("web"))
                .addToAnnotations(Labels.CONFIG_HASH_ANNOTATION, hash)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("run")
                .withImage("x")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Pending")
                .addNewInitContainerStatus()
                .withName("init")
                .withRestartCount(2)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withMessage(squidSays + "\n")
                .endTerminated()
                .endLastState()
                .endInitContainerStatus()
                .endStatus()
                .build())
        .create();
    await(
        "ConfigValid=False",
        WAIT,
        () -> "False".equals(condition("web", Conditions.CONFIG_VALID).getStatus()));
    Condition cv = condition("web", Conditions.CONFIG_VALID);
    assertThat(cv.getReason()).isEqualTo(Conditions.REASON_SQUID_REJECTED_CONFIG);
    assertThat(cv.getMessage()).isEqualTo(squidSays);
    await("ConfigRejected event", WAIT, () -> events("ConfigRejected").size() == 1);
    assertThat(events("ConfigRejected").get(0).getType()).isEqualTo("Warning");
  }

  @Test
  void aSecondReconcileWithNothingChangedWritesNothing() {
    apply("production.yaml", "prod");
    apply("disk-cache.yaml", "disk");
    await(
        "both deployments and statuses",
        WAIT,
        () ->
            deployment("prod") != null
                && deployment("disk") != null
                && get("prod").getStatus().getConfigHash() != null
                && get("disk").getStatus().getConfigHash() != null);
    // settle: give in-flight events time to land, then count from zero across a full resync
    long settled = cluster.operator().reconciler().reconciles();
    await(
        "quiet",
        WAIT,
        () -> {
          long n = cluster.operator().reconciler().reconciles();
          sleep(500);
          return n == cluster.operator().reconciler().reconciles();
        });
    assertThat(settled).isPositive();
    cluster.stopOperator();
    cluster.dispatcher.resetCounters();
    var restarted = cluster.startOperator();
    await("both proxies reconciled again", WAIT, () -> restarted.reconciler().reconciles() >= 2);
    sleep(1000);
    assertThat(cluster.dispatcher.writeRequests())
        .as("writes during a resync with nothing changed")
        .isEmpty();

    // the cache claim: created, not owned (deleting the SquidProxy must not delete cached data)
    PersistentVolumeClaim pvc =
        cluster.client.persistentVolumeClaims().inNamespace(NS).withName("disk-cache").get();
    assertThat(pvc).isNotNull();
    assertThat(pvc.getMetadata().getOwnerReferences()).isEmpty();
    assertThat(
            cluster
                .client
                .policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(NS)
                .withName("prod")
                .get())
        .isNotNull();
    assertThat(
            cluster
                .client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(NS)
                .withName("prod")
                .get())
        .isNotNull();
    assertThat(deployment("prod").getSpec().getReplicas()).as("the HPA owns replicas").isNull();
  }

  /**
   * A user's write: retried on 409 like kubectl would be, since the operator writes concurrently.
   */
  static void retry(Runnable write) {
    for (int i = 0; ; i++) {
      try {
        write.run();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || i == 20) {
          throw e;
        }
        sleep(100);
      }
    }
  }

  static String b64(String s) {
    return java.util.Base64.getEncoder()
        .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
