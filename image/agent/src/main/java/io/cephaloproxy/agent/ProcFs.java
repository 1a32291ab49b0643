package io.cephaloproxy.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts from /proc (Linux): resident memory and zombie children. */
public final class ProcFs {
  private ProcFs() {}

  /** VmRSS of the process in bytes, or -1. */
  public static long residentBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone, or not Linux
    }
    return -1;
  }

  /**
   * Children of {@code parent} that have exited but not been waited for (state Z); -1 without
   * /proc.
   */
  public static int zombieChildren(long parent) {
    return Files.isDirectory(Path.of("/proc/self")) ? Reaper.zombieChildren(parent).size() : -1;
  }

  /**
   * Whether a TCP socket listens on {@code port} in this network namespace, read from /proc/net/tcp
   * and tcp6 (state 0A); null when /proc/net is not readable. Unlike a test connection this leaves
   * no line in Squid's access log.
   */
  public static Boolean listening(int port) {
    String hexPort = String.format(":%04X", port);
    boolean readable = false;
    for (String f : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(f))) {
          String[] c = line.trim().split("\\s+");
          if (c.length > 3 && c[1].endsWith(hexPort) && c[3].equals("0A")) {
            return true;
          }
        }
        readable = true;
      } catch (IOException | RuntimeException e) {
        // no IPv6, or not Linux
      }
    }
    return readable ? Boolean.FALSE : null;
  }

  /**
   * Accepted TCP connections on local {@code port} that are still open (ESTABLISHED or CLOSE_WAIT),
   * from /proc/net/tcp and tcp6; -1 when /proc/net is not readable.
   */
  public static int openConnections(int port) {
    String hexPort = String.format(":%04X", port);
    int n = 0;
    boolean readable = false;
    for (String f : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(f))) {
          String[] c = line.trim().split("\\s+");
          if (c.length > 3 && c[1].endsWith(hexPort) && (c[3].equals("01") || c[3].equals("08"))) {
            n++;
          }
        }
        readable = true;
      } catch (IOException | RuntimeException e) {
        // no IPv6, or not Linux
      }
    }
    return readable ? n : -1;
  }
}
