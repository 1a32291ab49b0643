package io.cephaloproxy.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's effective UID and GID, from /proc/self/status (no native code). */
public final class Ids {
  private Ids() {}

  public static String uid() {
    return field("Uid:");
  }

  public static String gid() {
    return field("Gid:");
  }

  private static String field(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(name)) {
          String[] f = line.substring(name.length()).trim().split("\\s+");
          return f.length > 1 ? f[1] : f[0];
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return "?";
  }
}
