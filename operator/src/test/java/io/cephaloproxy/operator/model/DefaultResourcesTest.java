package io.cephaloproxy.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.render.Renderer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proxy pods are never BestEffort: requests by default, sized by the cache and workers
 * (docs/api.md#resources-and-sizing).
 */
class DefaultResourcesTest {
  static Container run(String specYaml) {
    SquidProxy sp =
        Serialization.unmarshal(
            "apiVersion: cephaloproxy.io/v1alpha1\nkind: SquidProxy\nmetadata: {name: p, "
                + "namespace: ns}\nspec: "
                + specYaml
                + "\n",
            SquidProxy.class);
    List<HasMetadata> objects = Renderer.render(List.of(sp), "squid:test").objects();
    Deployment d =
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    Container run = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(d.getSpec().getTemplate().getSpec().getInitContainers().get(0).getResources())
        .isEqualTo(run.getResources());
    return run;
  }

  @ParameterizedTest(name = "{0} requests {1} / {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{}|100m|128Mi",
        "{cache: {type: Memory, memory: {size: 256Mi}}}|100m|384Mi",
        "{workers: 4}|100m|224Mi",
        "{cache: {type: Disk, disk: {size: 1Gi}}}|100m|160Mi",
      })
  void defaultsFollowTheCacheAndWorkers(String spec, String cpu, String memory) {
    Container c = run(spec);
    assertThat(c.getResources().getRequests())
        .isEqualTo(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory)));
    assertThat(c.getResources().getLimits()).as("no limits are added").isNullOrEmpty();
  }

  @Test
  void whatTheSpecSetsIsKept() {
    Container c = run("{resources: {requests: {cpu: 2}, limits: {memory: 1Gi}}}");
    assertThat(c.getResources().getRequests())
        .as("cpu as written; memory left to the limit (Kubernetes requests it)")
        .isEqualTo(Map.of("cpu", new Quantity("2")));
    assertThat(c.getResources().getLimits()).isEqualTo(Map.of("memory", new Quantity("1Gi")));
  }
}
