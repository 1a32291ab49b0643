package io.cephaloproxy.compiler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The rollout hash (the pod template's {@code cephaloproxy.io/config-hash}): sha256 of every
 * generated file and of the data of every referenced key ({@link SpecReferences}) that is known, so
 * a change to either rolls the pods.
 */
final class ConfigHash {
  private ConfigHash() {}

  /**
   * @param files file name → content (squid.conf, runtime.properties, ACL files)
   */
  static String of(
      SortedMap<String, String> files,
      List<SpecReferences.KeyReference> references,
      ReferencedData data) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> e : files.entrySet()) {
        update(md, "file", e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8));
      }
      for (Map.Entry<String, byte[]> e : referencedData(references, data).entrySet()) {
        update(md, "ref", e.getKey(), e.getValue());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest md, String type, String name, byte[] value) {
    md.update((type + "\0" + name + "\0").getBytes(StandardCharsets.UTF_8));
    md.update(value);
    md.update((byte) 0);
  }

  /** "kind/name/key" → the value, for each referenced key whose object and key are known. */
  static SortedMap<String, byte[]> referencedData(
      List<SpecReferences.KeyReference> references, ReferencedData data) {
    SortedMap<String, byte[]> out = new TreeMap<>();
    for (SpecReferences.KeyReference r : references) {
      for (String key : r.keys()) {
        String id = r.kind().name() + "/" + r.name() + "/" + key;
        if (r.kind() == SpecReferences.Kind.Secret) {
          // with the Secret's version known (the operator), the hash covers it instead of the
          // content: the hash is
          // readable by more people than the Secret, and a hash of the content would let them test
          // guesses
          data.secret(r.name())
              .map(m -> m.get(key))
              .ifPresent(
                  v ->
                      out.put(
                          id,
                          data.secretVersion(r.name())
                              .map(ver -> ("version\0" + ver).getBytes(StandardCharsets.UTF_8))
                              .orElse(v)));
        } else {
          data.configMap(r.name())
              .map(m -> m.get(key))
              .ifPresent(v -> out.put(id, v.getBytes(StandardCharsets.UTF_8)));
        }
      }
    }
    return out;
  }
}
