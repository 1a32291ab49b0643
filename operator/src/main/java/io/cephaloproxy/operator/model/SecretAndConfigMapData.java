package io.cephaloproxy.operator.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the data of a fetched Secret or ConfigMap in the form {@link ModelFactory} takes it. The
 * names around references: {@code SpecReferences} lists what a spec refers to, {@link
 * io.cephaloproxy.operator.referenced.ReferenceFetcher} reads those objects, this class turns each
 * into a key-to-value map, and the compiler receives them all as {@code ReferencedData}.
 */
public final class SecretAndConfigMapData {
  private SecretAndConfigMapData() {}

  /**
   * Secret: data (base64, as stored), plus stringData encoded the same way (the API server turns
   * stringData into data; files given to render and the mock server keep it). ConfigMap: data, and
   * binaryData decoded (as mounted). Anything else: null.
   */
  public static Map<String, String> data(HasMetadata o) {
    Map<String, String> data = new TreeMap<>();
    if (o instanceof Secret s) {
      if (s.getStringData() != null) {
        s.getStringData()
            .forEach(
                (k, v) ->
                    data.put(
                        k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
      }
      if (s.getData() != null) {
        data.putAll(s.getData());
      }
      return data;
    }
    if (o instanceof ConfigMap c) {
      if (c.getData() != null) {
        data.putAll(c.getData());
      }
      if (c.getBinaryData() != null) {
        // mounted decoded, so validated decoded: the bytes Squid reads. Bytes that are not UTF-8
        // become U+FFFD, which
        // no entry may contain and which counts at least as many bytes as it replaces in the
        // line-length limits.
        c.getBinaryData()
            .forEach((k, v) -> data.put(k, new String(decode(v), StandardCharsets.UTF_8)));
      }
      return data;
    }
    return null;
  }

  /**
   * What the operator keeps of a Secret's value: a one-byte stand-in (base64 of a zero byte). The
   * compiler needs of a Secret only which keys are present and not empty (the pod mounts the Secret
   * itself; the config hash covers its uid and resourceVersion, never its content), so the values
   * are dropped as soon as they are read.
   */
  public static final String WITHHELD = "AA==";

  /**
   * A Secret as the operator keeps it: every key of data and stringData, its value replaced by
   * {@link #WITHHELD} when not empty and by "" when empty. No byte of the values is kept.
   */
  public static Map<String, String> secretKeys(Secret s) {
    Map<String, String> keys = new TreeMap<>();
    if (s.getStringData() != null) {
      s.getStringData().forEach((k, v) -> keys.put(k, v == null || v.isEmpty() ? "" : WITHHELD));
    }
    if (s.getData() != null) {
      s.getData().forEach((k, v) -> keys.put(k, v == null || v.isEmpty() ? "" : WITHHELD));
    }
    return keys;
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return "\uFFFD".getBytes(StandardCharsets.UTF_8); // the API server only stores valid base64
    }
  }
}
