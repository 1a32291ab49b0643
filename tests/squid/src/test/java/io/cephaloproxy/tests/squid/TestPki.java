package io.cephaloproxy.tests.squid;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Certificates made with openssl for one test class: an origin CA and the origin's server
 * certificate (for the test names), and a separate CA that Squid uses to bump TLS.
 */
public final class TestPki {
  public static final String ORIGIN_CA_CN = "CephaloProxy Test Origin CA";
  public static final String BUMP_CA_CN = "CephaloProxy Test Bump CA";
  public static final String P12_PASSWORD = "changeit";

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
    ca(pki.originCaCert, pki.originCaKey, ORIGIN_CA_CN);
    ca(pki.bumpCaCert, pki.bumpCaKey, BUMP_CA_CN);
    String san = originNames.stream().map(n -> "DNS:" + n).collect(Collectors.joining(","));
    Cmd.check(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-keyout",
        pki.originKey.toString(),
        "-out",
        pki.originCert.toString(),
        "-subj",
        "/CN=" + originNames.get(0),
        "-addext",
        "subjectAltName=" + san,
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-addext",
        "extendedKeyUsage=serverAuth",
        "-CA",
        pki.originCaCert.toString(),
        "-CAkey",
        pki.originCaKey.toString());
    Cmd.check(
        "openssl",
        "pkcs12",
        "-export",
        "-in",
        pki.originCert.toString(),
        "-inkey",
        pki.originKey.toString(),
        "-name",
        "origin",
        "-out",
        pki.originP12.toString(),
        "-passout",
        "pass:" + P12_PASSWORD);
    // Squid runs as a non-root UID with GID 0: it must read the bump CA key
    Cmd.check(
        "chmod",
        "0644",
        pki.bumpCaCert.toString(),
        pki.originCaCert.toString(),
        pki.originP12.toString());
    Cmd.check("chmod", "0640", pki.bumpCaKey.toString());
    return pki;
  }

  private static void ca(Path cert, Path key, String cn) {
    Cmd.check(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-keyout",
        key.toString(),
        "-out",
        cert.toString(),
        "-subj",
        "/CN=" + cn,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
  }
}
