package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent init} against a fake squid and fake security_file_certgen (shell scripts) in temp
 * dirs.
 */
class InitTest {
  @TempDir Path tmp;
  Path etc;
  Path run;
  Path lib;
  Path calls;
  Path termination;
  Map<String, String> props = new HashMap<>();
  String output;

  /**
   * A fake squid: logs its arguments; `-k parse` prints PARSE_OUT and exits PARSE_RC; `-z` runs
   * MAKE_CACHE.
   */
  static final String FAKE_SQUID =
      """
            echo "$@" >> "$(dirname "$0")/calls"
            case "$1 $2" in
              "-k parse") cat "$(dirname "$0")/parse-output" 2>/dev/null; exit $(cat "$(dirname "$0")/parse-rc" 2>/dev/null || echo 0);;
              "-z -N") sh "$(dirname "$0")/make-cache"; exit $?;;
            esac
            exit 0
            """;

  @BeforeEach
  void setUp() throws IOException {
    etc = tmp.resolve("etc");
    run = tmp.resolve("run");
    lib = tmp.resolve("lib");
    Files.createDirectories(etc);
    Files.writeString(etc.resolve("squid.conf"), "http_port 3128\n");
    Path bin = tmp.resolve("bin");
    Fixtures.script(bin.resolve("squid"), FAKE_SQUID);
    Files.writeString(bin.resolve("make-cache"), "exit 0\n");
    calls = bin.resolve("calls");
    termination = tmp.resolve("termination-log");
    props.put("squid.binary", bin.resolve("squid").toString());
    props.put("squid.helperDir", bin.toString());
    props.put("squid.pidFile", run.resolve("squid.pid").toString());
    props.put("writable.paths", run + "," + lib);
    props.put("trustedCA.system", tmp.resolve("no-system-bundle.crt").toString());
    props.put("trustedCA.bundle", lib.resolve("trusted-ca.pem").toString());
    props.put("upstream.include", run.resolve("upstream.conf").toString());
    props.put("termination.log", termination.toString());
  }

