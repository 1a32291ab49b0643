package io.cephaloproxy.tests.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The chart agrees with the operator's contract (docs/architecture.md) and its image. */
class ContractTest {
  @Test
  void chartSetsTheOperatorProcessEnvironmentOfTheContract() {
    String arch = Repo.read(Repo.DOCS.resolve("architecture.md"));
    String table = arch.substring(arch.indexOf("## The operator process"));
    table = table.substring(0, table.indexOf("\n\n", table.indexOf("| --- |")));
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^\\| `([A-Z_]+)` \\|").matcher(table);
    while (m.find()) {
      names.add(m.group(1));
    }
    // what an installation must decide: set by the chart from its values, and documented
    List<String> decided =
        List.of(
            "WATCH_NAMESPACES",
            "LEADER_ELECTION",
            "LEADER_ELECTION_NAMESPACE",
            "SQUID_IMAGE",
            "HTTP_PORT",
            "LOG_FORMAT",
            "LOG_LEVEL",
            "POD_NAME",
            "POD_NAMESPACE");
    assertThat(names).containsAll(decided);
    Deployment d = ChartTest.deployment(Chart.render());
    List<String> env = ChartTest.operator(d).getEnv().stream().map(EnvVar::getName).toList();
    assertThat(env).containsAll(decided);
    // and the chart sets nothing the operator does not read
    assertThat(env)
        .allSatisfy(
            e -> assertThat(names).as("env %s is not in docs/architecture.md", e).contains(e));
  }

  @Test
  void operatorImageRunsAsANumericNonRootUserAndTakesTheRunCommand() {
    String dockerfile = Repo.read(Repo.ROOT.resolve("operator/Dockerfile"));
    Matcher user = Pattern.compile("(?m)^USER (\\d+)(:(\\d+))?\\s*$").matcher(dockerfile);
    assertThat(user.find())
        .as(
            "operator/Dockerfile needs a numeric USER: runAsNonRoot without "
                + "runAsUser is only admitted when the kubelet can see the UID is not 0")
        .isTrue();
    assertThat(Integer.parseInt(user.group(1))).isPositive();
    if (user.group(3) != null) {
      assertThat(user.group(3)).as("group 0 (OpenShift's arbitrary UIDs share it)").isEqualTo("0");
    }
    assertThat(dockerfile).containsPattern("(?m)^CMD \\[\"run\"\\]");
    assertThat(ChartTest.operator(ChartTest.deployment(Chart.render())).getArgs())
        .first()
        .isEqualTo("run");
  }
}
