package io.cephaloproxy.operator.referenced;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;

/**
 * Watches that carry only the metadata of Secrets and ConfigMaps. The API server returns {@code
 * PartialObjectMetadata} (no data) for list and watch requests whose Accept header asks for it
 * (Kubernetes' metadata-only fetches, what client-go's metadata informers use). Fabric8 7.5.2 has
 * no DSL for it, so the informers of referenced Secrets and ConfigMaps run on their own client
 * whose requests carry that header, as {@link GenericKubernetesResource}s (whatever the kind the
 * server answers with), and keep only name, namespace, uid and resourceVersion: what the operator
 * needs to learn that a referenced object appeared, changed or went away. Their data is read on
 * demand ({@link ReferenceFetcher}).
 */
public final class MetadataOnly {
  private MetadataOnly() {}

  /** Accept header of a metadata-only list (Kubernetes API concepts, "Metadata-only fetches"). */
  static final String LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

  /** Accept header of a metadata-only watch: each event carries one PartialObjectMetadata. */
  static final String WATCH = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

  static final Interceptor ACCEPT =
      new Interceptor() {
        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
          String path = request.uri().getPath();
          if (path.endsWith("/secrets") || path.endsWith("/configmaps")) {
            String query = request.uri().getRawQuery();
            builder.setHeader(
                "Accept", query != null && query.contains("watch=true") ? WATCH : LIST);
          }
        }
      };

  /**
   * A client for metadata-only informers: the operator's settings, every collection request of
   * Secrets and ConfigMaps asks for metadata only. Never use it to read an object's data.
   */
  public static KubernetesClient client(Config config) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("metadata-only", ACCEPT))
        .withKubernetesSerialization(serialization())
        .build();
  }

  /**
   * The API server writes an empty PartialObjectMetadataList as {@code "items": null} (a nil Go
   * slice), where ordinary lists say {@code []}; Fabric8's informer then fails at start with a
   * NullPointerException on the list's items. This client's JSON reading turns a null list into an
   * empty one.
   */
  static KubernetesSerialization serialization() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.configOverride(List.class).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY));
    return new KubernetesSerialization(mapper, true);
  }

  /**
   * What the informer keeps: name, namespace, uid and resourceVersion. Annotations go too: a Secret
   * applied with client-side {@code kubectl apply} carries its whole content in
   * last-applied-configuration; and so does anything else a server that ignored the Accept header
   * (the test mock) sent.
   */
  public static TransformingItemStore<GenericKubernetesResource> store(String kind) {
    return new TransformingItemStore<>(o -> strip(kind, o));
  }

  /**
   * {@link #store} plus the labels and the operator's own annotations ({@code cephaloproxy.io/}):
   * for the operator's config generations (the proxy, the generation and the check verdict are
   * labels, the check's message an annotation).
   */
  public static TransformingItemStore<GenericKubernetesResource> storeWithLabels(String kind) {
    return new TransformingItemStore<>(
        o -> {
          GenericKubernetesResource r = strip(kind, o);
          r.getMetadata().setLabels(o.getMetadata().getLabels());
          java.util.Map<String, String> a = o.getMetadata().getAnnotations();
          if (a != null) {
            java.util.Map<String, String> own = new java.util.TreeMap<>();
            a.forEach(
                (k, v) -> {
                  if (k.startsWith("cephaloproxy.io/")) {
                    own.put(k, v);
                  }
                });
            r.getMetadata().setAnnotations(own.isEmpty() ? null : own);
          }
          return r;
        });
  }

  static GenericKubernetesResource strip(String kind, GenericKubernetesResource o) {
    ObjectMeta m = o.getMetadata();
    ObjectMeta kept = new ObjectMeta();
    kept.setName(m.getName());
    kept.setNamespace(m.getNamespace());
    kept.setUid(m.getUid());
    kept.setResourceVersion(m.getResourceVersion());
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion("v1");
    r.setKind(kind);
    r.setMetadata(kept);
    return r;
  }
}
