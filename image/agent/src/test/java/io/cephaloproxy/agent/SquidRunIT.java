package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent jar around the host's real Squid (Debian 5.7 at /usr/sbin/squid) on loopback. When the
 * tests run as root, the agent runs as UID 65534 GID 0 through setpriv, like an arbitrary OpenShift
 * UID.
 */
class SquidRunIT {
  static final Path SQUID = Path.of(System.getProperty("squid.binary", "/usr/sbin/squid"));
  static final boolean ROOT = "0".equals(Ids.uid());
  static final String RUN_UID = ROOT ? "65534" : Ids.uid();
  static final int LIFETIME = 4;

  @TempDir Path tmp;
  Path etc;
  Path run;
  Path lib;
  Path cache;
  Path out;
  Path err;
  Path jar;
  int proxyPort;
  int healthPort;
  String service;
  HttpServer origin;
  Process agent;
  final AtomicInteger slowServed = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    assertThat(SQUID)
        .as("Squid must be installed (scripts/stages/10-prereqs.sh installs squid-openssl)")
        .isExecutable();
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    etc = Files.createDirectories(tmp.resolve("etc"));
    run = writable(tmp.resolve("run"));
    lib = writable(tmp.resolve("lib"));
    cache = writable(tmp.resolve("cache"));
    out = ownedLog(tmp.resolve("stdout.log"));
    err = ownedLog(tmp.resolve("stderr.log"));
    // the built jar, copied where the unprivileged UID can read it
    jar = tmp.resolve("agent.jar");
    Files.copy(
        Path.of(System.getProperty("agent.jar", "target/cephaloproxy-agent.jar")),
        jar,
        StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    proxyPort = RunnerTest.freePort();
    healthPort = RunnerTest.freePort();
    service = "agentit" + UUID.randomUUID().toString().substring(0, 8);
    startOrigin();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null && agent.isAlive()) {
      agent.descendants().forEach(ProcessHandle::destroyForcibly);
      agent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    origin.stop(0);
  }

  static Path writable(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    return dir;
  }

  /**
   * A log file the agent's UID owns: Squid re-opens /dev/stdout, which needs permission on the
   * file.
   */
  static Path ownedLog(Path file) throws IOException {
    Files.writeString(file, "");
    if (ROOT) {
      UserPrincipal nobody =
          file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(file, nobody);
    }
    return file;
  }

