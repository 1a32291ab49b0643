package io.cephaloproxy.tests.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test certificates made with the host's openssl: CAs and server certificates they sign. */
final class Pki {
  static final String P12_PASSWORD = "changeit";

  private Pki() {}

  /** A CA: DIR/NAME.crt and DIR/NAME.key (RSA 2048, CA:TRUE, 30 days). */
  static Path ca(Path dir, String name) {
    Path crt = dir.resolve(name + ".crt");
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".crt",
        "-days",
        "30",
        "-subj",
        "/CN=" + name,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
    return crt;
  }

  /**
   * A server certificate for DNS name HOST signed by the CA DIR/CA.crt: DIR/NAME.crt, DIR/NAME.key
   * and DIR/NAME.p12 (password {@link #P12_PASSWORD}, for the Java origin).
   */
  static Path server(Path dir, String ca, String name, String host) {
    write(
        dir.resolve(name + ".ext"),
        "subjectAltName=DNS:"
            + host
            + "\nextendedKeyUsage=serverAuth\n"
            + "basicConstraints=CA:FALSE\n");
    openssl(
        dir,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + host);
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        ca + ".crt",
        "-CAkey",
        ca + ".key",
        "-CAcreateserial",
        "-days",
        "30",
        "-out",
        name + ".crt",
        "-extfile",
        name + ".ext");
    openssl(
        dir,
        "pkcs12",
        "-export",
        "-in",
        name + ".crt",
        "-inkey",
        name + ".key",
        "-certfile",
        ca + ".crt",
        "-name",
        name,
        "-out",
        name + ".p12",
        "-passout",
        "pass:" + P12_PASSWORD);
    return dir.resolve(name + ".p12");
  }

  private static void write(Path p, String s) {
    try {
      Files.writeString(p, s);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void openssl(Path dir, String... args) {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new AssertionError("openssl is required (scripts/stages/10-prereqs.sh installs it)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
