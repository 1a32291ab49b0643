package io.cephaloproxy.operator.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The project version (filtered into a resource at build time) and the images derived from it. */
public final class Versions {
  private static final String VERSION = load();

  private Versions() {}

  public static String version() {
    return VERSION;
  }

  /** {@code ghcr.io/cephaloproxy/squid:<version>} (docs/architecture.md). */
  public static String defaultSquidImage() {
    return "ghcr.io/cephaloproxy/squid:" + VERSION;
  }

  private static String load() {
    try (InputStream in = Versions.class.getResourceAsStream("/cephaloproxy-operator.properties")) {
      if (in == null) {
        throw new IllegalStateException("cephaloproxy-operator.properties missing from the jar");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
