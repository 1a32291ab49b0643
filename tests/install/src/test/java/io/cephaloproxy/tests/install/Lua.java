package io.cephaloproxy.tests.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an Argo CD health script with Debian's Lua interpreters, the way Argo CD does: the global
 * {@code obj} holds the resource, the chunk returns a table with status and message. Argo CD
 * embeds gopher-lua, a Lua 5.1; the scripts run on 5.1 and on 5.4.
 */
final class Lua {
  static final List<String> INTERPRETERS = List.of("lua5.1", "lua5.4");

  record Health(String status, String message) {}

  private Lua() {}

  static Health health(Path script, Map<String, Object> obj) {
    Health first = null;
    for (String lua : INTERPRETERS) {
      Health h = health(lua, script, obj);
      if (first != null && !first.equals(h)) {
        throw new IllegalStateException(INTERPRETERS + " disagree: " + first + " vs " + h);
      }
      first = h;
    }
    return first;
  }

  static Health health(String interpreter, Path script, Map<String, Object> obj) {
    try {
      Path runner = Files.createTempFile("health-runner-", ".lua");
      try {
        Files.writeString(runner, "obj = " + literal(obj) + "\n"
            + "local hs = dofile(" + quote(script.toAbsolutePath().toString()) + ")\n"
            + "assert(type(hs) == 'table', 'the health script must return a table')\n"
            + "io.write(tostring(hs.status), '\\0', tostring(hs.message))\n");
        Process p = new ProcessBuilder(interpreter, runner.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("lua did not finish in 30 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
          throw new IllegalStateException(interpreter + " failed (" + p.exitValue() + "): " + out);
        }
        int nul = out.indexOf('\0');
        if (nul < 0) {
          throw new IllegalStateException("unexpected output of the health script: " + out);
        }
        return new Health(out.substring(0, nul), out.substring(nul + 1));
      } finally {
        Files.deleteIfExists(runner);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + interpreter + " (Debian packages lua5.1, lua5.4: scripts/stages/35-install-tools.sh)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A Lua table constructor for YAML/JSON data (maps → tables with string keys, lists → arrays). */
  static String literal(Object value) {
    if (value == null) {
      return "nil";
    }
    if (value instanceof Map<?, ?> map) {
      StringBuilder sb = new StringBuilder("{");
      for (Map.Entry<?, ?> e : map.entrySet()) {
        sb.append('[').append(quote(String.valueOf(e.getKey()))).append("]=")
            .append(literal(e.getValue())).append(',');
      }
      return sb.append('}').toString();
    }
    if (value instanceof List<?> list) {
      StringBuilder sb = new StringBuilder("{");
      for (Object item : list) {
        sb.append(literal(item)).append(',');
      }
      return sb.append('}').toString();
    }
    if (value instanceof Boolean || value instanceof Number) {
      return value.toString();
    }
    return quote(value.toString());
  }

  /** A Lua string literal: printable ASCII as is, every other byte as a decimal escape. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        sb.append((char) c);
      } else {
        sb.append('\\').append(String.format("%03d", c));
      }
    }
    return sb.append('"').toString();
  }
}
