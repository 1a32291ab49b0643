package io.cephaloproxy.tests.apiserver;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The RBAC the Helm chart (helm/cephaloproxy-operator) ships, rendered with helm-java and applied
 * to the test API server: the ServiceAccount, the ClusterRole or per-namespace Roles, and their
 * bindings. The operator then runs with a token of that ServiceAccount, never as admin.
 */
public final class ChartRbac {
  public static final String RELEASE = "cephaloproxy";
  private static final Set<String> KINDS =
      Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");

  private ChartRbac() {}

  /** What was installed, and a kubeconfig authenticating as the chart's ServiceAccount. */
  public record Installed(
      String namespace, String serviceAccount, List<HasMetadata> objects, Path kubeconfig) {
    public String username() {
      return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }
  }

  /**
   * Renders the chart into {@code releaseNamespace} with these values and applies its RBAC objects.
   *
   * @param watchNamespaces empty: the ClusterRole (all namespaces); else one Role per namespace
   */
  public static Installed install(
      ControlPlane cp,
      String releaseNamespace,
      List<String> watchNamespaces,
      boolean leaderElection) {
    return install(cp, RELEASE, releaseNamespace, watchNamespaces, leaderElection);
  }

  /** The same for a release of another name (several operator installations side by side). */
  public static Installed install(
      ControlPlane cp,
      String release,
      String releaseNamespace,
      List<String> watchNamespaces,
      boolean leaderElection) {
    // -Dchart.dir: try a changed copy of the chart without touching the repository's
    Path chart =
        Path.of(
            System.getProperty(
                "chart.dir", cp.repoRoot().resolve("helm/cephaloproxy-operator").toString()));
    if (!Files.isDirectory(chart)) {
      throw new IllegalStateException("missing Helm chart " + chart);
    }
    TemplateCommand template =
        new Helm(chart)
            .template()
            .withName(release)
            .withNamespace(releaseNamespace)
            .withKubeVersion(cp.version().replaceFirst("^v", ""))
            .set("leaderElection.enabled", leaderElection);
    if (!watchNamespaces.isEmpty()) {
      template = template.set("watchNamespaces", "{" + String.join(",", watchNamespaces) + "}");
    }
    String rendered = template.call();
    KubernetesClient admin = cp.admin();
    cp.namespace(releaseNamespace);
    watchNamespaces.forEach(cp::namespace);
    List<HasMetadata> rbac =
        admin
            .load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)))
            .items()
            .stream()
            .filter(o -> KINDS.contains(o.getKind()))
            .toList();
    String sa =
        rbac.stream()
            .filter(ServiceAccount.class::isInstance)
            .map(o -> o.getMetadata().getName())
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the chart rendered no ServiceAccount"));
    for (HasMetadata o : rbac) {
      if (o.getMetadata().getNamespace() == null && !o.getKind().startsWith("Cluster")) {
        o.getMetadata().setNamespace(releaseNamespace);
      }
      admin.resource(o).fieldManager("helm").forceConflicts().serverSideApply();
    }
    return new Installed(
        releaseNamespace, sa, rbac, cp.kubeconfigForServiceAccount(releaseNamespace, sa));
  }

  /** Removes what {@link #install} applied. */
  public static void uninstall(ControlPlane cp, Installed installed) {
    for (HasMetadata o : installed.objects()) {
      cp.admin().resource(o).delete();
    }
  }
}
