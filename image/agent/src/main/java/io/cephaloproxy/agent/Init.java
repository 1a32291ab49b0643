package io.cephaloproxy.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code agent init}: the init container. Prepares every writable path the compiled config needs
 * and proves the config parses, so the main container either starts or the pod says why it cannot.
 * Idempotent: a second run over the same volumes keeps the cache and the certificate DB.
 */
public final class Init {
  static final long PARSE_TIMEOUT_SECONDS = 120;
  static final long CREATE_CACHE_TIMEOUT_SECONDS = 600;
  static final long CERTGEN_TIMEOUT_SECONDS = 60;

  private final AgentConfig cfg;
  private final PrintStream out;

  public Init(AgentConfig cfg, PrintStream out) {
    this.cfg = cfg;
    this.out = out;
  }

  /** Runs every step; returns the exit code (0 or 1). */
  public int run() {
    String step = "config";
    try {
      cfg.serviceName();
      cfg.squidPort();
      cfg.workers();
      step = "writable paths";
      ok(step, checkWritablePaths());
      step = "upstream include";
      ok(step, writeUpstreamInclude());
      step = "trusted CA bundle";
      ok(step, buildTrustedCaBundle());
      if (cfg.sslBumpEnabled()) {
        step = "ssl-bump CA";
        ok(step, CaCheck.check(cfg.caCert(), cfg.caKey(), Instant.now()));
      }
      step = "config parse";
      ok(step, parseConfig());
      if (cfg.sslBumpEnabled()) {
        step = "ssl-bump certificate DB";
        ok(step, initCertDb());
      }
      step = "pid file";
      ok(step, removeStalePid());
      if (!cfg.cacheDirs().isEmpty()) {
        step = "disk cache";
        ok(step, initDiskCache());
      }
      out.println("init: done");
      out.flush();
      return 0;
    } catch (StepFailure | IllegalArgumentException e) {
      fail(step, e.getMessage());
      return 1;
    } catch (IOException | RuntimeException e) {
      fail(step, e.toString());
      return 1;
    }
  }

  private void ok(String step, String detail) {
    out.println("init: " + step + ": " + (detail == null || detail.isEmpty() ? "ok" : detail));
    out.flush();
  }

  private void fail(String step, String message) {
    out.println("init: " + step + ": FAILED: " + message);
    out.flush();
    TerminationMessage.write(cfg.terminationLog(), message);
  }

  // --- writable paths ------------------------------------------------------------------------

  String checkWritablePaths() throws StepFailure {
    Set<Path> paths = new LinkedHashSet<>(cfg.writablePaths());
    paths.add(parent(cfg.pidFile()));
    paths.addAll(cfg.cacheDirs());
    if (cfg.sslBumpEnabled() && !Files.exists(cfg.sslDb())) {
      paths.add(parent(cfg.sslDb()));
    }
    if (Files.isRegularFile(cfg.systemCaBundle()) || !cfg.trustedCaSources().isEmpty()) {
      paths.add(parent(cfg.trustedCaBundle()));
    }
    if (!cfg.upstreamCachePeer().isEmpty()) {
      paths.add(parent(cfg.upstreamInclude()));
    }
    String shm = "";
    if (cfg.workers() > 1) {
      // SMP workers share memory through /dev/shm (a memory emptyDir in the pod)
      paths.add(SHM);
      shm = shmSize();
    }
    for (Path p : paths) {
      checkWritable(p);
    }
    return "ok ("
        + paths.size()
        + " paths writable by UID "
        + Ids.uid()
        + " GID "
        + Ids.gid()
        + shm
        + ")";
  }

  static final Path SHM = Path.of("/dev/shm");

  private static String shmSize() {
    try {
      return "; "
          + SHM
          + " has "
          + Files.getFileStore(SHM).getTotalSpace() / (1024 * 1024)
          + " MiB";
    } catch (IOException e) {
      return "";
    }
  }

  private static Path parent(Path p) {
    Path parent = p.toAbsolutePath().getParent();
    return parent == null ? Path.of("/") : parent;
  }

