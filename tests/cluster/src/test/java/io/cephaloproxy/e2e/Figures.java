package io.cephaloproxy.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Measured figures of a run, appended to target/e2e-figures.txt (docs/benchmarks.md quotes them).
 */
final class Figures {
  static final Path FILE = Path.of("target", "e2e-figures.txt");

  private Figures() {}

  static synchronized void record(String name, Number value) {
    String line = Instant.now() + "\t" + name + "\t" + value + "\n";
    System.out.print("[figure] " + name + " = " + value + "\n");
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + FILE, e);
    }
  }
}
