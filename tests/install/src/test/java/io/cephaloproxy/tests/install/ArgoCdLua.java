package io.cephaloproxy.tests.install;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an Argo CD health check with Argo CD's own Lua engine: tests/install/argocd-health, built by
 * scripts/stages/35-install-tools.sh from argo-cd v3.1.9's util/lua, evaluates the script the way
 * the application controller does for a check installed through argocd-cm.
 */
final class ArgoCdLua {
  record Health(String status, String message) {}

  private ArgoCdLua() {}

  static Health health(Path script, Map<String, Object> obj) {
    try {
      Path file = Files.createTempFile("argocd-health-", ".json");
      try {
        Files.writeString(file, Yaml.JSON.writeValueAsString(obj));
        return health(script, List.of(file)).get(0);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One result per object file (YAML or JSON), in order; a script error fails with its message. */
  static List<Health> health(Path script, List<Path> objects) {
    List<String> cmd = new ArrayList<>(List.of(Tools.argocdHealth().toString(), script.toString()));
    objects.forEach(o -> cmd.add(o.toString()));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("argocd-health did not finish in 60 s");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      List<Health> results = new ArrayList<>();
      for (String line : out.lines().toList()) {
        Map<String, String> r =
            Yaml.JSON.readValue(line, new TypeReference<Map<String, String>>() {});
        if (r.get("error") != null) {
          throw new AssertionError(
              "Argo CD's Lua engine failed on " + r.get("file") + ": " + r.get("error"));
        }
        results.add(new Health(r.get("status"), r.get("message")));
      }
      if (p.exitValue() != 0 || results.size() != objects.size()) {
        throw new AssertionError("argocd-health exited " + p.exitValue() + ": " + out);
      }
      return results;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
