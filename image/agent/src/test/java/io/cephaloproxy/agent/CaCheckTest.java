package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSL-bump CA check against key pairs made by openssl in each test. */
class CaCheckTest {
  @TempDir Path tmp;

  /**
   * Writes DIR/tls.crt and DIR/tls.key: a self-signed cert (CA or not) with an RSA (PKCS#8) or EC
   * key.
   */
  static void makeCa(Path dir, String keyType, boolean ca, String cn) throws Exception {
    Files.createDirectories(dir);
    String newkey = keyType.equals("ec") ? "ec:" + ecParams(dir) : "rsa:2048";
    Fixtures.exec(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        newkey,
        "-nodes",
        "-keyout",
        "tls.key",
        "-out",
        "tls.crt",
        "-days",
        "30",
        "-subj",
        "/CN=" + cn,
        "-addext",
        ca ? "basicConstraints=critical,CA:TRUE" : "basicConstraints=critical,CA:FALSE",
        "-addext",
        ca ? "keyUsage=critical,keyCertSign,cRLSign" : "keyUsage=critical,digitalSignature");
  }

  private static String ecParams(Path dir) throws Exception {
    Fixtures.exec(dir, "openssl", "ecparam", "-name", "prime256v1", "-out", "ec.params");
    return dir.resolve("ec.params").toString();
  }

  String check(Path dir) throws StepFailure {
    return CaCheck.check(dir.resolve("tls.crt"), dir.resolve("tls.key"), Instant.now());
  }

  @Test
  void validRsaCaPasses() throws Exception {
    makeCa(tmp, "rsa", true, "Good CA");
    assertThat(check(tmp)).startsWith("CN=Good CA, valid until ");
  }

  @Test
  void traditionalPkcs1RsaKeyIsAccepted() throws Exception {
    makeCa(tmp, "rsa", true, "Good CA");
    Fixtures.exec(tmp, "openssl", "rsa", "-in", "tls.key", "-out", "pkcs1.key", "-traditional");
    assertThat(Files.readString(tmp.resolve("pkcs1.key")))
        .startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(CaCheck.check(tmp.resolve("tls.crt"), tmp.resolve("pkcs1.key"), Instant.now()))
        .startsWith("CN=Good CA");
  }

  @Test
  void ecCaWithSec1KeyIsAccepted() throws Exception {
    makeCa(tmp, "ec", true, "EC CA");
    Fixtures.exec(tmp, "openssl", "ec", "-in", "tls.key", "-out", "sec1.key");
    assertThat(Files.readString(tmp.resolve("sec1.key")))
        .contains("-----BEGIN EC PRIVATE KEY-----");
    assertThat(CaCheck.check(tmp.resolve("tls.crt"), tmp.resolve("sec1.key"), Instant.now()))
        .startsWith("CN=EC CA");
    assertThat(check(tmp)).startsWith("CN=EC CA");
  }

  @Test
  void keyOfAnotherPairIsRejected() throws Exception {
    makeCa(tmp.resolve("a"), "rsa", true, "A");
    makeCa(tmp.resolve("b"), "rsa", true, "B");
    assertThatThrownBy(
            () -> CaCheck.check(tmp.resolve("a/tls.crt"), tmp.resolve("b/tls.key"), Instant.now()))
        .hasMessage(
            "CA key "
                + tmp.resolve("b/tls.key")
                + " does not belong to the certificate "
                + tmp.resolve("a/tls.crt")
                + " (CN=A)");
  }

  @Test
  void ecKeyForRsaCertIsRejected() throws Exception {
    makeCa(tmp.resolve("a"), "rsa", true, "A");
    makeCa(tmp.resolve("b"), "ec", true, "B");
    assertThatThrownBy(
            () -> CaCheck.check(tmp.resolve("a/tls.crt"), tmp.resolve("b/tls.key"), Instant.now()))
        .hasMessageContaining("does not belong to the certificate");
  }

  @Test
  void leafCertificateIsNotACa() throws Exception {
    makeCa(tmp, "rsa", false, "www.example.com");
    assertThatThrownBy(() -> check(tmp))
        .hasMessageContaining(
            "(CN=www.example.com) is not a CA certificate (basicConstraints CA:TRUE missing)");
  }

  @Test
  void expiredAndNotYetValidAreNamed() throws Exception {
    makeCa(tmp, "rsa", true, "Old CA");
    Path crt = tmp.resolve("tls.crt");
    Path key = tmp.resolve("tls.key");
    assertThatThrownBy(() -> CaCheck.check(crt, key, Instant.now().plus(Duration.ofDays(31))))
        .hasMessageContaining("(CN=Old CA) expired on ")
        .hasMessageContaining("issue a new CA");
    assertThatThrownBy(() -> CaCheck.check(crt, key, Instant.now().minus(Duration.ofDays(1))))
        .hasMessageContaining("(CN=Old CA) is not valid before ");
  }

  @Test
  void encryptedKeyIsNamedAsSuch() throws Exception {
    makeCa(tmp, "rsa", true, "CA");
    Fixtures.exec(
        tmp,
        "openssl",
        "pkcs8",
        "-topk8",
        "-in",
        "tls.key",
        "-out",
        "enc.key",
        "-passout",
        "pass:secret");
    assertThatThrownBy(
            () -> CaCheck.check(tmp.resolve("tls.crt"), tmp.resolve("enc.key"), Instant.now()))
        .hasMessageContaining(
            "is not a usable private key: the key is encrypted; Squid needs an unencrypted key");
  }

  @Test
  void garbageAndMissingFilesAreNamed() throws Exception {
    makeCa(tmp, "rsa", true, "CA");
    Files.writeString(tmp.resolve("junk.crt"), "hello\n");
    assertThatThrownBy(
            () -> CaCheck.check(tmp.resolve("junk.crt"), tmp.resolve("tls.key"), Instant.now()))
        .hasMessage(
            "CA certificate "
                + tmp.resolve("junk.crt")
                + " contains no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    Files.writeString(
        tmp.resolve("bad.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(
            () -> CaCheck.check(tmp.resolve("bad.crt"), tmp.resolve("tls.key"), Instant.now()))
        .hasMessageStartingWith(
            "CA certificate " + tmp.resolve("bad.crt") + " does not parse as PEM X.509");
    assertThatThrownBy(
            () -> CaCheck.check(tmp.resolve("tls.crt"), tmp.resolve("tls.crt"), Instant.now()))
        .hasMessageContaining("no PEM private key found");
    assertThatThrownBy(
            () -> CaCheck.check(tmp.resolve("none.crt"), tmp.resolve("tls.key"), Instant.now()))
        .hasMessage(
            "CA certificate "
                + tmp.resolve("none.crt")
                + " does not exist: mount the SSL-bump CA Secret (tls.crt, tls.key) there");
  }
}
