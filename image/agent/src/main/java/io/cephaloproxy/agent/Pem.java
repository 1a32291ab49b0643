package io.cephaloproxy.agent;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM blocks, X.509 certificates and unencrypted private keys (PKCS#8, PKCS#1 RSA, SEC1 EC). */
public final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);

  /**
   * One PEM block: its label and DER bytes. {@code headers} is true for RFC 1421 headers
   * (Proc-Type).
   */
  public record Block(String label, byte[] der, boolean headers) {}

  private Pem() {}

  public static List<Block> blocks(String text) {
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String body = m.group(2);
      boolean headers = body.contains(":");
      StringBuilder b64 = new StringBuilder();
      for (String line : body.split("\\r?\\n")) {
        if (!line.contains(":")) {
          b64.append(line.trim());
        }
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(b64.toString());
      } catch (IllegalArgumentException e) {
        der = null;
      }
      out.add(new Block(m.group(1), der, headers));
    }
    return out;
  }

  /** Every CERTIFICATE block of the text, parsed; an exception names what is wrong. */
  public static List<X509Certificate> certificates(String text) throws CertificateException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    for (Block b : blocks(text)) {
      if (!b.label().equals("CERTIFICATE") && !b.label().equals("TRUSTED CERTIFICATE")) {
        continue;
      }
      if (b.der() == null) {
        throw new CertificateException("a CERTIFICATE block is not valid base64");
      }
      out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
    }
    return out;
  }

  public static String encodeCertificate(X509Certificate cert) throws CertificateException {
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(cert.getEncoded());
    return "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n";
  }

  /** The first private key of the text. Throws with a message a user can act on. */
  public static PrivateKey privateKey(String text) throws GeneralSecurityException {
    for (Block b : blocks(text)) {
      switch (b.label()) {
        case "ENCRYPTED PRIVATE KEY":
          throw new GeneralSecurityException(
              "the key is encrypted; Squid needs an unencrypted key");
        case "PRIVATE KEY":
          requireDer(b);
          return pkcs8(b.der());
        case "RSA PRIVATE KEY":
          requireDer(b);
          if (b.headers()) {
            throw new GeneralSecurityException(
                "the key is encrypted (Proc-Type header); Squid needs an unencrypted key");
          }
          return pkcs8(wrapPkcs1Rsa(b.der()));
        case "EC PRIVATE KEY":
          requireDer(b);
          if (b.headers()) {
            throw new GeneralSecurityException(
                "the key is encrypted (Proc-Type header); Squid needs an unencrypted key");
          }
          return pkcs8(wrapSec1Ec(b.der()));
        default:
          // EC PARAMETERS and the like come before the key: skip
      }
    }
    throw new GeneralSecurityException(
        "no PEM private key found (expected BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
  }

  private static void requireDer(Block b) throws GeneralSecurityException {
    if (b.der() == null) {
      throw new GeneralSecurityException("the " + b.label() + " block is not valid base64");
    }
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    String alg = Der.pkcs8Algorithm(der);
    KeyFactory kf;
    try {
      kf = KeyFactory.getInstance(alg);
    } catch (java.security.NoSuchAlgorithmException e) {
      // a jlinked runtime without jdk.crypto.ec has no EC or EdDSA
      throw new GeneralSecurityException(
          "this Java runtime cannot read " + alg + " keys (missing module jdk.crypto.ec?)", e);
    }
    return kf.generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  // rsaEncryption 1.2.840.113549.1.1.1 with NULL parameters
  private static final byte[] RSA_ALG_ID = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };
  // id-ecPublicKey 1.2.840.10045.2.1
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  static byte[] wrapPkcs1Rsa(byte[] pkcs1) {
    return Der.sequence(
        Der.concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALG_ID, Der.tlv(0x04, pkcs1)));
  }

  /** SEC1 ECPrivateKey carries the curve OID in [0]; PKCS#8 wants it in the AlgorithmIdentifier. */
  static byte[] wrapSec1Ec(byte[] sec1) throws GeneralSecurityException {
    byte[] curveOid = Der.sec1CurveOid(sec1);
    if (curveOid == null) {
      throw new GeneralSecurityException("the EC PRIVATE KEY does not name its curve");
    }
    byte[] algId = Der.sequence(Der.concat(EC_PUBLIC_KEY_OID, curveOid));
    return Der.sequence(Der.concat(new byte[] {0x02, 0x01, 0x00}, algId, Der.tlv(0x04, sec1)));
  }

  /** Just enough DER to wrap keys and read a PKCS#8 algorithm. */
  static final class Der {
    private Der() {}

    static byte[] concat(byte[]... parts) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte[] p : parts) {
        out.writeBytes(p);
      }
      return out.toByteArray();
    }

    static byte[] sequence(byte[] content) {
      return tlv(0x30, content);
    }

    static byte[] tlv(int tag, byte[] content) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(tag);
      int len = content.length;
      if (len < 0x80) {
        out.write(len);
      } else if (len < 0x100) {
        out.write(0x81);
        out.write(len);
      } else if (len < 0x10000) {
        out.write(0x82);
        out.write(len >> 8);
        out.write(len);
      } else {
        out.write(0x83);
        out.write(len >> 16);
        out.write(len >> 8);
        out.write(len);
      }
      out.writeBytes(content);
      return out.toByteArray();
    }

    /** [offset of content, length of content] of the TLV at {@code pos}. */
    static int[] header(byte[] d, int pos) throws GeneralSecurityException {
      if (pos + 2 > d.length) {
        throw new GeneralSecurityException("truncated DER");
      }
      int len = d[pos + 1] & 0xff;
      int off = pos + 2;
      if (len >= 0x80) {
        int n = len & 0x7f;
        if (n == 0 || n > 3 || off + n > d.length) {
          throw new GeneralSecurityException("unsupported DER length");
        }
        len = 0;
        for (int i = 0; i < n; i++) {
          len = (len << 8) | (d[off + i] & 0xff);
        }
        off += n;
      }
      if (off + len > d.length) {
        throw new GeneralSecurityException("truncated DER");
      }
      return new int[] {off, len};
    }

    /**
     * PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier { OID, ... }, ... }: OID → JCA
     * name.
     */
    static String pkcs8Algorithm(byte[] d) throws GeneralSecurityException {
      int[] seq = header(d, 0);
      int[] version = header(d, seq[0]);
      int algPos = version[0] + version[1];
      int[] alg = header(d, algPos);
      int[] oid = header(d, alg[0]);
      byte[] oidBytes = java.util.Arrays.copyOfRange(d, oid[0], oid[0] + oid[1]);
      String hex = java.util.HexFormat.of().formatHex(oidBytes);
      switch (hex) {
        case "2a864886f70d010101":
        case "2a864886f70d01010a":
          return "RSA";
        case "2a8648ce3d0201":
          return "EC";
        case "2b6570":
        case "2b6571":
          return "EdDSA";
        case "2a8648ce380401":
          return "DSA";
        default:
          throw new GeneralSecurityException(
              "unsupported private key algorithm (OID bytes " + hex + ")");
      }
    }

    /**
     * ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters OPTIONAL, ... }.
     */
    static byte[] sec1CurveOid(byte[] d) throws GeneralSecurityException {
      int[] seq = header(d, 0);
      int end = seq[0] + seq[1];
      int pos = seq[0];
      while (pos < end) {
        int tag = d[pos] & 0xff;
        int[] h = header(d, pos);
        if (tag == 0xa0) {
          int[] oid = header(d, h[0]);
          return java.util.Arrays.copyOfRange(d, h[0], oid[0] + oid[1]);
        }
        pos = h[0] + h[1];
      }
      return null;
    }
  }
}
