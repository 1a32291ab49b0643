package io.cephaloproxy.operator.runtime;

import io.cephaloproxy.operator.model.ClusterProxy;
import io.cephaloproxy.operator.model.Guardrails;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The operator's configuration, read from the environment (see docs/operator.md). Pure: no I/O, so
 * every rule is unit-tested with a plain map.
 */
public record OperatorSettings(
    List<String> watchNamespaces,
    boolean leaderElection,
    Optional<String> leaderElectionNamespace,
    String leaseName,
    Optional<String> identity,
    String squidImage,
    int httpPort,
    LogFormat logFormat,
    String logLevel,
    Guardrails guardrails,
    ClusterProxy clusterProxy) {

  public static final String LEASE_NAME = "cephaloproxy-operator-leader";

  public enum LogFormat {
    PLAIN,
    JSON
  }

  public OperatorSettings {
    watchNamespaces = List.copyOf(watchNamespaces);
    Objects.requireNonNull(squidImage);
  }

  /**
   * Reads the settings; throws {@link IllegalArgumentException} with the variable's name on bad
   * input.
   */
  public static OperatorSettings fromEnvironment(Map<String, String> env) {
    List<String> namespaces =
        Arrays.stream(env.getOrDefault("WATCH_NAMESPACES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .distinct()
            .sorted()
            .toList();
    for (String ns : namespaces) {
      if (!ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
        throw new IllegalArgumentException(
            "WATCH_NAMESPACES: '" + ns + "' is not a valid namespace name");
      }
    }
    boolean leaderElection = parseBoolean(env, "LEADER_ELECTION", false);
    Optional<String> leaseNamespace = nonBlank(env.get("LEADER_ELECTION_NAMESPACE"));
    Optional<String> identity = nonBlank(env.get("POD_NAME"));
    String image = nonBlank(env.get("SQUID_IMAGE")).orElse(Versions.defaultSquidImage());
    int port = parsePort(env.getOrDefault("HTTP_PORT", "8080"));
    LogFormat format =
        switch (env.getOrDefault("LOG_FORMAT", "plain").trim().toLowerCase()) {
          case "plain", "" -> LogFormat.PLAIN;
          case "json" -> LogFormat.JSON;
          default ->
              throw new IllegalArgumentException(
                  "LOG_FORMAT: '" + env.get("LOG_FORMAT") + "' is neither 'plain' nor 'json'");
        };
    String level = nonBlank(env.get("LOG_LEVEL")).orElse("INFO").toUpperCase();
    if (!List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(level)) {
      throw new IllegalArgumentException(
          "LOG_LEVEL: '" + level + "' is not one of ERROR, WARN, INFO, DEBUG, TRACE");
    }
    List<String> imagePrefixes =
        Arrays.stream(env.getOrDefault("ALLOWED_IMAGE_PREFIXES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .distinct()
            .toList();
    Guardrails guardrails =
        new Guardrails(
            imagePrefixes,
            parseBoolean(env, "ALLOW_RAW_CONFIG", Guardrails.DEFAULTS.allowRawConfig()),
            parseBoolean(
                env,
                "ALLOW_UPSTREAM_TO_DENIED_DESTINATIONS",
                Guardrails.DEFAULTS.allowUpstreamToDeniedDestinations()));
    return new OperatorSettings(
        namespaces,
        leaderElection,
        leaseNamespace,
        LEASE_NAME,
        identity,
        image,
        port,
        format,
        level,
        guardrails,
        ClusterProxy.fromEnvironment(env));
  }

  public boolean watchesAllNamespaces() {
    return watchNamespaces.isEmpty();
  }

  private static boolean parseBoolean(Map<String, String> env, String key, boolean dflt) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    return switch (v.trim().toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException(key + ": '" + v + "' is not true or false");
    };
  }

  private static int parsePort(String v) {
    try {
      int port = Integer.parseInt(v.trim());
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("HTTP_PORT: '" + v + "' is not a port number (1-65535)");
    }
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
  }
}
