package io.cephaloproxy.operator;

import io.cephaloproxy.operator.render.RenderCommand;
import io.cephaloproxy.operator.runtime.RunCommand;
import io.cephaloproxy.operator.runtime.Versions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** Entry point: wiring only. Parses the command line and hands over to a command. */
public final class Main {
  static final String USAGE =
      """
      Usage: cephaloproxy-operator [COMMAND] [OPTIONS]

      Runs Squid forward proxies on Kubernetes from SquidProxy resources (cephaloproxy.io/v1alpha1).

      Commands:
        run                      run the operator against the cluster (default)
        render -f FILE [-o DIR]  print (or write into DIR) every object the operator would create
                                 for the SquidProxy resources in FILE; no cluster needed
      Options:
        -h, --help               show this help
        -V, --version            print the version

      Environment (run): WATCH_NAMESPACES, LEADER_ELECTION, LEADER_ELECTION_NAMESPACE, SQUID_IMAGE,
        HTTP_PORT, LOG_FORMAT (plain|json), LOG_LEVEL; see docs/operator.md.
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  /** Runs a command line and returns the exit code (0 ok, 1 failure, 2 usage error). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("-h")
        || args.contains("--help")
        || (!args.isEmpty() && args.get(0).equals("help"))) {
      out.print(USAGE);
      return 0;
    }
    if (args.contains("-V") || args.contains("--version")) {
      out.println("cephaloproxy-operator " + Versions.version());
      return 0;
    }
    String command = args.isEmpty() || args.get(0).startsWith("-") ? "run" : args.get(0);
    List<String> rest =
        args.isEmpty() || args.get(0).startsWith("-") ? args : args.subList(1, args.size());
    return switch (command) {
      case "run" -> {
        if (!rest.isEmpty()) {
          err.println("error: 'run' takes no arguments (configure it through the environment)\n");
          err.print(USAGE);
          yield 2;
        }
        yield RunCommand.run(System.getenv(), err);
      }
      case "render" -> RenderCommand.run(rest, out, err);
      default -> {
        err.println("error: unknown command '" + command + "'\n");
        err.print(USAGE);
        yield 2;
      }
    };
  }
}
