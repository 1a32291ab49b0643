package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.Defaults;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Every path and host-specific name the compiler writes into squid.conf and runtime.properties.
 * {@link #defaults()} is the container contract of docs/architecture.md; tests that run Squid on a
 * host build one over temp dirs with {@link #builder()} (or {@link #underRoot(String)}), and may
 * add a {@code hosts_file} and {@code dns_nameservers} so that no lookup leaves the machine.
 */
public final class Layout {
  private static final Pattern SAFE_PATH = Pattern.compile("^/[-A-Za-z0-9_./+@]*$");
  private static final Pattern SAFE_TOKEN = Pattern.compile("^[-A-Za-z0-9_.:]+$");
  private static final Pattern ALNUM = Pattern.compile("^[A-Za-z0-9]{1,32}$");

  private final String configDir;
  private final String runDir;
  private final String stateDir;
  private final String cacheDir;
  private final String tmpDir;
  private final String shmDir;
  private final String helperDir;
  private final String errorDirectory;
  private final String iconDirectory;
  private final String mimeTable;
  private final String systemCaBundle;
  private final String serviceName;
  private final String visibleHostname;
  private final String listenAddress;
  private final int healthPort;
  private final String hostsFile;
  private final List<String> dnsNameservers;

  private Layout(Builder b) {
    this.configDir = path("configDir", b.configDir, false);
    this.runDir = path("runDir", b.runDir, false);
    this.stateDir = path("stateDir", b.stateDir, false);
    this.cacheDir = path("cacheDir", b.cacheDir, false);
    this.tmpDir = path("tmpDir", b.tmpDir, false);
    this.shmDir = path("shmDir", b.shmDir, false);
    this.helperDir = path("helperDir", b.helperDir, false);
    this.errorDirectory = path("errorDirectory", b.errorDirectory, true);
    this.iconDirectory = path("iconDirectory", b.iconDirectory, true);
    this.mimeTable = path("mimeTable", b.mimeTable, true);
    this.systemCaBundle = path("systemCaBundle", b.systemCaBundle, false);
    this.serviceName = token("serviceName", b.serviceName, false);
    if (!ALNUM.matcher(serviceName).matches()) {
      throw new IllegalArgumentException(
          "Layout.serviceName must be 1-32 letters and digits (Squid's -n): " + serviceName);
    }
    this.visibleHostname = token("visibleHostname", b.visibleHostname, false);
    this.listenAddress = token("listenAddress", b.listenAddress, true);
    this.healthPort = b.healthPort;
    this.hostsFile = path("hostsFile", b.hostsFile, true);
    this.dnsNameservers = List.copyOf(b.dnsNameservers);
    this.dnsNameservers.forEach(ns -> token("dnsNameservers", ns, false));
  }

  private static String path(String what, String value, boolean nullable) {
    if (value == null) {
      if (nullable) {
        return null;
      }
      throw new IllegalArgumentException("Layout." + what + " is required");
    }
    if (!SAFE_PATH.matcher(value).matches() || value.contains("..")) {
      throw new IllegalArgumentException(
          "Layout." + what + " must be an absolute path of [-A-Za-z0-9_./+@]: " + value);
    }
    return value.length() > 1 && value.endsWith("/")
        ? value.substring(0, value.length() - 1)
        : value;
  }

  private static String token(String what, String value, boolean nullable) {
    if (value == null) {
      if (nullable) {
        return null;
      }
      throw new IllegalArgumentException("Layout." + what + " is required");
    }
    if (!SAFE_TOKEN.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "Layout." + what + " must match [-A-Za-z0-9_.:]+: " + value);
    }
    return value;
  }

  /** The container contract (docs/architecture.md). */
  public static Layout defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A layout with every writable and config directory under {@code root} (config in root/etc, run
   * dir root/run, state root/lib, cache root/cache, tmp root/tmp); helpers, error pages, icons,
   * mime.conf and the system CA bundle stay where Debian's squid package puts them.
   */
  public static Builder underRoot(String root) {
    String r = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    return builder()
        .configDir(r + "/etc")
        .runDir(r + "/run")
        .stateDir(r + "/lib")
        .cacheDir(r + "/cache")
        .tmpDir(r + "/tmp");
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.configDir = configDir;
    b.runDir = runDir;
    b.stateDir = stateDir;
    b.cacheDir = cacheDir;
    b.tmpDir = tmpDir;
    b.shmDir = shmDir;
    b.helperDir = helperDir;
    b.errorDirectory = errorDirectory;
    b.iconDirectory = iconDirectory;
    b.mimeTable = mimeTable;
    b.systemCaBundle = systemCaBundle;
    b.serviceName = serviceName;
    b.visibleHostname = visibleHostname;
    b.listenAddress = listenAddress;
    b.healthPort = healthPort;
    b.hostsFile = hostsFile;
    b.dnsNameservers = dnsNameservers;
    return b;
  }

  // --- base directories and names ---
  /** Read-only config dir: squid.conf, runtime.properties, acl-*.txt (the generated ConfigMap). */
  public String configDir() {
    return configDir;
  }

  /** Writable run dir (emptyDir): pid file, IPC sockets, coredumps, generated includes. */
  public String runDir() {
    return runDir;
  }

  /** Writable state dir (emptyDir): ssl_db, trusted CA bundle. */
  public String stateDir() {
    return stateDir;
  }

  /** Cache dir (emptyDir or PVC), only mounted with a disk cache. */
  public String cacheDir() {
    return cacheDir;
  }

  public String tmpDir() {
    return tmpDir;
  }

  /** Where the memory-backed emptyDir for SMP goes (/dev/shm). */
  public String shmDir() {
    return shmDir;
  }

  /** Squid's helper programs (Debian: /usr/lib/squid). */
  public String helperDir() {
    return helperDir;
  }

  /** error_directory, or null to keep Squid's language-negotiated default. */
  public String errorDirectory() {
    return errorDirectory;
  }

  /** icon_directory, or null for Squid's default. */
  public String iconDirectory() {
    return iconDirectory;
  }

  /** mime_table, or null for Squid's default. */
  public String mimeTable() {
    return mimeTable;
  }

  public String systemCaBundle() {
    return systemCaBundle;
  }

  /**
   * Squid's -n service name (shared-memory prefix; letters and digits only); unique per Squid on
   * one host.
   */
  public String serviceName() {
    return serviceName;
  }

  /**
   * visible_hostname; Squid also uses it as unique_hostname, which must differ between two proxies
   * that forward to each other (else "Forwarding loop detected"), so the operator sets {@link
   * #visibleHostnameFor}.
   */
  public String visibleHostname() {
    return visibleHostname;
  }

  /**
   * The visible hostname of a SquidProxy's Squids: {@code <name>.<namespace>} (just the name
   * without a namespace). Stable for the resource, shown on error pages and in Via headers, and
   * different for every resource so one CephaloProxy can be the parent of another.
   */
  public static String visibleHostnameFor(String name, String namespace) {
    return namespace == null || namespace.isEmpty() ? name : name + "." + namespace;
  }

  /** Address for http_port (e.g. 127.0.0.1 in host tests), or null for all addresses. */
  public String listenAddress() {
    return listenAddress;
  }

  public int healthPort() {
    return healthPort;
  }

  /** hosts_file, or null for Squid's default (/etc/hosts). */
  public String hostsFile() {
    return hostsFile;
  }

  /** dns_nameservers; empty = the system resolver. */
  public List<String> dnsNameservers() {
    return dnsNameservers;
  }

  // --- derived paths (fixed by the contract relative to the base directories) ---
  public String squidConf() {
    return configDir + "/squid.conf";
  }

  public String runtimeProperties() {
    return configDir + "/runtime.properties";
  }

  /** An ACL file of the generated ConfigMap. */
  public String configFile(String name) {
    return configDir + "/" + name;
  }

  public String pidFile() {
    return runDir + "/squid.pid";
  }

  public String tlsDir() {
    return configDir + "/tls";
  }

  public String caCert() {
    return tlsDir() + "/tls.crt";
  }

  public String caKey() {
    return tlsDir() + "/tls.key";
  }

  public String sslDb() {
    return stateDir + "/ssl_db";
  }

  public String authDir() {
    return configDir + "/auth";
  }

  public String htpasswd() {
    return authDir() + "/htpasswd";
  }

  public String upstreamCredentialsDir() {
    return configDir + "/upstream";
  }

  public String upstreamInclude() {
    return runDir + "/upstream.conf";
  }

  public String trustedCaDir() {
    return configDir + "/trusted-ca";
  }

  public String trustedCaBundle() {
    return stateDir + "/trusted-ca.pem";
  }

  /**
   * Mount point of a referenced list (allowed, denied); the list file inside is {@link #LIST_FILE}.
   */
  public String listDir(String which) {
    return configDir + "/lists/" + which;
  }

  public String customConfigDir() {
    return configDir + "/custom";
  }

  public String customConfig() {
    return customConfigDir() + "/squid.conf";
  }

  public String helper(String name) {
    return helperDir + "/" + name;
  }

  /** File name of a referenced list inside its {@link #listDir(String)}. */
  public static final String LIST_FILE = "domains.txt";

  /** The referenced lists: {@code allowedDomainsFrom} and {@code deniedDomainsFrom}. */
  public static final String ALLOWED = "allowed";

  public static final String DENIED = "denied";

  /** The file of a referenced list (allowed, denied). */
  public String listFile(String which) {
    return listDir(which) + "/" + LIST_FILE;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Layout l && toString().equals(l.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return "Layout[configDir="
        + configDir
        + ", runDir="
        + runDir
        + ", stateDir="
        + stateDir
        + ", cacheDir="
        + cacheDir
        + ", tmpDir="
        + tmpDir
        + ", shmDir="
        + shmDir
        + ", helperDir="
        + helperDir
        + ", errorDirectory="
        + errorDirectory
        + ", iconDirectory="
        + iconDirectory
        + ", mimeTable="
        + mimeTable
        + ", systemCaBundle="
        + systemCaBundle
        + ", serviceName="
        + serviceName
        + ", visibleHostname="
        + visibleHostname
        + ", listenAddress="
        + listenAddress
        + ", healthPort="
        + healthPort
        + ", hostsFile="
        + hostsFile
        + ", dnsNameservers="
        + dnsNameservers
        + "]";
  }

  /** Builder; starts from the container contract. */
  public static final class Builder {
    private String configDir = "/etc/cephaloproxy";
    private String runDir = "/var/run/squid";
    private String stateDir = "/var/lib/squid";
    private String cacheDir = "/var/cache/squid";
    private String tmpDir = "/tmp";
    private String shmDir = "/dev/shm";
    private String helperDir = "/usr/lib/squid";
    private String errorDirectory = null;
    private String iconDirectory = "/usr/share/squid/icons";
    private String mimeTable = "/usr/share/squid/mime.conf";
    private String systemCaBundle = "/etc/ssl/certs/ca-certificates.crt";
    private String serviceName = "squid";
    private String visibleHostname = "cephaloproxy";
    private String listenAddress = null;
    private int healthPort = Defaults.HEALTH_PORT;
    private String hostsFile = null;
    private List<String> dnsNameservers = List.of();

    private Builder() {}

    public Builder configDir(String v) {
      configDir = v;
      return this;
    }

    public Builder runDir(String v) {
      runDir = v;
      return this;
    }

    public Builder stateDir(String v) {
      stateDir = v;
      return this;
    }

    public Builder cacheDir(String v) {
      cacheDir = v;
      return this;
    }

    public Builder tmpDir(String v) {
      tmpDir = v;
      return this;
    }

    public Builder shmDir(String v) {
      shmDir = v;
      return this;
    }

    public Builder helperDir(String v) {
      helperDir = v;
      return this;
    }

    public Builder errorDirectory(String v) {
      errorDirectory = v;
      return this;
    }

    public Builder iconDirectory(String v) {
      iconDirectory = v;
      return this;
    }

    public Builder mimeTable(String v) {
      mimeTable = v;
      return this;
    }

    public Builder systemCaBundle(String v) {
      systemCaBundle = v;
      return this;
    }

    public Builder serviceName(String v) {
      serviceName = v;
      return this;
    }

    public Builder visibleHostname(String v) {
      visibleHostname = v;
      return this;
    }

    public Builder listenAddress(String v) {
      listenAddress = v;
      return this;
    }

    public Builder healthPort(int v) {
      healthPort = v;
      return this;
    }

    public Builder hostsFile(String v) {
      hostsFile = v;
      return this;
    }

    public Builder dnsNameservers(List<String> v) {
      dnsNameservers = Objects.requireNonNull(v);
      return this;
    }

    public Layout build() {
      return new Layout(this);
    }
  }
}
