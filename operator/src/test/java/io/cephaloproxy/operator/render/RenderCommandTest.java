package io.cephaloproxy.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code render} on files a user writes: what it prints and its exit code. */
class RenderCommandTest {
  @TempDir Path dir;

  record Run(int rc, String out, String err) {}

  Run render(String yaml) throws IOException {
    Path file = dir.resolve("input.yaml");
    Files.writeString(file, yaml);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        RenderCommand.run(
            List.of("-f", file.toString()), new PrintStream(out), new PrintStream(err));
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String file(String secretLabels) {
    return """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: auth, namespace: demo}
        spec:
          auth: {mode: Basic, htpasswdSecret: {name: proxy-users}}
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: proxy-users
          namespace: demo
        %s
        stringData:
          htpasswd: "alice:$apr1$x$y"
        """
        .formatted(secretLabels);
  }

  /**
   * As the operator (issue 12 §5): a Secret without cephaloproxy.io/usable-by-proxies=true is not
   * used. One line names the field, the Secret and the kubectl command, nothing is rendered and the
   * exit code is 1.
   */
  @Test
  void anUnlabelledSecretIsRefusedWithTheOperatorsMessage() throws IOException {
    Run r = render(file(""));
    assertThat(r.rc()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList())
        .containsExactly(
            "error: SquidProxy demo/auth: spec.auth.htpasswdSecret: Secret 'proxy-users' is not"
                + " labelled cephaloproxy.io/usable-by-proxies=true, which its owner sets to let"
                + " SquidProxies use it: kubectl -n demo label secret proxy-users"
                + " cephaloproxy.io/usable-by-proxies=true");
    // a label with another value is no consent either
    Run other = render(file("  labels: {cephaloproxy.io/usable-by-proxies: \"yes\"}"));
    assertThat(other.rc()).isEqualTo(1);
    assertThat(other.err()).contains("kubectl -n demo label secret proxy-users");
  }

  @Test
  void aLabelledSecretIsRendered() throws IOException {
    Run r = render(file("  labels: {cephaloproxy.io/usable-by-proxies: \"true\"}"));
    assertThat(r.rc()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("kind: \"Deployment\"").contains("kind: \"Secret\"");
  }
}
