package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent jar as PID 1 of a new PID namespace (like a container), around a fake Squid that leaves
 * orphans behind: they are re-parented to the agent and must be reaped, not left as zombies.
 */
class ReaperIT {
  @TempDir Path tmp;
  Process agent;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (agent != null && agent.isAlive()) {
      agent.descendants().forEach(ProcessHandle::destroyForcibly);
      agent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void orphansOfSquidAreReapedByTheAgentAsPid1() throws Exception {
    assumeTrue(
        "0".equals(Ids.uid()), "a PID namespace (unshare --pid) needs root; CI runs as root");
    Path jar = Path.of(System.getProperty("agent.jar", "target/cephaloproxy-agent.jar"));
    // every 500 ms the fake squid starts two short-lived processes through a subshell that exits at
    // once
    Fixtures.script(
        tmp.resolve("squid"),
        "if [ \"$1\" = -k ]; then exit 0; fi\n"
            + "while true; do ( sleep 0.1 & sleep 0.1 & ); sleep 0.5; done");
    int healthPort = RunnerTest.freePort();
    Fixtures.properties(
        tmp.resolve("etc"),
        Map.of(
            "squid.binary",
            tmp.resolve("squid").toString(),
            "squid.pidFile",
            tmp.resolve("squid.pid").toString(),
            "squid.port",
            Integer.toString(RunnerTest.freePort()),
            "health.port",
            Integer.toString(healthPort),
            "health.bind",
            "127.0.0.1",
            "squid.shutdownLifetimeSeconds",
            "1"));
    Path log = tmp.resolve("agent.log");
    agent =
        new ProcessBuilder(
                List.of(
                    "unshare",
                    "--pid",
                    "--fork",
                    "--mount-proc",
                    "--kill-child",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar",
                    jar.toString(),
                    "run",
                    "--config-dir",
                    tmp.resolve("etc").toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    Thread.sleep(8000);
    // the JVM is the child of unshare on the host; its zombie children are what nobody reaped
    ProcessHandle agentJvm = agent.children().findFirst().orElseThrow();
    long javaPid = agentJvm.pid();
    // ~32 orphans were made; unreaped they would all be zombies. Reaped every 2.25 s at most, at
    // 4 per second no more than ~10 can wait at any moment
    assertThat(ProcFs.zombieChildren(javaPid))
        .as("zombies under the agent; log:\n" + Files.readString(log))
        .isLessThanOrEqualTo(12);
    String metrics = CacheManager.get("127.0.0.1", healthPort, "/metrics", 5000).body();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("cephaloproxy_agent_reaped_orphans_total (\\d+)")
            .matcher(metrics);
    assertThat(m.find()).as(metrics).isTrue();
    // about 2 orphans per 0.5 s for 8 s: most must have been reaped by now
    assertThat(Long.parseLong(m.group(1))).isGreaterThan(12);
    assertThat(Files.readString(log, StandardCharsets.UTF_8))
        .contains("run: reaped orphan process");

    // SIGTERM to the agent itself (unshare does not forward it), as the container runtime would
    agentJvm.destroy();
    assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).isZero();
  }
}
