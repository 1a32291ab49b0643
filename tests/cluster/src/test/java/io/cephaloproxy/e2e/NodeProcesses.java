package io.cephaloproxy.e2e;

import io.cephaloproxy.testsupport.Cmd;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The node's view of a container's processes (the suite runs as root on the node). */
final class NodeProcesses {
  static final String CONTAINERD_SOCK = "/run/cephaloproxy-node/containerd.sock";

  private NodeProcesses() {}

  /** PIDs (host namespace) of every process of {@code container} in {@code pod}. */
  static List<Long> pids(Pod pod, String container) {
    ContainerStatus status =
        pod.getStatus().getContainerStatuses().stream()
            .filter(c -> c.getName().equals(container))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "pod " + pod.getMetadata().getName() + " has no container " + container));
    String id = status.getContainerID().replaceFirst("^containerd://", "");
    Cmd.Result ps =
        Cmd.run(
                Duration.ofSeconds(10),
                "ctr",
                "--address",
                CONTAINERD_SOCK,
                "--namespace",
                "k8s.io",
                "tasks",
                "ps",
                id)
            .orThrow();
    List<Long> pids = new ArrayList<>();
    for (String line : ps.out().split("\n")) {
      String first = line.trim().split("\\s+")[0];
      if (first.matches("\\d+")) {
        pids.add(Long.parseLong(first));
      }
    }
    return pids;
  }

  static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
    } catch (IOException e) {
      return "";
    }
  }

  static long parent(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Sends SIGKILL to {@code pid} from the node. */
  static void kill(long pid) {
    Cmd.run(Duration.ofSeconds(10), "kill", "-KILL", Long.toString(pid)).orThrow();
  }
}
