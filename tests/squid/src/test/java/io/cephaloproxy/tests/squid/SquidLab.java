package io.cephaloproxy.tests.squid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Everything a test class needs around Squid: the namespaces, the certificates, the origin, a work
 * dir and a hosts file that maps the test names (and nothing else) so Squid never asks a real
 * resolver.
 */
public final class SquidLab implements AutoCloseable {
  /** Test names and the address each resolves to (through Squid's hosts_file only). */
  public static final Map<String, String> HOSTS = new LinkedHashMap<>();

  static {
    for (String name :
        List.of(
            "origin.test",
            "allowed.test",
            "www.allowed.test",
            "api.allowed.test",
            "exact.test",
            "www.exact.test",
            "other.test",
            "denied.test",
            "www.denied.test",
            "bump.test",
            "splice.test",
            "www.splice.test",
            "cache.test",
            "bench.test")) {
      HOSTS.put(name, NetLab.ORIGIN_IP);
    }
    HOSTS.put("link-local.test", NetLab.LINK_LOCAL_ORIGIN_IP);
    HOSTS.put("metadata.test", "169.254.169.254");
  }

  public final Path dir;
  public final NetLab net;
  public final TestPki pki;
  public final Origin origin;
  public final Path hostsFile;
  private volatile int instances;

  private SquidLab(Path dir, NetLab net, TestPki pki, Origin origin, Path hostsFile) {
    this.dir = dir;
    this.net = net;
    this.pki = pki;
    this.origin = origin;
    this.hostsFile = hostsFile;
  }

  public static SquidLab start() {
    return start(true);
  }

  /**
   * @param withOrigin start the Java {@link OriginServer} (the benchmark brings nginx instead)
   */
  public static SquidLab start(boolean withOrigin) {
    Prereqs.require();
    Path dir = SquidInstance.workDir("cpsq-");
    NetLab net = NetLab.create();
    try {
      Path pkiDir = Files.createDirectories(dir.resolve("pki"));
      TestPki pki = TestPki.create(pkiDir, List.copyOf(HOSTS.keySet()));
      Path hosts = dir.resolve("hosts");
      // like a container's /etc/hosts: localhost, then the test names
      StringBuilder sb = new StringBuilder("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
      HOSTS.forEach((name, ip) -> sb.append(ip).append(' ').append(name).append('\n'));
      Files.writeString(hosts, sb.toString());
      Origin origin = withOrigin ? Origin.start(net, pki, dir) : null;
      SquidInstance.groupWritable(dir);
      return new SquidLab(dir, net, pki, origin, hosts);
    } catch (IOException | RuntimeException e) {
      net.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** A fresh directory for one Squid instance's files, writable by GID 0. */
  public Path newInstanceDir(String name) {
    try {
      Path d = Files.createDirectories(dir.resolve(String.format("%02d-%s", ++instances, name)));
      SquidInstance.groupWritable(d);
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A unique Squid service name (-n) for this JVM, so shared-memory segments never collide. Squid
   * accepts only letters and digits there ("Garbage after alphanumeric service name").
   */
  public String serviceName(String name) {
    String s =
        ("cpsq" + ProcessHandle.current().pid() + "l" + net.id + "x" + instances + name)
            .replaceAll("[^A-Za-z0-9]", "");
    // Squid's -n takes at most 32 characters; the part before the name is unique already (a run of
    // thousands of instances, such as the parser differential's, makes the counter long)
    return s.length() > 32 ? s.substring(0, 32) : s;
  }

  /** GET through the proxy at 10.231.0.1:port from the allowed (RFC 1918) client. */
  public Curl.Response get(int port, String url, String... extra) {
    return Curl.get(net.client, NetLab.PROXY_IP + ":" + port, url, extra);
  }

  @Override
  public void close() {
    try {
      if (origin != null) {
        origin.close();
      }
    } finally {
      net.close();
      deleteTree(dir);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
