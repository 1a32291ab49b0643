package io.cephaloproxy.operator.referenced;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import org.junit.jupiter.api.Test;

class MetadataOnlyTest {
  /** What kube-apiserver 1.37 answers to a metadata-only list of an empty collection. */
  private static final String EMPTY_LIST =
      "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\","
          + "\"metadata\":{\"resourceVersion\":\"42\"},\"items\":null}";

  @Test
  void anEmptyMetadataListHasNoItemsRatherThanNull() {
    GenericKubernetesResourceList list =
        MetadataOnly.serialization().unmarshal(EMPTY_LIST, GenericKubernetesResourceList.class);
    assertThat(list.getItems()).isNotNull().isEmpty();
    assertThat(list.getMetadata().getResourceVersion()).isEqualTo("42");
  }

  @Test
  void itemsOfANonEmptyListAreRead() {
    String json =
        EMPTY_LIST.replace(
            "\"items\":null",
            "\"items\":[{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\","
                + "\"metadata\":{\"name\":\"s\",\"namespace\":\"n\",\"resourceVersion\":\"7\"}}]");
    GenericKubernetesResourceList list =
        MetadataOnly.serialization().unmarshal(json, GenericKubernetesResourceList.class);
    assertThat(list.getItems())
        .singleElement()
        .satisfies(o -> assertThat(o.getMetadata().getName()).isEqualTo("s"));
  }
}
