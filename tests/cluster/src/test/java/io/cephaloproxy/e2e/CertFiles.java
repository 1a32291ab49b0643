package io.cephaloproxy.e2e;

import io.cephaloproxy.testsupport.Pki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The suite's test certificates as PEM files (made by tests/support's {@link Pki}): EC P-256. */
final class CertFiles {
  private static final Duration VALIDITY = Duration.ofDays(30);

  record Pair(Path cert, Path key, Pki.Cert issued) {}

  private CertFiles() {}

  /** A CA: DIR/NAME.crt and DIR/NAME.key. */
  static Pair ca(Path dir, String name, String commonName) {
    return write(dir, name, Pki.ca(commonName, Pki.KeyType.EC_P256, VALIDITY));
  }

  /** A server certificate for {@code dnsNames} (comma separated), signed by {@code ca}. */
  static Pair server(Path dir, String name, Pair ca, String dnsNames) {
    return write(
        dir,
        name,
        ca.issued().issueServer(Pki.KeyType.EC_P256, VALIDITY, List.of(dnsNames.split(","))));
  }

  private static Pair write(Path dir, String name, Pki.Cert cert) {
    Pair p = new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"), cert);
    cert.writePem(p.cert(), p.key());
    return p;
  }
}