  /** An origin with /hello and /slow (10 x 1 KiB, 250 ms apart). */
  void startOrigin() throws IOException {
    origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    origin.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    origin.createContext(
        "/hello",
        ex -> {
          byte[] b = "hello from origin\n".getBytes(StandardCharsets.US_ASCII);
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    // the status line at once, the body a second later: the client has its 200 before Squid has
    // finished (and logged) the request
    origin.createContext(
        "/late",
        ex -> {
          byte[] b = "late\n".getBytes(StandardCharsets.US_ASCII);
          ex.sendResponseHeaders(200, b.length);
          try {
            Thread.sleep(1000);
            ex.getResponseBody().write(b);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.close();
        });
    origin.createContext(
        "/slow",
        ex -> {
          ex.getResponseHeaders().set("Cache-Control", "no-store");
          ex.sendResponseHeaders(200, 10 * 1024);
          try (OutputStream o = ex.getResponseBody()) {
            for (int i = 0; i < 10; i++) {
              o.write(new byte[1024]);
              o.flush();
              Thread.sleep(250);
            }
            slowServed.incrementAndGet();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    origin.start();
  }

  void writeConfig(String extra) throws IOException {
    Files.writeString(
        etc.resolve("squid.conf"),
        String.join(
            "\n",
            "http_port 127.0.0.1:" + proxyPort,
            "pid_filename " + run.resolve("squid.pid"),
            "cache_log stdio:/dev/stderr",
            "access_log stdio:/dev/stdout",
            "cache_store_log none",
            "coredump_dir " + run,
            "cache_dir ufs " + cache + " 16 4 16",
            "cache_mem 8 MB",
            "shutdown_lifetime " + LIFETIME + " seconds",
            "pinger_enable off",
            "dns_nameservers 127.0.0.1",
            "include " + run.resolve("upstream.conf"),
            "http_access allow localhost manager",
            "http_access deny manager",
            extra,
            "http_access allow localhost",
            "http_access deny all",
            ""));
    Map<String, String> p = new LinkedHashMap<>();
    p.put("squid.serviceName", service);
    p.put("squid.port", Integer.toString(proxyPort));
    p.put("squid.pidFile", run.resolve("squid.pid").toString());
    p.put("squid.shutdownLifetimeSeconds", Integer.toString(LIFETIME));
    p.put("squid.binary", SQUID.toString());
    p.put("health.port", Integer.toString(healthPort));
    p.put("health.bind", "127.0.0.1");
    p.put("writable.paths", run + "," + lib);
    p.put("cache.dirs", cache.toString());
    p.put("trustedCA.bundle", lib.resolve("trusted-ca.pem").toString());
    p.put("upstream.include", run.resolve("upstream.conf").toString());
    p.put("termination.log", tmp.resolve("termination-log").toString());
    Fixtures.properties(etc, p);
    ownedLog(tmp.resolve("termination-log"));
  }

  ProcessBuilder agentCommand(String mode) {
    List<String> cmd = new ArrayList<>();
    if (ROOT) {
      cmd.addAll(List.of("setpriv", "--reuid=" + RUN_UID, "--regid=0", "--clear-groups"));
    }
    cmd.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            jar.toString(),
            mode,
            "--config-dir",
            etc.toString()));
    return new ProcessBuilder(cmd)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
  }

  int init() throws Exception {
    Process p = agentCommand("init").start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  CacheManager.Response health(String path) {
    return CacheManager.get("127.0.0.1", healthPort, path, 3000);
  }

  String logs() throws IOException {
    return "stdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err);
  }

  /** Starts `agent run`; returns ms from start until /ready said 200. */
  long startAndAwaitReady() throws Exception {
    long t0 = System.nanoTime();
    agent = agentCommand("run").start();
    while (health("/ready").status() != 200) {
      assertThat(agent.isAlive()).as("agent alive; " + logs()).isTrue();
      assertThat((System.nanoTime() - t0) / 1_000_000)
          .as("ready within 15 s; " + logs())
          .isLessThan(15_000);
      Thread.sleep(50);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  static HttpURLConnection viaProxy(int proxyPort, String url) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection)
            new URL(url)
                .openConnection(
                    new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", proxyPort)));
    c.setConnectTimeout(3000);
    c.setReadTimeout(10_000);
    // no idle keep-alive connection left behind: an open client connection keeps Squid draining
    c.setRequestProperty("Connection", "close");
    return c;
  }

  @Test
  void initThenRunServesIsReadyAndDrainsAnInFlightDownloadOnSigterm() throws Exception {
    writeConfig("");
    assertThat(init()).as(logs()).isZero();
    assertThat(Files.readString(out))
        .contains(
            "init: writable paths: ok",
            "paths writable by UID " + RUN_UID + " GID 0",
            "init: config parse: ok",
            "init: disk cache: ok (created [" + cache + "]",
            "init: done");
    assertThat(cache.resolve("00/00")).isDirectory();
    // a second init over the same volumes keeps the cache
    assertThat(init()).isZero();
    assertThat(Files.readString(out))
        .contains("init: disk cache: ok (kept existing [" + cache + "])");

    long readyMillis = startAndAwaitReady();
    System.out.println("SquidRunIT: /ready 200 after " + readyMillis + " ms from process start");
    assertThat(health("/health"))
        .extracting(CacheManager.Response::status, CacheManager.Response::body)
        .containsExactly(200, "OK");

    HttpURLConnection c =
        viaProxy(proxyPort, "http://127.0.0.1:" + origin.getAddress().getPort() + "/hello");
    assertThat(c.getResponseCode()).isEqualTo(200);
    assertThat(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("hello from origin\n");
    // the access log line reaches the agent's stdout through the inherited descriptor
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!Files.readString(out).contains("/hello ")) {
      assertThat(System.nanoTime()).as("access log line on stdout; " + logs()).isLessThan(deadline);
      Thread.sleep(50);
    }
    assertThat(Files.readString(out))
        .containsPattern("TCP_MISS/200 \\d+ GET http://127.0.0.1:\\d+/hello");

    String metrics = health("/metrics").body();
    MetricsTest.assertValidExposition(metrics);
    assertThat(metrics)
        .contains(
            "squid_up 1\n",
            "squid_cachemgr_up 1\n",
            "squid_info{version=\"5.7\",service=\"" + service + "\"} 1\n")
        .containsPattern("squid_client_http_requests_total [1-9]");

    // a slow download is in flight when SIGTERM arrives
    CompletableFuture<Integer> download =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                HttpURLConnection s =
                    viaProxy(
                        proxyPort, "http://127.0.0.1:" + origin.getAddress().getPort() + "/slow");
                try (InputStream in = s.getInputStream()) {
                  return in.readAllBytes().length;
                }
              } catch (IOException e) {
                return -1;
              }
            });
    Thread.sleep(600);
    assertThat(download).isNotDone();
    long t0 = System.nanoTime();
    agent.destroy();
    Thread.sleep(100);
    assertThat(health("/ready").status()).as("readiness fails at once").isEqualTo(503);
    assertThat(download.get(10, TimeUnit.SECONDS))
        .as("the in-flight download completes")
        .isEqualTo(10 * 1024);
    assertThat(agent.waitFor(LIFETIME + 5, TimeUnit.SECONDS)).isTrue();
    long stopMillis = (System.nanoTime() - t0) / 1_000_000;
    System.out.println(
        "SquidRunIT: stopped "
            + stopMillis
            + " ms after SIGTERM (shutdown_lifetime "
            + LIFETIME
            + " s)");
    assertThat(agent.exitValue()).as(logs()).isZero();
    System.out.println(
        "SquidRunIT: agent stderr:\n"
            + Files.readString(err)
                .lines()
                .filter(l -> l.startsWith("agent:"))
                .collect(java.util.stream.Collectors.joining("\n")));
    assertThat(stopMillis).isLessThan((LIFETIME + 2) * 1000L);
    // with the download done and no client left, the agent let Squid skip the rest of
    // shutdown_lifetime
    assertThat(Files.readString(err))
        .contains(
            "run: SIGTERM: not ready any more",
            "run: no client connections left after",
            "run: squid stopped (exit 0)");
    assertThat(run.resolve("squid.pid")).doesNotExist();
  }

  @Test
  void decisionsAreCountedThroughTheAgentsPipeAndTheLinesForwardedWithoutThePrefix()
      throws Exception {
    // what the compiler writes: each rule annotates itself last on its line; the logformat starts
    // with the decision prefix (issue 17 §1)
    writeConfig(
        String.join(
            "\n",
            "acl cp_rule_denied_domain annotate_transaction cp_decision=deny cp_rule=denied-domain",
            "acl cp_rule_allow annotate_transaction cp_decision=allow cp_rule=allow",
            "acl bad dstdomain -n bad.test",
            "http_access deny bad cp_rule_denied_domain",
            "http_access allow localhost cp_rule_allow"));
    Path conf = etc.resolve("squid.conf");
    Files.writeString(
        conf,
        Files.readString(conf)
            .replace(
                "access_log stdio:/dev/stdout\n",
                "logformat cp_access cp2 %{cp_decision}note %{cp_rule}note %{would_deny}note %Ss"
                    + " %>Hs %<st %tr %#>rd %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt\n"
                    + "acl cp_probes all-of localhost manager\n"
                    + "access_log stdio:/dev/stdout cp_access !cp_probes\n"));
    Path props = etc.resolve(AgentConfig.PROPERTIES_FILE);
    Files.writeString(
        props, Files.readString(props) + "accessLog.decisions=true\naccessLog.mode=enforce\n");
    assertThat(init()).as(logs()).isZero();
    startAndAwaitReady();
    String base = "http://127.0.0.1:" + origin.getAddress().getPort();
    for (int i = 0; i < 4; i++) {
      HttpURLConnection c = viaProxy(proxyPort, base + "/hello");
      assertThat(c.getResponseCode()).isEqualTo(200);
      c.getInputStream().readAllBytes();
    }
    // the 5th allowed request: the client has its 200 (the status line) while Squid still waits
    // for the body, so Squid logs it after the denied ones below. Squid writes a request's
    // line when the request ends, not when the client sees its status: the count is awaited
    // (the revert 1dc6e77 of this test read /metrics as soon as the denied lines were there and
    // counted 4 of 5 when the origin's body came late under load)
    HttpURLConnection late = viaProxy(proxyPort, base + "/late");
    assertThat(late.getResponseCode()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(viaProxy(proxyPort, "http://bad.test/x").getResponseCode()).isEqualTo(403);
    }
    // every line forwarded means every line counted (the agent counts a line, then writes it)
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (Files.readString(out).lines().filter(l -> l.contains(" GET http://")).count() < 8) {
      assertThat(System.nanoTime())
          .as("8 access log lines on stdout within 15 s; " + logs())
          .isLessThan(deadline);
      Thread.sleep(50);
    }
    String metrics = health("/metrics").body();
    MetricsTest.assertValidExposition(metrics);
    assertThat(metrics)
        .contains(
            "cephaloproxy_requests_total{decision=\"allow\",rule=\"allow\",mode=\"enforce\"} 5\n",
            "cephaloproxy_requests_total{decision=\"deny\",rule=\"denied-domain\",mode=\"enforce\"} 3\n",
            "cephaloproxy_request_duration_seconds_count{decision=\"allow\"} 5\n")
        .doesNotContain("rule=\"unknown\"");
    // Squid (UID 65534 when run as root) re-opened /dev/stdout, the agent's pipe; the container log
    // has Squid's native format only
    // the denied requests by rule and host, once their 10-second bucket is complete
    long wait = System.nanoTime() + 25_000_000_000L;
    String denials;
    // (the three may fall into two buckets: wait until both are complete)
    while (!(denials = health("/denials").body())
        .contains("\"rule\":\"denied-domain\",\"requests\":3,")) {
      assertThat(System.nanoTime()).as("/denials: " + denials).isLessThan(wait);
      Thread.sleep(200);
    }
    assertThat(denials)
        .contains(
            "{\"decision\":\"deny\",\"rule\":\"denied-domain\",\"requests\":3,"
                + "\"hosts\":[{\"host\":\"bad.test\",\"requests\":3}]}")
        .contains("\"mode\":\"enforce\"");
    assertThat(Files.readString(out))
        .doesNotContain("cp2 ")
        .containsPattern(
            "(?m)^\\d+\\.\\d{3} +\\d+ 127\\.0\\.0\\.1 TCP_MISS/200 \\d+ GET http://127.0.0.1:\\d+/hello ")
        .containsPattern(
            "(?m)^\\d+\\.\\d{3} +\\d+ 127\\.0\\.0\\.1 TCP_DENIED/403 \\d+ GET http://bad.test/x ");
    // SIGTERM: the agent forwards what Squid wrote last and exits 0
    agent.destroy();
    assertThat(agent.waitFor(LIFETIME + 5, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).as(logs()).isZero();
  }

  @Test
  void squidKilledMeansTheAgentExitsNonZeroAtOnce() throws Exception {
    writeConfig("");
    assertThat(init()).as(logs()).isZero();
    startAndAwaitReady();
    ProcessHandle squid = agent.children().findFirst().orElseThrow();
    long t0 = System.nanoTime();
    ProcessBuilder kill = new ProcessBuilder("kill", "-9", Long.toString(squid.pid()));
    assertThat(kill.start().waitFor()).isZero();
    assertThat(agent.waitFor(3, TimeUnit.SECONDS)).isTrue();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
    assertThat(agent.exitValue()).isEqualTo(137);
    assertThat(Files.readString(err)).contains("squid exited on its own with signal 9");
    // the next container start finds Squid's pid file and runs anyway
    assertThat(run.resolve("squid.pid")).exists();
    startAndAwaitReady();
    assertThat(Files.readString(err)).contains("run: removed stale pid file");
  }

  @Test
  void invalidConfigFailsInitWithSquidsMessageInTheTerminationLog() throws Exception {
    writeConfig(
        "acl blocked dstdomain \""
            + etc.resolve("acl-missing.txt")
            + "\"\nhttp_access deny blocked");
    // no wall-clock limit here: this suite shares the host with others (11.5 s at load 35 once);
    // how long init takes is a figure of the image benchmarks, not a test
    assertThat(init()).isEqualTo(1);
    assertThat(Files.readString(tmp.resolve("termination-log")))
        .startsWith("squid -k parse rejected " + etc.resolve("squid.conf") + " (exit 0):")
        .contains("ERROR: Can not open file " + etc.resolve("acl-missing.txt") + " for reading");

    // Squid 5.7 reports an unknown directive without ERROR/FATAL: its own line still reaches the
    // user
    writeConfig("not_a_squid_directive on");
    assertThat(init()).isEqualTo(1);
    assertThat(Files.readString(tmp.resolve("termination-log")))
        .contains("Processing: not_a_squid_directive on", "unrecognized: 'not_a_squid_directive'")
        .doesNotContain("Startup:")
        .doesNotContain("Processing: http_port");
  }

  @Test
  void unwritableCacheDirIsNamedWithUidAndFix() throws Exception {
    writeConfig("");
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (!ROOT) {
      Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    assertThat(init()).isEqualTo(1);
    assertThat(Files.readString(tmp.resolve("termination-log")))
        .startsWith(cache + " is not writable by UID " + RUN_UID + " GID 0 (owner ")
        .contains(
            "mount a writable volume there (emptyDir, or a PVC for the cache) or make it group-0 writable");
  }

  @Test
  void sslBumpInitCreatesTheCertDbWithTheRealHelperAndKeepsItOnRestart() throws Exception {
    CaCheckTest.makeCa(etc.resolve("tls"), "rsa", true, "IT Bump CA");
    Files.setPosixFilePermissions(
        etc.resolve("tls/tls.key"), PosixFilePermissions.fromString("rw-r--r--"));
    Path db = lib.resolve("ssl_db");
    writeConfig("");
    String conf =
        Files.readString(etc.resolve("squid.conf"))
            .replace(
                "http_port 127.0.0.1:" + proxyPort,
                "http_port 127.0.0.1:"
                    + proxyPort
                    + " ssl-bump tls-cert="
                    + etc.resolve("tls/tls.crt")
                    + " tls-key="
                    + etc.resolve("tls/tls.key")
                    + " generate-host-certificates=on dynamic_cert_mem_cache_size=1MB\n"
                    + "sslcrtd_program /usr/lib/squid/security_file_certgen -s "
                    + db
                    + " -M 4MB\nssl_bump bump all");
    Files.writeString(etc.resolve("squid.conf"), conf);
    Files.writeString(
        etc.resolve("runtime.properties"),
        Files.readString(etc.resolve("runtime.properties"))
            + "sslBump.enabled=true\nsslBump.db="
            + db
            + "\n");
    assertThat(init()).as(logs()).isZero();
    assertThat(Files.readString(out))
        .contains(
            "init: ssl-bump CA: CN=IT Bump CA", "init: ssl-bump certificate DB: ok (created " + db);
    assertThat(db.resolve("index.txt")).exists();
    Files.writeString(db.resolve("certs/marker"), "kept");
    assertThat(init()).isZero();
    assertThat(Files.readString(out))
        .contains("init: ssl-bump certificate DB: ok (kept existing " + db + ")");
    assertThat(db.resolve("certs/marker")).hasContent("kept");
    startAndAwaitReady();
  }
}
