package io.cephaloproxy.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a host command (the suite runs as root on the node) and captures its output. */
final class Cmd {
  record Result(List<String> command, int exitCode, String out, String err) {
    Result orFail() {
      if (exitCode != 0) {
        throw new AssertionError(this);
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", command)
          + " → exit "
          + exitCode
          + "\nstdout: "
          + out
          + "\nstderr: "
          + err;
    }
  }

  private Cmd() {}

  static Result run(Duration timeout, String... command) {
    return run(timeout, List.of(command));
  }

  static Result run(Duration timeout, List<String> command) {
    try {
      Path out = Files.createTempFile("e2e-cmd", ".out");
      Path err = Files.createTempFile("e2e-cmd", ".err");
      try {
        Process p =
            new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor();
          throw new AssertionError(
              "timed out after "
                  + timeout.toSeconds()
                  + " s: "
                  + String.join(" ", command)
                  + "\nstdout: "
                  + Files.readString(out)
                  + "\nstderr: "
                  + Files.readString(err));
        }
        return new Result(
            command,
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }
}
