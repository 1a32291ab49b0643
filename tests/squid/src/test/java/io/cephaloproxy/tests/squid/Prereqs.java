package io.cephaloproxy.tests.squid;

import io.cephaloproxy.testsupport.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What this suite needs from the machine. A missing piece fails the suite with a message naming it:
 * nothing is skipped.
 */
public final class Prereqs {
  public static final Path SQUID = Path.of("/usr/sbin/squid");
  public static final Path CERTGEN = Path.of("/usr/lib/squid/security_file_certgen");
  public static final Path NCSA_AUTH = Path.of("/usr/lib/squid/basic_ncsa_auth");

  private static volatile boolean checked;

  private Prereqs() {}

  /** Throws {@link AssertionError} (a failure, not a skip) listing every missing prerequisite. */
  public static synchronized void require() {
    if (checked) {
      return;
    }
    List<String> missing = new ArrayList<>();
    if (!"root".equals(System.getProperty("user.name"))
        && !Cmd.run(List.of("id", "-u")).out().trim().equals("0")) {
      missing.add("root (network namespaces, setpriv to a non-root UID)");
    }
    for (Path p : List.of(SQUID, CERTGEN, NCSA_AUTH)) {
      if (!Files.isExecutable(p)) {
        missing.add(p + " (Debian package squid-openssl)");
      }
    }
    for (String tool : List.of("setpriv", "ip", "curl", "openssl", "unshare", "mount")) {
      if (Cmd.run(List.of("sh", "-c", "command -v " + tool)).exit() != 0) {
        missing.add(tool);
      }
    }
    if (missing.isEmpty()) {
      Cmd.Result v = Cmd.run(List.of(SQUID.toString(), "-v"));
      if (!v.out().contains("--with-openssl")) {
        missing.add("a Squid built with OpenSSL (Debian package squid-openssl, not squid)");
      }
      Cmd.Result netns = Cmd.run(List.of("ip", "netns", "list"));
      if (netns.exit() != 0) {
        missing.add("ip netns (" + netns.err().trim() + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new AssertionError(
          "the real-Squid suite cannot run; missing: "
              + String.join(", ", missing)
              + ". Run scripts/stages/10-prereqs.sh as root.");
    }
    checked = true;
  }
}
