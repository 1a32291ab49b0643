package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.compiler.SpecReferences;
import io.cephaloproxy.compiler.ValidationError;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * Which Secrets a SquidProxy may use (those its owner labelled {@link Labels#USABLE_BY_PROXIES},
 * issue 12 §5) and the one refusal for the others, shared by the reconciler and {@code render}.
 */
public final class UsableSecrets {
  private UsableSecrets() {}

  /**
   * Whether proxies may use this Secret: what {@link Labels#USABLE_SECRETS_SELECTOR}, the
   * referenced-Secrets informer's selector, selects.
   */
  public static boolean usable(HasMetadata secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    return labels != null
        && "true".equals(labels.get(Labels.USABLE_BY_PROXIES))
        && !Labels.MANAGER.equals(labels.get(Labels.MANAGED_BY));
  }

  /**
   * The refusal for a Secret that exists without that label: the first spec field that names it,
   * and the kubectl command that labels it.
   */
  public static ValidationError unlabelled(SquidProxySpec spec, String namespace, String name) {
    return new ValidationError(
        field(spec, new WatchedObject(WatchedObject.SECRET, name)),
        "Secret '"
            + name
            + "' is not labelled "
            + Labels.USABLE_BY_PROXIES
            + "=true, which its owner sets to let SquidProxies use it: kubectl -n "
            + namespace
            + " label secret "
            + name
            + " "
            + Labels.USABLE_BY_PROXIES
            + "=true",
        ConditionReason.MissingReference);
  }

  /** The first spec field that refers to this object, or "spec". */
  public static String field(SquidProxySpec spec, WatchedObject r) {
    return SpecReferences.of(spec).stream()
        .filter(k -> k.kind().name().equalsIgnoreCase(r.kind()) && r.name().equals(k.name()))
        .map(SpecReferences.KeyReference::field)
        .findFirst()
        .orElse("spec");
  }
}
