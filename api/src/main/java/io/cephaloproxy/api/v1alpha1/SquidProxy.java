package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A managed Squid forward proxy: the operator turns one {@code SquidProxy} into a ConfigMap with
 * the compiled squid.conf, a Deployment, a Service and (optionally) a PDB, a NetworkPolicy, an HPA
 * and a cache PVC.
 */
@Group(SquidProxy.GROUP)
@Version(SquidProxy.VERSION)
@Kind(SquidProxy.KIND)
@Plural(SquidProxy.PLURAL)
@Singular("squidproxy")
@ShortNames("squid")
// The committed CRD lists the columns in this order (CrdGeneration sorts them; the generator orders
// by JSON path).
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription =
        "Status of the Ready condition: True when every desired pod is ready and serves the current config")
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Reason of the Ready condition")
@AdditionalPrinterColumn(
    name = "Replicas",
    jsonPath = ".status.replicasSummary",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Ready/desired proxy pods")
@AdditionalPrinterColumn(
    name = "Mode",
    jsonPath = ".status.mode",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Effective access mode: Enforce, Audit, or Custom for squidConfFrom")
@AdditionalPrinterColumn(
    name = "Endpoint",
    jsonPath = ".status.endpoint",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Where clients reach the proxy (Service host:port)")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@Categories(SquidProxy.CATEGORY)
@ValidationRule(value = SquidProxy.NAME_RULE, message = SquidProxy.NAME_MESSAGE)
public class SquidProxy extends CustomResource<SquidProxySpec, SquidProxyStatus>
    implements Namespaced {
  public static final String GROUP = "cephaloproxy.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "SquidProxy";
  public static final String PLURAL = "squidproxies";

  /** The CRD's name, {@code squidproxies.cephaloproxy.io}. */
  public static final String CRD_NAME = PLURAL + "." + GROUP;

  /** {@code kubectl get cephaloproxy} lists every CephaloProxy resource. */
  public static final String CATEGORY = "cephaloproxy";

  /**
   * The proxy's name becomes the Service's name (a DNS-1035 label: at most 63 characters, lowercase
   * letters, digits and '-', starting with a letter). The other derived names ({@code
   * <name>-config} ConfigMap, {@code <name>-cache} PVC, Deployment, PDB, HPA, NetworkPolicy, the
   * {@code app.kubernetes.io/instance} label) only need a DNS-1123 subdomain or a 63-character
   * label value, which such a name always gives.
   */
  public static final String NAME_PATTERN = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$";

  static final String NAME_RULE = "self.metadata.name.matches('" + NAME_PATTERN + "')";
  static final String NAME_MESSAGE =
      "metadata.name must be usable as the proxy's Service name (a DNS-1035 label): "
          + "at most 63 characters, lowercase letters, digits and '-', starting with a letter and not ending with '-' "
          + "(no dots or uppercase), e.g. my-proxy";

  @Override
  @JsonPropertyDescription(
      "The desired proxy. Every field is optional; an empty spec gives a working, locked-down "
          + "proxy on port 3128.")
  public SquidProxySpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "What the operator observed (conditions Ready, Progressing, Degraded, ConfigValid; "
          + "replicas; endpoint; config hash). Written only by the operator.")
  public SquidProxyStatus getStatus() {
    return super.getStatus();
  }

  @Override
  protected SquidProxySpec initSpec() {
    return new SquidProxySpec();
  }

  @Override
  protected SquidProxyStatus initStatus() {
    return new SquidProxyStatus();
  }
}
