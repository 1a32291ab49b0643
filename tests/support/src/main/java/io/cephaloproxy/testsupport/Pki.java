package io.cephaloproxy.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates made in process with BouncyCastle (no openssl CLI): a CA, and server
 * certificates it signs. Files are PEM (certificate; unencrypted PKCS#8 key, mode 0600 as openssl
 * writes it) and PKCS#12 for Java servers.
 *
 * <pre>{@code
 * Pki.Cert ca = Pki.ca("Test CA", Pki.KeyType.RSA_2048, Duration.ofDays(2));
 * Pki.Cert site = ca.issueServer(Pki.KeyType.RSA_2048, Duration.ofDays(2), List.of("origin.test"));
 * site.writePem(dir.resolve("site.crt"), dir.resolve("site.key"));
 * site.writePkcs12(dir.resolve("site.p12"), "site", true);
 * }</pre>
 */
public final class Pki {
  /** The password of every PKCS#12 file written here. */
  public static final String P12_PASSWORD = "changeit";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The key algorithms the suites use. */
  public enum KeyType {
    RSA_2048,
    EC_P256;

    KeyPair generate() {
      try {
        if (this == RSA_2048) {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
          g.initialize(2048, RANDOM);
          return g.generateKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot generate a " + this + " key", e);
      }
    }

    String signatureAlgorithm() {
      return this == RSA_2048 ? "SHA256withRSA" : "SHA256withECDSA";
    }
  }

  private Pki() {}

  /** A self-signed CA (CA:TRUE critical, keyUsage keyCertSign and cRLSign critical). */
  public static Cert ca(String commonName, KeyType type, Duration validity) {
    KeyPair keys = type.generate();
    X500Name subject = name(commonName);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(subject, subject, keys, validity);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new Cert(sign(b, keys, type), keys, type, null);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot make the CA " + commonName, e);
    }
  }

  /** A certificate with its key, and the CA that issued it (null for a CA). */
  public static final class Cert {
    private final X509Certificate certificate;
    private final KeyPair keys;
    private final KeyType type;
    private final Cert issuer;

    private Cert(X509Certificate certificate, KeyPair keys, KeyType type, Cert issuer) {
      this.certificate = certificate;
      this.keys = keys;
      this.type = type;
      this.issuer = issuer;
    }

    public X509Certificate certificate() {
      return certificate;
    }

    /**
     * A server certificate for {@code dnsNames} signed by this CA: CN the first name, every name a
     * DNS subjectAltName, CA:FALSE (critical), extendedKeyUsage serverAuth.
     */
    public Cert issueServer(KeyType keyType, Duration validity, List<String> dnsNames) {
      if (dnsNames.isEmpty()) {
        throw new IllegalArgumentException("a server certificate needs at least one DNS name");
      }
      KeyPair serverKeys = keyType.generate();
      try {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b =
            builder(
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                name(dnsNames.get(0)),
                serverKeys,
                validity);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(
            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                dnsNames.stream()
                    .map(n -> new GeneralName(GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new)));
        b.addExtension(
            Extension.subjectKeyIdentifier,
            false,
            ext.createSubjectKeyIdentifier(serverKeys.getPublic()));
        b.addExtension(
            Extension.authorityKeyIdentifier,
            false,
            ext.createAuthorityKeyIdentifier(certificate.getPublicKey()));
        return new Cert(sign(b, keys, type), serverKeys, keyType, this);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("cannot issue a certificate for " + dnsNames, e);
      }
    }

    /** The certificate in PEM. */
    public String certificatePem() {
      return pem(certificate);
    }

    /** The private key in PEM (unencrypted PKCS#8, "BEGIN PRIVATE KEY"). */
    public String keyPem() {
      try {
        return pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Writes the certificate (mode 0644) and the key (mode 0600) as PEM files. */
    public Cert writePem(Path certFile, Path keyFile) {
      write(certFile, certificatePem(), "rw-r--r--");
      write(keyFile, keyPem(), "rw-------");
      return this;
    }

    /**
     * Writes a PKCS#12 key store (password {@link #P12_PASSWORD}) with the key under {@code alias}
     * and the certificate, followed by its issuer's when {@code withIssuer}.
     */
    public Path writePkcs12(Path file, String alias, boolean withIssuer) {
      List<Certificate> chain = new ArrayList<>(List.of(certificate));
      if (withIssuer && issuer != null) {
        chain.add(issuer.certificate);
      }
      try {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(
            alias,
            keys.getPrivate(),
            P12_PASSWORD.toCharArray(),
            chain.toArray(Certificate[]::new));
        try (OutputStream out = Files.newOutputStream(file)) {
          ks.store(out, P12_PASSWORD.toCharArray());
        }
        return file;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot write " + file, e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair subjectKeys, Duration validity) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(127, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(validity)),
        subject,
        subjectKeys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer, KeyType type)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(
                  new JcaContentSignerBuilder(type.signatureAlgorithm())
                      .build(signer.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static String pem(Object o) {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s.toString();
  }

  private static void write(Path file, String text, String mode) {
    try {
      Files.writeString(file, text);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
