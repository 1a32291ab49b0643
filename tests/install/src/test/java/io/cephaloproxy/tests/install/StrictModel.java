package io.cephaloproxy.tests.install;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Unknown fields in a manifest parsed into a typed Fabric8 object: Fabric8 keeps them in
 * additionalProperties, where the API server's strict field validation would reject them.
 */
final class StrictModel {
  private StrictModel() {}

  static List<String> unknownFields(Object model) {
    List<String> out = new ArrayList<>();
    walk("", model, out, 0);
    return out;
  }

  private static void walk(String path, Object o, List<String> out, int depth) {
    if (o == null || depth > 40) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object item : c) {
        walk(path + "[" + i++ + "]", item, out, depth + 1);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> walk(path + "." + k, v, out, depth + 1));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : o.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(o);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      String name = getter.getName().substring(3);
      if (name.equals("AdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          extra.keySet().forEach(k -> out.add(path + "." + k + ": unknown field"));
        }
      } else if (value != null
          && !(value instanceof String)
          && !(value instanceof Number)
          && !(value instanceof Boolean)) {
        walk(
            path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1),
            value,
            out,
            depth + 1);
      }
    }
  }
}
