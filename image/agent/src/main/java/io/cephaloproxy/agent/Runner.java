package io.cephaloproxy.agent;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code agent run}: PID 1 of the Squid container. Starts Squid in the foreground with the
 * container's stderr (inherited, so the cache log reaches {@code kubectl logs} unchanged) and, when
 * the compiler's config says so ({@code accessLog.decisions}), its stdout on a pipe: {@link
 * AccessLog} counts each request's decision and forwards the line to the container's stdout
 * (otherwise stdout is inherited too). Serves the health port, forwards signals and exits with
 * Squid.
 *
 * <p>Zombies: Squid reaps its own helpers and (SMP) kids. Orphans re-parented to the agent as PID 1
 * are reaped by {@link Reaper} (the JDK's waitpid(pid), opened by the jar manifest), or counted
 * when that is not available ({@code cephaloproxy_agent_zombie_processes}).
 */
public final class Runner implements HealthServer.Checks {
  static final int PORT_CHECK_MILLIS = 500;
  static final int READY_TIMEOUT_MILLIS = 1000;
  static final int METRICS_TIMEOUT_MILLIS = 2000;
  static final int DRAIN_POLL_MILLIS = 100;
  static final int ZOMBIE_SCAN_MILLIS = 2000;
  static final int ZOMBIE_RESCAN_MILLIS = 250;
  static final int DRAIN_IDLE_POLLS = 3;
  static final int ACCESS_LOG_DRAIN_MILLIS = 2000;

  private final AgentConfig cfg;
  private final CacheManager manager;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private final AtomicBoolean forced = new AtomicBoolean();
  private final long startNanos = System.nanoTime();
  private volatile Process squid;
  private volatile int lastZombies;
  private final Reaper reaper = new Reaper();
  private final AccessLog accessLog;

  public Runner(AgentConfig cfg) {
    this.cfg = cfg;
    this.manager = new CacheManager("127.0.0.1", cfg.squidPort());
    this.accessLog = cfg.accessLogDecisions() ? new AccessLog(cfg.accessLogMode()) : null;
  }

  List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(cfg.squidBinary().toString());
    if (cfg.workers() > 1) {
      // SMP: with --foreground alone Squid points its kids' stdout/stderr at /dev/null, so the
      // access log (stdio:/dev/stdout) and cache log would be lost; -d 0 keeps them.
      cmd.addAll(List.of("--foreground", "-d", "0"));
    } else {
      cmd.add("-N");
    }
    cmd.addAll(List.of("-f", cfg.squidConfig().toString(), "-n", cfg.serviceName()));
    return cmd;
  }

  /** Runs until Squid exits; returns the agent's exit code. */
  public int run() throws IOException, InterruptedException {
    try {
      if (PidFile.removeStale(cfg.pidFile()) == PidFile.Outcome.REMOVED) {
        Log.info("run: removed stale pid file " + cfg.pidFile());
      }
    } catch (StepFailure e) {
      Log.error("run: " + e.getMessage());
      return 1;
    }
    HealthServer health = new HealthServer(cfg.healthBind(), cfg.healthPort(), this);
    List<String> cmd = command();
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    if (accessLog != null) {
      // Squid's stdout (its access log, every worker's) is a pipe the agent counts and forwards
      pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
    }
    try {
      squid = pb.start();
    } catch (IOException e) {
      Log.error("run: cannot start " + String.join(" ", cmd) + ": " + e.getMessage());
      return 1;
    }
    Thread logPump = accessLog == null ? null : startAccessLog(squid);
    Reaper.OWN.add(squid.pid());
    Log.info("run: started " + String.join(" ", cmd) + " (pid " + squid.pid() + ")");
    installSignals();
    health.start();
    Log.info(
        "run: health server on "
            + cfg.healthBind()
            + ":"
            + health.port()
            + " (/health, /ready, /metrics, /denials)");
    Thread zombies = new Thread(this::watchZombies, "zombie-watch");
    zombies.setDaemon(true);
    zombies.start();

    int code = squid.waitFor();
    if (logPump != null) {
      // the last lines Squid wrote before it exited
      logPump.join(ACCESS_LOG_DRAIN_MILLIS);
    }
    if (shuttingDown.get()) {
      if (forced.get()) {
        Log.error(
            "run: squid did not stop within "
                + (cfg.shutdownLifetimeSeconds() + 5)
                + " s and was killed");
        return 1;
      }
      Log.info(
          "run: squid stopped (exit "
              + code
              + ") after "
              + (System.nanoTime() - shutdownStart) / 1_000_000
              + " ms");
      return 0;
    }
    String msg =
        "squid exited on its own with "
            + describeExit(code)
            + " (its cache.log on stderr says why)";
    Log.error("run: " + msg + "; exiting");
    // what `kubectl describe pod` shows as the container's last state
    TerminationMessage.write(cfg.terminationLog(), msg);
    return code == 0 ? 1 : code;
  }

  private Thread startAccessLog(Process p) {
    Thread t =
        new Thread(
            () -> {
              try {
                accessLog.pump(
                    p.getInputStream(),
                    new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024));
              } catch (IOException | RuntimeException e) {
                Log.error("run: access log: " + e + "; its lines are dropped from now on");
                // keep reading: a full pipe would stop every Squid worker at its next log line
                try {
                  p.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                  // Squid is gone
                }
              }
            },
            "access-log");
    t.setDaemon(true);
    t.start();
    return t;
  }

  static String describeExit(int code) {
    return code > 128 ? "signal " + (code - 128) + " (exit " + code + ")" : "exit code " + code;
  }

  private volatile long shutdownStart;

  private void installSignals() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> shutdown("SIGTERM"));
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> shutdown("SIGINT"));
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> reconfigure());
    } catch (IllegalArgumentException e) {
      Log.error("run: cannot install signal handlers: " + e.getMessage());
    }
  }

  /** Readiness fails at once; Squid gets SIGTERM and drains for up to shutdown_lifetime. */
  void shutdown(String why) {
    if (!shuttingDown.compareAndSet(false, true)) {
      Log.info("run: " + why + " again: already stopping");
      return;
    }
    shutdownStart = System.nanoTime();
    Process p = squid;
    int limit = cfg.shutdownLifetimeSeconds() + 5;
    Log.info(
        "run: "
            + why
            + ": not ready any more; stopping squid (SIGTERM, waiting up to "
            + limit
            + " s)");
    if (p == null) {
      return;
    }
    p.destroy();
    Thread watchdog =
        new Thread(
            () -> {
              try {
                if (!p.waitFor(limit, java.util.concurrent.TimeUnit.SECONDS)) {
                  forced.set(true);
                  p.descendants().forEach(ProcessHandle::destroyForcibly);
                  p.destroyForcibly();
                }
              } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
              }
            },
            "shutdown-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Thread drain = new Thread(() -> finishWhenDrained(p), "drain-watch");
    drain.setDaemon(true);
    drain.start();
  }

  /**
   * Squid waits all of shutdown_lifetime even when no client is left. Once no accepted connection
   * is open on the proxy port (Squid stopped listening at SIGTERM, so none can arrive), ask Squid
   * to finish now with {@code squid -k interrupt} (SIGINT: shutdown without the wait).
   */
  private void finishWhenDrained(Process p) {
    int idlePolls = 0;
    try {
      while (p.isAlive()) {
        Thread.sleep(DRAIN_POLL_MILLIS);
        int open = ProcFs.openConnections(cfg.squidPort());
        if (open < 0) {
          return;
        }
        idlePolls = open == 0 ? idlePolls + 1 : 0;
        if (idlePolls >= DRAIN_IDLE_POLLS) {
          Log.info(
              "run: no client connections left after "
                  + (System.nanoTime() - shutdownStart) / 1_000_000
                  + " ms: squid -k interrupt (finish without waiting the rest of shutdown_lifetime)");
          Exec.Result r =
              Exec.run(
                  List.of(
                      cfg.squidBinary().toString(),
                      "-k",
                      "interrupt",
                      "-f",
                      cfg.squidConfig().toString(),
                      "-n",
                      cfg.serviceName()),
                  10);
          if (r.exitCode() != 0) {
            Log.info(
                "run: squid -k interrupt exit "
                    + r.exitCode()
                    + ": "
                    + r.tail(3)
                    + "; waiting for shutdown_lifetime instead");
          }
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      Log.info("run: squid -k interrupt: " + e.getMessage());
    }
  }

  /**
   * SIGHUP: Squid's own reconfigure (it signals the pid in its pid file; no shell or kill binary
   * needed).
   */
  private void reconfigure() {
    Thread t =
        new Thread(
            () -> {
              try {
                Exec.Result r =
                    Exec.run(
                        List.of(
                            cfg.squidBinary().toString(),
                            "-k",
                            "reconfigure",
                            "-f",
                            cfg.squidConfig().toString(),
                            "-n",
                            cfg.serviceName()),
                        30);
                Log.info(
                    "run: SIGHUP: squid -k reconfigure exit "
                        + r.exitCode()
                        + (r.lines().isEmpty() ? "" : ": " + r.tail(3)));
              } catch (IOException e) {
                Log.error("run: SIGHUP: " + e.getMessage());
              }
            },
            "reconfigure");
    t.setDaemon(true);
    t.start();
  }

  /** Every 2 s: reap orphans re-parented to us (PID 1), or at least count them. */
  private void watchZombies() {
    long self = ProcessHandle.current().pid();
    if (self == 1 && !Reaper.available()) {
      Log.info(
          "run: PID 1 without access to the JDK's waitpid (jar manifest Add-Opens java.base/java.lang missing):"
              + " orphans will only be counted");
    }
    while (true) {
      int z = reaper.scan(self);
      if (z > lastZombies && !Reaper.available()) {
        Log.info("run: " + z + " exited orphan process(es) are waiting to be reaped");
      }
      lastZombies = z;
      try {
        // a zombie is reaped on its second sighting: look again soon when there is one
        Thread.sleep(z > 0 ? ZOMBIE_RESCAN_MILLIS : ZOMBIE_SCAN_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  // --- checks ---------------------------------------------------------------------------------

  private boolean squidAlive() {
    Process p = squid;
    return p != null && p.isAlive();
  }

  static boolean accepts(String host, int port, int timeoutMillis) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), timeoutMillis);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public boolean healthy() {
    if (!squidAlive()) {
      return false;
    }
    Boolean listening = ProcFs.listening(cfg.squidPort());
    return listening != null ? listening : accepts("127.0.0.1", cfg.squidPort(), PORT_CHECK_MILLIS);
  }

  @Override
  public boolean ready() {
    return !shuttingDown.get() && squidAlive() && manager.get("info", READY_TIMEOUT_MILLIS).ok();
  }

  @Override
  public String denials(String query) {
    return accessLog == null ? null : accessLog.denials().answer(query, accessLog.mode());
  }

  @Override
  public String metrics() {
    Metrics m = new Metrics();
    Process p = squid;
    boolean alive = squidAlive();
    m.metric("squid_up", "gauge", "1 when the Squid process is running", alive ? 1 : 0);
    m.metric(
        "cephaloproxy_agent_shutting_down",
        "gauge",
        "1 after SIGTERM, while Squid drains",
        shuttingDown.get() ? 1 : 0);
    m.metric(
        "cephaloproxy_agent_uptime_seconds",
        "gauge",
        "Seconds since the agent started",
        (System.nanoTime() - startNanos) / 1e9);
    // Runtime rather than java.lang.management: keeps java.management out of the jlinked runtime
    Runtime rt = Runtime.getRuntime();
    m.metric(
        "cephaloproxy_agent_jvm_heap_used_bytes",
        "gauge",
        "JVM heap in use",
        rt.totalMemory() - rt.freeMemory());
    m.metric(
        "cephaloproxy_agent_jvm_heap_committed_bytes",
        "gauge",
        "JVM heap committed",
        rt.totalMemory());
    m.metric("cephaloproxy_agent_jvm_heap_max_bytes", "gauge", "JVM heap limit", rt.maxMemory());
    long agentRss = ProcFs.residentBytes(ProcessHandle.current().pid());
    if (agentRss >= 0) {
      m.metric(
          "cephaloproxy_agent_resident_memory_bytes",
          "gauge",
          "Resident memory of the agent process",
          agentRss);
    }
    if (p != null && alive) {
      long rss = ProcFs.residentBytes(p.pid());
      if (rss >= 0) {
        m.metric(
            "squid_resident_memory_bytes",
            "gauge",
            "Resident memory of the Squid master process",
            rss);
      }
    }
    m.metric(
        "cephaloproxy_agent_zombie_processes",
        "gauge",
        "Exited orphans re-parented to the agent and not reaped yet",
        lastZombies);
    m.metric(
        "cephaloproxy_agent_reaped_orphans_total",
        "counter",
        "Orphans re-parented to the agent (PID 1) that it reaped",
        reaper.reaped());
    CacheManager.Response counters = alive ? manager.get("counters", METRICS_TIMEOUT_MILLIS) : null;
    CacheManager.Response info = alive ? manager.get("info", METRICS_TIMEOUT_MILLIS) : null;
    boolean up = counters != null && counters.ok() && info != null && info.ok();
    m.metric(
        "squid_cachemgr_up",
        "gauge",
        "1 when the last read of Squid's cache manager succeeded",
        up ? 1 : 0);
    if (counters != null && counters.ok()) {
      Map<String, Double> c = Metrics.parseCounters(counters.body());
      m.counters(c);
    }
    if (info != null && info.ok()) {
      m.info(Metrics.parseInfo(info.body()));
    }
    if (accessLog != null) {
      accessLog.metrics(m);
    }
    return m.text();
  }
}
