package io.cephaloproxy.tests.apiserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator as users run it: {@code java -jar cephaloproxy-operator.jar run} in its own process,
 * configured only through its environment (KUBECONFIG, WATCH_NAMESPACES, LEADER_ELECTION, ...).
 */
public final class OperatorProcess implements RunningOperator {
  private final String name;
  private final Process process;
  private final Path log;
  private final int httpPort;

  private OperatorProcess(String name, Process process, Path log, int httpPort) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /**
   * The runnable jar stage 20 (mvn install) builds, or -Doperator.jar=FILE (another build, for
   * before/after figures); on the image's own runtime ({@code -Doperator.java.home} from
   * tests/apiserver/image-jre.sh) the image's own jar, the one its CDS archive was dumped with (the
   * JVM maps the archive only for the jar it names).
   */
  public static Path jar(ControlPlane cp) {
    String other = System.getProperty("operator.jar");
    Path image =
        ImageJvm.imageRoot(javaHome()).map(r -> r.resolve(ImageJvm.IMAGE_JAR)).orElse(null);
    Path jar =
        other != null && !other.isBlank()
            ? Path.of(other)
            : image != null
                ? image
                : cp.repoRoot().resolve("operator/target/cephaloproxy-operator.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "missing "
              + jar
              + ": build the operator first (mvn -B -ntp -pl operator -am install -DskipTests)");
    }
    return jar;
  }

  /**
   * The Java runtime the operator runs on: {@code -Doperator.java.home=DIR}, e.g. the operator
   * image's own jlinked runtime ({@code tests/apiserver/image-jre.sh} copies it out of the image),
   * or else the JVM running the tests. The image's runtime carries the Dockerfile's JVM options
   * built in; {@link ImageJvm} passes the Dockerfile's current options on the command line as well,
   * where they override the built-in ones.
   */
  public static Path javaHome() {
    String other = System.getProperty("operator.java.home", "");
    Path home = other.isBlank() ? Path.of(System.getProperty("java.home")) : Path.of(other);
    if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
      throw new IllegalStateException(
          "-Doperator.java.home="
              + home
              + ": no bin/java in it (copy the image's runtime with tests/apiserver/image-jre.sh)");
    }
    return home;
  }

  /**
   * Starts an operator process with this kubeconfig and these extra environment variables and waits
   * until its /readyz answers 200 (informers synced) or, with leader election, until it is up.
   */
  public static OperatorProcess start(
      ControlPlane cp, String name, Path kubeconfig, Map<String, String> env) {
    int port = freePort();
    ImageJvm image = ImageJvm.of(cp);
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome().resolve("bin").resolve("java").toString());
    // sized as in the chart's pod: MaxRAM is the chart's default memory limit, of which the image's
    // options give the heap a share; then the image's JVM options themselves
    cmd.add("-XX:MaxRAM=" + image.chartMemoryLimitMiB() + "m");
    cmd.addAll(image.optionsFor(javaHome()));
    // -Doperator.jvm.options="..." adds JVM options after the image's (e.g. native memory
    // tracking)
    String extra = System.getProperty("operator.jvm.options", "").trim();
    if (!extra.isEmpty()) {
      cmd.addAll(List.of(extra.split("\\s+")));
    }
    cmd.addAll(List.of("-jar", jar(cp).toString(), "run"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> e = pb.environment();
    e.keySet()
        .removeIf(
            k ->
                k.startsWith("KUBERNETES_")
                    || k.equals("WATCH_NAMESPACES")
                    || k.startsWith("LEADER_"));
    Map<String, String> all = new HashMap<>();
    all.put("KUBECONFIG", kubeconfig.toString());
    all.put("HTTP_PORT", Integer.toString(port));
    all.put("POD_NAME", name);
    all.putAll(image.env());
    all.putAll(env);
    e.putAll(all);
    Path log = cp.workDir().resolve("operator-" + name + ".log");
    try {
      Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
      OperatorProcess op = new OperatorProcess(name, p, log, port);
      try {
        // a JVM starting on 2 cores shared with other builds (load average 30+) took over 90 s
        op.awaitHttp(Duration.ofSeconds(Long.getLong("operator.start.timeout.seconds", 240)));
        // on a copy of the image's runtime the figures are the image's only with its CDS archive
        // mapped; the JVM says on its first lines when it runs without
        if (ImageJvm.imageRoot(javaHome()).isPresent()) {
          String first = op.logHead(5);
          if (first.contains("[warning][cds]") || first.contains("[error][cds]")) {
            throw new IllegalStateException(
                "operator " + name + " runs without the image's CDS archive:\n" + first);
          }
        }
      } catch (RuntimeException ex) {
        op.close(); // do not leave it running after a failed start
        throw ex;
      }
      return op;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private void awaitHttp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "operator " + name + " exited with " + process.exitValue() + ":\n" + logTail(40));
      }
      if (httpStatus("/healthz") == 200) {
        return;
      }
      ControlPlane.sleep(200);
    }
    throw new IllegalStateException(
        "operator " + name + " did not answer /healthz within " + timeout + ":\n" + logTail(40));
  }

  /** HTTP status of a path on the operator's health port, or -1 when it does not answer. */
  public int httpStatus(String path) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return r.statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  public String metrics() {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String name() {
    return name;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Resident set size of the operator JVM in bytes (from /proc). */
  public long rssBytes() {
    return procStatus("VmRSS:");
  }

  /** The memory lines of /proc/PID/status (VmRSS, RssAnon, RssFile, VmHWM...), for the record. */
  public String memoryStatus() {
    try {
      return String.join(
          "\n",
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
              .filter(l -> l.startsWith("Vm") || l.startsWith("Rss"))
              .toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Threads of the operator JVM (from /proc). */
  public long threadCount() {
    return procStatus("Threads:") / 1024;
  }

  /** Peak resident set size (VmHWM). */
  public long peakRssBytes() {
    return procStatus("VmHWM:");
  }

  /** CPU time (user + system) the operator JVM has used so far, in seconds (from /proc). */
  public double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // fields after the command name in parentheses: state is field 3, utime 14, stime 15 (clock
      // ticks, 100/s)
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The operator's runtime has no jcmd when it is the image's jlinked one (no jdk.jcmd module): the
   * test JVM's jcmd then, which attaches to any HotSpot JVM of the same or a nearby feature
   * release.
   */
  private static Path jcmdPath() {
    Path own = javaHome().resolve("bin").resolve("jcmd");
    return Files.isExecutable(own) ? own : Path.of(System.getProperty("java.home"), "bin", "jcmd");
  }

  /** Runs {@code jcmd <pid> command...} (the JDK's diagnostic command) and returns its output. */
  public String jcmd(String... command) {
    List<String> cmd =
        new java.util.ArrayList<>(List.of(jcmdPath().toString(), Long.toString(process.pid())));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /**
   * SIGQUIT: the JVM writes a dump of all its threads to its log (what a stalled reconcile waits
   * on).
   */
  public void threadDump() {
    try {
      new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid()))
          .inheritIO()
          .start()
          .waitFor(10, TimeUnit.SECONDS);
      Thread.sleep(1_000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long procStatus(String key) {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no " + key + " for pid " + process.pid());
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first lines of the operator's log (the JVM's own warnings come first). */
  String logHead(int lines) {
    try (var all = Files.lines(log)) {
      return String.join("\n", all.limit(lines).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String logTail(int lines) {
    return ControlPlane.tail(log, lines);
  }

  /** SIGKILL: the process dies without releasing anything (a crashed or partitioned leader). */
  public void kill() {
    process.destroyForcibly();
    waitExit();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      waitExit();
    }
  }

  private void waitExit() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
