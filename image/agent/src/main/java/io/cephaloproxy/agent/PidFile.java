package io.cephaloproxy.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Squid's pid file: a leftover from a previous container makes Squid refuse to start. */
public final class PidFile {
  private PidFile() {}

  /** What {@link #removeStale} did. */
  public enum Outcome {
    ABSENT,
    REMOVED
  }

  /**
   * Removes the pid file unless the process it names is a running Squid (then it fails: two Squids
   * must not share one pid file and run dir).
   */
  public static Outcome removeStale(Path pidFile) throws StepFailure {
    if (!Files.exists(pidFile)) {
      return Outcome.ABSENT;
    }
    String content;
    try {
      content = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      content = "";
    }
    if (content.matches("\\d{1,10}")) {
      long pid = Long.parseLong(content);
      if (pid != ProcessHandle.current().pid() && isSquid(pid)) {
        throw new StepFailure(
            "pid file "
                + pidFile
                + " names a running Squid (pid "
                + pid
                + "): another Squid uses this run directory");
      }
    }
    try {
      Files.delete(pidFile);
    } catch (IOException e) {
      throw new StepFailure(
          "cannot remove the stale pid file "
              + pidFile
              + " as UID "
              + Ids.uid()
              + " GID "
              + Ids.gid()
              + ": "
              + e
              + " (make its directory group-0 writable)");
    }
    return Outcome.REMOVED;
  }

  static boolean isSquid(long pid) {
    try {
      String comm = Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
      return comm.startsWith("squid");
    } catch (IOException e) {
      return false;
    }
  }
}
