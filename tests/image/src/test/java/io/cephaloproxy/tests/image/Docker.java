package io.cephaloproxy.tests.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The docker CLI (Debian's client, which has BuildKit), one call at a time, with timeouts. */
final class Docker {
  static final String BIN = System.getProperty("docker.bin", "/usr/bin/docker");
  static final String IMAGE = System.getProperty("squid.image", "ghcr.io/cephaloproxy/squid:0.1.0");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Docker() {}

  record Result(int code, String out, String err, long millis) {
    String all() {
      return out + err;
    }

    Result ok() {
      if (code != 0) {
        throw new AssertionError("docker exited " + code + ":\n" + out + err);
      }
      return this;
    }
  }

  /** A name no other test (or earlier run) uses: cpit-PREFIX-<random>. */
  static String uniqueName(String prefix) {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return "cpit-" + prefix + "-" + HexFormat.of().formatHex(b);
  }

  static Result run(Duration timeout, List<String> args) {
    return run(timeout, args.toArray(String[]::new));
  }

  static Result run(Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(BIN);
    cmd.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("docker", ".out");
      Path err = Files.createTempFile("docker", ".err");
      try {
        long t0 = System.nanoTime();
        ProcessBuilder pb =
            new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("DOCKER_BUILDKIT", "1");
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new AssertionError(
              "timed out after "
                  + timeout
                  + ": "
                  + String.join(" ", cmd)
                  + "\n"
                  + Files.readString(out)
                  + Files.readString(err));
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        return new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8),
            millis);
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static Result ok(String... args) {
    return run(Duration.ofMinutes(2), args).ok();
  }

  /** Fails with what to do when the Squid image has not been built. */
  static void requireImage() {
    Result r = run(Duration.ofSeconds(60), "image", "inspect", "-f", "{{.Id}}", IMAGE);
    if (r.code() != 0) {
      throw new AssertionError(
          "the image "
              + IMAGE
              + " is missing: build it with scripts/stages/40-images.sh ("
              + r.all().trim()
              + ")");
    }
  }

  /** Removes a container (and its anonymous volumes) if it exists. */
  static void rm(String container) {
    run(Duration.ofSeconds(60), "rm", "-f", "-v", container);
  }

  static String inspect(String object, String format) {
    return ok("inspect", "-f", format, object).out().trim();
  }

  /**
   * The container's stdout (access log) and stderr (cache log, agent log) as the user sees them.
   */
  static Result logs(String container) {
    return run(Duration.ofSeconds(30), "logs", container);
  }

  /** The host port published for a container port (containers publish on 127.0.0.1 only). */
  static int hostPort(String container, int containerPort) {
    String out = ok("port", container, containerPort + "/tcp").out().trim().split("\n")[0];
    return Integer.parseInt(out.substring(out.lastIndexOf(':') + 1));
  }

  /** Waits for a container to stop and returns its exit code. */
  static int waitExit(String container, Duration timeout) {
    return Integer.parseInt(run(timeout, "wait", container).ok().out().trim());
  }

  /** Host PIDs of a container's processes whose command starts with the given path. */
  static List<Long> pids(String container, String commandPrefix) {
    List<Long> pids = new ArrayList<>();
    for (String line : ok("top", container, "-eo", "pid,args").out().split("\n")) {
      String l = line.trim();
      int sp = l.indexOf(' ');
      if (sp > 0
          && l.substring(sp + 1).trim().startsWith(commandPrefix)
          && l.substring(0, sp).matches("\\d+")) {
        pids.add(Long.parseLong(l.substring(0, sp)));
      }
    }
    return pids;
  }
}
