package io.cephaloproxy.tests.image;

import io.cephaloproxy.testsupport.Pki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A Docker network of the suite's own with its origin servers (the Java {@link Origin} run by the
 * Squid image's JRE) and a test PKI: CA "origin-ca" signs the origin "origin" (HTTP 80, HTTPS 443);
 * CA "proxy-ca" is the SSL-bump CA.
 */
final class TestNet implements AutoCloseable {
  final String network = Docker.uniqueName("net");
  private static final Duration VALIDITY = Duration.ofDays(30);

  /** The directory of the certificates, mounted read-only as /pki into the containers. */
  final Path pki;

  private final Map<String, Pki.Cert> cas = new HashMap<>();
  private final List<String> containers = new ArrayList<>();

  TestNet() {
    Docker.requireImage();
    try {
      pki = Files.createTempDirectory("cpit-pki");
      SquidPod.open(pki);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Docker.ok("network", "create", network);
    ca("origin-ca");
    ca("proxy-ca");
  }

  /** A CA (CN=NAME, RSA 2048, 30 days) in the PKI directory: NAME.crt and NAME.key. */
  void ca(String name) {
    cas.put(name, Pki.ca(name, Pki.KeyType.RSA_2048, VALIDITY));
    cas.get(name).writePem(pki.resolve(name + ".crt"), pki.resolve(name + ".key"));
  }

  /** TestNet with the origin "origin" (certificate by origin-ca) started. */
  static TestNet withOrigin() {
    TestNet net = new TestNet();
    net.startOrigin("origin", "origin-ca");
    return net;
  }

  /**
   * Starts an origin reachable as HOST on this network, its HTTPS certificate signed by CA (a PKI
   * name).
   */
  void startOrigin(String host, String ca) {
    cas.get(ca)
        .issueServer(Pki.KeyType.RSA_2048, VALIDITY, List.of(host))
        .writePem(pki.resolve(host + ".crt"), pki.resolve(host + ".key"))
        .writePkcs12(pki.resolve(host + ".p12"), host, true);
    readable(pki);
    String name = Docker.uniqueName("origin-" + host);
    containers.add(name);
    Docker.ok(
        "run",
        "-d",
        "--name",
        name,
        "--network",
        network,
        "--network-alias",
        host,
        "--dns",
        "127.0.0.1",
        "--read-only",
        "--no-healthcheck",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "-e",
        "ORIGIN_NAME=" + host,
        "-v",
        System.getProperty("test.classes") + ":/origin:ro",
        "-v",
        pki + ":/pki:ro",
        "--entrypoint",
        "/opt/java/bin/java",
        Docker.IMAGE,
        "-Xshare:off",
        "-cp",
        "/origin",
        Origin.class.getName(),
        "80",
        "443",
        "/pki/" + host + ".p12",
        Pki.P12_PASSWORD);
    long deadline = System.currentTimeMillis() + 20_000;
    while (!Docker.logs(name).out().contains("listening")) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("origin " + host + " did not start:\n" + Docker.logs(name).all());
      }
      SquidPod.sleep(50);
    }
  }

  private static void readable(Path dir) {
    try (var s = Files.list(dir)) {
      s.forEach(p -> SquidPod.writeFile(p, read(p)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A SquidProxy that bumps with the suite's proxy-ca (Secret "proxy-ca"), plus SPEC_EXTRA (YAML
   * lines under spec), with the Secret's data.
   */
  io.cephaloproxy.testsupport.ExampleFile bumping(String specExtra) {
    var proxy =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            "apiVersion: cephaloproxy.io/v1alpha1\n"
                + "kind: SquidProxy\nmetadata: {name: bump}\nspec:\n  sslBump:\n    enabled: true\n"
                + "    caSecret: {name: proxy-ca}\n"
                + specExtra,
            io.cephaloproxy.api.v1alpha1.SquidProxy.class);
    var data =
        io.cephaloproxy.compiler.ReferencedData.builder()
            .secretStrings(
                "proxy-ca",
                java.util.Map.of(
                    "tls.crt",
                    pem("proxy-ca"),
                    "tls.key",
                    new String(read(pki.resolve("proxy-ca.key")))))
            .configMap("origin-ca", java.util.Map.of("ca.crt", pem("origin-ca")))
            .build();
    return new io.cephaloproxy.testsupport.ExampleFile(proxy, data);
  }

  String pem(String name) {
    return new String(read(pki.resolve(name + ".crt")));
  }

  /**
   * A client that sends everything through the proxy on 127.0.0.1:PORT, trusting only CA for HTTPS.
   */
  HttpClient client(int proxyPort, String ca) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry(
          ca,
          CertificateFactory.getInstance("X.509")
              .generateCertificate(Files.newInputStream(pki.resolve(ca + ".crt"))));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder()
          .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort)))
          .sslContext(ssl)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static HttpResponse<String> get(HttpClient client, String url) {
    try {
      return client.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Issuer of the certificate the client saw. */
  static String issuer(HttpResponse<?> r) {
    try {
      return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0])
          .getIssuerX500Principal()
          .getName();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    containers.forEach(Docker::rm);
    Docker.run(Duration.ofSeconds(60), "network", "rm", network);
    try (var s = Files.walk(pki)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temp files only
    }
  }
}
