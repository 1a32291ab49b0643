package io.cephaloproxy.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived command to completion, capturing stdout and stderr (merged) as lines. */
public final class Exec {
  /** The outcome: exit code (-1 when it timed out and was killed) and every output line. */
  public record Result(int exitCode, List<String> lines, boolean timedOut) {
    public String tail(int n) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
  }

  private Exec() {}

  public static Result run(List<String> command, long timeoutSeconds) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    Reaper.OWN.add(p.pid());
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // the process went away; what we have is what it said
              }
            },
            "exec-output");
    reader.setDaemon(true);
    reader.start();
    boolean done;
    try {
      done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while running " + command.get(0), e);
    }
    try {
      synchronized (lines) {
        return new Result(done ? p.exitValue() : -1, List.copyOf(lines), !done);
      }
    } finally {
      if (!p.isAlive()) {
        Reaper.OWN.remove(p.pid());
      }
    }
  }
}
