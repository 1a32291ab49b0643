package io.cephaloproxy.testsupport;

import java.util.List;

/**
 * What the suites expect of the JSON decision log ({@code logging.format: JSON}, issue 17 §2),
 * written down once from docs/agent.md, not taken from the agent's code: tests/squid parses the
 * lines of real Squid, tests/cluster those of the pods on the node.
 */
public final class DecisionLog {
  /** Every key of a line, always present, in this order (docs/agent.md's table). */
  public static final List<String> KEYS =
      List.of(
          ("time client user method scheme host port path status bytes duration_ms result"
                  + " decision rule would_deny sni bump_mode server hierarchy mime user_agent")
              .split(" "));

  /** The {@code time} field: UTC with milliseconds. */
  public static final String TIME_PATTERN = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

  private DecisionLog() {}
}
