package io.cephaloproxy.tests.squid;

import io.cephaloproxy.testsupport.Cmd;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Three network namespaces made for one test class, so no packet leaves the machine and nothing
 * collides with other Squids or ports on the host:
 *
 * <pre>
 *  client ns                 proxy ns (Squid)                     origin ns (origin server)
 *  10.231.0.2/26  ──veth──  10.231.0.1/26
 *  192.0.2.2/24             192.0.2.1/24
 *  fd00:231::2/64           fd00:231::1/64
 *                           10.231.0.65/26      ──veth──  10.231.0.66/26, 10.231.0.67/26
 *                           169.254.231.1/24              169.254.231.2/24
 * </pre>
 *
 * There are no default routes: a client reaches only the proxy, and only the proxy reaches the
 * origin. 10.231.0.2 is an RFC 1918 client (allowed by default); 192.0.2.2 (TEST-NET-1) is a client
 * outside the allowed CIDRs; 169.254.231.2 is a link-local origin address.
 */
public final class NetLab implements AutoCloseable {
  public static final String CLIENT_IP = "10.231.0.2";
  public static final String OUTSIDE_CLIENT_IP = "192.0.2.2";
  public static final String PROXY_IP = "10.231.0.1";

  /** IPv6 unique-local (fc00::/7, allowed by default) addresses of the client and the proxy. */
  public static final String CLIENT_IP6 = "fd00:231::2";

  public static final String PROXY_IP6 = "fd00:231::1";
  public static final String ORIGIN_IP = "10.231.0.66";

  /**
   * A second origin address that no hosts_file entry names: Squid can only learn a name for it by a
   * reverse lookup, which the lab's silent resolver never answers (a rule that needs one stalls).
   */
  public static final String UNNAMED_ORIGIN_IP = "10.231.0.67";

  public static final String LINK_LOCAL_ORIGIN_IP = "169.254.231.2";

  private static final String PREFIX = "cpsq-";
  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** Unique among the labs of this JVM. */
  public final int id;

