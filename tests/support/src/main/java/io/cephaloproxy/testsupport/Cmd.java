package io.cephaloproxy.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host command to completion with a timeout, capturing stdout and stderr through files
 * (never blocking on pipes); stdin is /dev/null. On timeout the command and its descendants are
 * killed.
 */
public final class Cmd {
  private Cmd() {}

  /** What a command printed and how it exited. */
  public record Result(List<String> command, int exit, String out, String err) {
    /** This result when the command exited 0, else an {@link IllegalStateException} with it. */
    public Result orThrow() {
      if (exit != 0) {
        throw new IllegalStateException("command failed: " + this);
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", command)
          + " → exit "
          + exit
          + "\nstdout: "
          + out
          + "\nstderr: "
          + err;
    }
  }

  public static Result run(Duration timeout, List<String> command) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("cephaloproxy-cmd-", ".out");
      err = Files.createTempFile("cephaloproxy-cmd-", ".err");
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "command timed out after "
                + timeout
                + ": "
                + String.join(" ", command)
                + "\nstdout: "
                + Files.readString(out, StandardCharsets.UTF_8)
                + "\nstderr: "
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Result(
          command,
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  public static Result run(Duration timeout, String... command) {
    return run(timeout, List.of(command));
  }

  /** Runs with a 60 s timeout. */
  public static Result run(List<String> command) {
    return run(Duration.ofSeconds(60), command);
  }

  /** Runs with a 60 s timeout and fails unless the command exits 0. */
  public static Result check(String... command) {
    return run(List.of(command)).orThrow();
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a temporary file; nothing to do
      }
    }
  }
}
