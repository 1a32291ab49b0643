package io.cephaloproxy.e2e;

import java.nio.file.Path;
import java.time.Duration;

/** Test certificates made with the openssl CLI: a CA and certificates it signs. */
final class Pki {
  record Pair(Path cert, Path key) {}

  private Pki() {}

  static Pair ca(Path dir, String name, String commonName) {
    Pair p = new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        p.key().toString(),
        "-out",
        p.cert().toString(),
        "-days",
        "30",
        "-subj",
        "/CN=" + commonName,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
    return p;
  }

  /** A server certificate for {@code dnsNames} (comma separated), signed by {@code ca}. */
  static Pair server(Path dir, String name, Pair ca, String dnsNames) {
    Pair p = new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    Path csr = dir.resolve(name + ".csr");
    openssl(
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        p.key().toString(),
        "-out",
        csr.toString(),
        "-subj",
        "/CN=" + dnsNames.split(",")[0]);
    StringBuilder sans = new StringBuilder();
    for (String dns : dnsNames.split(",")) {
      sans.append(sans.isEmpty() ? "" : ",").append("DNS:").append(dns);
    }
    Path ext = dir.resolve(name + ".ext");
    try {
      java.nio.file.Files.writeString(
          ext, "subjectAltName=" + sans + "\nextendedKeyUsage=serverAuth\n");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    openssl(
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        ca.cert().toString(),
        "-CAkey",
        ca.key().toString(),
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        ext.toString(),
        "-out",
        p.cert().toString());
    return p;
  }

  private static void openssl(String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "openssl";
    System.arraycopy(args, 0, command, 1, args.length);
    Cmd.run(Duration.ofSeconds(30), command).orFail();
  }
}
