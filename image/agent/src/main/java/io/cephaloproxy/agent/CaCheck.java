package io.cephaloproxy.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The SSL-bump CA pair: the certificate parses, is a CA, is within its validity, and the key
 * matches.
 */
public final class CaCheck {
  private CaCheck() {}

  /** Returns a one-line description of the CA; throws {@link StepFailure} naming the problem. */
  public static String check(Path certFile, Path keyFile, Instant now) throws StepFailure {
    String certText = read(certFile, "CA certificate");
    String keyText = read(keyFile, "CA key");
    List<X509Certificate> certs;
    try {
      certs = Pem.certificates(certText);
    } catch (CertificateException e) {
      throw new StepFailure(
          "CA certificate " + certFile + " does not parse as PEM X.509: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new StepFailure(
          "CA certificate "
              + certFile
              + " contains no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    X509Certificate cert = certs.get(0);
    String subject = cert.getSubjectX500Principal().getName();
    PrivateKey key;
    try {
      key = Pem.privateKey(keyText);
    } catch (GeneralSecurityException e) {
      throw new StepFailure(
          "CA key " + keyFile + " is not a usable private key: " + e.getMessage());
    }
    Date at = Date.from(now);
    if (at.before(cert.getNotBefore())) {
      throw new StepFailure(
          "CA certificate "
              + certFile
              + " ("
              + subject
              + ") is not valid before "
              + cert.getNotBefore().toInstant()
              + " (now "
              + now
              + ")");
    }
    if (at.after(cert.getNotAfter())) {
      throw new StepFailure(
          "CA certificate "
              + certFile
              + " ("
              + subject
              + ") expired on "
              + cert.getNotAfter().toInstant()
              + ": issue a new CA and update the Secret");
    }
    if (cert.getBasicConstraints() < 0) {
      throw new StepFailure(
          "CA certificate "
              + certFile
              + " ("
              + subject
              + ") is not a CA certificate (basicConstraints CA:TRUE missing): Squid cannot sign certificates with it");
    }
    boolean[] usage = cert.getKeyUsage();
    if (usage != null && (usage.length <= 5 || !usage[5])) {
      throw new StepFailure(
          "CA certificate "
              + certFile
              + " ("
              + subject
              + ") has a keyUsage without keyCertSign: it cannot sign certificates");
    }
    if (!matches(key, cert.getPublicKey())) {
      throw new StepFailure(
          "CA key "
              + keyFile
              + " does not belong to the certificate "
              + certFile
              + " ("
              + subject
              + ")");
    }
    return subject + ", valid until " + cert.getNotAfter().toInstant();
  }

  /** Signs random bytes with the key and verifies with the certificate's public key. */
  static boolean matches(PrivateKey key, PublicKey pub) throws StepFailure {
    if (!key.getAlgorithm().equals(pub.getAlgorithm())
        && !(key.getAlgorithm().startsWith("Ed") && pub.getAlgorithm().startsWith("Ed"))) {
      return false;
    }
    String alg =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "DSA" -> "SHA256withDSA";
          case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
          default -> throw new StepFailure("unsupported CA key algorithm " + key.getAlgorithm());
        };
    try {
      byte[] data = new byte[32];
      new SecureRandom().nextBytes(data);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(data);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String read(Path file, String what) throws StepFailure {
    if (!Files.exists(file)) {
      throw new StepFailure(
          what
              + " "
              + file
              + " does not exist: mount the SSL-bump CA Secret (tls.crt, tls.key) there");
    }
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new StepFailure(
          what
              + " "
              + file
              + " is not readable by UID "
              + Ids.uid()
              + " GID "
              + Ids.gid()
              + ": "
              + e.getClass().getSimpleName()
              + " (give the Secret volume defaultMode 0440 or make it group-0 readable)");
    }
  }
}
