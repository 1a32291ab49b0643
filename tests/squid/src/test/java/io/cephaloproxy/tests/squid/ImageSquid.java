package io.cephaloproxy.tests.squid;

import io.cephaloproxy.testsupport.Cmd;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Squid of an image, run as often as a test needs: long-lived containers of the image ({@code
 * docker run -i --rm --network none}, the lab directory mounted read-only at the same path, as the
 * image's own user), each running {@link ImageSquidServer} on the image's JVM, which starts the
 * image's {@code /usr/sbin/squid} for each call and returns its exit code and output unchanged. A
 * call costs Squid's own run (tens of milliseconds) instead of a container's start and removal
 * (about 1.3 s). Calls from several threads use several containers (one call at a time each).
 */
final class ImageSquid implements AutoCloseable {
  private static final String SQUID = "/usr/sbin/squid";

  /** Where the test classes (for {@link ImageSquidServer}) are mounted in the container. */
  private static final String HARNESS = "/cephaloproxy-test-classes";

  private final String image;
  private final Path root;
  private final BlockingQueue<Server> idle = new LinkedBlockingQueue<>();
  private final List<Server> all = new ArrayList<>();
  private boolean closed;

  /**
   * @param root the directory whose files the commands name (mounted read-only at the same path)
   */
  ImageSquid(String image, Path root) {
    this.image = image;
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** {@code squid ARGS} in a container of the image; like {@link Cmd#run} on the host. */
  Cmd.Result squid(Duration timeout, List<String> args) {
    Server s = idle.poll();
    if (s == null) {
      s = start();
    }
    List<String> cmd = new ArrayList<>(List.of(SQUID));
    cmd.addAll(args);
    try {
      Cmd.Result r = s.run(cmd, timeout);
      idle.add(s);
      return r;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private synchronized Server start() {
    if (closed) {
      throw new IllegalStateException("ImageSquid for " + image + " is closed");
    }
    Server s = new Server(all.size());
    all.add(s);
    return s;
  }

  @Override
  public synchronized void close() {
    closed = true;
    all.forEach(Server::close);
  }

  /** The number of containers started so far. */
  synchronized int containers() {
    return all.size();
  }

  /** One container and its server. */
  private final class Server {
    private final Process docker;
    private final Path log;
    private final DataOutputStream out;
    private final DataInputStream in;

    Server(int n) {
      Path classes;
      try {
        classes =
            Path.of(
                ImageSquidServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        log = Files.createTempFile("cephaloproxy-image-squid-" + n + "-", ".log");
      } catch (URISyntaxException | IOException e) {
        throw new IllegalStateException("cannot prepare a container of " + image, e);
      }
      List<String> cmd =
          List.of(
              "docker",
              "run",
              "-i",
              "--rm",
              "--label",
              "io.cephaloproxy.test=image-squid",
              "--network",
              "none",
              "-v",
              root + ":" + root + ":ro",
              "-v",
              classes + ":" + HARNESS + ":ro",
              "--entrypoint",
              "/opt/java/bin/java",
              image,
              // the image's JVM options stay (jlink --add-options); its CDS archive is for the
              // agent's class path, and nothing but the answers may reach stdout
              "-Xshare:off",
              "-Xmx128m",
              "-Xlog:disable",
              "-Xlog:all=warning:stderr",
              "-XX:+DisplayVMOutputToStderr",
              "-cp",
              HARNESS,
              ImageSquidServer.class.getName());
      try {
        docker =
            new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
      }
      out = new DataOutputStream(new BufferedOutputStream(docker.getOutputStream()));
      in = new DataInputStream(new BufferedInputStream(docker.getInputStream()));
    }

    Cmd.Result run(List<String> cmd, Duration timeout) {
      try {
        out.writeInt(cmd.size());
        for (String a : cmd) {
          out.writeUTF(a);
        }
        out.writeLong(timeout.toMillis());
        out.flush();
        int magic = in.readInt();
        if (magic != ImageSquidServer.MAGIC) {
          throw new IllegalStateException(
              "the container of " + image + " answered garbage" + describe());
        }
        int exit = in.readInt();
        String stdout = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        String stderr = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        if (exit == ImageSquidServer.TIMED_OUT) {
          throw new IllegalStateException(
              "command timed out after "
                  + timeout
                  + " in a container of "
                  + image
                  + ": "
                  + String.join(" ", cmd)
                  + "\nstdout: "
                  + stdout
                  + "\nstderr: "
                  + stderr);
        }
        return new Cmd.Result(cmd, exit, stdout, stderr);
      } catch (IOException e) {
        throw new IllegalStateException(
            "the container of " + image + " stopped answering (" + e + ")" + describe(), e);
      }
    }

    private String describe() {
      String text;
      try {
        text = Files.readString(log, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        text = "(unreadable: " + e.getMessage() + ")";
      }
      return "; docker's stderr: " + (text.length() > 2000 ? text.substring(0, 2000) : text);
    }

    void close() {
      try {
        out.close(); // EOF: the server returns, the container ends and is removed
      } catch (IOException ignored) {
        // already gone
      }
      try {
        if (!docker.waitFor(20, TimeUnit.SECONDS)) {
          docker.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        docker.destroyForcibly();
      }
      try {
        Files.deleteIfExists(log);
      } catch (IOException ignored) {
        // a temporary file
      }
    }
  }
}