  int init() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc =
        new Init(AgentConfig.of(etc, props), new PrintStream(buf, true, StandardCharsets.UTF_8))
            .run();
    output = buf.toString(StandardCharsets.UTF_8);
    return rc;
  }

  void parseSays(int rc, String out) throws IOException {
    Files.writeString(tmp.resolve("bin/parse-output"), out);
    Files.writeString(tmp.resolve("bin/parse-rc"), Integer.toString(rc));
  }

  List<String> calls() throws IOException {
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  @Test
  void cleanConfigPassesEveryStepWithOneLineEach() throws IOException {
    parseSays(
        0,
        "2026/11/28 23:34:53| Processing: http_port 3128\n2026/11/28 23:34:53| WARNING: something harmless\n");
    assertThat(init()).isZero();
    assertThat(output)
        .contains(
            "init: writable paths: ok",
            "init: config parse: ok (" + etc.resolve("squid.conf") + ", 1 warning line(s))",
            "init: pid file: ok (no pid file)",
            "init: done");
    assertThat(output.lines().filter(l -> l.startsWith("init: ")))
        .allMatch(l -> !l.contains("FAILED"));
    assertThat(calls()).containsExactly("-k parse -f " + etc.resolve("squid.conf"));
    assertThat(termination).doesNotExist();
  }

  @Test
  void errorLineFailsParseEvenWithExitZeroAndReachesTheTerminationLog() throws IOException {
    // what Squid 5.7 prints for a missing ACL file, with exit code 0
    parseSays(
        0,
        """
                2026/11/28 23:40:28| Processing: http_port 3128
                2026/11/28 23:40:28| Processing: acl blocked dstdomain "/etc/cephaloproxy/acl-missing.txt"
                2026/11/28 23:40:28| ERROR: Can not open file /etc/cephaloproxy/acl-missing.txt for reading
                2026/11/28 23:40:28| Warning: empty ACL: acl blocked dstdomain "/etc/cephaloproxy/acl-missing.txt"
                """);
    assertThat(init()).isEqualTo(1);
    assertThat(output).contains("init: config parse: FAILED: squid -k parse rejected");
    String msg = Files.readString(termination);
    assertThat(msg)
        .contains("(exit 0)")
        .contains("Processing: acl blocked dstdomain \"/etc/cephaloproxy/acl-missing.txt\"")
        .contains("ERROR: Can not open file /etc/cephaloproxy/acl-missing.txt for reading")
        .doesNotContain("2026/11/28")
        .doesNotContain("Processing: http_port");
    assertThat(output).doesNotContain("init: done");
  }

  @Test
  void fatalWithExitOneKeepsSquidsContinuationLines() throws IOException {
    parseSays(
        1,
        """
                2026/11/28 23:34:56| FATAL: Cannot open '/dev/stdout' for writing.
                \tThe parent directory must be writeable by the
                \tuser 'nobody', which is the cache_effective_user
                2026/11/28 23:34:56| Squid Cache (Version 5.7): Terminated abnormally.
                """);
    assertThat(init()).isEqualTo(1);
    assertThat(Files.readString(termination))
        .contains(
            "(exit 1)",
            "FATAL: Cannot open '/dev/stdout' for writing.",
            "The parent directory must be writeable by the",
            "user 'nobody'")
        .doesNotContain("Terminated abnormally");
  }

  @Test
  void hugeParseOutputIsTrimmedToTheKubernetesLimit() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      b.append("2026/11/28 23:34:56| ERROR: ünrecognized directive number ").append(i).append('\n');
    }
    parseSays(0, b.toString());
    assertThat(init()).isEqualTo(1);
    byte[] msg = Files.readAllBytes(termination);
    assertThat(msg.length).isLessThanOrEqualTo(4096).isGreaterThan(4000);
    String text = new String(msg, StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith("squid -k parse rejected")
        .endsWith("[truncated]")
        .doesNotContain("\uFFFD");
  }

  @Test
  void missingConfigFileIsNamed() throws IOException {
    Files.delete(etc.resolve("squid.conf"));
    assertThat(init()).isEqualTo(1);
    assertThat(Files.readString(termination))
        .isEqualTo("Squid config " + etc.resolve("squid.conf") + " does not exist");
  }

  @Test
  void pathThatIsAFileIsRejectedWithTheFix() throws IOException {
    Files.createDirectories(lib);
    Files.writeString(run, "not a dir");
    assertThat(init()).isEqualTo(1);
    assertThat(output)
        .contains(
            "init: writable paths: FAILED: "
                + run
                + " is not a directory: mount a writable volume (emptyDir) at "
                + run);
    assertThat(calls()).isEmpty();
  }

  @Test
  void diskCacheIsCreatedOnceThenKept() throws IOException {
    Path cache = tmp.resolve("cache");
    Files.writeString(
        etc.resolve("squid.conf"), "http_port 3128\ncache_dir ufs " + cache + " 100 16 256\n");
    Files.writeString(
        tmp.resolve("bin/make-cache"), "mkdir -p " + cache + "/00/00 " + cache + "/0F/FF\n");
    props.put("cache.dirs", cache.toString());
    props.put("squid.serviceName", "proxya");
    assertThat(init()).isZero();
    assertThat(output).contains("init: disk cache: ok (created [" + cache + "]");
    assertThat(calls()).contains("-z -N -f " + etc.resolve("squid.conf") + " -n proxya");
    Files.writeString(cache.resolve("00/00/0000001A"), "cached object");

    Files.delete(calls);
    assertThat(init()).isZero();
    assertThat(output).contains("init: disk cache: ok (kept existing [" + cache + "])");
    assertThat(calls()).noneMatch(c -> c.startsWith("-z"));
    assertThat(cache.resolve("00/00/0000001A")).hasContent("cached object");
  }

  @Test
  void rockCacheNeedsItsDbFile() throws IOException {
    Path cache = tmp.resolve("rock");
    Files.writeString(
        etc.resolve("squid.conf"), "http_port 3128\ncache_dir rock " + cache + " 100\n");
    props.put("cache.dirs", cache.toString());
    // a squid -z that makes ufs dirs is not enough for rock
    Files.writeString(tmp.resolve("bin/make-cache"), "mkdir -p " + cache + "/00/00\n");
    assertThat(init()).isEqualTo(1);
    assertThat(Files.readString(termination))
        .startsWith(
            "squid -z exited 0 but the cache structure of " + cache + " (rock) does not exist");
    Files.writeString(tmp.resolve("bin/make-cache"), "touch " + cache + "/rock\n");
    assertThat(init()).isZero();
  }

  @Test
  void failingSquidZIsReportedWithItsMessage() throws IOException {
    Path cache = tmp.resolve("cache");
    props.put("cache.dirs", cache.toString());
    Files.writeString(
        tmp.resolve("bin/make-cache"),
        "echo '2026/11/28 23:34:56| FATAL: Failed to make swap directory "
            + cache
            + "/00: (28) No space left on device'; exit 1\n");
    assertThat(init()).isEqualTo(1);
    assertThat(Files.readString(termination))
        .contains(
            "squid -z failed (exit 1)", "FATAL: Failed to make swap directory " + cache + "/00");
  }

  @Test
  void stalePidFileIsRemovedButALiveSquidIsNot() throws Exception {
    Files.createDirectories(run);
    Files.writeString(run.resolve("squid.pid"), "999999999\n");
    assertThat(init()).isZero();
    assertThat(output)
        .contains("init: pid file: ok (removed stale " + run.resolve("squid.pid") + ")");
    assertThat(run.resolve("squid.pid")).doesNotExist();

    // a process whose command name is "squid"
    Path fakeSquid = tmp.resolve("fake/squid");
    Files.createDirectories(fakeSquid.getParent());
    Files.copy(Path.of("/bin/sleep"), fakeSquid);
    fakeSquid.toFile().setExecutable(true);
    Process p = new ProcessBuilder(fakeSquid.toString(), "30").start();
    try {
      Files.writeString(run.resolve("squid.pid"), p.pid() + "\n");
      assertThat(init()).isEqualTo(1);
      assertThat(Files.readString(termination))
          .contains("names a running Squid (pid " + p.pid() + ")");
      assertThat(run.resolve("squid.pid")).exists();
    } finally {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void upstreamIncludeGetsThePeerAndEncodedLogin() throws IOException {
    Path creds = tmp.resolve("upstream");
    Files.createDirectories(creds);
    Files.writeString(creds.resolve("username"), "svc@corp\n");
    Files.writeString(creds.resolve("password"), "p:ss/wörd%");
    props.put("upstream.cachePeer", "cache_peer parent.example parent 8080 0 no-query default");
    props.put("upstream.credentials", creds.toString());
    assertThat(init()).isZero();
    assertThat(run.resolve("upstream.conf"))
        .hasContent(
            "cache_peer parent.example parent 8080 0 no-query default login=svc%40corp:p%3Ass%2Fw%C3%B6rd%25");
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(run.resolve("upstream.conf"))))
        .isEqualTo("rw-r-----");
  }

  @Test
  void credentialWithAControlCharacterIsRejectedBeforeSquidSeesIt() throws IOException {
    Path creds = tmp.resolve("upstream");
    Files.createDirectories(creds);
    Files.writeString(creds.resolve("username"), "svc");
    Files.writeString(creds.resolve("password"), "two\nlines\n");
    props.put("upstream.cachePeer", "cache_peer parent.example parent 8080 0");
    props.put("upstream.credentials", creds.toString());
    assertThat(init()).isEqualTo(1);
    assertThat(Files.readString(termination))
        .isEqualTo(
            "upstream credential "
                + creds.resolve("password")
                + " contains a control character (U+000A at index 3); remove it from the Secret");
    assertThat(calls()).isEmpty();
  }

  @Test
  void emptyUpstreamIncludeOnlyWhenTheConfigIncludesIt() throws IOException {
    assertThat(init()).isZero();
    assertThat(output).contains("init: upstream include: skipped (no upstream)");
    assertThat(run.resolve("upstream.conf")).doesNotExist();
    Files.writeString(
        etc.resolve("squid.conf"),
        "http_port 3128\ninclude " + run.resolve("upstream.conf") + "\n");
    assertThat(init()).isZero();
    assertThat(run.resolve("upstream.conf")).exists().isEmptyFile();
  }

  // --- SSL-bump certificate DB with a fake security_file_certgen ---

  void sslBump() throws Exception {
    CaCheckTest.makeCa(etc.resolve("tls"), "rsa", true, "Bump CA");
    props.put("sslBump.enabled", "true");
    props.put("sslBump.db", lib.resolve("ssl_db").toString());
    Fixtures.script(
        tmp.resolve("bin/security_file_certgen"),
        """
                echo "certgen $@" >> "$(dirname "$0")/calls"
                [ -e "$3" ] && { echo "$3 already exists"; exit 1; }
                mkdir "$3" && mkdir "$3/certs" && touch "$3/index.txt" && echo 0 > "$3/size"
                """);
  }

  @Test
  void certDbIsCreatedWhenAbsentAndNeverRecreated() throws Exception {
    sslBump();
    assertThat(init()).isZero();
    assertThat(output)
        .contains(
            "init: ssl-bump CA: CN=Bump CA, valid until",
            "init: ssl-bump certificate DB: ok (created " + lib.resolve("ssl_db") + ", 4MB)");
    assertThat(calls()).contains("certgen -c -s " + lib.resolve("ssl_db") + " -M 4MB");
    Files.writeString(lib.resolve("ssl_db/certs/1.pem"), "a generated cert");
    Files.delete(calls);
    assertThat(init()).isZero();
    assertThat(output)
        .contains(
            "init: ssl-bump certificate DB: ok (kept existing " + lib.resolve("ssl_db") + ")");
    assertThat(calls()).noneMatch(c -> c.startsWith("certgen"));
    assertThat(lib.resolve("ssl_db/certs/1.pem")).exists();
  }

  @Test
  void emptyCertDbDirIsInitialisedInPlace() throws Exception {
    sslBump();
    Files.createDirectories(lib.resolve("ssl_db"));
    assertThat(init()).isZero();
    assertThat(output).contains("existed empty: initialised in place");
    assertThat(Init.isCertDb(lib.resolve("ssl_db"))).isTrue();
    assertThat(lib.resolve("ssl_db/.certgen-init")).doesNotExist();
  }

  @Test
  void nonEmptyForeignDirIsNotACertDbAndIsLeftAlone() throws Exception {
    sslBump();
    Files.createDirectories(lib.resolve("ssl_db/certs"));
    Files.writeString(lib.resolve("ssl_db/notes.txt"), "mine");
    assertThat(init()).isEqualTo(1);
    assertThat(Files.readString(termination))
        .contains(
            lib.resolve("ssl_db") + " exists but is not a certificate DB",
            "security_file_certgen -c refuses existing directories");
    assertThat(lib.resolve("ssl_db/notes.txt")).hasContent("mine");
  }

  @Test
  void badCaStopsBeforeSquidParses() throws Exception {
    sslBump();
    CaCheckTest.makeCa(etc.resolve("tls"), "rsa", false, "Not A CA");
    assertThat(init()).isEqualTo(1);
    assertThat(output).contains("init: ssl-bump CA: FAILED:");
    assertThat(Files.readString(termination)).contains("is not a CA certificate");
    assertThat(calls()).isEmpty();
  }

  @Test
  void trustedBundleStepUsesSystemBundleAndExtras() throws Exception {
    Path system = tmp.resolve("system.crt");
    CaCheckTest.makeCa(tmp.resolve("sys"), "rsa", true, "System Root");
    Files.copy(tmp.resolve("sys/tls.crt"), system);
    props.put("trustedCA.system", system.toString());
    CaCheckTest.makeCa(tmp.resolve("extra"), "ec", true, "Corp Root");
    props.put("trustedCA.sources", tmp.resolve("extra/tls.crt").toString());
    assertThat(init()).isZero();
    assertThat(output)
        .contains(
            "init: trusted CA bundle: ok ("
                + lib.resolve("trusted-ca.pem")
                + ": system bundle + 1 extra CA certificate)");
    assertThat(Pem.certificates(Files.readString(lib.resolve("trusted-ca.pem")))).hasSize(2);
  }

  @Test
  void serviceNameMustBeAlphanumericForSquid() throws IOException {
    props.put("squid.serviceName", "my-proxy");
    assertThat(init()).isEqualTo(1);
    assertThat(output)
        .contains(
            "init: config: FAILED: runtime.properties: squid.serviceName=my-proxy is not a valid Squid service name (-n): use letters and digits only");
    assertThat(calls()).isEmpty();
  }
}
