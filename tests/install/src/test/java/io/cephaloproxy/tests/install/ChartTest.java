package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Helm chart, linted and rendered with the embedded Helm of helm-java, asserted with Fabric8. */
class ChartTest {
  static final String APP_VERSION =
      (String) Yaml.single(Repo.CHART.resolve("Chart.yaml")).get("appVersion");

  @Test
  void lintIsCleanInStrictMode() {
    LintResult result = new Helm(Repo.CHART).lint().strict().call();
    assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  /** Typos in templates (a misspelt field is silently dropped by the API server, or rejected by strict validation). */
  @Test
  void everyRenderedObjectHasOnlyKnownFields() {
    List<Map<String, Object>> variants = List.of(Map.of(),
        Chart.values("replicas", 3, "watchNamespaces", List.of("team-a"), "metrics.serviceMonitor.enabled", true,
            "metrics.podMonitor.enabled", true, "imagePullSecrets", List.of(Map.of("name", "pull")),
            "nodeSelector", Map.of("kubernetes.io/os", "linux"), "priorityClassName", "system-cluster-critical",
            "tolerations", List.of(Map.of("key", "ops", "operator", "Exists", "effect", "NoSchedule")),
            "podAnnotations", Map.of("a", "b"), "serviceAccount.annotations", Map.of("c", "d")));
    for (Map<String, Object> values : variants) {
      List<HasMetadata> objects = Chart.render(values);
      for (HasMetadata o : objects) {
        if (!(o instanceof GenericKubernetesResource)) {
          assertThat(StrictModel.unknownFields(o)).as("%s %s with %s", o.getKind(), o.getMetadata().getName(), values)
              .isEmpty();
        }
        assertThat(o.getMetadata().getLabels()).as("%s labels", o.getKind())
            .containsEntry("app.kubernetes.io/name", "cephaloproxy-operator")
            .containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
      }
    }
  }

  @Test
  void chartCrdIsTheGeneratedCrd() {
    assertThat(Repo.CRD).as("the API module generates %s", Repo.CRD).exists();
    Repo.assertGenerated(Repo.CHART_CRD, Repo.read(Repo.CRD));
  }

  @Test
  void defaultsInstallClusterWideWithRestrictedSecurity() {
    List<HasMetadata> objects = Chart.render();
    assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
        "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment");
    Deployment d = deployment(objects);
    assertThat(d.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getStrategy().getType())
        .as("a single operator without leader election is never run twice during an upgrade")
        .isEqualTo("Recreate");
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(PodSecurity.restrictedViolations(pod)).isEmpty();
    assertThat(PodSecurity.openShiftViolations(pod)).isEmpty();
    Container c = operator(d);
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getImage()).isEqualTo("ghcr.io/cephaloproxy/operator:" + APP_VERSION);
    assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(c.getArgs()).containsExactly("run");
    assertThat(env(c)).containsEntry("WATCH_NAMESPACES", "")
        .containsEntry("LEADER_ELECTION", "false")
        .containsEntry("LEADER_ELECTION_NAMESPACE", Chart.NAMESPACE)
        .containsEntry("SQUID_IMAGE", "ghcr.io/cephaloproxy/squid:" + APP_VERSION)
        .containsEntry("HTTP_PORT", "8080")
        .containsEntry("LOG_FORMAT", "plain")
        .containsEntry("LOG_LEVEL", "INFO");
    assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("POD_NAME")).singleElement()
        .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name"));
    assertThat(c.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
    });
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKey("memory");
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/tmp");
    assertThat(pod.getAffinity()).as("no anti-affinity for a single replica").isNull();

    ServiceAccount sa = Chart.ofKind(objects, ServiceAccount.class).get(0);
    assertThat(pod.getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
    ClusterRole role = Chart.ofKind(objects, ClusterRole.class).get(0);
    assertThat(role.getRules()).isEqualTo(Rbac.rules("operator"));
    ClusterRoleBinding binding = Chart.ofKind(objects, ClusterRoleBinding.class).get(0);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> isServiceAccount(s, sa));
  }

  @Test
  void watchNamespacesGiveOneRolePerNamespaceAndNothingClusterWide() {
    List<HasMetadata> objects = Chart.render(Chart.values("watchNamespaces", List.of("team-a", "team-b")));
    assertThat(Chart.ofKind(objects, ClusterRole.class)).isEmpty();
    assertThat(Chart.ofKind(objects, ClusterRoleBinding.class)).isEmpty();
    List<Role> roles = Chart.ofKind(objects, Role.class);
    assertThat(roles).extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(roles).allSatisfy(r -> assertThat(r.getRules()).isEqualTo(Rbac.rules("operator")));
    ServiceAccount sa = Chart.ofKind(objects, ServiceAccount.class).get(0);
    List<RoleBinding> bindings = Chart.ofKind(objects, RoleBinding.class);
    assertThat(bindings).hasSize(2).allSatisfy(b -> {
      assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(b.getSubjects()).singleElement().satisfies(s -> isServiceAccount(s, sa));
    });
    assertThat(env(operator(deployment(objects)))).containsEntry("WATCH_NAMESPACES", "team-a,team-b")
        .containsEntry("LEADER_ELECTION", "false");
  }

  @Test
  void watchNamespacesAlsoTakeACommaSeparatedString() {
    List<HasMetadata> list = Chart.render(Chart.values("watchNamespaces", List.of("team-a", "team-b")));
    // helm-java's set() passes --set's {a,b} list syntax as a string
    String viaSet = new Helm(Repo.CHART).template().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
        .set("watchNamespaces", "{team-a,team-b}").call();
    for (List<HasMetadata> objects : List.of(Yaml.objects(viaSet),
        Chart.render(Chart.values("watchNamespaces", "team-a, team-b,team-a")))) {
      assertThat(Chart.ofKind(objects, Role.class)).extracting(r -> r.getMetadata().getNamespace())
          .containsExactlyInAnyOrder("team-a", "team-b");
      assertThat(Chart.ofKind(objects, ClusterRole.class)).isEmpty();
      assertThat(env(operator(deployment(objects)))).containsEntry("WATCH_NAMESPACES", "team-a,team-b");
      assertThat(objects).hasSameSizeAs(list);
    }
  }

  @Test
  void replicasAboveOneTurnLeaderElectionOnWithItsRole() {
    List<HasMetadata> objects = Chart.render(Chart.values("replicas", 3));
    Deployment d = deployment(objects);
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    assertThat(env(operator(d))).containsEntry("LEADER_ELECTION", "true")
        .containsEntry("LEADER_ELECTION_NAMESPACE", Chart.NAMESPACE);
    List<Role> roles = Chart.ofKind(objects, Role.class);
    assertThat(roles).singleElement().satisfies(r -> {
      assertThat(r.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
      assertThat(r.getRules()).isEqualTo(Rbac.rules("leaderElection"));
      assertThat(r.getRules()).flatExtracting(PolicyRule::getResources).containsExactly("leases");
    });
    assertThat(Chart.ofKind(objects, ClusterRole.class)).hasSize(1);
    var pdbs = Chart.ofKind(objects, io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class);
    assertThat(pdbs).singleElement().satisfies(pdb -> {
      assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
      assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
          .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    });
    var antiAffinity = d.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
        .getPreferredDuringSchedulingIgnoredDuringExecution();
    assertThat(antiAffinity).singleElement().satisfies(t -> {
      assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
          .containsAllEntriesOf(t.getPodAffinityTerm().getLabelSelector().getMatchLabels());
    });

    List<HasMetadata> elsewhere = Chart.render(Chart.values(
        "leaderElection.enabled", true, "leaderElection.namespace", "ops-leases"));
    assertThat(env(operator(deployment(elsewhere)))).containsEntry("LEADER_ELECTION", "true")
        .containsEntry("LEADER_ELECTION_NAMESPACE", "ops-leases");
    assertThat(Chart.ofKind(elsewhere, Role.class)).extracting(r -> r.getMetadata().getNamespace())
        .containsExactly("ops-leases");
  }

  @Test
  void twoReplicasWithoutLeaderElectionAreRefused() {
    assertThatThrownBy(() -> Chart.template(Chart.values("replicas", 2, "leaderElection.enabled", false)))
        .hasMessageContaining("replicas > 1 needs leader election");
  }

  @Test
  void imagesArgsAndEnvFollowTheValues() {
    String digest = "sha256:" + "ab".repeat(32);
    List<HasMetadata> objects = Chart.render(Chart.values(
        "image.repository", "localhost/cephaloproxy/operator", "image.tag", "dev",
        "image.pullPolicy", "Never", "squidImage.digest", digest, "logFormat", "json",
        "httpPort", 9090, "extraArgs", List.of("--verbose"),
        "extraEnv", List.of(Map.of("name", "JAVA_TOOL_OPTIONS", "value", "-Xmx200m"))));
    Container c = operator(deployment(objects));
    assertThat(c.getImage()).isEqualTo("localhost/cephaloproxy/operator:dev");
    assertThat(c.getImagePullPolicy()).isEqualTo("Never");
    assertThat(c.getArgs()).containsExactly("run", "--verbose");
    assertThat(env(c)).containsEntry("SQUID_IMAGE", "ghcr.io/cephaloproxy/squid@" + digest)
        .containsEntry("LOG_FORMAT", "json").containsEntry("HTTP_PORT", "9090")
        .containsEntry("JAVA_TOOL_OPTIONS", "-Xmx200m");
    assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(9090);
  }

  @Test
  void existingServiceAccountAndNoRbac() {
    List<HasMetadata> objects = Chart.render(Chart.values(
        "serviceAccount.create", false, "serviceAccount.name", "platform-operator", "rbac.create", false));
    assertThat(objects).extracting(HasMetadata::getKind).containsExactly("Deployment");
    assertThat(deployment(objects).getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("platform-operator");
  }

  @Test
  void monitorsScrapeTheOperatorAndEverySquidPod() {
    List<HasMetadata> objects = Chart.render(Chart.values(
        "metrics.serviceMonitor.enabled", true, "metrics.podMonitor.enabled", true,
        "metrics.serviceMonitor.labels.release", "prom"));
    Service svc = Chart.ofKind(objects, Service.class).get(0);
    assertThat(svc.getSpec().getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
    Deployment d = deployment(objects);
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(svc.getSpec().getSelector());

    GenericKubernetesResource sm = generic(objects, "ServiceMonitor");
    assertThat(sm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(sm.getMetadata().getLabels()).containsEntry("release", "prom");
    assertThat(svc.getMetadata().getLabels()).containsAllEntriesOf(
        Yaml.at(sm.getAdditionalProperties(), "spec", "selector", "matchLabels"));
    List<Map<String, Object>> endpoints = Yaml.at(sm.getAdditionalProperties(), "spec", "endpoints");
    assertThat(endpoints).singleElement().satisfies(e -> assertThat(e)
        .containsEntry("port", "http").containsEntry("path", "/metrics"));

    GenericKubernetesResource pm = generic(objects, "PodMonitor");
    Map<String, Object> spec = Yaml.at(pm.getAdditionalProperties(), "spec");
    assertThat(Yaml.<Map<String, Object>>at(spec, "selector", "matchLabels"))
        .isEqualTo(Map.of("app.kubernetes.io/managed-by", "cephaloproxy-operator"));
    assertThat(Yaml.<Map<String, Object>>at(spec, "namespaceSelector")).isEqualTo(Map.of("any", true));
    List<Map<String, Object>> podEndpoints = Yaml.at(spec, "podMetricsEndpoints");
    assertThat(podEndpoints).singleElement().satisfies(e -> assertThat(e)
        .containsEntry("port", "health").containsEntry("path", "/metrics"));

    List<HasMetadata> scoped = Chart.render(Chart.values(
        "metrics.podMonitor.enabled", true, "watchNamespaces", List.of("team-a")));
    assertThat(Yaml.<Map<String, Object>>at(generic(scoped, "PodMonitor").getAdditionalProperties(),
        "spec", "namespaceSelector")).isEqualTo(Map.of("matchNames", List.of("team-a")));
    assertThat(Chart.ofKind(scoped, "ServiceMonitor")).isEmpty();
  }

  @Test
  void notesTellWhatToApplyNextWithAManifestTheCrdAccepts(@TempDir Path dir) throws Exception {
    Path values = dir.resolve("values.yaml");
    Files.writeString(values, "watchNamespaces: [team-a, team-b]\nreplicas: 2\n");
    String out = new Helm(Repo.CHART).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
        .withKubeVersion(Chart.KUBE_VERSION).clientOnly().dryRun().withValuesFile(values)
        .call().getOutput();
    assertThat(out).contains("It reconciles SquidProxy resources in: team-a, team-b.")
        .contains("Leader election is on (2 replicas, Lease cephaloproxy-operator-leader in " + Chart.NAMESPACE + ")")
        .contains("kubectl -n " + Chart.NAMESPACE + " rollout status deployment/cp-cephaloproxy-operator")
        .contains("curl -sS -x http://egress.team-a.svc:3128");
    Matcher m = Pattern.compile("(?s)cat <<YAML \\| kubectl apply -n team-a -f -\n(.*?)\n\\s*YAML\n").matcher(out);
    assertThat(m.find()).as("NOTES contain a manifest to apply:\n%s", out).isTrue();
    Map<String, Object> manifest = Yaml.documents(m.group(1).replaceAll("(?m)^   ", "")).get(0);
    assertThat(CrdSchema.load().validate(manifest)).isEmpty();
  }

  @ParameterizedTest(name = "{0}={1} is rejected")
  @CsvSource(delimiter = '|', value = {
      "replicas|0|at '/replicas': minimum: got 0, want 1",
      "replicas|many|at '/replicas': got string, want integer",
      "logFormat|xml|at '/logFormat': value must be one of 'plain', 'json'",
      "image.pullPolicy|Sometimes|at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'",
      "watchNamespaces|Team_A|at '/watchNamespaces/0': 'Team_A' does not match pattern",
      "replica|2|additional properties 'replica' not allowed",
      "podSecurityContext.runAsNonRoot|false|at '/podSecurityContext/runAsNonRoot': value must be true",
      "squidImage.digest|sha256:short|at '/squidImage/digest': 'sha256:short' does not match pattern",
      "httpPort|80|at '/httpPort': minimum: got 80, want 1,024",
  })
  void schemaRejectsBadValuesNamingTheKey(String key, String value, String message) {
    Object typed = value.matches("-?\\d+") ? Integer.valueOf(value)
        : value.equals("false") ? Boolean.FALSE
        : key.equals("watchNamespaces") ? List.of(value) : value;
    assertThatThrownBy(() -> Chart.template(Chart.values(key, typed)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(message);
  }

  static Deployment deployment(List<HasMetadata> objects) {
    List<Deployment> ds = Chart.ofKind(objects, Deployment.class);
    assertThat(ds).hasSize(1);
    return ds.get(0);
  }

  static Container operator(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("operator")).findFirst().orElseThrow();
  }

  static Map<String, String> env(Container c) {
    return c.getEnv().stream().filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  static GenericKubernetesResource generic(List<HasMetadata> objects, String kind) {
    List<HasMetadata> found = Chart.ofKind(objects, kind);
    assertThat(found).as(kind).hasSize(1);
    return (GenericKubernetesResource) found.get(0);
  }

  static void isServiceAccount(Subject s, ServiceAccount sa) {
    assertThat(s.getKind()).isEqualTo("ServiceAccount");
    assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
    assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
  }
}
