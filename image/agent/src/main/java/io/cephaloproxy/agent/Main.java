package io.cephaloproxy.agent;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code java -jar agent.jar init|run|probe [health|ready] [--config-dir DIR] [--set
 * key=value]...}. Settings come from {@code DIR/runtime.properties} (default {@code
 * /etc/cephaloproxy}); see docs/architecture.md.
 */
public final class Main {
  static final String USAGE =
      "usage: agent init|run|probe [health|ready] [--config-dir DIR] [--set key=value]...";

  private Main() {}

  public static void main(String[] args) {
    System.exit(main0(args));
  }

  static int main0(String[] args) {
    if (args.length == 0) {
      System.err.println(USAGE);
      return 2;
    }
    String mode = args[0];
    String target = "ready";
    Path configDir = AgentConfig.DEFAULT_CONFIG_DIR;
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--config-dir") && i + 1 < args.length) {
        configDir = Path.of(args[++i]);
      } else if (a.equals("--set") && i + 1 < args.length && args[i + 1].contains("=")) {
        String kv = args[++i];
        overrides.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      } else if (mode.equals("probe")
          && (a.equals("health") || a.equals("ready") || a.equals("metrics"))) {
        target = a;
      } else {
        System.err.println("unknown argument " + a + "\n" + USAGE);
        return 2;
      }
    }
    AgentConfig cfg;
    try {
      cfg = AgentConfig.load(configDir, overrides);
    } catch (Exception e) {
      String msg =
          "cannot read " + configDir.resolve(AgentConfig.PROPERTIES_FILE) + ": " + e.getMessage();
      System.err.println("agent: " + msg);
      if (mode.equals("init")) {
        TerminationMessage.write(AgentConfig.of(configDir, overrides).terminationLog(), msg);
      }
      return 1;
    }
    try {
      switch (mode) {
        case "init":
          return new Init(cfg, System.out).run();
        case "run":
          try {
            return new Runner(cfg).run();
          } finally {
            // as PID 1 we may have inherited Squid's helpers; nothing of ours outlives us
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
          }
        case "probe":
          return probe(cfg, target);
        default:
          System.err.println("unknown mode " + mode + "\n" + USAGE);
          return 2;
      }
    } catch (IllegalArgumentException e) {
      System.err.println("agent: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      System.err.println("agent: " + mode + " failed: " + e);
      return 1;
    }
  }

  /** One request to the local health server: exit 0 on 200 (Docker HEALTHCHECK without a shell). */
  static int probe(AgentConfig cfg, String target) {
    CacheManager.Response r = CacheManager.get("127.0.0.1", cfg.healthPort(), "/" + target, 3000);
    if (r.ok()) {
      return 0;
    }
    System.err.println(
        "probe /" + target + ": " + (r.status() > 0 ? "HTTP " + r.status() : r.error()));
    return 1;
  }
}
