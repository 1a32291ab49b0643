package io.cephaloproxy.operator.runtime;

import io.cephaloproxy.operator.model.ClusterProxy;
import io.cephaloproxy.operator.model.Guardrails;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

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
    ClusterProxy clusterProxy,
    Duration denialEventsInterval,
    Optional<String> podNamespace,
    Map<String, String> operatorPodLabels) {

  public static final String LEASE_NAME = "cephaloproxy-operator-leader";

  public enum LogFormat {
    PLAIN,
    JSON
  }

  /** The default of DENIAL_EVENTS_INTERVAL: one summary Event per proxy every 5 minutes at most. */
  public static final Duration DEFAULT_DENIAL_EVENTS_INTERVAL = Duration.ofMinutes(5);

  /** The agent keeps denials in buckets of 10 s for an hour: the interval is within that. */
  static final long DENIAL_BUCKET_SECONDS = 10;

  static final Duration MAX_DENIAL_EVENTS_INTERVAL = Duration.ofMinutes(30);

  public OperatorSettings {
    watchNamespaces = List.copyOf(watchNamespaces);
    operatorPodLabels =
        java.util.Collections.unmodifiableSortedMap(new TreeMap<>(operatorPodLabels));
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
    Duration denialInterval = parseDenialInterval(env.get("DENIAL_EVENTS_INTERVAL"));
    Map<String, String> podLabels = parseLabels(env.getOrDefault("OPERATOR_POD_LABELS", ""));
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
        ClusterProxy.fromEnvironment(env),
        denialInterval,
        nonBlank(env.get("POD_NAMESPACE")),
        podLabels);
  }

  /** Whether the operator polls its proxies' denied requests and writes summary Events. */
  public boolean denialEvents() {
    return !denialEventsInterval.isZero();
  }

  /**
   * DENIAL_EVENTS_INTERVAL: how often at most a proxy gets a summary Event of its denied requests,
   * and the window it summarises: {@code 30s}, {@code 5m} (whole multiples of 10 s, 10 s to 30
   * min), {@code 0} to turn the Events off.
   */
  static Duration parseDenialInterval(String v) {
    if (v == null || v.isBlank()) {
      return DEFAULT_DENIAL_EVENTS_INTERVAL;
    }
    String t = v.trim();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,5})(s|m)").matcher(t);
    Duration d = null;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = m.group(2).equals("m") ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
    }
    if (d == null
        || d.getSeconds() % DENIAL_BUCKET_SECONDS != 0
        || d.getSeconds() < DENIAL_BUCKET_SECONDS
        || d.compareTo(MAX_DENIAL_EVENTS_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "DENIAL_EVENTS_INTERVAL: '"
              + t
              + "' is not a whole number of 10 seconds from 10s to 30m (such as 30s or 5m), or 0"
              + " to turn the denial summary Events off");
    }
    return d;
  }

  /**
   * OPERATOR_POD_LABELS: {@code key=value,...}, the labels of the operator's own pods (the chart
   * sets them): with POD_NAMESPACE, the peer every proxy's NetworkPolicy admits to the health port
   * so that the operator can read {@code /denials}.
   */
  static Map<String, String> parseLabels(String v) {
    Map<String, String> labels = new TreeMap<>();
    for (String pair : v.split(",")) {
      String p = pair.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String key = eq < 0 ? p : p.substring(0, eq).trim();
      String value = eq < 0 ? null : p.substring(eq + 1).trim();
      if (value == null
          || !key.matches("([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")
          || !value.matches("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")) {
        throw new IllegalArgumentException(
            "OPERATOR_POD_LABELS: '"
                + (p.length() > 100 ? p.substring(0, 100) + "..." : p)
                + "' is not a label key=value (the operator pods' labels, such as"
                + " app.kubernetes.io/name=cephaloproxy-operator)");
      }
      labels.put(key, value);
    }
    return labels;
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
