package io.cephaloproxy.operator.dependent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.FieldsV1;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A managedFields tree (FieldsV1) held as its JSON text and parsed each time it is read. As Jackson
 * reads it, the operator's Apply entry of a proxy's Deployment is 175 maps, one per field path:
 * about 20 KB of heap for 3.4 KB of JSON. The trees cannot be shared between objects: each names
 * its owner's uid ({@code f:ownerReferences} / {@code k:{"uid":"..."}}). Only JOSDK's
 * server-side-apply matcher reads them, once per dependent per reconcile, so the parse costs
 * little. Read-only: a cached object is never changed.
 */
final class CompactFieldsV1 extends FieldsV1 {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String json;

  private CompactFieldsV1(String json) {
    this.json = json;
    // FieldsV1 allocates an empty map for every instance
    super.setAdditionalProperties(null);
  }

  /** The same tree as {@code f}, as JSON text. */
  static CompactFieldsV1 of(FieldsV1 f) {
    try {
      return new CompactFieldsV1(JSON.writeValueAsString(f.getAdditionalProperties()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a managedFields tree as JSON", e);
    }
  }

  String json() {
    return json;
  }

  /** A new copy of the tree (maps in the order the API server wrote them). */
  @Override
  @SuppressWarnings("unchecked")
  public Map<String, Object> getAdditionalProperties() {
    try {
      return JSON.readValue(json, LinkedHashMap.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot read a managedFields tree back", e);
    }
  }

  @Override
  public void setAdditionalProperty(String name, Object value) {
    throw new UnsupportedOperationException("a cached managedFields tree is read-only");
  }

  @Override
  public void setAdditionalProperties(Map<String, Object> additionalProperties) {
    throw new UnsupportedOperationException("a cached managedFields tree is read-only");
  }
}
