package io.cephaloproxy.tests.squid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's stock /etc/squid/squid.conf as a reference point, changed only where it must be to run
 * here: opened to the private-network clients (its own commented-out {@code http_access allow
 * localnet}), the port, the paths a non-root Squid can write (its access log stays a file written
 * by the log daemon, as shipped), and the test resolver (hosts file, loopback name server). Its
 * memory cache stays on.
 */
public final class StockSquidConf {
  public static final Path STOCK = Path.of("/etc/squid/squid.conf");

  private StockSquidConf() {}

  public static Path write(Path dir, int port, Path hostsFile) {
    try {
      if (!Files.isReadable(STOCK)) {
        throw new AssertionError(STOCK + " is missing: install Debian's squid-openssl");
      }
      Path run = Files.createDirectories(dir.resolve("run"));
      List<String> out = new ArrayList<>();
      boolean opened = false;
      for (String line : Files.readAllLines(STOCK)) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        if (t.startsWith("include /etc/squid/conf.d/")) {
          out.add("logfile_rotate 0"); // all that Debian's conf.d/debian.conf sets
          out.add("http_access allow localnet");
          opened = true;
          continue;
        }
        if (t.startsWith("http_port ")) {
          out.add("http_port " + port);
          continue;
        }
        if (t.startsWith("coredump_dir ")) {
          out.add("coredump_dir " + run);
          continue;
        }
        out.add(line);
      }
      if (!opened) {
        throw new IllegalStateException(
            "unexpected stock squid.conf (no conf.d include): " + STOCK);
      }
      out.add("pid_filename " + run.resolve("squid.pid"));
      out.add("cache_log stdio:/dev/stderr");
      out.add("access_log daemon:" + dir.resolve("access.log") + " squid");
      out.add("hosts_file " + hostsFile);
      out.add("dns_nameservers 127.0.0.1");
      out.add("shutdown_lifetime 1 seconds");
      out.add("pinger_enable off");
      Path conf = dir.resolve("squid.conf");
      Files.write(conf, out);
      SquidInstance.groupWritable(dir);
      return conf;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
