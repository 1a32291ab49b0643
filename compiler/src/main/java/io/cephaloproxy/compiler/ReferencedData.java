package io.cephaloproxy.compiler;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Contents of the Secrets and ConfigMaps a spec refers to, as the operator read them from the
 * namespace.
 *
 * <p>{@link #offline()} (the {@code render} command) knows none of them: references are not checked
 * and not hashed. A {@link #builder()} instance is <em>complete</em>: a referenced object missing
 * from it is an error (the operator reports it as {@code ConfigValid=False, reason
 * MissingReference}).
 */
public final class ReferencedData {
  private final boolean complete;
  private final Map<String, Map<String, String>> configMaps;
  private final Map<String, Map<String, byte[]>> secrets;
  private final Map<String, String> secretVersions;
  private final List<String> clusterNetworks;
  private final List<String> noProxy;

  private ReferencedData(
      boolean complete,
      Map<String, Map<String, String>> configMaps,
      Map<String, Map<String, byte[]>> secrets,
      Map<String, String> secretVersions,
      List<String> clusterNetworks,
      List<String> noProxy) {
    this.complete = complete;
    this.configMaps = configMaps;
    this.secrets = secrets;
    this.secretVersions = secretVersions;
    this.clusterNetworks = clusterNetworks;
    this.noProxy = noProxy;
  }

  /** Nothing known; references are neither validated nor hashed. */
  public static ReferencedData offline() {
    return new ReferencedData(false, Map.of(), Map.of(), Map.of(), List.of(), List.of());
  }

  /**
   * A copy that knows the cluster's Service and Pod networks (CIDRs as the API server reports them;
   * invalid entries are ignored), which proxies deny unless {@code access.clusterNetworks: Allow}.
   */
  public ReferencedData withClusterNetworks(List<String> cidrs) {
    return new ReferencedData(
        complete,
        configMaps,
        secrets,
        secretVersions,
        cidrs.stream().filter(c -> Cidrs.problem(c) == null).map(Cidrs::normalize).toList(),
        noProxy);
  }

  /**
   * A copy that knows the operator's NO_PROXY entries (its environment's NO_PROXY split at commas,
   * as given): destinations that a proxy with {@code upstream.fromClusterProxy: true} reaches
   * directly instead of through the cluster proxy. The validator checks each entry ({@link
   * NoProxy#problem}); the entries reach squid.conf only through ACL files.
   */
  public ReferencedData withNoProxy(List<String> entries) {
    return new ReferencedData(
        complete, configMaps, secrets, secretVersions, clusterNetworks, List.copyOf(entries));
  }

  /** The operator's NO_PROXY entries, as given (empty offline and when it has none). */
  public List<String> noProxy() {
    return noProxy;
  }

  /** The cluster's Service and Pod networks, as far as known (empty offline). */
  public List<String> clusterNetworks() {
    return clusterNetworks;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** True when every referenced object is expected to be present. */
  public boolean complete() {
    return complete;
  }

  /** The data of a ConfigMap, if known. */
  public Optional<Map<String, String>> configMap(String name) {
    return Optional.ofNullable(configMaps.get(name));
  }

  /** The data of a Secret (decoded bytes), if known. */
  public Optional<Map<String, byte[]>> secret(String name) {
    return Optional.ofNullable(secrets.get(name));
  }

  /**
   * What identifies this version of a Secret without revealing its content (the operator gives its
   * uid and resourceVersion), if known. The config hash then covers the version, not the content:
   * the hash is readable by anyone who can read the SquidProxy or its pods, and a hash of the
   * content would let them test guesses of it.
   */
  public Optional<String> secretVersion(String name) {
    return Optional.ofNullable(secretVersions.get(name));
  }

  /** Builder of a complete set. */
  public static final class Builder {
    private final Map<String, Map<String, String>> configMaps = new TreeMap<>();
    private final Map<String, Map<String, byte[]>> secrets = new TreeMap<>();
    private final Map<String, String> secretVersions = new TreeMap<>();
    private boolean complete = true;

    private Builder() {}

    /**
     * Whether the set is complete (default true: a referenced object missing from it is an error).
     * False gives a partial set, e.g. ConfigMaps found next to a SquidProxy in a file: known
     * objects are checked and hashed, unknown ones are not.
     */
    public Builder complete(boolean value) {
      complete = value;
      return this;
    }

    /** A ConfigMap's data (binaryData is not used by any reference). */
    public Builder configMap(String name, Map<String, String> data) {
      configMaps.put(name, new TreeMap<>(data));
      return this;
    }

    /** A Secret's data, already base64-decoded. */
    public Builder secret(String name, Map<String, byte[]> data) {
      secrets.put(name, new TreeMap<>(data));
      return this;
    }

    /**
     * A Secret's data with the version the config hash covers instead of the content ({@link
     * #secretVersion}).
     */
    public Builder secret(String name, Map<String, byte[]> data, String version) {
      secretVersions.put(name, version);
      return secret(name, data);
    }

    /** A Secret given as strings (tests). */
    public Builder secretStrings(String name, Map<String, String> data) {
      Map<String, byte[]> bytes = new TreeMap<>();
      data.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
      return secret(name, bytes);
    }

    public ReferencedData build() {
      return new ReferencedData(
          complete,
          Map.copyOf(configMaps),
          Map.copyOf(secrets),
          Map.copyOf(secretVersions),
          List.of(),
          List.of());
    }
  }
}
