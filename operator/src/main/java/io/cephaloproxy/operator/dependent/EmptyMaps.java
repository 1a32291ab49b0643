package io.cephaloproxy.operator.dependent;

import io.fabric8.kubernetes.api.model.FieldsV1;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every Fabric8 model object (each container, probe, port, volume, condition, quantity...) carries
 * its own {@code additionalProperties} map for fields the model does not know, allocated empty when
 * the object is read. A cached Deployment of a proxy has about 60 of them: 8 of its 20 KB. The
 * informer stores set the empty ones to null. Serialization is unchanged (Jackson writes nothing
 * for a null or an empty map), so JOSDK's server-side-apply matcher, which compares the cached
 * object as a map, sees the same object. Nothing adds unknown fields to a cached object: it is only
 * read.
 */
final class EmptyMaps {
  private EmptyMaps() {}

  private static final String MAP_FIELD = "additionalProperties";

  /** The instance fields of a model class (and its superclasses) worth a look. */
  private static final ClassValue<List<Field>> FIELDS =
      new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
          List<Field> out = new ArrayList<>();
          for (Class<?> c = type; c != null && isModel(c); c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
              Class<?> t = f.getType();
              if (Modifier.isStatic(f.getModifiers())
                  || t.isPrimitive()
                  || t.isEnum()
                  || t == String.class
                  || Number.class.isAssignableFrom(t)
                  || t == Boolean.class) {
                continue;
              }
              f.setAccessible(true);
              out.add(f);
            }
          }
          return List.copyOf(out);
        }
      };

  static boolean isModel(Class<?> c) {
    String n = c.getName();
    return n.startsWith("io.fabric8.kubernetes.api.model.") || n.startsWith("io.cephaloproxy.api.");
  }

  /** Sets every empty {@code additionalProperties} in the object's tree to null. */
  static <T> T drop(T o) {
    visit(o);
    return o;
  }

  private static void visit(Object o) {
    if (o == null || o instanceof FieldsV1) {
      // a FieldsV1's content is its additionalProperties (plain maps), shared between objects
      return;
    }
    if (o instanceof List<?> l) {
      for (Object e : l) {
        visit(e);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Object v : m.values()) {
        visit(v);
      }
      return;
    }
    if (!isModel(o.getClass())) {
      return;
    }
    try {
      for (Field f : FIELDS.get(o.getClass())) {
        Object v = f.get(o);
        if (v instanceof Map<?, ?> m && m.isEmpty() && MAP_FIELD.equals(f.getName())) {
          f.set(o, null);
        } else {
          visit(v);
        }
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
