package io.cephaloproxy.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test helpers: executable scripts standing in for Squid and its helpers, PEM files, the agent as a
 * process.
 */
final class Fixtures {
  private Fixtures() {}

  static Path script(Path file, String body) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  static String resource(String name) throws IOException {
    try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Runs a command (openssl, keytool) and fails loudly when it fails. */
  static void exec(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  /** A runtime.properties in {@code dir}. */
  static Path properties(Path dir, Map<String, String> values) throws IOException {
    Files.createDirectories(dir);
    StringBuilder b = new StringBuilder();
    values.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return Files.writeString(dir.resolve(AgentConfig.PROPERTIES_FILE), b.toString());
  }

  /**
   * {@code java -cp <test classpath> io.cephaloproxy.agent.Main ARGS}, optionally prefixed
   * (setpriv).
   */
  static ProcessBuilder agent(List<String> prefix, String... args) {
    List<String> cmd = new ArrayList<>(prefix);
    // Signals a parent ignores stay ignored across exec, and the JVM then silently refuses a
    // handler for them
    // (a build started under nohup ignores SIGHUP): start the agent with default dispositions, as
    // in a container.
    cmd.addAll(List.of("env", "--default-signal"));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("agent.classes", System.getProperty("java.class.path")));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }
}
