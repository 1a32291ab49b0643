package io.cephaloproxy.tests.squid;

import io.cephaloproxy.testsupport.Pki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * The lab's certificates (made with {@link Pki}): an origin CA and the origin's server certificate
 * (for the test names), and a separate CA that Squid uses to bump TLS, as files in one directory.
 */
public final class TestPki {
  public static final String ORIGIN_CA_CN = "CephaloProxy Test Origin CA";
  public static final String BUMP_CA_CN = "CephaloProxy Test Bump CA";
  private static final Duration VALIDITY = Duration.ofDays(2);

  public final Path originCaCert;
  public final Path originCaKey;
  public final Path originCert;
  public final Path originKey;
  public final Path originP12;
  public final Path bumpCaCert;
  public final Path bumpCaKey;

  private TestPki(Path dir) {
    originCaCert = dir.resolve("origin-ca.crt");
    originCaKey = dir.resolve("origin-ca.key");
    originCert = dir.resolve("origin.crt");
    originKey = dir.resolve("origin.key");
    originP12 = dir.resolve("origin.p12");
    bumpCaCert = dir.resolve("bump-ca.crt");
    bumpCaKey = dir.resolve("bump-ca.key");
  }

  public static TestPki create(Path dir, List<String> originNames) {
    TestPki pki = new TestPki(dir);
    Pki.Cert originCa =
        Pki.ca(ORIGIN_CA_CN, Pki.KeyType.RSA_2048, VALIDITY)
            .writePem(pki.originCaCert, pki.originCaKey);
    Pki.ca(BUMP_CA_CN, Pki.KeyType.RSA_2048, VALIDITY).writePem(pki.bumpCaCert, pki.bumpCaKey);
    originCa
        .issueServer(Pki.KeyType.RSA_2048, VALIDITY, originNames)
        .writePem(pki.originCert, pki.originKey)
        .writePkcs12(pki.originP12, "origin", false);
    // Squid runs as a non-root UID with GID 0: it must read the bump CA key
    mode(pki.originP12, "rw-r--r--");
    mode(pki.bumpCaKey, "rw-r-----");
    return pki;
  }

  private static void mode(Path file, String mode) {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
