package io.cephaloproxy.compiler;

/**
 * squid.conf's container contract (docs/architecture.md): the listening port, the process model,
 * the paths of the pod's volumes, logs to stdout/stderr, no rotation, and the host-specific
 * settings of the {@link Layout}. The access log format in the middle is {@link LoggingSection}'s.
 */
final class ContainerContractSection {
  private ContainerContractSection() {}

  static void write(SquidConfWriter out, ResolvedSpec r, Layout layout) {
    out.section("Container contract: paths, logs, process model");
    String listen =
        layout.listenAddress() == null
            ? ""
            : (layout.listenAddress().contains(":")
                ? "[" + layout.listenAddress() + "]:"
                : layout.listenAddress() + ":");
    if (r.sslBump() != null) {
      out.line(
          "http_port "
              + listen
              + r.port()
              + " ssl-bump tls-cert="
              + layout.caCert()
              + " tls-key="
              + layout.caKey()
              + " generate-host-certificates=on dynamic_cert_mem_cache_size=4MB");
    } else {
      out.line("http_port " + listen + r.port());
    }
    if (r.workers() > 1) {
      out.line("workers " + r.workers());
    }
    out.line("pid_filename " + layout.pidFile());
    out.line("coredump_dir " + layout.runDir());
    out.line("cache_log /dev/stderr");
    out.line("logfile_rotate 0");
    LoggingSection.write(out, r.logging(), r.audit());
    out.line("netdb_filename none");
    out.line("pinger_enable off");
    out.line("shutdown_lifetime " + r.shutdownLifetimeSeconds() + " seconds");
    out.line("visible_hostname " + layout.visibleHostname());
    out.line("httpd_suppress_version_string on");
    optional(out, "mime_table", layout.mimeTable());
    optional(out, "icon_directory", layout.iconDirectory());
    optional(out, "error_directory", layout.errorDirectory());
    optional(out, "hosts_file", layout.hostsFile());
    if (!layout.dnsNameservers().isEmpty()) {
      out.line("dns_nameservers " + String.join(" ", layout.dnsNameservers()));
    }
  }

  private static void optional(SquidConfWriter out, String directive, String value) {
    if (value != null) {
      out.line(directive + " " + value);
    }
  }
}
