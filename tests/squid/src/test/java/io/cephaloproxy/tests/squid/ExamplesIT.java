package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.ExampleFile;
import io.cephaloproxy.testsupport.RepoRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example in examples/ compiles, parses cleanly on real Squid ({@code squid -k parse}: no
 * ERROR, FATAL or WARNING line) and starts: the port accepts and the cache log has no ERROR/FATAL
 * line. Secrets an example only names (CA, htpasswd, credentials) are stood in for by test
 * material.
 */
class ExamplesIT extends SquidSuite {

  static List<Path> examples() {
    Path dir = RepoRoot.get().resolve("examples");
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(files).as("examples in " + dir.toAbsolutePath()).isNotEmpty();
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stand-ins for the Secret/ConfigMap keys an example refers to without shipping them. */
  String stub(String source, String key, String file) {
    try {
      return switch (file) {
        case "tls.crt" -> Files.readString(lab.pki.bumpCaCert);
        case "tls.key" -> Files.readString(lab.pki.bumpCaKey);
        case "ca.crt" -> Files.readString(lab.pki.originCaCert);
        case "htpasswd" -> AuthIT.htpasswd("alice", "example-password");
        case "username" -> "egress-user";
        case "password" -> "egress-password";
        case "domains.txt" -> ".example.com\n";
        default -> null;
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExampleParsesAndStartsOnRealSquid() {
    return examples().stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      ExampleFile example = ExampleFile.load(file);
                      // shutdown_lifetime 1 s so each start/stop is quick; it changes nothing else
                      example.proxy().getSpec().setTerminationGracePeriodSeconds(2L);
                      String name = file.getFileName().toString().replace(".yaml", "");
                      CompiledSquid compiled =
                          CompiledSquid.compile(
                              lab, name, example.proxy(), example.data(), this::stub);

                      SquidInstance.ParseResult parse =
                          SquidInstance.parse(compiled.instance().settings().config());
                      assertThat(parse.ok())
                          .as(
                              file
                                  + ": squid -k parse "
                                  + parse.describe()
                                  + "\n"
                                  + compiled.squidConf())
                          .isTrue();
                      assertThat(parse.warnings())
                          .as(file + ": squid -k parse warnings\n" + compiled.squidConf())
                          .isEmpty();

                      try (SquidInstance squid = compiled.instance()) {
                        squid.init();
                        squid.start();
                        // SMP: the port accepts once one kid listens; a SIGTERM while another kid
                        // is still starting makes the
                        // master exit 1, so stop only when every worker accepts (as a pod's
                        // readiness probe would)
                        int workers = squid.settings().workers();
                        long deadline = System.nanoTime() + 20_000_000_000L;
                        while (workers > 1
                            && squid
                                        .cacheLog()
                                        .split("Accepting HTTP Socket connections", -1)
                                        .length
                                    - 1
                                < workers
                            && System.nanoTime() < deadline) {
                          Thread.sleep(100);
                        }
                        assertNoErrors(squid);
                        assertThat(squid.stop())
                            .as(file + ": exit code after SIGTERM" + squid.describe())
                            .isZero();
                      }
                    }));
  }
}
