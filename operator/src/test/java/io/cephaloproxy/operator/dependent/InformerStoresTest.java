package io.cephaloproxy.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.SSABasedGenericKubernetesResourceMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

class InformerStoresTest {
  static ManagedFieldsEntry entry(String manager, String operation) {
    return new ManagedFieldsEntryBuilder()
        .withManager(manager)
        .withOperation(operation)
        .withApiVersion("v1")
        .withFieldsType("FieldsV1")
        .withNewFieldsV1()
        .addToAdditionalProperties("f:spec", java.util.Map.of())
        .endFieldsV1()
        .build();
  }

  @Test
  void dependentsKeepTheWholeObjectAndOnlyTheOperatorsOwnApplyEntry() {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("web")
            .withNamespace("ns")
            .withResourceVersion("7")
            .withManagedFields(
                entry("squidproxy", "Apply"),
                entry("kube-controller-manager", "Update"),
                entry("squidproxy", "Update"),
                entry("argocd-controller", "Apply"))
            .endMetadata()
            .withNewSpec()
            .withReplicas(2)
            .endSpec()
            .build();
    new InformerStores.OwnApplyEntryOnly<Deployment>().put("ns/web", d);
    // what JOSDK's server-side-apply matcher looks up: exactly one entry of the field manager,
    // operation Apply
    assertThat(d.getMetadata().getManagedFields())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getManager()).isEqualTo("squidproxy");
              assertThat(e.getOperation())
                  .isEqualTo(SSABasedGenericKubernetesResourceMatcher.APPLY_OPERATION);
            });
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
  }

  @Test
  void dependentsOfTheSameShapeShareOneCopyOfTheirFields() {
    var store = new InformerStores.OwnApplyEntryOnly<Deployment>();
    List<Deployment> cached = new java.util.ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      Deployment d =
          new DeploymentBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace("ns")
              .withManagedFields(entry("squidproxy", "Apply"))
              .endMetadata()
              .build();
      store.put("ns/" + name, d);
      cached.add(d);
    }
    var first = cached.get(0).getMetadata().getManagedFields().get(0).getFieldsV1();
    assertThat(cached)
        .allSatisfy(
            d ->
                assertThat(d.getMetadata().getManagedFields().get(0).getFieldsV1())
                    .isSameAs(first));
    Deployment other =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("d")
            .withNamespace("ns")
            .withManagedFields(
                new ManagedFieldsEntryBuilder(entry("squidproxy", "Apply"))
                    .withNewFieldsV1()
                    .addToAdditionalProperties("f:metadata", java.util.Map.of())
                    .endFieldsV1()
                    .build())
            .endMetadata()
            .build();
    store.put("ns/d", other);
    assertThat(other.getMetadata().getManagedFields().get(0).getFieldsV1())
        .as("other fields, its own copy")
        .isNotSameAs(first)
        .isNotEqualTo(first);
  }

  /**
   * A proxy's Deployment as the API server returned it (the benchmark's, with the operator's Apply
   * entry naming its owner's uid): the cached copy keeps that entry's field tree as JSON text,
   * reads back the same tree, serializes as before, and JOSDK's server-side-apply matcher comes to
   * the same verdicts with it as with the tree as Jackson read it.
   */
  @Test
  void theOwnApplyEntrysFieldTreeIsKeptAsTextAndReadsBackTheSame() throws Exception {
    var serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
    String json;
    try (var in = getClass().getResourceAsStream("/informer-stores/deployment-as-read.json")) {
      json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    Deployment plain = serialization.unmarshal(json, Deployment.class);
    plain
        .getMetadata()
        .setManagedFields(
            plain.getMetadata().getManagedFields().stream()
                .filter(e -> e.getManager().equals("squidproxy"))
                .toList());
    var tree = plain.getMetadata().getManagedFields().get(0).getFieldsV1();
    assertThat(serialization.asJson(tree)).contains("k:{\\\"uid\\\":");
    Deployment cached = serialization.unmarshal(json, Deployment.class);
    new InformerStores.OwnApplyEntryOnly<Deployment>().put("ns/web", cached);

    var compact = cached.getMetadata().getManagedFields().get(0).getFieldsV1();
    assertThat(compact).isInstanceOf(CompactFieldsV1.class);
    assertThat(compact.getAdditionalProperties()).isEqualTo(tree.getAdditionalProperties());
    assertThat(compact).isEqualTo(tree);
    assertThat(serialization.asJson(cached)).isEqualTo(serialization.asJson(plain));
    assertThat(serialization.convertValue(cached, java.util.Map.class))
        .isEqualTo(serialization.convertValue(plain, java.util.Map.class));

    // what the operator applied: the object pruned to the fields of its Apply entry (JOSDK's own
    // pruning, package-private)
    java.util.Map<String, Object> applied = new java.util.HashMap<>();
    var prune =
        SSABasedGenericKubernetesResourceMatcher.class.getDeclaredMethod(
            "keepOnlyManagedFields",
            java.util.Map.class,
            java.util.Map.class,
            java.util.Map.class,
            io.fabric8.kubernetes.client.utils.KubernetesSerialization.class);
    prune.setAccessible(true);
    prune.invoke(
        null,
        applied,
        serialization.convertValue(plain, java.util.Map.class),
        tree.getAdditionalProperties(),
        serialization);
    Deployment desired = serialization.convertValue(applied, Deployment.class);
    Deployment changed = serialization.convertValue(applied, Deployment.class);
    changed.getSpec().getTemplate().getMetadata().getAnnotations().put("changed", "yes");
    var matcher = SSABasedGenericKubernetesResourceMatcher.<Deployment>getInstance();
    var context = MatcherContext.of(serialization);
    assertThat(matcher.matches(plain, desired, context)).as("unchanged, tree as read").isTrue();
    assertThat(matcher.matches(cached, desired, context)).as("unchanged, tree as text").isTrue();
    assertThat(matcher.matches(plain, changed, context)).as("changed, tree as read").isFalse();
    assertThat(matcher.matches(cached, changed, context)).as("changed, tree as text").isFalse();
    assertThatThrownBy(() -> compact.setAdditionalProperty("f:spec", java.util.Map.of()))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  /** What JOSDK's matcher reads of its Context: the field manager and the serialization. */
  static final class MatcherContext {
    static io.javaoperatorsdk.operator.api.reconciler.Context<?> of(
        io.fabric8.kubernetes.client.utils.KubernetesSerialization serialization) {
      var client =
          proxy(
              io.fabric8.kubernetes.client.KubernetesClient.class,
              m -> m.equals("getKubernetesSerialization") ? serialization : null);
      var config =
          proxy(
              io.javaoperatorsdk.operator.api.config.ControllerConfiguration.class,
              m -> m.equals("fieldManager") ? "squidproxy" : null);
      return proxy(
          io.javaoperatorsdk.operator.api.reconciler.Context.class,
          m ->
              switch (m) {
                case "getClient" -> client;
                case "getControllerConfiguration" -> config;
                default -> null;
              });
    }

    @SuppressWarnings("unchecked")
    static <T> T proxy(Class<T> type, java.util.function.Function<String, Object> answer) {
      return (T)
          java.lang.reflect.Proxy.newProxyInstance(
              type.getClassLoader(),
              new Class<?>[] {type},
              (p, method, args) -> {
                Object v = answer.apply(method.getName());
                if (v == null) {
                  throw new UnsupportedOperationException(method.getName());
                }
                return v;
              });
    }
  }

  @Test
  void podsKeepMetadataAndStatusOnly() {
    Pod p =
        new PodBuilder()
            .withNewMetadata()
            .withName("web-1")
            .withNamespace("ns")
            .withResourceVersion("3")
            .addToLabels("app.kubernetes.io/instance", "web")
            .addToAnnotations("cephaloproxy.io/config-hash", "abc")
            .withManagedFields(entry("kubelet", "Update"))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("squid")
            .withImage("squid")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .endStatus()
            .build();
    var store = InformerStores.pods();
    store.put("ns/web-1", p);
    Pod cached = store.get("ns/web-1");
    assertThat(cached.getSpec()).isNull();
    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", "web");
    assertThat(cached.getMetadata().getAnnotations())
        .containsEntry("cephaloproxy.io/config-hash", "abc");
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("3");
    assertThat(cached.getStatus().getPhase()).isEqualTo("Running");
    assertThat(List.of(store.keySet().toArray())).containsExactly("ns/web-1");
  }

  /**
   * Every object the operator creates, as an informer reads it (deserialized from JSON, so every
   * model object has its own empty additionalProperties map), goes through the store: no empty map
   * is left, and the object serializes exactly as before (what JOSDK's SSA matcher compares).
   */
  @Test
  void storesDropEmptyUnknownFieldMapsWithoutChangingTheObject() throws Exception {
    var serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
    int checked = 0;
    for (java.nio.file.Path file : io.cephaloproxy.operator.testing.Examples.files()) {
      for (io.fabric8.kubernetes.api.model.HasMetadata desired :
          io.cephaloproxy.operator.render.Renderer.render(
                  io.cephaloproxy.operator.render.RenderCommand.read(file),
                  "ghcr.io/cephaloproxy/squid:test")
              .objects()) {
        String json = serialization.asJson(desired);
        var read = serialization.unmarshal(json, desired.getClass());
        assertThat(emptyMaps(read)).as("empty maps as read").isPositive();
        var store =
            new InformerStores.OwnApplyEntryOnly<io.fabric8.kubernetes.api.model.HasMetadata>();
        store.put("k", read);
        assertThat(emptyMaps(read)).as(file + " " + desired.getKind()).isZero();
        assertThat(serialization.asJson(read)).isEqualTo(json);
        assertThat(serialization.convertValue(read, java.util.Map.class))
            .isEqualTo(serialization.convertValue(desired, java.util.Map.class));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(40);
  }

  /** Empty additionalProperties maps in a model object's tree. */
  static int emptyMaps(Object o) {
    if (o instanceof java.util.Collection<?> c) {
      return c.stream().mapToInt(InformerStoresTest::emptyMaps).sum();
    }
    if (o instanceof java.util.Map<?, ?> m) {
      return m.values().stream().mapToInt(InformerStoresTest::emptyMaps).sum();
    }
    if (o == null || !EmptyMaps.isModel(o.getClass())) {
      return 0;
    }
    int n = 0;
    for (Class<?> c = o.getClass(); c != Object.class; c = c.getSuperclass()) {
      for (java.lang.reflect.Field f : c.getDeclaredFields()) {
        if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
          continue;
        }
        try {
          f.setAccessible(true);
          Object v = f.get(o);
          if (f.getName().equals("additionalProperties")
              && v instanceof java.util.Map<?, ?> m
              && m.isEmpty()) {
            n++;
          } else {
            n += emptyMaps(v);
          }
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return n;
  }
}
