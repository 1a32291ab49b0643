package io.cephaloproxy.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the message Kubernetes shows as the container's {@code state.terminated.message}. */
public final class TerminationMessage {
  /** Kubernetes keeps at most 4096 bytes of a container's termination message. */
  public static final int MAX_BYTES = 4096;

  private static final String TRUNCATED = "\n[truncated]";

  private TerminationMessage() {}

  /**
   * The message trimmed to {@link #MAX_BYTES} bytes of UTF-8, never cutting a character in half.
   */
  public static byte[] encode(String message) {
    String m = message.strip();
    byte[] all = m.getBytes(StandardCharsets.UTF_8);
    if (all.length <= MAX_BYTES) {
      return all;
    }
    int budget = MAX_BYTES - TRUNCATED.length();
    CharsetEncoder enc =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    ByteBuffer out = ByteBuffer.allocate(budget);
    enc.encode(CharBuffer.wrap(m), out, true);
    byte[] head = new byte[out.position()];
    out.flip();
    out.get(head);
    byte[] tail = TRUNCATED.getBytes(StandardCharsets.UTF_8);
    byte[] res = new byte[head.length + tail.length];
    System.arraycopy(head, 0, res, 0, head.length);
    System.arraycopy(tail, 0, res, head.length, tail.length);
    return res;
  }

  /** Best effort: outside Kubernetes the file may not exist or be writable; say so and go on. */
  public static void write(Path file, String message) {
    try {
      Files.write(file, encode(message));
    } catch (IOException | SecurityException e) {
      Log.info("could not write the termination message to " + file + ": " + e);
    }
  }
}
