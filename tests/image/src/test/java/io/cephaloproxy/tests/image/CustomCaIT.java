package io.cephaloproxy.tests.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.RepoRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The CA-extension build pattern (image/examples/custom-ca): an image built FROM ours with a test
 * CA added makes a bumping Squid trust an origin signed by that CA, still reject one signed by
 * another CA, and the stock image does not trust it (so the trust came from the build).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CustomCaIT {
  private TestNet net;
  private String image;

  @BeforeAll
  void buildImage() throws Exception {
    net = new TestNet();
    net.ca("custom-ca");
    net.ca("other-ca");
    net.startOrigin("trusted-origin", "custom-ca");
    net.startOrigin("untrusted-origin", "other-ca");

    Path context = Files.createTempDirectory("cpit-custom-ca");
    Path example = RepoRoot.get().resolve("image/examples/custom-ca");
    Files.copy(example.resolve("Dockerfile"), context.resolve("Dockerfile"));
    Files.createDirectories(context.resolve("certs"));
    Files.copy(net.pki.resolve("custom-ca.crt"), context.resolve("certs/custom-ca.crt"));
    image = "cephaloproxy.local/squid-custom-ca-test:" + Docker.uniqueName("t").substring(5);
    Docker.Result build =
        Docker.run(
            Duration.ofMinutes(8),
            "build",
            "--network",
            "host",
            "--build-arg",
            "BASE_IMAGE=" + Docker.IMAGE,
            "--build-arg",
            "BUILDER_IMAGE="
                + System.getProperty("builder.image", "cephaloproxy.local/debian:13-slim"),
            "-t",
            image,
            context.toString());
    assertThat(build.code())
        .as("docker build of image/examples/custom-ca:\n%s", build.all())
        .isZero();
  }

  @AfterAll
  void cleanup() {
    if (image != null) {
      Docker.run(Duration.ofMinutes(1), "rmi", "-f", image);
    }
    if (net != null) {
      net.close();
    }
  }

  /**
   * SSL-bump with the suite's proxy CA and no spec.trustedCA: only the image's system bundle
   * decides.
   */
  SquidPod bumpingPod(String prefix, String withImage) {
    SquidPod pod = SquidPod.compile(prefix, net.bumping(""));
    pod.image = withImage;
    pod.network = net.network;
    return pod.up();
  }

  @Test
  void bumpingSquidTrustsTheAddedCaAndStillRejectsOthers() {
    try (SquidPod pod = bumpingPod("customca", image)) {
      var client = net.client(pod.proxyPort(), "proxy-ca");
      var trusted = TestNet.get(client, "https://trusted-origin/hello");
      assertThat(trusted.statusCode())
          .as("origin signed by the added CA; logs:\n%s", pod.logs())
          .isEqualTo(200);
      assertThat(trusted.body()).isEqualTo("origin trusted-origin /hello\n");
      assertThat(TestNet.issuer(trusted)).isEqualTo("CN=proxy-ca");

      var untrusted = TestNet.get(client, "https://untrusted-origin/hello");
      assertThat(untrusted.statusCode()).as("origin signed by a CA nobody added").isEqualTo(503);
      assertThat(untrusted.body()).doesNotContain("origin untrusted-origin");
    }
  }

  @Test
  void theStockImageDoesNotTrustThatCa() {
    try (SquidPod pod = bumpingPod("stockca", Docker.IMAGE)) {
      var client = net.client(pod.proxyPort(), "proxy-ca");
      assertThat(TestNet.get(client, "https://trusted-origin/hello").statusCode()).isEqualTo(503);
    }
  }
}
