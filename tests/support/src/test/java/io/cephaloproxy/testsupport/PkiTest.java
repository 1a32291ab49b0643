package io.cephaloproxy.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiTest {
  @TempDir Path dir;

  @Test
  void serverCertificateChainsToItsCaAndNamesItsHosts() throws Exception {
    Pki.Cert ca = Pki.ca("Test CA", Pki.KeyType.RSA_2048, Duration.ofDays(2));
    Pki.Cert site =
        ca.issueServer(Pki.KeyType.RSA_2048, Duration.ofDays(2), List.of("a.test", "b.test"));
    site.writePem(dir.resolve("site.crt"), dir.resolve("site.key"));

    X509Certificate cert = read(dir.resolve("site.crt"));
    cert.verify(ca.certificate().getPublicKey());
    cert.checkValidity();
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=a.test");
    assertThat(cert.getIssuerX500Principal().getName()).isEqualTo("CN=Test CA");
    assertThat(cert.getSubjectAlternativeNames().stream().map(n -> (Object) n.get(1)))
        .containsExactly("a.test", "b.test");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(ca.certificate().getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
    assertThat(ca.certificate().getKeyUsage()[5]).as("keyCertSign").isTrue();

    assertThat(Files.readString(dir.resolve("site.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("site.key"))))
        .isEqualTo("rw-------");
    // the key file's key belongs to the certificate
    KeyStore ks = KeyStore.getInstance("PKCS12");
    site.writePkcs12(dir.resolve("site.p12"), "site", true);
    try (InputStream in = Files.newInputStream(dir.resolve("site.p12"))) {
      ks.load(in, Pki.P12_PASSWORD.toCharArray());
    }
    assertThat(ks.getCertificateChain("site")).hasSize(2);
    PrivateKey key = (PrivateKey) ks.getKey("site", Pki.P12_PASSWORD.toCharArray());
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key);
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    s.initVerify(cert.getPublicKey());
    s.update(new byte[] {1, 2, 3});
    assertThat(s.verify(sig)).isTrue();
  }

  @Test
  void ecCertificatesAndAForeignCa() throws Exception {
    Pki.Cert ca = Pki.ca("EC CA", Pki.KeyType.EC_P256, Duration.ofDays(30));
    Pki.Cert other = Pki.ca("Other CA", Pki.KeyType.EC_P256, Duration.ofDays(30));
    Pki.Cert site = ca.issueServer(Pki.KeyType.EC_P256, Duration.ofDays(30), List.of("e.test"));
    assertThat(site.certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
    site.certificate().verify(ca.certificate().getPublicKey());
    assertThatThrownBy(() -> site.certificate().verify(other.certificate().getPublicKey()))
        .isInstanceOf(SignatureException.class);
  }

  private static X509Certificate read(Path pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(
                    Files.readString(pem).getBytes(StandardCharsets.US_ASCII)));
  }
}
