package io.cephaloproxy.operator.referenced;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.operator.model.SecretAndConfigMapData;
import io.cephaloproxy.operator.model.WatchedObject;
import io.cephaloproxy.operator.testing.TestApi;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reading referenced data on demand: one GET per version, shared, dropped when idle, bounded. */
class ReferenceFetcherTest {
  static final String NS = "team-a";
  KubernetesMockServer server;
  KubernetesClient client;
  final AtomicLong now = new AtomicLong();
  ReferenceFetcher fetcher;

  @BeforeEach
  void start() {
    server = TestApi.crudServer();
    client = server.createClient();
    fetcher = new ReferenceFetcher(client, now::get, false);
  }

  @AfterEach
  void stop() {
    fetcher.close();
    client.close();
    server.destroy();
  }

  String secret(String name, String value) {
    return client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .addToData("htpasswd", b64(value))
                .build())
        .createOr(x -> x.update())
        .getMetadata()
        .getResourceVersion();
  }

  @Test
  void oneGetPerVersionSharedByEveryLookup() {
    String v1 = secret("users", "alice:x\n");
    ReferenceFetcher.Lookup a = fetcher.get(WatchedObject.SECRET, NS, "users", v1);
    ReferenceFetcher.Lookup b = fetcher.get(WatchedObject.SECRET, NS, "users", v1);
    assertThat(a).isInstanceOf(ReferenceFetcher.Found.class);
    assertThat(b).as("the cached copy").isSameAs(a);
    assertThat(fetcher.gets()).isEqualTo(1);

    String v2 = secret("users", "alice:y\n");
    ReferenceFetcher.Lookup c = fetcher.get(WatchedObject.SECRET, NS, "users", v2);
    assertThat(c).isNotSameAs(a);
    assertThat(fetcher.gets()).as("a new resourceVersion is read again").isEqualTo(2);
    assertThat(fetcher.cachedObjects()).isEqualTo(1);
  }

  @Test
  void concurrentLookupsOfOneObjectSendOneGet() throws Exception {
    String v = secret("shared", "x".repeat(500_000));
    ExecutorService pool = Executors.newFixedThreadPool(20);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ReferenceFetcher.Lookup>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                return fetcher.get(WatchedObject.SECRET, NS, "shared", v);
              }));
    }
    go.countDown();
    for (Future<ReferenceFetcher.Lookup> f : results) {
      assertThat(f.get(20, TimeUnit.SECONDS)).isInstanceOf(ReferenceFetcher.Found.class);
    }
    pool.shutdown();
    assertThat(fetcher.gets()).isEqualTo(1);
    assertThat(fetcher.cachedBytes())
        .as("a Secret's keys, not its 500,000 bytes")
        .isEqualTo("htpasswd".length() + SecretAndConfigMapData.WITHHELD.length());
  }

  @Test
  void ofASecretOnlyItsKeysAreKept() {
    String v =
        client
            .resource(
                new SecretBuilder()
                    .withNewMetadata()
                    .withName("upstream")
                    .withNamespace(NS)
                    .endMetadata()
                    .addToData("username", b64("proxy-user"))
                    .addToData("password", b64("s3cret-password"))
                    .addToData("empty", "")
                    .build())
            .create()
            .getMetadata()
            .getResourceVersion();
    ReferenceFetcher.Found f =
        (ReferenceFetcher.Found) fetcher.get(WatchedObject.SECRET, NS, "upstream", v);
    assertThat(f.data())
        .as("keys kept, values replaced: the compiler only checks that a key is not empty")
        .containsExactlyInAnyOrderEntriesOf(
            java.util.Map.of(
                "username",
                SecretAndConfigMapData.WITHHELD,
                "password",
                SecretAndConfigMapData.WITHHELD,
                "empty",
                ""));
    assertThat(f.data().values()).doesNotContain(b64("proxy-user"), b64("s3cret-password"));
  }

  @Test
  void missingWhenTheInformerHasNoneAndIdleEntriesAreDropped() {
    assertThat(fetcher.get(WatchedObject.CONFIG_MAP, NS, "lists", null))
        .isInstanceOf(ReferenceFetcher.Missing.class);
    assertThat(fetcher.gets()).as("the informer knows it does not exist").isZero();

    String v =
        client
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("lists")
                    .withNamespace(NS)
                    .endMetadata()
                    .addToData("domains.txt", ".example.com\n")
                    .build())
            .create()
            .getMetadata()
            .getResourceVersion();
    assertThat(fetcher.get(WatchedObject.CONFIG_MAP, NS, "lists", v))
        .isInstanceOf(ReferenceFetcher.Found.class);
    now.addAndGet(ReferenceFetcher.IDLE_NANOS / 2);
    fetcher.sweep();
    assertThat(fetcher.cachedObjects()).as("used recently").isEqualTo(1);
    now.addAndGet(ReferenceFetcher.IDLE_NANOS + 1);
    fetcher.sweep();
    assertThat(fetcher.cachedObjects())
        .as("idle for longer than %d s", ReferenceFetcher.IDLE_NANOS / 1_000_000_000)
        .isZero();
    assertThat(fetcher.cachedBytes()).isZero();
  }

  @Test
  void tooLargeNamesTheObjectAndKeepsNoData() {
    String v = secret("huge", "y".repeat((int) ReferenceFetcher.MAX_OBJECT_BYTES + 1));
    ReferenceFetcher.Lookup l = fetcher.get(WatchedObject.SECRET, NS, "huge", v);
    assertThat(l).isInstanceOf(ReferenceFetcher.TooLarge.class);
    assertThat(((ReferenceFetcher.TooLarge) l).message())
        .isEqualTo(
            "Secret huge is too large to use: 1048577 bytes of data, more than the 1048576 (1 MiB) the operator reads"
                + " of one referenced Secret or ConfigMap; make it smaller or split it");
    assertThat(fetcher.cachedBytes()).isZero();
    assertThat(fetcher.get(WatchedObject.SECRET, NS, "huge", v))
        .isInstanceOf(ReferenceFetcher.TooLarge.class);
    assertThat(fetcher.gets()).as("the verdict is kept for that version").isEqualTo(1);
  }

  @Test
  void compilesWithLargeDataShareOneBudget() throws Exception {
    ReferenceFetcher.Permit first = fetcher.reserve(ReferenceFetcher.USE_BUDGET_BYTES * 3);
    AtomicBoolean second = new AtomicBoolean();
    Thread t =
        new Thread(
            () -> {
              try (var p = fetcher.reserve(1 << 20)) {
                second.set(true);
              }
            });
    t.start();
    t.join(500);
    assertThat(second).as("waits while the whole budget is reserved").isFalse();
    first.close();
    t.join(5_000);
    assertThat(second).isTrue();
    try (var none = fetcher.reserve(0)) {
      assertThat(none).as("proxies without references never wait").isNotNull();
    }
  }

  @Test
  void metadataOnlyClientAsksForPartialObjectMetadataAndTheStoreKeepsFourFields() throws Exception {
    try (KubernetesClient meta = MetadataOnly.client(client.getConfiguration())) {
      meta.genericKubernetesResources("v1", "Secret").inNamespace(NS).list();
      RecordedRequest list = server.getLastRequest();
      assertThat(list.getPath()).startsWith("/api/v1/namespaces/" + NS + "/secrets");
      assertThat(list.getHeader("Accept")).isEqualTo(MetadataOnly.LIST);
      client.secrets().inNamespace(NS).withName("users").get();
      assertThat(server.getLastRequest().getHeader("Accept"))
          .as("the operator's own client reads whole objects")
          .isNotEqualTo(MetadataOnly.LIST);
    }
    GenericKubernetesResource full =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("meta.k8s.io/v1")
            .withKind("PartialObjectMetadata")
            .withNewMetadata()
            .withName("users")
            .withNamespace(NS)
            .withUid("u-1")
            .withResourceVersion("42")
            .addToLabels("team", "a")
            .addToAnnotations(
                "kubectl.kubernetes.io/last-applied-configuration",
                "{\"data\":{\"htpasswd\":\"secret\"}}")
            .endMetadata()
            .withAdditionalProperties(
                java.util.Map.of("data", java.util.Map.of("htpasswd", "c2VjcmV0")))
            .build();
    GenericKubernetesResource kept = MetadataOnly.strip(WatchedObject.SECRET, full);
    assertThat(kept.getMetadata().getName()).isEqualTo("users");
    assertThat(kept.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(kept.getMetadata().getUid()).isEqualTo("u-1");
    assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(kept.getKind()).isEqualTo("Secret");
    assertThat(kept.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(kept.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(kept.getAdditionalProperties()).isEmpty();
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
