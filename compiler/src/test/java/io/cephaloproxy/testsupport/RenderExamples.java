package io.cephaloproxy.testsupport;

import io.cephaloproxy.compiler.CompiledConfig;
import io.cephaloproxy.compiler.Layout;
import io.cephaloproxy.compiler.ReferencedData;
import io.cephaloproxy.compiler.SquidConfCompiler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Developer tool: compiles every example into OUT/<example>/ with a Layout under that directory,
 * plus the referenced data the examples contain. Run squid -k parse on OUT/<example>/etc/squid.conf
 * afterwards. Usage: RenderExamples EXAMPLES_DIR OUT_DIR [CA_CERT CA_KEY]
 */
public final class RenderExamples {
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[1]).toAbsolutePath();
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of(args[0]))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path f : files) {
      String name = f.getFileName().toString().replace(".yaml", "");
      ExampleFile ex = ExampleFile.load(f);
      Layout layout =
          Layout.underRoot(out.resolve(name).toString())
              .serviceName("cp" + name.replace("-", ""))
              .listenAddress("127.0.0.1")
              .build();
      CompiledConfig c = SquidConfCompiler.compile(ex.proxy().getSpec(), ex.data(), layout);
      Materializer.write(c, layout, ex.data());
      if (args.length > 3) {
        Path tls = Path.of(layout.tlsDir());
        Files.createDirectories(tls);
        Files.copy(
            Path.of(args[2]),
            tls.resolve("tls.crt"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
            Path.of(args[3]),
            tls.resolve("tls.key"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(Path.of(layout.trustedCaDir()));
        Files.copy(
            Path.of(args[2]),
            Path.of(layout.trustedCaBundle()),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      System.out.println(name + " " + layout.squidConf());
    }
  }

  private RenderExamples() {}

  static ReferencedData none() {
    return ReferencedData.offline();
  }
}
