package io.cephaloproxy.tests.squid;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The in-container half of {@link ImageSquid}: started inside a container of the Squid image on the
 * image's own JVM ({@code /opt/java/bin/java}; the image has no shell), it runs each command it
 * reads on stdin as a process of that container (the image's {@code /usr/sbin/squid}) and writes
 * back its exit code, stdout and stderr, byte for byte. One container then serves thousands of
 * {@code squid -k parse} runs, each costing what Squid costs, instead of a {@code docker run} each.
 *
 * <p>Uses java.base only (the image's runtime is jlinked). Protocol, big-endian: request {@code int
 * argc, argc × UTF arg, long timeoutMillis}; answer {@code int MAGIC, int exit (TIMED_OUT when
 * killed), int n, n bytes of stdout, int m, m bytes of stderr}. EOF on stdin ends it.
 */
public final class ImageSquidServer {
  static final int MAGIC = 0x53515344; // "SQSD"
  static final int TIMED_OUT = Integer.MIN_VALUE;

  private ImageSquidServer() {}

  public static void main(String[] args) throws Exception {
    DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
    DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
    while (true) {
      int argc;
      try {
        argc = in.readInt();
      } catch (EOFException e) {
        return;
      }
      List<String> cmd = new ArrayList<>();
      for (int i = 0; i < argc; i++) {
        cmd.add(in.readUTF());
      }
      long timeout = in.readLong();
      Process p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      // both pipes drained at once, so a chatty stderr (squid -X) never blocks the child
      Drain stdout = new Drain(p.getInputStream());
      Drain stderr = new Drain(p.getErrorStream());
      int exit;
      if (p.waitFor(timeout, TimeUnit.MILLISECONDS)) {
        exit = p.exitValue();
      } else {
        p.destroyForcibly();
        p.waitFor();
        exit = TIMED_OUT;
      }
      byte[] o = stdout.bytes();
      byte[] e = stderr.bytes();
      out.writeInt(MAGIC);
      out.writeInt(exit);
      out.writeInt(o.length);
      out.write(o);
      out.writeInt(e.length);
      out.write(e);
      out.flush();
    }
  }

  /** Reads a stream to its end on a thread of its own. */
  private static final class Drain extends Thread {
    private final InputStream in;
    private byte[] bytes;
    private IOException failure;

    Drain(InputStream in) {
      this.in = in;
      setDaemon(true);
      start();
    }

    @Override
    public void run() {
      try (in) {
        bytes = in.readAllBytes();
      } catch (IOException e) {
        failure = e;
      }
    }

    byte[] bytes() throws InterruptedException {
      join();
      if (failure != null) {
        throw new UncheckedIOException(failure);
      }
      return bytes;
    }
  }
}
