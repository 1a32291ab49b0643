package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedCaBundleTest {
  @TempDir Path tmp;

  @Test
  void systemBundlePlusCertificatesFromAKubernetesStyleVolume() throws Exception {
    CaCheckTest.makeCa(tmp.resolve("sys"), "rsa", true, "System Root");
    CaCheckTest.makeCa(tmp.resolve("a"), "rsa", true, "Corp Root A");
    CaCheckTest.makeCa(tmp.resolve("b"), "ec", true, "Corp Root B");
    // a ConfigMap volume: visible names are links into ..data/
    Path vol = tmp.resolve("trusted-ca");
    Path data = vol.resolve("..2026_11_28_23_00_00.123");
    Files.createDirectories(data);
    Files.writeString(
        data.resolve("corp.pem"),
        Files.readString(tmp.resolve("a/tls.crt"))
            + Files.readString(tmp.resolve("b/tls.crt"))
            // a key pasted by mistake must never reach the bundle
            + Files.readString(tmp.resolve("b/tls.key")));
    Files.createSymbolicLink(vol.resolve("..data"), data.getFileName());
    Files.createSymbolicLink(vol.resolve("corp.pem"), Path.of("..data/corp.pem"));
    Path out = tmp.resolve("out/trusted-ca.pem");
    Files.createDirectories(out.getParent());

    int added = TrustedCaBundle.build(tmp.resolve("sys/tls.crt"), List.of(vol), out);

    assertThat(added).isEqualTo(2);
    String bundle = Files.readString(out);
    assertThat(bundle)
        .startsWith(Files.readString(tmp.resolve("sys/tls.crt")))
        .doesNotContain("PRIVATE KEY");
    assertThat(Pem.certificates(bundle))
        .extracting(c -> c.getSubjectX500Principal().getName())
        .containsExactly("CN=System Root", "CN=Corp Root A", "CN=Corp Root B");
    assertThat(Files.getPosixFilePermissions(out).toString()).contains("GROUP_READ");
  }

  @Test
  void nonCertificateSourceIsNamed() throws Exception {
    CaCheckTest.makeCa(tmp.resolve("sys"), "rsa", true, "System Root");
    Files.writeString(tmp.resolve("notes.txt"), "not a cert");
    assertThatThrownBy(
            () ->
                TrustedCaBundle.build(
                    tmp.resolve("sys/tls.crt"),
                    List.of(tmp.resolve("notes.txt")),
                    tmp.resolve("out.pem")))
        .hasMessage(
            "extra CA file "
                + tmp.resolve("notes.txt")
                + " contains no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    assertThatThrownBy(
            () ->
                TrustedCaBundle.build(
                    tmp.resolve("sys/tls.crt"),
                    List.of(tmp.resolve("gone")),
                    tmp.resolve("out.pem")))
        .hasMessage(
            "extra CA source " + tmp.resolve("gone") + " does not exist (trustedCA.sources)");
    assertThat(tmp.resolve("out.pem")).doesNotExist();
  }

  @Test
  void noSystemBundleAndNoExtrasIsASkipButExtrasWithoutSystemIsAnError() throws Exception {
    assertThat(TrustedCaBundle.build(tmp.resolve("none.crt"), List.of(), tmp.resolve("out.pem")))
        .isEqualTo(-1);
    CaCheckTest.makeCa(tmp.resolve("a"), "rsa", true, "A");
    assertThatThrownBy(
            () ->
                TrustedCaBundle.build(
                    tmp.resolve("none.crt"),
                    List.of(tmp.resolve("a/tls.crt")),
                    tmp.resolve("out.pem")))
        .hasMessageContaining("system CA bundle " + tmp.resolve("none.crt") + " not found");
  }
}
