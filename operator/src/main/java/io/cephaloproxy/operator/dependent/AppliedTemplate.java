package io.cephaloproxy.operator.dependent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The pod template a Deployment carries, cut down to the fields the operator applied (the field
 * tree of its Apply entry): the template it keeps while a new config is checked or was rejected.
 * The live template also holds what the API server defaulted (imagePullPolicy,
 * terminationMessagePath, dnsPolicy, ...). Applied back as they are, those made the operator's
 * apply differ from its previous one: one more Deployment write for every config change, and the
 * operator owning fields it never set.
 */
public final class AppliedTemplate {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AppliedTemplate() {}

  /**
   * The template of {@code live} as {@code manager} applied it; the whole live template when the
   * Deployment has no Apply entry of that manager with a template in it.
   */
  @SuppressWarnings("unchecked")
  public static PodTemplateSpec of(Deployment live, String manager) {
    PodTemplateSpec template = live.getSpec().getTemplate();
    Map<String, Object> fields = templateFields(live, manager);
    if (fields == null) {
      return template;
    }
    Map<String, Object> actual = Serialization.unmarshal(Serialization.asJson(template), Map.class);
    Object kept = prune(actual, fields);
    return Serialization.unmarshal(Serialization.asJson(kept), PodTemplateSpec.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> templateFields(Deployment live, String manager) {
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    if (entries == null) {
      return null;
    }
    for (ManagedFieldsEntry e : entries) {
      if (manager.equals(e.getManager())
          && "Apply".equals(e.getOperation())
          && e.getFieldsV1() != null) {
        Object spec = e.getFieldsV1().getAdditionalProperties().get("f:spec");
        Object template = spec instanceof Map<?, ?> s ? s.get("f:template") : null;
        return template instanceof Map<?, ?> t ? (Map<String, Object>) t : null;
      }
    }
    return null;
  }

  /**
   * {@code actual} with only what the field tree names: {@code f:NAME} a field, {@code k:{...}} the
   * list element with these key fields, {@code v:VALUE} a set's element; an empty tree keeps the
   * whole value (a leaf or an atomic map or list).
   */
  @SuppressWarnings("unchecked")
  static Object prune(Object actual, Map<String, Object> fields) {
    if (fields.isEmpty()) {
      return actual;
    }
    if (actual instanceof Map<?, ?> map) {
      Map<String, Object> kept = new LinkedHashMap<>();
      for (Map.Entry<String, Object> f : fields.entrySet()) {
        if (f.getKey().startsWith("f:") && map.containsKey(f.getKey().substring(2))) {
          String name = f.getKey().substring(2);
          kept.put(name, prune(map.get(name), (Map<String, Object>) f.getValue()));
        }
      }
      return kept;
    }
    if (actual instanceof List<?> list) {
      TreeMap<Integer, Object> kept = new TreeMap<>();
      for (Map.Entry<String, Object> f : fields.entrySet()) {
        String key = f.getKey();
        if (key.startsWith("k:")) {
          Map<String, Object> keys = parse(key.substring(2), Map.class);
          for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof Map<?, ?> element && hasKeys(element, keys)) {
              kept.put(i, prune(element, (Map<String, Object>) f.getValue()));
              break;
            }
          }
        } else if (key.startsWith("v:")) {
          Object value = parse(key.substring(2), Object.class);
          for (int i = 0; i < list.size(); i++) {
            if (Objects.equals(String.valueOf(list.get(i)), String.valueOf(value))) {
              kept.put(i, list.get(i));
              break;
            }
          }
        }
      }
      return new ArrayList<>(kept.values());
    }
    return actual;
  }

  private static boolean hasKeys(Map<?, ?> element, Map<String, Object> keys) {
    return keys.entrySet().stream()
        .allMatch(
            k ->
                Objects.equals(
                    String.valueOf(element.get(k.getKey())), String.valueOf(k.getValue())));
  }

  private static <T> T parse(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("not a managedFields key: " + json, e);
    }
  }
}
