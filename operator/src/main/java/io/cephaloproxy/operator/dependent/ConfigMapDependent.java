package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ProxyObjects;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * {@code <name>-config}: squid.conf, runtime.properties and the ACL files. Server-side applied like
 * every other dependent: JOSDK leaves ConfigMaps out of server-side apply unless a dependent opts
 * in.
 */
@KubernetesDependent(
    useSSA = BooleanWithUndefined.TRUE,
    informer =
        @Informer(
            labelSelector = Labels.MANAGED_SELECTOR,
            itemStore = InformerStores.OwnApplyEntryOnly.class))
public class ConfigMapDependent extends ProxyDependent<ConfigMap> {
  public static final String NAME = "config";

  public ConfigMapDependent() {
    super(ConfigMap.class, ProxyObjects::configMap, SquidProxyResources::configMapName);
  }
}