  public final String client;
  public final String proxy;
  public final String origin;
  private final List<String> namespaces = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::destroy, "netlab-cleanup");
  private volatile boolean closed;

  private NetLab(int id, String base) {
    this.id = id;
    this.client = base + "-cli";
    this.proxy = base + "-pxy";
    this.origin = base + "-org";
  }

  public static NetLab create() {
    Prereqs.require();
    removeStale();
    int id = COUNTER.incrementAndGet();
    NetLab lab = new NetLab(id, PREFIX + ProcessHandle.current().pid() + "-" + id);
    Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
    try {
      lab.build();
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  private void build() {
    for (String ns : List.of(client, proxy, origin)) {
      Cmd.check("ip", "netns", "add", ns);
      namespaces.add(ns);
      ip(ns, "link", "set", "lo", "up");
    }
    Cmd.check(
        "ip", "link", "add", "name", "c0", "netns", client, "type", "veth", "peer", "name", "p0",
        "netns", proxy);
    Cmd.check(
        "ip", "link", "add", "name", "p1", "netns", proxy, "type", "veth", "peer", "name", "o0",
        "netns", origin);
    ip(client, "addr", "add", CLIENT_IP + "/26", "dev", "c0");
    ip(client, "addr", "add", OUTSIDE_CLIENT_IP + "/24", "dev", "c0");
    ip(proxy, "addr", "add", PROXY_IP + "/26", "dev", "p0");
    ip(proxy, "addr", "add", "192.0.2.1/24", "dev", "p0");
    ip(client, "addr", "add", CLIENT_IP6 + "/64", "dev", "c0", "nodad");
    ip(proxy, "addr", "add", PROXY_IP6 + "/64", "dev", "p0", "nodad");
    ip(proxy, "addr", "add", "10.231.0.65/26", "dev", "p1");
    ip(proxy, "addr", "add", "169.254.231.1/24", "dev", "p1");
    ip(origin, "addr", "add", ORIGIN_IP + "/26", "dev", "o0");
    ip(origin, "addr", "add", UNNAMED_ORIGIN_IP + "/26", "dev", "o0");
    ip(origin, "addr", "add", LINK_LOCAL_ORIGIN_IP + "/24", "dev", "o0");
    for (String[] dev :
        new String[][] {{client, "c0"}, {proxy, "p0"}, {proxy, "p1"}, {origin, "o0"}}) {
      ip(dev[0], "link", "set", dev[1], "up");
    }
  }

  private static void ip(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
    cmd.addAll(List.of(args));
    Cmd.run(cmd).orThrow();
  }

  /**
   * The command prefixed so it runs inside namespace {@code ns} (with a private mount namespace).
   */
  public static List<String> in(String ns, List<String> command) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(command);
    return cmd;
  }

  public Cmd.Result exec(String ns, Duration timeout, String... command) {
    return Cmd.run(timeout, in(ns, List.of(command)));
  }

  /**
   * Starts a long-running process inside {@code ns}; its stdout and stderr go to the given files.
   */
  public static Process start(String ns, List<String> command, Path stdout, Path stderr) {
    try {
      return new ProcessBuilder(in(ns, command))
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(stdout.toFile())
          .redirectError(stderr.toFile())
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + command + " in " + ns, e);
    }
  }

  /** True once something accepts TCP connections on host:port inside {@code ns}. */
  public boolean accepts(String ns, String host, int port) {
    return Cmd.run(
                Duration.ofSeconds(5),
                in(ns, List.of("bash", "-c", "exec 3<>/dev/tcp/" + host + "/" + port)))
            .exit()
        == 0;
  }

  public void awaitPort(
      String ns, String host, int port, Duration timeout, Process owner, Runnable onFailure) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (owner != null && !owner.isAlive()) {
        onFailure.run();
        throw new IllegalStateException(
            "process exited ("
                + owner.exitValue()
                + ") before "
                + host
                + ":"
                + port
                + " accepted connections in "
                + ns);
      }
      if (accepts(ns, host, port)) {
        return;
      }
      sleep(50);
    }
    onFailure.run();
    throw new IllegalStateException(
        host + ":" + port + " in " + ns + " did not accept connections within " + timeout);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    destroy();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // JVM already shutting down
    }
  }

  private synchronized void destroy() {
    if (closed) {
      return;
    }
    closed = true;
    for (String ns : namespaces) {
      deleteNamespace(ns);
    }
  }

  /** Kills every process left in the namespace, then deletes it (its veth ends go with it). */
  private static void deleteNamespace(String ns) {
    for (int round = 0; round < 20; round++) {
      List<Long> pids =
          Cmd.run(List.of("ip", "netns", "pids", ns))
              .out()
              .lines()
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .map(Long::parseLong)
              .toList();
      if (pids.isEmpty()) {
        break;
      }
      boolean force = round >= 10;
      for (long pid : pids) {
        ProcessHandle.of(pid)
            .ifPresent(
                h -> {
                  if (force) {
                    h.destroyForcibly();
                  } else {
                    h.destroy();
                  }
                });
      }
      sleep(200);
    }
    Cmd.run(List.of("ip", "netns", "del", ns));
  }

  /** Namespaces left by a run that was killed (its JVM is gone). */
  private static void removeStale() {
    for (String line : Cmd.run(List.of("ip", "netns", "list")).out().lines().toList()) {
      String name = line.split("\\s+")[0];
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      String[] parts = name.substring(PREFIX.length()).split("-");
      try {
        long owner = Long.parseLong(parts[0]);
        if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
      } catch (NumberFormatException e) {
        continue;
      }
      deleteNamespace(name);
    }
  }

  /**
   * Waits for a process to end, killing it and its descendants when it does not within the timeout.
   */
  public static boolean waitOrKill(Process p, Duration timeout) {
    try {
      if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }
}
