package io.cephaloproxy.operator.denials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The denied requests of one proxy over one window, summed over its pods (each pod's agent already
 * sums its SMP workers, which share its access log), and the one-line Event message that says so.
 *
 * <p>What a pod's agent answers on {@code GET /denials?from=F&to=T} (image/agent {@code Denials}):
 * {@code {"bucketSeconds":10,"from":F,"to":T,"now":N,"mode":"enforce","denials":[{"decision":
 * "deny","rule":"not-allowed-domain","requests":30,"hosts":[{"host":"example.org","requests":20}]}]}}.
 */
public final class DenialReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Rules listed in a message; the rest are summed as "N more rules". */
  static final int MAX_RULES = 6;

  /** Longest host shown in a message (the agent cuts hosts at 100 characters already). */
  static final int MAX_HOST = 60;

  /** One line of a pod's answer. */
  public record Line(String decision, String rule, long requests, Map<String, Long> hosts) {}

  /** A pod's answer: the window it covers and its lines. */
  public record PodAnswer(long from, long to, List<Line> lines) {}

  /**
   * Reads a pod's answer.
   *
   * @throws IllegalArgumentException (one line) when it is not the agent's JSON
   */
  public static PodAnswer parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + oneLine(e.getMessage()));
    }
    if (root == null || !root.path("denials").isArray() || !root.path("to").canConvertToLong()) {
      throw new IllegalArgumentException("not the agent's /denials answer (no 'denials' list)");
    }
    List<Line> lines = new ArrayList<>();
    for (JsonNode d : root.path("denials")) {
      String decision = d.path("decision").asText("");
      String rule = d.path("rule").asText("");
      long requests = d.path("requests").asLong(0);
      if (decision.isEmpty() || rule.isEmpty() || requests <= 0) {
        continue;
      }
      Map<String, Long> hosts = new TreeMap<>();
      for (JsonNode h : d.path("hosts")) {
        String host = h.path("host").asText("");
        long n = h.path("requests").asLong(0);
        if (!host.isEmpty() && n > 0) {
          hosts.merge(host, n, Long::sum);
        }
      }
      lines.add(new Line(decision, rule, requests, hosts));
    }
    return new PodAnswer(root.path("from").asLong(), root.path("to").asLong(), lines);
  }

  /** The requests of one decision and rule over all pods, and the hosts denied most. */
  public record RuleTotal(String rule, long requests, Map<String, Long> hosts) {
    /** The host denied most (ties: the first by name), if the agents named any. */
    Optional<String> topHost() {
      return hosts.entrySet().stream()
          .max(
              Map.Entry.<String, Long>comparingByValue()
                  .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
          .map(Map.Entry::getKey);
    }
  }

  /**
   * The answers of a proxy's pods summed by decision ({@code deny}, {@code would_deny}) and rule,
   * each decision's rules by requests (most first, then by name).
   */
  public static Map<String, List<RuleTotal>> sum(List<PodAnswer> answers) {
    Map<String, Map<String, long[]>> counts = new TreeMap<>();
    Map<String, Map<String, Map<String, Long>>> hosts = new HashMap<>();
    for (PodAnswer a : answers) {
      for (Line l : a.lines()) {
        counts.computeIfAbsent(l.decision(), k -> new TreeMap<>())
                .computeIfAbsent(l.rule(), k -> new long[1])[0] +=
            l.requests();
        Map<String, Long> h =
            hosts
                .computeIfAbsent(l.decision(), k -> new HashMap<>())
                .computeIfAbsent(l.rule(), k -> new TreeMap<>());
        l.hosts().forEach((host, n) -> h.merge(host, n, Long::sum));
      }
    }
    Map<String, List<RuleTotal>> out = new TreeMap<>();
    counts.forEach(
        (decision, rules) -> {
          List<RuleTotal> totals = new ArrayList<>();
          rules.forEach(
              (rule, n) -> totals.add(new RuleTotal(rule, n[0], hosts.get(decision).get(rule))));
          totals.sort(
              Comparator.comparingLong(RuleTotal::requests)
                  .reversed()
                  .thenComparing(RuleTotal::rule));
          out.put(decision, totals);
        });
    return out;
  }

  /**
   * The Event message for one decision's totals, one line: "37 requests denied in 5 min:
   * not-allowed-domain 30 (top: example.org), connect-port 7", or for {@code would_deny} "... would
   * have been denied (Audit mode) in 5 min: ...". At most {@link #MAX_RULES} rules; {@code
   * unanswered} pods of {@code pods} are said at the end.
   */
  public static String message(
      String decision, List<RuleTotal> totals, Duration window, int unanswered, int pods) {
    long all = totals.stream().mapToLong(RuleTotal::requests).sum();
    StringBuilder b = new StringBuilder();
    b.append(all).append(all == 1 ? " request " : " requests ");
    b.append(decision.equals("would_deny") ? "would have been denied (Audit mode)" : "denied");
    b.append(" in ").append(window(window)).append(": ");
    for (int i = 0; i < totals.size() && i < MAX_RULES; i++) {
      RuleTotal t = totals.get(i);
      b.append(i == 0 ? "" : ", ").append(t.rule()).append(' ').append(t.requests());
      t.topHost().ifPresent(h -> b.append(" (top: ").append(shown(h)).append(')'));
    }
    if (totals.size() > MAX_RULES) {
      long rest = totals.stream().skip(MAX_RULES).mapToLong(RuleTotal::requests).sum();
      b.append(", ").append(totals.size() - MAX_RULES).append(" more rules ").append(rest);
    }
    if (unanswered > 0) {
      b.append("; ")
          .append(unanswered)
          .append(" of ")
          .append(pods)
          .append(pods == 1 ? " pod" : " pods")
          .append(" did not answer (see the operator's log)");
    }
    return b.toString();
  }

  /** "5 min", "30 s", "90 s". */
  static String window(Duration d) {
    long s = d.getSeconds();
    return s % 60 == 0 ? (s / 60) + " min" : s + " s";
  }

  /** A host as a message shows it: only the characters the agent lets through, cut. */
  static String shown(String host) {
    String h = host.replaceAll("[^A-Za-z0-9.\\-_:\\[\\]?]", "?");
    return h.length() > MAX_HOST ? h.substring(0, MAX_HOST - 3) + "..." : h;
  }

  static String oneLine(String s) {
    String t = s == null ? "" : s.replaceAll("\\s+", " ");
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }

  private DenialReport() {}
}
