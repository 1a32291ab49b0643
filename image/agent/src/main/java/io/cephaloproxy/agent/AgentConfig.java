package io.cephaloproxy.agent;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings: {@code runtime.properties} from the config dir (keys and defaults in
 * docs/architecture.md), then command-line overrides ({@code --set key=value}).
 */
public final class AgentConfig {
  public static final Path DEFAULT_CONFIG_DIR = Path.of("/etc/cephaloproxy");
  public static final String PROPERTIES_FILE = "runtime.properties";

  private final Path configDir;
  private final Properties props;

  private AgentConfig(Path configDir, Properties props) {
    this.configDir = configDir;
    this.props = props;
  }

  /**
   * Reads {@code DIR/runtime.properties} (a missing file means all defaults) and applies the
   * overrides.
   */
  public static AgentConfig load(Path configDir, Map<String, String> overrides) throws IOException {
    Properties p = new Properties();
    Path file = configDir.resolve(PROPERTIES_FILE);
    if (Files.isRegularFile(file)) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      }
    }
    overrides.forEach(p::setProperty);
    return new AgentConfig(configDir, p);
  }

  public static AgentConfig of(Path configDir, Map<String, String> values) {
    Properties p = new Properties();
    values.forEach(p::setProperty);
    return new AgentConfig(configDir, p);
  }

  public Path configDir() {
    return configDir;
  }

  public String get(String key, String def) {
    String v = props.getProperty(key);
    return v == null || v.isBlank() ? def : v.trim();
  }

  public int getInt(String key, int def) {
    String v = get(key, null);
    if (v == null) {
      return def;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          PROPERTIES_FILE + ": " + key + "=" + v + " is not a whole number");
    }
  }

  public List<String> getList(String key) {
    List<String> out = new ArrayList<>();
    String v = get(key, "");
    for (String s : v.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  public Path getPath(String key, Path def) {
    String v = get(key, null);
    return v == null ? def : Path.of(v);
  }

  // --- the contract keys ---------------------------------------------------------------

  public Path squidConfig() {
    return getPath("squid.config", configDir.resolve("squid.conf"));
  }

  /**
   * Squid's {@code -n}: Squid accepts only letters and digits ("Garbage after alphanumeric service
   * name").
   */
  public String serviceName() {
    String name = get("squid.serviceName", "squid");
    if (!name.matches("[A-Za-z0-9]+")) {
      throw new IllegalArgumentException(
          PROPERTIES_FILE
              + ": squid.serviceName="
              + name
              + " is not a valid Squid service name (-n): use letters and digits only");
    }
    return name;
  }

  public int squidPort() {
    return getInt("squid.port", 3128);
  }

  public int workers() {
    return getInt("squid.workers", 1);
  }

  public Path pidFile() {
    return getPath("squid.pidFile", Path.of("/var/run/squid/squid.pid"));
  }

  public int shutdownLifetimeSeconds() {
    return getInt("squid.shutdownLifetimeSeconds", 20);
  }

  public int healthPort() {
    return getInt("health.port", 8080);
  }

  /** Not in the pod contract; for tests: the address the health server binds. */
  public String healthBind() {
    return get("health.bind", "0.0.0.0");
  }

  public List<Path> writablePaths() {
    List<String> l = getList("writable.paths");
    if (get("writable.paths", null) == null) {
      l = List.of("/var/run/squid", "/var/lib/squid", "/tmp");
    }
    return l.stream().map(Path::of).toList();
  }

  public List<Path> cacheDirs() {
    return getList("cache.dirs").stream().map(Path::of).toList();
  }

  /**
   * True when every access log line starts with the compiler's decision prefix: Squid's stdout is
   * then a pipe the agent counts and forwards (docs/agent.md, "Decisions").
   */
  public boolean accessLogDecisions() {
    return Boolean.parseBoolean(get("accessLog.decisions", "false"));
  }

  /** The proxy's access mode, for the mode label: enforce, audit or custom. */
  public String accessLogMode() {
    return get("accessLog.mode", "enforce");
  }

  public boolean sslBumpEnabled() {
    return Boolean.parseBoolean(get("sslBump.enabled", "false"));
  }

  public Path caCert() {
    return getPath("sslBump.caCert", configDir.resolve("tls/tls.crt"));
  }

  public Path caKey() {
    return getPath("sslBump.caKey", configDir.resolve("tls/tls.key"));
  }

  public Path sslDb() {
    return getPath("sslBump.db", Path.of("/var/lib/squid/ssl_db"));
  }

  public String sslDbSize() {
    return get("sslBump.dbSize", "4MB");
  }

  public List<Path> trustedCaSources() {
    return getList("trustedCA.sources").stream().map(Path::of).toList();
  }

  public Path trustedCaBundle() {
    return getPath("trustedCA.bundle", Path.of("/var/lib/squid/trusted-ca.pem"));
  }

  public Path systemCaBundle() {
    return getPath("trustedCA.system", Path.of("/etc/ssl/certs/ca-certificates.crt"));
  }

  public String upstreamCachePeer() {
    return get("upstream.cachePeer", "");
  }

  public Path upstreamCredentials() {
    return getPath("upstream.credentials", null);
  }

  public Path upstreamInclude() {
    return getPath("upstream.include", Path.of("/var/run/squid/upstream.conf"));
  }

  // --- image facts, overridable for tests --------------------------------------------------

  public Path squidBinary() {
    return getPath("squid.binary", Path.of("/usr/sbin/squid"));
  }

  public Path helperDir() {
    return getPath("squid.helperDir", Path.of("/usr/lib/squid"));
  }

  public Path terminationLog() {
    return getPath("termination.log", Path.of("/dev/termination-log"));
  }
}