  static void checkWritable(Path dir) throws StepFailure {
    if (!Files.exists(dir)) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new StepFailure(
            dir
                + " does not exist and UID "
                + Ids.uid()
                + " GID "
                + Ids.gid()
                + " cannot create it ("
                + e.getMessage()
                + "): mount a writable volume (emptyDir) at "
                + dir);
      }
    }
    if (!Files.isDirectory(dir)) {
      throw new StepFailure(
          dir + " is not a directory: mount a writable volume (emptyDir) at " + dir);
    }
    Path probe = null;
    try {
      probe = Files.createTempFile(dir, ".agent-write-test", null);
    } catch (IOException e) {
      String reason =
          e.getMessage() != null && e.getMessage().contains("Read-only file system")
              ? "read-only file system"
              : e.getClass().getSimpleName()
                  + (e.getMessage() == null ? "" : ": " + e.getMessage());
      throw new StepFailure(
          dir
              + " is not writable by UID "
              + Ids.uid()
              + " GID "
              + Ids.gid()
              + " ("
              + describe(dir)
              + "; "
              + reason
              + "): mount a writable volume there (emptyDir, or a PVC for the cache)"
              + " or make it group-0 writable (chgrp 0 "
              + dir
              + " && chmod g+rwX "
              + dir
              + ")");
    } finally {
      if (probe != null) {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException ignored) {
          // a stray empty probe file harms nothing
        }
      }
    }
  }

  static String describe(Path p) {
    try {
      Map<String, Object> a = Files.readAttributes(p, "unix:uid,gid,mode");
      return "owner "
          + a.get("uid")
          + ":"
          + a.get("gid")
          + ", mode "
          + PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "owner unknown";
    }
  }

  // --- upstream include ----------------------------------------------------------------------

  String writeUpstreamInclude() throws StepFailure, IOException {
    String line = UpstreamInclude.line(cfg.upstreamCachePeer(), cfg.upstreamCredentials());
    Path include = cfg.upstreamInclude();
    if (line.isEmpty()) {
      if (!configMentions(include)) {
        return "skipped (no upstream)";
      }
      TrustedCaBundle.writeAtomically(include, new byte[0], "rw-r-----");
      return "ok (no upstream: empty " + include + ")";
    }
    // group 0 may read it (the main container can run with another UID of group 0); others not
    TrustedCaBundle.writeAtomically(include, line.getBytes(StandardCharsets.UTF_8), "rw-r-----");
    return "ok ("
        + include
        + (cfg.upstreamCredentials() != null
            ? ", with login from " + cfg.upstreamCredentials()
            : "")
        + ")";
  }

  private boolean configMentions(Path p) throws IOException {
    Path conf = cfg.squidConfig();
    return Files.isRegularFile(conf)
        && Files.readString(conf, StandardCharsets.ISO_8859_1).contains(p.toString());
  }

  // --- trusted CA bundle ---------------------------------------------------------------------

  String buildTrustedCaBundle() throws StepFailure {
    int added =
        TrustedCaBundle.build(cfg.systemCaBundle(), cfg.trustedCaSources(), cfg.trustedCaBundle());
    if (added < 0) {
      return "skipped (no system bundle at " + cfg.systemCaBundle() + ", no extra CAs)";
    }
    return "ok ("
        + cfg.trustedCaBundle()
        + ": system bundle + "
        + added
        + " extra CA certificate"
        + (added == 1 ? "" : "s")
        + ")";
  }

  // --- squid -k parse ------------------------------------------------------------------------

  String parseConfig() throws StepFailure, IOException {
    Path conf = cfg.squidConfig();
    if (!Files.isRegularFile(conf)) {
      throw new StepFailure("Squid config " + conf + " does not exist");
    }
    Exec.Result r =
        Exec.run(
            List.of(cfg.squidBinary().toString(), "-k", "parse", "-f", conf.toString()),
            PARSE_TIMEOUT_SECONDS);
    if (r.timedOut()) {
      throw new StepFailure(
          "squid -k parse " + conf + " did not finish within " + PARSE_TIMEOUT_SECONDS + " s");
    }
    if (r.exitCode() != 0 || SquidOutput.hasErrors(r.lines())) {
      List<String> msg = SquidOutput.errorMessage(r.lines());
      throw new StepFailure(
          "squid -k parse rejected "
              + conf
              + " (exit "
              + r.exitCode()
              + "):\n"
              + String.join("\n", msg));
    }
    long warnings =
        r.lines().stream().filter(l -> SquidOutput.stripTimestamp(l).startsWith("WARNING")).count();
    return "ok (" + conf + (warnings > 0 ? ", " + warnings + " warning line(s)" : "") + ")";
  }

  // --- SSL-bump certificate DB ---------------------------------------------------------------

  String initCertDb() throws StepFailure, IOException {
    Path db = cfg.sslDb();
    if (isCertDb(db)) {
      return "ok (kept existing " + db + ")";
    }
    if (Files.isDirectory(db)) {
      if (!isEmptyDir(db)) {
        throw new StepFailure(
            "SSL-bump certificate DB "
                + db
                + " exists but is not a certificate DB (no index.txt, size and certs/):"
                + " security_file_certgen -c refuses existing directories; remove it or point sslBump.db at a path that does not exist");
      }
      // an empty directory, e.g. a volume mounted exactly there: create beside, then move in
      Path tmp = db.resolve(".certgen-init");
      certgen(tmp);
      try (Stream<Path> s = Files.list(tmp)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Files.move(p, db.resolve(p.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
        }
      }
      Files.delete(tmp);
      verifyCertDb(db);
      return "ok (" + db + " existed empty: initialised in place, " + cfg.sslDbSize() + ")";
    }
    if (Files.exists(db)) {
      throw new StepFailure(
          "SSL-bump certificate DB path " + db + " exists but is not a directory");
    }
    certgen(db);
    verifyCertDb(db);
    return "ok (created " + db + ", " + cfg.sslDbSize() + ")";
  }

  private void certgen(Path db) throws StepFailure, IOException {
    Path certgen = cfg.helperDir().resolve("security_file_certgen");
    Exec.Result r =
        Exec.run(
            List.of(certgen.toString(), "-c", "-s", db.toString(), "-M", cfg.sslDbSize()),
            CERTGEN_TIMEOUT_SECONDS);
    if (r.exitCode() != 0) {
      throw new StepFailure(
          "security_file_certgen -c -s "
              + db
              + " -M "
              + cfg.sslDbSize()
              + " failed (exit "
              + r.exitCode()
              + "):\n"
              + r.tail(10));
    }
  }

  private static void verifyCertDb(Path db) throws StepFailure {
    if (!isCertDb(db)) {
      throw new StepFailure(
          "security_file_certgen reported success but "
              + db
              + " has no index.txt, size and certs/");
    }
  }

  static boolean isCertDb(Path db) {
    return Files.isRegularFile(db.resolve("index.txt"))
        && Files.isRegularFile(db.resolve("size"))
        && Files.isDirectory(db.resolve("certs"));
  }

  private static boolean isEmptyDir(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  // --- pid file --------------------------------------------------------------------------------

  String removeStalePid() throws StepFailure {
    return switch (PidFile.removeStale(cfg.pidFile())) {
      case ABSENT -> "ok (no pid file)";
      case REMOVED -> "ok (removed stale " + cfg.pidFile() + ")";
    };
  }

  // --- disk cache ------------------------------------------------------------------------------

  private static final Pattern CACHE_DIR = Pattern.compile("^\\s*cache_dir\\s+(\\S+)\\s+(\\S+)");

  /** cache_dir path → type, from the top-level config file. */
  Map<Path, String> cacheDirTypes() throws IOException {
    Map<Path, String> types = new LinkedHashMap<>();
    Path conf = cfg.squidConfig();
    if (!Files.isRegularFile(conf)) {
      return types;
    }
    for (String line : Files.readAllLines(conf, StandardCharsets.ISO_8859_1)) {
      Matcher m = CACHE_DIR.matcher(line);
      if (m.find()) {
        types.put(Path.of(m.group(2)), m.group(1));
      }
    }
    return types;
  }

  static boolean hasStructure(Path dir, String type) {
    boolean rock = Files.isRegularFile(dir.resolve("rock"));
    boolean ufs = Files.isDirectory(dir.resolve("00").resolve("00"));
    if (type == null) {
      return rock || ufs;
    }
    return type.equals("rock") ? rock : ufs;
  }

  String initDiskCache() throws StepFailure, IOException {
    Map<Path, String> types = cacheDirTypes();
    List<Path> missing = new ArrayList<>();
    for (Path d : cfg.cacheDirs()) {
      if (!hasStructure(d, types.get(d))) {
        missing.add(d);
      }
    }
    if (missing.isEmpty()) {
      return "ok (kept existing " + cfg.cacheDirs() + ")";
    }
    long start = System.nanoTime();
    Exec.Result r =
        Exec.run(
            List.of(
                cfg.squidBinary().toString(),
                "-z",
                "-N",
                "-f",
                cfg.squidConfig().toString(),
                "-n",
                cfg.serviceName()),
            CREATE_CACHE_TIMEOUT_SECONDS);
    if (r.timedOut() || r.exitCode() != 0) {
      throw new StepFailure(
          "squid -z "
              + (r.timedOut()
                  ? "did not finish within " + CREATE_CACHE_TIMEOUT_SECONDS + " s"
                  : "failed (exit " + r.exitCode() + ")")
              + ":\n"
              + String.join("\n", SquidOutput.errorMessage(r.lines())));
    }
    for (Path d : missing) {
      if (!hasStructure(d, types.get(d))) {
        throw new StepFailure(
            "squid -z exited 0 but the cache structure of "
                + d
                + " ("
                + (types.get(d) == null
                    ? "no cache_dir line for it in " + cfg.squidConfig()
                    : types.get(d))
                + ") does not exist:\n"
                + String.join("\n", SquidOutput.errorMessage(r.lines())));
      }
    }
    // squid -z leaves no pid file when it works; make sure a crash did not either
    PidFile.removeStale(cfg.pidFile());
    return "ok (created " + missing + " in " + (System.nanoTime() - start) / 1_000_000 + " ms)";
  }
}
