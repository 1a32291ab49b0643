package io.cephaloproxy.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.render.Renderer;
import io.cephaloproxy.operator.testing.Examples;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Config generations: what pods mount is immutable, named by the config hash, and complete. */
class GenerationTest {
  static Stream<Path> examples() {
    return Examples.files().stream();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void podsMountOnlyImmutableObjectsOfTheirGeneration(Path file) {
    List<HasMetadata> objects =
        Renderer.render(ProxyObjectsTest.readAll(file), "squid:test").objects();
    for (Deployment d :
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .toList()) {
      String hash =
          d.getSpec()
              .getTemplate()
              .getMetadata()
              .getAnnotations()
              .get(Labels.CONFIG_HASH_ANNOTATION);
      String generation = d.getMetadata().getName() + "-config-" + hash.substring(0, 10);
      Set<String> generationObjects =
          objects.stream()
              .filter(o -> o instanceof ConfigMap || o instanceof Secret)
              .filter(o -> o.getMetadata().getName().startsWith(generation))
              .peek(
                  o -> {
                    assertThat(o.getMetadata().getLabels())
                        .containsEntry(Labels.GENERATION, hash.substring(0, 10))
                        .containsEntry(Labels.INSTANCE, d.getMetadata().getName());
                    assertThat(
                            o instanceof ConfigMap c
                                ? c.getImmutable()
                                : ((Secret) o).getImmutable())
                        .isTrue();
                  })
              .map(o -> o.getMetadata().getName())
              .collect(Collectors.toSet());
      assertThat(generationObjects).contains(generation);
      for (Volume v : d.getSpec().getTemplate().getSpec().getVolumes()) {
        String source =
            v.getConfigMap() != null
                ? v.getConfigMap().getName()
                : v.getSecret() != null ? v.getSecret().getSecretName() : null;
        if (source == null) {
          continue;
        }
        assertThat(source).as(v.getName()).startsWith(generation);
        if (v.getConfigMap() != null && !v.getName().equals("trusted-ca")) {
          // the copy of every referenced ConfigMap is in the render (the examples carry them,
          // but for trusted-ca.yaml's corp-ca)
          assertThat(generationObjects).as(v.getName()).contains(source);
        }
      }
    }
  }

  /**
   * Validate before promote (issue 11 §1): the check pod of every example runs the proxy's image on
   * the same generation, restricted, without a token, once (restartPolicy Never), and no
   * Deployment, Service or PDB of the proxy selects it; a cache claim is never mounted by it.
   */
  @ParameterizedTest
  @MethodSource("examples")
  void checkPodIsRestrictedSelectedByNothingAndMountsTheSameGeneration(Path file) {
    models(file)
        .forEach(
            m -> {
              io.fabric8.kubernetes.api.model.Pod check = ProxyDeployment.checkPod(m);
              var spec = check.getSpec();
              assertThat(
                      io.cephaloproxy.operator.testing.PodSecurityChecker.violations(
                          spec, check.getMetadata().getAnnotations()))
                  .isEmpty();
              assertThat(spec.getAutomountServiceAccountToken()).isFalse();
              assertThat(spec.getRestartPolicy()).isEqualTo("Never");
              assertThat(spec.getInitContainers()).isNullOrEmpty();
              assertThat(spec.getContainers())
                  .singleElement()
                  .satisfies(
                      c -> {
                        assertThat(c.getImage()).isEqualTo(m.image());
                        assertThat(c.getArgs()).startsWith("init");
                        assertThat(c.getPorts()).isNullOrEmpty();
                      });
              assertThat(spec.getVolumes()).allMatch(v -> v.getPersistentVolumeClaim() == null);
              assertThat(ProxyDeployment.podSpec(m).getVolumes())
                  .filteredOn(v -> v.getPersistentVolumeClaim() == null)
                  .isSubsetOf(spec.getVolumes());
              Map<String, String> labels = check.getMetadata().getLabels();
              assertThat(labels.entrySet().containsAll(Labels.selector(m.name()).entrySet()))
                  .as("the Deployment's selector must not match a check pod")
                  .isFalse();
              assertThat(check.getMetadata().getAnnotations())
                  .containsEntry(Labels.CONFIG_HASH_ANNOTATION, m.configHash());
              // ... and its NetworkPolicy selects it, and only check pods, for no traffic at all
              var np = ProxyDeployment.checkNetworkPolicy(m);
              assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
              assertThat(np.getSpec().getIngress()).isNullOrEmpty();
              assertThat(np.getSpec().getEgress()).isNullOrEmpty();
              assertThat(labels)
                  .containsAllEntriesOf(np.getSpec().getPodSelector().getMatchLabels());
              assertThat(
                      ProxyDeployment.podTemplate(m)
                          .getMetadata()
                          .getLabels()
                          .entrySet()
                          .containsAll(np.getSpec().getPodSelector().getMatchLabels().entrySet()))
                  .as("the check pods' NetworkPolicy must not select a proxy pod")
                  .isFalse();
              assertThat(np.getMetadata().getLabels()).doesNotContainKey(Labels.MANAGED_BY);
            });
  }

  static List<ProxyModel> models(Path file) {
    List<HasMetadata> input = ProxyObjectsTest.readAll(file);
    return input.stream()
        .filter(SquidProxy.class::isInstance)
        .map(SquidProxy.class::cast)
        .peek(
            p -> {
              if (p.getMetadata().getNamespace() == null) {
                p.getMetadata().setNamespace("default");
              }
            })
        .map(
            p ->
                ModelFactory.create(
                    p,
                    "squid:test",
                    (kind, name) ->
                        input.stream()
                            .filter(
                                o ->
                                    o.getKind().equals(kind)
                                        && o.getMetadata().getName().equals(name))
                            .findFirst()
                            .orElse(null),
                    false))
        .flatMap(r -> r.model().stream())
        .toList();
  }

  static SquidProxy proxy() {
    return Serialization.unmarshal(
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: gen, namespace: ns}
        spec:
          access: {allowedDomainsFrom: {name: domains, key: allow.txt}}
          auth: {mode: Basic, htpasswdSecret: {name: users, key: users.htpasswd}}
        """,
        SquidProxy.class);
  }

  static ConfigMap list(String content) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("domains")
        .withNamespace("ns")
        .endMetadata()
        .addToData("allow.txt", content)
        .addToData("unrelated", "not copied")
        .build();
  }

  static Secret users() {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("users")
        .withNamespace("ns")
        .addToLabels(Labels.USABLE_BY_PROXIES, "true")
        .endMetadata()
        .addToData(
            "users.htpasswd",
            Base64.getEncoder()
                .encodeToString("alice:$apr1$x$y\n".getBytes(StandardCharsets.UTF_8)))
        .addToData("other", "c2VjcmV0")
        .build();
  }

  static Map<String, HasMetadata> byName(Renderer.Output out) {
    assertThat(out.problems()).isEmpty();
    return out.objects().stream()
        .collect(Collectors.toMap(o -> o.getKind() + "/" + o.getMetadata().getName(), o -> o));
  }

  @Test
  void referencedKeysAreCopiedUnderTheirFileNamesAndAChangeIsANewGeneration() {
    Map<String, HasMetadata> first =
        byName(Renderer.render(List.of(proxy(), list(".example.com\n"), users()), "squid:test"));
    String gen =
        first.keySet().stream()
            .filter(k -> k.matches("ConfigMap/gen-config-[0-9a-f]{10}"))
            .findFirst()
            .orElseThrow()
            .substring("ConfigMap/".length());
    assertThat(((ConfigMap) first.get("ConfigMap/" + gen + "-allowed-domains")).getData())
        .isEqualTo(Map.of("domains.txt", ".example.com\n"));
    assertThat(((Secret) first.get("Secret/" + gen + "-auth")).getData())
        .isEqualTo(Map.of("htpasswd", users().getData().get("users.htpasswd")));
    // the generation's own ConfigMap holds the compiled files only
    assertThat(((ConfigMap) first.get("ConfigMap/" + gen)).getData())
        .containsKeys("squid.conf", "runtime.properties")
        .doesNotContainKey("domains.txt");

    // new list content: every object of the generation has a new name; none is rewritten
    Map<String, HasMetadata> second =
        byName(Renderer.render(List.of(proxy(), list(".example.org\n"), users()), "squid:test"));
    Set<String> generationObjects =
        first.keySet().stream().filter(k -> k.contains(gen)).collect(Collectors.toSet());
    assertThat(generationObjects).hasSize(3);
    assertThat(second.keySet()).doesNotContainAnyElementsOf(generationObjects);
  }

  @Test
  void aListTooLargeForOneObjectIsNamedWithItsFieldAndNothingIsRendered() {
    // the user's key is one byte, the copy's "domains.txt" eleven: 1 MiB of data in the user's
    // ConfigMap is more than one object of a generation holds
    SquidProxy sp = proxy();
    sp.getSpec().getAccess().getAllowedDomainsFrom().setKey("a");
    sp.getSpec().setAuth(null);
    StringBuilder content = new StringBuilder();
    for (int i = 0; content.length() < (1 << 20) - 40; i++) {
      content.append(".d").append(i).append(".example.com\n");
    }
    while (content.length() < (1 << 20) - 1) {
      content.append('\n'); // empty lines: 1 MiB of data with the one-byte key
    }
    ConfigMap cm =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("domains")
            .withNamespace("ns")
            .endMetadata()
            .addToData("a", content.toString())
            .build();
    Renderer.Output out = Renderer.render(List.of(sp, cm), "squid:test");
    assertThat(out.objects()).isEmpty();
    assertThat(out.problems())
        .singleElement()
        .asString()
        .contains("spec.access.allowedDomainsFrom")
        .contains("ConfigMap domains key a is 1048586 bytes")
        .contains("1 MiB");
  }
}
