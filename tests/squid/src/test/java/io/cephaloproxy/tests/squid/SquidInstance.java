package io.cephaloproxy.tests.squid;

import io.cephaloproxy.agent.AccessLog;
import io.cephaloproxy.agent.SquidOutput;
import io.cephaloproxy.testsupport.Cmd;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * One real Squid, run the way the image's agent runs it: as a non-root UID with GID 0, in the
 * foreground, access log on stdout and cache log on stderr (both captured to files), inside the
 * proxy namespace of a {@link NetLab} with a private mount namespace whose {@code /run/squid}
 * (Squid's compiled-in IPC directory) is this instance's run dir and whose {@code /dev/shm} is a
 * fresh tmpfs.
 */
public final class SquidInstance implements AutoCloseable {
  /** An arbitrary non-root UID without a passwd entry, as OpenShift's restricted-v2 assigns. */
  public static final int UID = 1000680000;

  /**
   * Besides the lines the agent's {@link SquidOutput} counts as errors, this warning means a broken
   * configuration here: the compiler never writes an empty ACL.
   */
  private static final String EMPTY_ACL_WARNING = "Warning: empty ACL";

  private static final Pattern PARSE_WARNING =
      Pattern.compile("(^|\\|\\s*)WARNING", Pattern.CASE_INSENSITIVE);

  /**
   * What the agent reads from runtime.properties (docs/architecture.md), plus the dir holding the
   * logs.
   */
  public record Settings(
      Path config,
      String serviceName,
      int port,
      int workers,
      int shutdownLifetimeSeconds,
      Path runDir,
      List<Path> cacheDirs,
      Path sslDb,
      String sslDbSize) {

    public static Settings fromRuntimeProperties(Path file) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String pid = p.getProperty("squid.pidFile", "/var/run/squid/squid.pid");
      List<Path> caches =
          Arrays.stream(p.getProperty("cache.dirs", "").split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .map(Path::of)
              .toList();
      boolean bump = Boolean.parseBoolean(p.getProperty("sslBump.enabled", "false"));
      return new Settings(
          Path.of(p.getProperty("squid.config", "/etc/cephaloproxy/squid.conf")),
          p.getProperty("squid.serviceName", "squid"),
          Integer.parseInt(p.getProperty("squid.port", "3128")),
          Integer.parseInt(p.getProperty("squid.workers", "1")),
          Integer.parseInt(p.getProperty("squid.shutdownLifetimeSeconds", "20")),
          Path.of(pid).getParent(),
          caches,
          bump ? Path.of(p.getProperty("sslBump.db", "/var/lib/squid/ssl_db")) : null,
          p.getProperty("sslBump.dbSize", "4MB"));
    }

    public Settings withServiceName(String name) {
      return new Settings(
          config,
          name,
          port,
          workers,
          shutdownLifetimeSeconds,
          runDir,
          cacheDirs,
          sslDb,
          sslDbSize);
    }
  }

  /**
   * The outcome of {@code squid -k parse}: every line, and the ones that mean failure or deserve a
   * look.
   */
  public record ParseResult(
      int exit, List<String> lines, List<String> failures, List<String> warnings) {
    public boolean ok() {
      return exit == 0 && failures.isEmpty();
    }

    public String describe() {
      return "exit " + exit + ", failures " + failures + ", warnings " + warnings;
    }
  }

  private final NetLab lab;
  private final Settings settings;
  private final Path stdout;
  private final Path stderr;
  private Process process;
  private long startMillis = -1;
  private AccessLog counting;
  private Thread pump;
  private volatile long pumpCpuNanos;

  public SquidInstance(NetLab lab, Settings settings, Path logDir) {
    this.lab = lab;
    this.settings = settings;
    this.stdout = logDir.resolve(settings.serviceName() + ".stdout");
    this.stderr = logDir.resolve(settings.serviceName() + ".stderr");
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Squid's stdout through the agent's {@link AccessLog} as in the image (runtime.properties {@code
   * accessLog.decisions}): a pipe the log's pump reads in a thread of this JVM, counting each line
   * and writing what the agent forwards to the stdout file. Call before {@link #start()}.
   */
  public SquidInstance countedBy(AccessLog log) {
    this.counting = log;
    return this;
  }

  /**
   * Makes the named pipe Squid writes its access log to and starts the thread that pumps it through
   * {@link #counting} into the stdout file; the thread's open waits for Squid's end.
   */
  private Path startPump() {
    Path fifo = stdout.resolveSibling(settings.serviceName() + ".pipe");
    try {
      Files.deleteIfExists(fifo);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Cmd.check("mkfifo", "-m", "660", fifo.toString());
    // a FileInputStream: its available() works on a pipe (a channel's would seek and fail)
    pump =
        new Thread(
            () -> {
              try (InputStream in = new java.io.FileInputStream(fifo.toFile());
                  java.io.OutputStream o =
                      new java.io.BufferedOutputStream(
                          new java.io.FileOutputStream(stdout.toFile(), true), 64 * 1024)) {
                counting.pump(in, o);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } finally {
                pumpCpuNanos =
                    java.lang.management.ManagementFactory.getThreadMXBean()
                        .getCurrentThreadCpuTime();
              }
            },
            "access-log-" + settings.serviceName());
    pump.setDaemon(true);
    pump.start();
    return fifo;
  }

  /** CPU time of the {@link #countedBy} pump so far (zero without one). */
  public Duration pumpCpu() {
    Thread t = pump;
    if (t != null && t.isAlive()) {
      long n = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId());
      if (n >= 0) {
        return Duration.ofNanos(n);
      }
    }
    return Duration.ofNanos(pumpCpuNanos);
  }

  /** Runs {@code squid -k parse} on a config as the non-root UID. */
  public static ParseResult parse(Path config) {
    Cmd.Result r =
        Cmd.run(
            Duration.ofSeconds(60),
            asSquidUser(List.of(Prereqs.SQUID.toString(), "-k", "parse", "-f", config.toString())));
    List<String> lines = (r.out() + r.err()).lines().toList();
    List<String> failures =
        lines.stream()
            .filter(l -> SquidOutput.isError(l) || l.contains(EMPTY_ACL_WARNING))
            .toList();
    List<String> warnings = lines.stream().filter(l -> PARSE_WARNING.matcher(l).find()).toList();
    return new ParseResult(r.exit(), lines, failures, warnings);
  }

  static List<String> asSquidUser(List<String> command) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + UID,
                "--regid=0",
                "--clear-groups",
                "--no-new-privs",
                "--"));
    cmd.addAll(command);
    return cmd;
  }

  /**
   * Makes a directory tree writable by GID 0 (what the pod's fsGroup/emptyDir gives the container).
   */
  public static void groupWritable(Path dir) {
    Cmd.check("chgrp", "-R", "0", dir.toString());
    Cmd.check("chmod", "-R", "g+rwX", dir.toString());
  }

  /** A new temp directory the Squid UID (via GID 0) can write. */
  public static Path workDir(String prefix) {
    try {
      Path d = Files.createTempDirectory(prefix);
      groupWritable(d);
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What `agent init` does before Squid starts: cache dirs via {@code squid -z -N}, the ssl_db. */
  public void init() {
    ParseResult parse = parse(settings.config());
    if (!parse.ok()) {
      throw new IllegalStateException(
          "squid -k parse rejects " + settings.config() + ": " + parse.describe());
    }
    if (settings.sslDb() != null && !Files.exists(settings.sslDb())) {
      Cmd.run(
              Duration.ofSeconds(60),
              asSquidUser(
                  List.of(
                      Prereqs.CERTGEN.toString(),
                      "-c",
                      "-s",
                      settings.sslDb().toString(),
                      "-M",
                      settings.sslDbSize())))
          .orThrow();
    }
    if (!settings.cacheDirs().isEmpty()) {
      Cmd.run(
              Duration.ofSeconds(120),
              inMountNamespace(
                  List.of(
                      Prereqs.SQUID.toString(),
                      "-z",
                      "-N",
                      "-n",
                      settings.serviceName(),
                      "-f",
                      settings.config().toString())))
          .orThrow();
    }
  }

  private List<String> inMountNamespace(List<String> squidCommand) {
    String script =
        "set -e; mkdir -p /run/squid; mount --bind \"$1\" /run/squid;"
            + " mount -t tmpfs -o size=1g,mode=1777 cpsq-shm /dev/shm; shift;"
            + " exec setpriv --reuid="
            + UID
            + " --regid=0 --clear-groups --no-new-privs -- \"$@\"";
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                script,
                "sh",
                settings.runDir().toString()));
    cmd.addAll(squidCommand);
    return NetLab.in(lab.proxy, cmd);
  }

  /** Starts Squid and waits until its port accepts connections. */
  public SquidInstance start() {
    return start(Duration.ofSeconds(30));
  }

  public SquidInstance start(Duration timeout) {
    if (process != null) {
      throw new IllegalStateException("already started");
    }
    try {
      for (Path f : List.of(stdout, stderr)) {
        Files.deleteIfExists(f);
        Files.createFile(
            f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw----")));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> squid = commandLine();
    // counted: Squid's stdout is a named pipe that Squid (a non-root UID with GID 0, like the
    // files here) can re-open as /dev/stdout, which an anonymous pipe of this root JVM would
    // refuse; in the image the agent and Squid share their UID
    Path out = counting == null ? stdout : startPump();
    long t0 = System.nanoTime();
    try {
      process =
          new ProcessBuilder(inMountNamespace(squid))
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(stderr.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      lab.awaitPort(lab.proxy, "127.0.0.1", settings.port(), timeout, process, this::kill);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + describe(), e);
    }
    startMillis = (System.nanoTime() - t0) / 1_000_000;
    return this;
  }

  /**
   * Squid's command line as the agent runs it (docs/architecture.md, runtime.properties
   * squid.workers): {@code -N} for one worker, {@code --foreground -d 0} for SMP.
   */
  public List<String> commandLine() {
    List<String> squid = new ArrayList<>(List.of(Prereqs.SQUID.toString()));
    if (settings.workers() > 1) {
      squid.addAll(List.of("--foreground", "-d", "0"));
    } else {
      squid.add("-N");
    }
    squid.addAll(List.of("-n", settings.serviceName(), "-f", settings.config().toString()));
    return squid;
  }

  /** Milliseconds from exec to the port accepting connections. */
  public long startMillis() {
    return startMillis;
  }

  /**
   * CPU time used so far by Squid and its descendants that are alive (kids, helpers such as the log
   * daemon).
   */
  public Duration cpuTime() {
    if (process == null) {
      return Duration.ZERO;
    }
    Duration total = process.info().totalCpuDuration().orElse(Duration.ZERO);
    for (ProcessHandle h : process.descendants().toList()) {
      total = total.plus(h.info().totalCpuDuration().orElse(Duration.ZERO));
    }
    return total;
  }

  /** The command lines of Squid's child processes (kids, helpers). */
  public List<String> children() {
    return process == null
        ? List.of()
        : process
            .children()
            .map(h -> h.info().commandLine().orElse(h.info().command().orElse("?")))
            .toList();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * The access log lines written so far as the container log shows them: the image's agent strips
   * each line's decision prefix (and writes the JSON object for logging.format JSON).
   */
  public List<String> accessLog() {
    return rawAccessLog().stream().map(AccessLog::forwarded).toList();
  }

  /**
   * The access log (stdout) lines as Squid wrote them, decision prefix included (with {@link
   * #countedBy}: as the agent forwarded them).
   */
  public List<String> rawAccessLog() {
    return read(stdout).lines().toList();
  }

  /** The cache log (stderr). */
  public String cacheLog() {
    return read(stderr);
  }

  public String describe() {
    return "\n--- access log (stdout) of "
        + settings.serviceName()
        + ":\n"
        + read(stdout)
        + "\n--- cache log (stderr):\n"
        + tail(read(stderr), 60);
  }

  private static String tail(String s, int lines) {
    List<String> all = s.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until an access log line matching the predicate shows up (Squid logs after the reply).
   */
  public String awaitAccessLog(java.util.function.Predicate<String> match, Duration timeout) {
    return await(this::accessLog, match, timeout);
  }

  /** {@link #awaitAccessLog} over the lines as Squid wrote them. */
  public String awaitRawAccessLog(java.util.function.Predicate<String> match, Duration timeout) {
    return await(this::rawAccessLog, match, timeout);
  }

  private String await(
      java.util.function.Supplier<List<String>> log,
      java.util.function.Predicate<String> match,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      for (String line : log.get()) {
        if (match.test(line)) {
          return line;
        }
      }
      NetLab.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no matching access log line within " + timeout + describe());
  }

  /**
   * SIGTERM, then waits shutdown_lifetime + 5 s (as the agent does) before killing. Returns the
   * exit code.
   */
  public int stop() {
    if (process == null) {
      return -1;
    }
    List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
    process.destroy();
    boolean clean =
        NetLab.waitOrKill(process, Duration.ofSeconds(settings.shutdownLifetimeSeconds() + 5L));
    family.forEach(ProcessHandle::destroyForcibly);
    if (!clean) {
      throw new IllegalStateException(
          "squid did not stop within shutdown_lifetime + 5 s after SIGTERM" + describe());
    }
    return process.exitValue();
  }

  private void kill() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      try {
        stop();
      } catch (RuntimeException e) {
        kill();
      }
    }
  }
}
