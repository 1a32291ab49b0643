package io.cephaloproxy.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The release the suite installs: what scripts/release.sh published into the local registry (stage
 * 60), read from its record dist/current/release.env. The suite installs only that: the chart from
 * oci://REGISTRY/charts, install.yaml, and the images by digest from the registry.
 */
record Release(
    Path dir,
    String version,
    String registry,
    Path ca,
    String chart,
    String operatorImage,
    String squidImage,
    Map<String, String> record) {
  static final Path RECORD =
      Path.of(
          System.getProperty(
              "cephaloproxy.release", Cluster.REPO.resolve("dist/current/release.env").toString()));

  private static Release current;

  static synchronized Release current() {
    if (current == null) {
      current = read(RECORD);
    }
    return current;
  }

  static Release read(Path env) {
    if (!Files.isReadable(env)) {
      throw new IllegalStateException(
          "the cluster suite installs the released chart and images, but "
              + env
              + " does not exist; release into the local registry first: `bash scripts/stages/60-release.sh` (as root)");
    }
    Map<String, String> v = new HashMap<>();
    try {
      for (String line : Files.readAllLines(env)) {
        int eq = line.indexOf('=');
        if (!line.startsWith("#") && eq > 0) {
          v.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String key :
        new String[] {
          "VERSION", "REGISTRY", "REGISTRY_CA", "CHART", "OPERATOR_IMAGE", "SQUID_IMAGE"
        }) {
      if (v.getOrDefault(key, "").isBlank()) {
        throw new IllegalStateException(
            env + " has no " + key + "; re-run `bash scripts/stages/60-release.sh`");
      }
    }
    return new Release(
        realDir(env),
        v.get("VERSION"),
        v.get("REGISTRY"),
        Path.of(v.get("REGISTRY_CA")),
        v.get("CHART"),
        v.get("OPERATOR_IMAGE"),
        v.get("SQUID_IMAGE"),
        Map.copyOf(v));
  }

  private static Path realDir(Path env) {
    try {
      return env.toRealPath().getParent();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A value of release.env that the release must have written (e.g. CATALOG_IMAGE). */
  String required(String key) {
    String value = record.getOrDefault(key, "");
    if (value.isBlank()) {
      throw new IllegalStateException(
          RECORD + " has no " + key + "; re-run `bash scripts/stages/60-release.sh`");
    }
    return value;
  }

  Path installYaml() {
    return dir.resolve("install.yaml");
  }

  /** The digest (sha256:...) of an image reference REPOSITORY@DIGEST. */
  static String digest(String reference) {
    return reference.substring(reference.indexOf('@') + 1);
  }

  /** REPOSITORY of REPOSITORY@DIGEST, without the registry (e.g. cephaloproxy/squid). */
  String repositoryPath(String reference) {
    return reference.substring(registry.length() + 1, reference.indexOf('@'));
  }
}
