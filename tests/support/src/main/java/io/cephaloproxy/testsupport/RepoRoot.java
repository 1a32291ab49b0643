package io.cephaloproxy.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository root, for tests that compare committed files (crds/, examples/, image/config/).
 */
public final class RepoRoot {
  private RepoRoot() {}

  public static Path get() {
    String prop = System.getProperty("repo.root");
    if (prop != null && Files.isDirectory(Path.of(prop, "api"))) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("api"))
          && Files.isRegularFile(dir.resolve("pom.xml"))
          && Files.isDirectory(dir.resolve("docs"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "cannot find the repository root from " + Path.of("").toAbsolutePath());
  }

  /**
   * The one regeneration flag, {@code -Dcephaloproxy.regenerate=true}: the tests that compare a
   * committed generated file (CRD, golden files, image/config/, recorded API-server data) rewrite
   * it instead of failing.
   */
  public static boolean regenerate() {
    return Boolean.getBoolean("cephaloproxy.regenerate");
  }
}
