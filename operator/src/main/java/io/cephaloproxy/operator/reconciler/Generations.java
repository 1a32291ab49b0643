package io.cephaloproxy.operator.reconciler;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxyResources;
import io.cephaloproxy.operator.dependent.ProxyDependent;
import io.cephaloproxy.operator.model.Generation;
import io.cephaloproxy.operator.model.Labels;
import io.cephaloproxy.operator.model.ModelFactory;
import io.cephaloproxy.operator.model.ProxyModel;
import io.cephaloproxy.operator.model.SecretAndConfigMapData;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a config generation's objects once ({@link Generation}) and deletes the generations no
 * pod needs any more. Existence is read from the metadata-only informers of the operator's own
 * generation objects, so a steady state makes no request at all.
 */
final class Generations {
  private static final Logger LOG = LoggerFactory.getLogger(Generations.class);

  private final Supplier<InformerEventSource<GenericKubernetesResource, SquidProxy>> configMaps;
  private final Supplier<InformerEventSource<GenericKubernetesResource, SquidProxy>> secrets;

  Generations(
      Supplier<InformerEventSource<GenericKubernetesResource, SquidProxy>> configMaps,
      Supplier<InformerEventSource<GenericKubernetesResource, SquidProxy>> secrets) {
    this.configMaps = configMaps;
    this.secrets = secrets;
  }

  /**
   * Creates what is missing of the model's generation: its ConfigMap (controlled by the
   * SquidProxy), then the copies (controlled by that ConfigMap). A Secret is copied from a GET made
   * now, and only when that is the version the config hash covers.
   *
   * @param secretVersions referenced Secret name → the version the config hash covers
   * @return false when a referenced Secret changed since it was hashed (nothing rolled out; the
   *     next reconcile hashes the new version)
   */
  boolean ensure(
      SquidProxy proxy, ProxyModel m, Map<String, String> secretVersions, KubernetesClient client) {
    String ns = m.namespace();
    String mainUid = uid(configMaps.get(), ns, m.generationName());
    if (mainUid == null) {
      ConfigMap main = Generation.configMap(m);
      main.getMetadata().setOwnerReferences(List.of(ProxyDependent.controllerReference(proxy)));
      mainUid = create(client, main).getMetadata().getUid();
      LOG.info("{}/{}: created config generation {}", ns, m.name(), m.generationName());
    }
    OwnerReference toMain =
        new OwnerReferenceBuilder()
            .withApiVersion("v1")
            .withKind("ConfigMap")
            .withName(m.generationName())
            .withUid(mainUid)
            .withController(true)
            .build();
    for (ConfigMap copy : Generation.configMapCopies(m)) {
      if (uid(configMaps.get(), ns, copy.getMetadata().getName()) == null) {
        copy.getMetadata().setOwnerReferences(List.of(toMain));
        create(client, copy);
      }
    }
    for (Generation.SecretCopy copy : Generation.secretCopies(m)) {
      if (uid(secrets.get(), ns, copy.name()) != null) {
        continue;
      }
      Secret source = client.secrets().inNamespace(ns).withName(copy.source()).get();
      if (source == null
          || !Objects.equals(ModelFactory.version(source), secretVersions.get(copy.source()))) {
        LOG.info(
            "{}/{}: Secret {} changed since it was read; generation {} waits for it",
            ns,
            m.name(),
            copy.source(),
            m.generationName());
        return false;
      }
      Secret secret = Generation.secret(m, copy, SecretAndConfigMapData.data(source));
      secret.getMetadata().setOwnerReferences(List.of(toMain));
      create(client, secret);
    }
    return true;
  }

  /**
   * Deletes the proxy's generations that neither the current spec, nor the Deployment's pod
   * template (the last promoted config), nor any of its pods uses. The copies go with their
   * generation's ConfigMap (Kubernetes' garbage collector), so the operator never deletes a Secret.
   */
  void collect(
      SquidProxy proxy,
      Optional<String> desiredHash,
      Optional<Deployment> deployment,
      List<Pod> pods,
      KubernetesClient client) {
    String ns = proxy.getMetadata().getNamespace();
    String name = proxy.getMetadata().getName();
    Set<String> keep = new HashSet<>();
    desiredHash.ifPresent(h -> keep.add(SquidProxyResources.generationHash(h)));
    deployment
        .map(d -> d.getSpec() == null ? null : d.getSpec().getTemplate())
        .map(t -> t.getMetadata() == null ? null : t.getMetadata().getAnnotations())
        .map(a -> a.get(Labels.CONFIG_HASH_ANNOTATION))
        .ifPresent(h -> keep.add(SquidProxyResources.generationHash(h)));
    for (Pod p : pods) {
      Map<String, String> a = p.getMetadata().getAnnotations();
      if (a != null && a.get(Labels.CONFIG_HASH_ANNOTATION) != null) {
        keep.add(SquidProxyResources.generationHash(a.get(Labels.CONFIG_HASH_ANNOTATION)));
      }
    }
    List<String> unused =
        configMaps
            .get()
            .list(
                ns,
                c -> {
                  Map<String, String> l = c.getMetadata().getLabels();
                  String gen = l == null ? null : l.get(Labels.GENERATION);
                  return gen != null
                      && name.equals(l.get(Labels.INSTANCE))
                      && c.getMetadata()
                          .getName()
                          .equals(SquidProxyResources.generationName(name, gen))
                      && !keep.contains(gen);
                })
            .map(c -> c.getMetadata().getName())
            .sorted()
            .toList();
    for (String gone : unused) {
      try {
        client.configMaps().inNamespace(ns).withName(gone).delete();
        LOG.info("{}/{}: deleted unused config generation {}", ns, name, gone);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
          throw e;
        }
      }
    }
  }

  private static String uid(
      InformerEventSource<GenericKubernetesResource, SquidProxy> informer, String ns, String name) {
    return informer.get(new ResourceID(name, ns)).map(o -> o.getMetadata().getUid()).orElse(null);
  }

  /**
   * Creates the object (a POST: the operator may create Secrets but never patch or delete one). One
   * that exists already (an informer behind the operator's own write) is read instead; being
   * immutable and named by the config hash, it holds the same data.
   */
  private static <T extends HasMetadata> HasMetadata create(KubernetesClient client, T object) {
    try {
      return client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      HasMetadata existing = client.resource(object).get();
      if (existing == null) {
        throw e;
      }
      return existing;
    }
  }
}
