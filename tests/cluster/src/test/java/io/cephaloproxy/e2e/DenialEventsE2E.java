package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cephaloproxy.testsupport.Cmd;
import io.cephaloproxy.testsupport.DecisionLog;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 17 on the node: requests that hit every generated rule (client, auth, unsafe-port,
 * connect-port, denied-domain, not-allowed-domain, denied-destination, blocked-destination, allow)
 * through an Enforce and an Audit proxy, both with {@code workers: 2} and the JSON decision log.
 * Asserted: each pod's {@code /metrics} counts per rule, exactly, summed over both Squid workers
 * (§1); the JSON lines of the pods' logs, parsed, the same counts and the fields of one request per
 * rule, without query strings (§2); and the released operator, with {@code denialEvents.interval:
 * 20s}, writes one summary Event per proxy, decision and window (§5), while a proxy without denials
 * gets no Event at all. The Enforce proxy's NetworkPolicy admits exactly the operator's pods to the
 * health port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DenialEventsE2E {
  static final Duration TIMEOUT = Duration.ofSeconds(180);
  static final String RELEASE = "cephaloproxy-denials";
  static final String USER = "alice";
  static final String PASSWORD = "wonderland";

  /** Parallel clients (each its own connection), so both Squid workers take requests. */
  static final int CLIENTS = 4;

  /** The one client outside allowedClientCIDRs (rule client): this many requests. */
  static final int OUTSIDER_REQUESTS = 10;

  static final ObjectMapper JSON = new ObjectMapper();

  Path workDir;
  Origin origin;
  String operatorNs;
  String ns;
  OperatorRelease release;
  PodNetworkClient client;
  PodNetworkClient outsider;

  @BeforeAll
  void setUp() throws IOException {
    Cluster.client();
    workDir = Files.createTempDirectory("denials-e2e");
    origin = Origin.deploy(workDir);
    operatorNs = Cluster.restrictedNamespace("cephaloproxy-denials");
    ns = Cluster.restrictedNamespace("e2e-denials");
    client = PodNetworkClient.create("denials-e2e", 209);
    outsider = PodNetworkClient.create("denials-out", 210);
    release = OperatorRelease.install(RELEASE, operatorNs, Map.of("denialEvents.interval", "20s"));
    // the Secret 'proxy-users' with alice:wonderland, as examples/auth.yaml asks
    Examples.prerequisites("auth", ns, workDir, origin.ca);
  }

  @AfterAll
  void tearDown() {
    for (PodNetworkClient c : new PodNetworkClient[] {client, outsider}) {
      if (c != null) {
        c.close();
      }
    }
    if (release != null) {
      release.uninstallIfPresent();
    }
    if (origin != null) {
      origin.close();
    }
    Cluster.deleteNamespaces(TIMEOUT, ns, origin == null ? null : origin.namespace, operatorNs);
  }

  /**
   * The requests one client sends, in one curl (one connection while Squid keeps it); {@code extra}
   * are curl options for all of them.
   */
  static String curl(String proxy, List<String> urls, String extra) {
    StringBuilder b =
        new StringBuilder(
                "curl -sS --max-time 15 -w 'code:%{http_code} connect:%{http_connect}\\n' -x http://")
            .append(proxy)
            .append(extra.isEmpty() ? "" : " " + extra);
    // bodies to /dev/null (one -o per URL): stdout holds only the short status lines, which the
    // parallel clients write whole
    for (String u : urls) {
      b.append(" -o /dev/null '").append(u).append('\'');
    }
    return b.toString();
  }

  static List<String> times(int n, String url) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(url + (url.contains("?") ? "&" : "?") + "i=" + i);
    }
    return out;
  }

  @SafeVarargs
  static List<String> concat(List<String>... parts) {
    List<String> out = new ArrayList<>();
    for (List<String> p : parts) {
      out.addAll(p);
    }
    return out;
  }

  List<Event> events(String proxy) {
    return Cluster.client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> proxy.equals(e.getInvolvedObject().getName()))
        .filter(e -> "SquidProxy".equals(e.getInvolvedObject().getKind()))
        .filter(e -> e.getReason().startsWith("Requests"))
        .toList();
  }

  /** A host as the Event message shows it (DenialReport.MAX_HOST). */
  static String shown(String host) {
    return host.length() > 60 ? host.substring(0, 57) + "..." : host;
  }

  /**
   * A request whose JSON line a log must hold: method, host, path (null for CONNECT) and the fields
   * expected ({@link #fields}).
   */
  record Logged(List<JsonNode> log, String method, String host, String path, String fields) {}

  /** One rule of an Event message: "rule N (top: host)". */
  static String top(String rule, long requests, String host) {
    return rule + " " + requests + " (top: " + shown(host) + ")";
  }

  /** The statuses curl reported: the HTTP status, or for a CONNECT refused the proxy's answer. */
  static List<String> codes(Cmd.Result r) {
    return r.out()
        .lines()
        .filter(l -> l.startsWith("code:"))
        .map(
            l -> {
              String code = l.substring(5, l.indexOf(' '));
              String connect = l.substring(l.indexOf("connect:") + 8);
              return code.equals("000") ? "connect " + connect : code;
            })
        .toList();
  }

  static Map<String, Long> count(List<String> codes) {
    return codes.stream()
        .collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting()));
  }

  /** The rules Audit mode still enforces. */
  static final java.util.Set<String> ENFORCED_IN_AUDIT =
      java.util.Set.of("client", "auth", "blocked-destination");

  /**
   * The requests of the warm-up and the burst by "decision/rule", as the Enforce or the Audit proxy
   * counts them: Audit counts the rules it does not enforce as {@code would_deny}.
   */
  static Map<String, Long> expectedCounts(boolean audit) {
    Map<String, Long> perRule = new LinkedHashMap<>();
    perRule.put("client", (long) OUTSIDER_REQUESTS);
    perRule.put("auth", (long) CLIENTS);
    perRule.put("unsafe-port", CLIENTS * 3L);
    perRule.put("connect-port", (long) CLIENTS);
    perRule.put("denied-domain", CLIENTS * 5L);
    perRule.put("not-allowed-domain", CLIENTS * 6L);
    perRule.put("denied-destination", CLIENTS * 4L);
    perRule.put("blocked-destination", CLIENTS * 2L);
    Map<String, Long> out = new TreeMap<>();
    // the burst's and each proxy's one warm-up request
    out.put("allow/allow", CLIENTS * 3L + 1);
    perRule.forEach(
        (rule, n) ->
            out.put(
                (audit && !ENFORCED_IN_AUDIT.contains(rule) ? "would_deny/" : "deny/") + rule, n));
    return out;
  }

  /** The pod's /metrics, fetched from the pod network. */
  String metrics(Pod pod) {
    return client
        .run(
            Duration.ofSeconds(30),
            List.of(
                "curl",
                "-sS",
                "--max-time",
                "10",
                "http://" + pod.getStatus().getPodIP() + ":8080/metrics"))
        .orThrow()
        .out();
  }

  /**
   * cephaloproxy_requests_total of every ready pod of {@code proxy}, summed by "decision/rule";
   * also fails unless it has {@code pods} ready pods.
   */
  Map<String, Long> countedByRule(String proxy, String mode, int pods) {
    List<Pod> ready = SquidProxies.readyPods(ns, proxy);
    assertThat(ready).as("ready pods of " + proxy).hasSize(pods);
    Map<String, Long> sum = new TreeMap<>();
    java.util.regex.Pattern line =
        java.util.regex.Pattern.compile(
            "(?m)^cephaloproxy_requests_total\\{decision=\"([a-z_]+)\",rule=\"([a-z-]+)\",mode=\""
                + mode
                + "\"} ([0-9]+)$");
    for (Pod p : ready) {
      String m = metrics(p);
      assertThat(m).as(proxy + " /metrics").doesNotContain("rule=\"unknown\"");
      var matcher = line.matcher(m);
      while (matcher.find()) {
        long n = Long.parseLong(matcher.group(3));
        if (n > 0) {
          sum.merge(matcher.group(1) + "/" + matcher.group(2), n, Long::sum);
        }
      }
    }
    return sum;
  }

  /** The JSON decision lines of the proxy's pods' logs (what kubectl logs shows), parsed. */
  List<JsonNode> jsonLines(String proxy) {
    String logs = SquidProxies.logs(ns, proxy);
    List<JsonNode> out = new ArrayList<>();
    for (String l : logs.lines().filter(l -> l.startsWith("{")).toList()) {
      try {
        out.add(JSON.readTree(l));
      } catch (IOException e) {
        throw new AssertionError("a log line of " + proxy + " is not JSON: " + l, e);
      }
    }
    assertThat(logs).as("query strings in the log of " + proxy).doesNotContain("?i=");
    return out;
  }

  /** The JSON lines counted as the agent counts them: "decision/rule" ("would_deny/rule"). */
  static Map<String, Long> countedInLog(List<JsonNode> lines) {
    return lines.stream()
        .collect(
            Collectors.groupingBy(
                j ->
                    j.get("would_deny").isNull()
                        ? j.get("decision").asText() + "/" + j.get("rule").asText()
                        : "would_deny/" + j.get("would_deny").asText(),
                TreeMap::new,
                Collectors.counting()));
  }

  /** The first JSON line of a request to {@code path} (the query string is not logged). */
  static JsonNode line(List<JsonNode> lines, String method, String host, String path) {
    return lines.stream()
        .filter(j -> j.get("method").asText().equals(method))
        .filter(j -> j.get("host").asText().equals(host))
        .filter(j -> path == null ? j.get("path").isNull() : path.equals(j.get("path").asText()))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError("no JSON line of " + method + " " + host + path + ": " + lines));
  }

  /** The line's fields named in {@code expected} (null for JSON null), as text. */
  static void assertFields(JsonNode line, Map<String, Object> expected) {
    assertThat(line.fieldNames())
        .toIterable()
        .as("keys of " + line)
        .containsExactlyElementsOf(DecisionLog.KEYS);
    assertThat(line.get("time").asText()).matches(DecisionLog.TIME_PATTERN);
    assertThat(line.get("path").asText("")).doesNotContain("?");
    Map<String, Object> actual = new LinkedHashMap<>();
    expected
        .keySet()
        .forEach(
            k -> {
              JsonNode v = line.get(k);
              actual.put(k, v.isNull() ? null : v.isNumber() ? (Object) v.asLong() : v.asText());
            });
    assertThat(actual).as(line.toString()).isEqualTo(expected);
  }

  /**
   * Expected fields as "key=value ...": {@code null} is JSON null, digits a number, anything else
   * text (no value holds a space).
   */
  static Map<String, Object> fields(String spec) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String kv : spec.trim().split(" +")) {
      String k = kv.substring(0, kv.indexOf('='));
      String v = kv.substring(kv.indexOf('=') + 1);
      m.put(k, v.equals("null") ? null : v.matches("[0-9]+") ? (Object) Long.parseLong(v) : v);
    }
    return m;
  }

  @Test
  void everyRuleIsCountedLoggedAndSummarisedInEnforceAndAudit() {
    String host = origin.host();
    String other = origin.otherHost();
    String inCluster = "origin-clusterip." + origin.namespace + ".svc." + Cluster.CLUSTER_DOMAIN;
    String inClusterIp = Cluster.clusterIp(origin.namespace, "origin-clusterip");
    String apiServer = "kubernetes.default.svc." + Cluster.CLUSTER_DOMAIN;
    // One spec for both modes, so that the same requests hit every rule in each:
    // - allow: the origin pod behind its ClusterIP (a cluster network, excepted by
    //   allowedDestinationCIDRs);
    // - denied-destination: the outside origin's address, which both origin names resolve to;
    // - blocked-destination: the API server's ClusterIP (a cluster network, not excepted);
    // - not-allowed-domain: an IP URL (no DNS; in Audit served by the outside origin);
    // - denied-domain: the origin's second name;
    // - client: a second client on the pod network; auth: no credentials.
    String spec =
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: %s}
        spec:
          workers: 2
          logging: {format: JSON}
          auth: {mode: Basic, htpasswdSecret: {name: proxy-users}}
          access:
            mode: %s
            allowedClientCIDRs: [%s/32]
            allowedDomains: [%s, %s, %s]
            deniedDomains: [%s]
            deniedDestinationCIDRs: [%s/32]
            allowedDestinationCIDRs: [%s/32]
          networkPolicy: {enabled: true}
        """;
    for (String[] p : new String[][] {{"enforce", "Enforce"}, {"audit", "Audit"}}) {
      SquidProxies.apply(
          ns,
          spec.formatted(
              p[0],
              p[1],
              client.address,
              host,
              inCluster,
              apiServer,
              other,
              Origin.OUTSIDE_ADDRESS,
              inClusterIp));
    }
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: quiet}
        spec:
          access:
            allowedDomains: [%s]
        """
            .formatted(host));
    String enforce = SquidProxies.endpoint(SquidProxies.awaitReady(ns, "enforce", TIMEOUT));
    String audit = SquidProxies.endpoint(SquidProxies.awaitReady(ns, "audit", TIMEOUT));
    String quiet = SquidProxies.endpoint(SquidProxies.awaitReady(ns, "quiet", TIMEOUT));
    long readyAt = System.nanoTime();

    // the enforce proxy's NetworkPolicy admits the operator's own pods (and only them besides the
    // scrapers) to the health port: the peer selects exactly the running operator pod
    NetworkPolicy np =
        Cluster.client().network().v1().networkPolicies().inNamespace(ns).withName("enforce").get();
    List<NetworkPolicyPeer> healthPeers =
        np.getSpec().getIngress().stream()
            .filter(r -> "health".equals(r.getPorts().get(0).getPort().getStrVal()))
            .findFirst()
            .orElseThrow()
            .getFrom();
    NetworkPolicyPeer operatorPeer =
        healthPeers.stream()
            .filter(
                p ->
                    p.getNamespaceSelector() != null
                        && p.getNamespaceSelector().getMatchLabels() != null
                        && operatorNs.equals(
                            p.getNamespaceSelector()
                                .getMatchLabels()
                                .get("kubernetes.io/metadata.name")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no operator peer in " + healthPeers));
    List<Pod> selected =
        Cluster.client()
            .pods()
            .inNamespace(operatorNs)
            .withLabels(operatorPeer.getPodSelector().getMatchLabels())
            .list()
            .getItems();
    assertThat(selected)
        .as("operator pods the peer selects")
        .hasSize(1)
        .allMatch(p -> p.getMetadata().getName().startsWith(RELEASE));

    // requests per client, a different number per rule (so the Events' order is fixed)
    List<String> withCredentials =
        concat(
            times(3, "http://" + inCluster + "/ok"),
            times(6, "http://" + Origin.OUTSIDE_ADDRESS + "/not-allowed"),
            times(5, "http://" + other + "/denied-domain"),
            times(4, "http://" + host + "/denied-destination"),
            times(3, "http://" + host + ":25/smtp"),
            times(2, "http://" + apiServer + "/blocked"),
            List.of("https://" + host + ":8443/connect"));
    List<String> withoutCredentials = times(1, "http://" + inCluster + "/no-credentials");
    List<String> fromOutsider = times(OUTSIDER_REQUESTS, "http://" + inCluster + "/outsider");
    String credentials = "--proxy-user " + USER + ":" + PASSWORD;
    // the Services are routed (a refused connection retried for up to 30 s)
    for (String proxy : List.of(enforce, audit)) {
      PodNetworkClient.Response warm =
          client.get(proxy, "http://" + inCluster + "/warm", "--proxy-user", USER + ":" + PASSWORD);
      assertThat(warm.status()).as(warm.toString()).isEqualTo(200);
    }
    assertThat(client.get(quiet, "http://" + host + "/warm").status()).isEqualTo(200);
    long warmAt = System.currentTimeMillis();
    StringBuilder script = new StringBuilder();
    for (int c = 0; c < CLIENTS; c++) {
      for (String proxy : List.of(enforce, audit)) {
        script.append(curl(proxy, withCredentials, credentials)).append(" & ");
        script.append(curl(proxy, withoutCredentials, "")).append(" & ");
      }
      script.append(curl(quiet, times(3, "http://" + host + "/ok"), "")).append(" & ");
    }
    script.append("wait");
    // (without credentials: the client rule comes first, so Squid never asks for them)
    String outsiderScript =
        curl(enforce, fromOutsider, "") + " & " + curl(audit, fromOutsider, "") + " & wait";
    // the warm-up requests (allowed) are in an earlier bucket than the burst: wait for a bucket
    // boundary + 1 s
    long now = System.currentTimeMillis();
    long start = (Math.max(now, warmAt + 1) / 10_000 + 1) * 10_000 + 1_000;
    Cluster.sleep(Duration.ofMillis(start - now));
    long burst = System.nanoTime();
    CompletableFuture<Cmd.Result> outside =
        CompletableFuture.supplyAsync(
            () -> outsider.run(Duration.ofSeconds(60), List.of("bash", "-c", outsiderScript)));
    Cmd.Result r = client.run(Duration.ofSeconds(60), List.of("bash", "-c", script.toString()));
    Cmd.Result o = outside.join();
    double seconds = (System.nanoTime() - burst) / 1e9;
    Figures.record(
        "denial burst seconds (" + CLIENTS + " clients x 3 proxies + outsider)", seconds);
    List<String> codes = codes(r);
    List<String> outsiderCodes = codes(o);
    System.out.println("burst statuses: " + count(codes) + ", outsider: " + count(outsiderCodes));
    assertThat(codes).as(r.err()).hasSize(CLIENTS * (2 * (24 + 1) + 3));
    assertThat(outsiderCodes).as(o.err()).hasSize(2 * OUTSIDER_REQUESTS).allMatch("403"::equals);
    // Enforce: 200 for allow, 403 for 6+5+4+3+2 and the CONNECT, 407; Audit: 200 for allow and
    // the would-deny requests Squid could serve (6+5+4), 503 where the origin refuses (port 25,
    // the CONNECT to 8443), 403 for blocked-destination, 407; quiet: 3 x 200
    assertThat(count(codes))
        .as(r.err())
        .isEqualTo(
            new TreeMap<>(
                Map.of(
                    "200", (long) CLIENTS * (3 + 3 + 6 + 5 + 4 + 3),
                    "403", (long) CLIENTS * (6 + 5 + 4 + 3 + 2 + 2),
                    "407", (long) CLIENTS * 2,
                    "503", (long) CLIENTS * 3,
                    "connect 403", (long) CLIENTS,
                    "connect 503", (long) CLIENTS)));
    assertThat(seconds)
        .as("the burst ended within the 10-second bucket it started in (1 s after its start)")
        .isLessThan(8.5);

    // §5: the summary Events, one per proxy, decision and window
    Cluster.await(
        "RequestsDenied on enforce, RequestsWouldBeDenied and RequestsDenied on audit",
        Duration.ofSeconds(120),
        () ->
            events("enforce").stream().anyMatch(e -> e.getReason().equals("RequestsDenied"))
                && events("audit").stream()
                    .anyMatch(e -> e.getReason().equals("RequestsWouldBeDenied"))
                && events("audit").stream().anyMatch(e -> e.getReason().equals("RequestsDenied")),
        () -> String.valueOf(Cluster.client().v1().events().inNamespace(ns).list().getItems()));
    Figures.record("burst to Events seconds", (System.nanoTime() - burst) / 1e9);

    int outsiders = OUTSIDER_REQUESTS;
    List<Event> denied = events("enforce");
    assertThat(denied).hasSize(1);
    Event e = denied.get(0);
    assertThat(e.getType()).isEqualTo("Normal");
    assertThat(e.getSource().getComponent()).isEqualTo("cephaloproxy-operator");
    assertThat(e.getCount()).isEqualTo(1);
    String nad = top("not-allowed-domain", CLIENTS * 6, Origin.OUTSIDE_ADDRESS);
    String dd = top("denied-domain", CLIENTS * 5, other);
    String ddst = top("denied-destination", CLIENTS * 4, host);
    String unsafe = top("unsafe-port", CLIENTS * 3, host);
    String clientRule = top("client", outsiders, inCluster);
    String bd = top("blocked-destination", CLIENTS * 2, apiServer);
    assertThat(e.getMessage())
        .isEqualTo(
            (CLIENTS * (6 + 5 + 4 + 3 + 2 + 1 + 1) + outsiders)
                + " requests denied in 20 s: "
                + String.join(", ", nad, dd, ddst, unsafe, clientRule, bd)
                + ", 2 more rules "
                + CLIENTS * 2);
    assertThat(events("audit"))
        .extracting(Event::getReason, Event::getMessage)
        .containsExactlyInAnyOrder(
            Tuple.tuple(
                "RequestsWouldBeDenied",
                (CLIENTS * (6 + 5 + 4 + 3 + 1))
                    + " requests would have been denied (Audit mode) in 20 s: "
                    + String.join(", ", nad, dd, ddst, unsafe, top("connect-port", CLIENTS, host))),
            Tuple.tuple(
                "RequestsDenied",
                (outsiders + CLIENTS * (2 + 1))
                    + " requests denied in 20 s: "
                    + String.join(", ", clientRule, bd, top("auth", CLIENTS, inCluster))));

    // §1 with workers: 2: each pod's /metrics (one agent reads both workers' shared log), summed
    // over the proxy's pods, counts every request of the burst and the warm-up by its rule
    Map<String, Long> enforceCounts = expectedCounts(false);
    Map<String, Long> auditCounts = expectedCounts(true);
    // (Squid logs a request when it ends, after its client saw the reply: long over by now)
    assertThat(countedByRule("enforce", "enforce", 1)).isEqualTo(enforceCounts);
    assertThat(countedByRule("audit", "audit", 1)).isEqualTo(auditCounts);

    // §2: the JSON decision log of the pods, as kubectl logs shows it: one object per request,
    // the same counts, and the fields of one request per rule
    List<JsonNode> enforceLog = jsonLines("enforce");
    List<JsonNode> auditLog = jsonLines("audit");
    assertThat(countedInLog(enforceLog)).as("enforce's JSON lines").isEqualTo(enforceCounts);
    assertThat(countedInLog(auditLog)).as("audit's JSON lines").isEqualTo(auditCounts);
    // one request per rule, and the fields its line must have
    String a = client.address;
    List<Logged> expected =
        List.of(
            new Logged(
                enforceLog,
                "GET",
                inCluster,
                "/ok",
                "client="
                    + a
                    + " user="
                    + USER
                    + " scheme=http port=80 status=200 result=TCP_MISS"
                    + " decision=allow rule=allow would_deny=null sni=null bump_mode=null"
                    + " server="
                    + inClusterIp
                    + " hierarchy=HIER_DIRECT"),
            new Logged(
                enforceLog,
                "GET",
                inCluster,
                "/outsider",
                "client="
                    + outsider.address
                    + " user=null status=403 result=TCP_DENIED rule=client"),
            new Logged(
                enforceLog,
                "GET",
                inCluster,
                "/no-credentials",
                "client=" + a + " user=null status=407 result=TCP_DENIED decision=deny rule=auth"),
            new Logged(
                enforceLog,
                "GET",
                Origin.OUTSIDE_ADDRESS,
                "/not-allowed",
                "user=" + USER + " port=80 status=403 decision=deny rule=not-allowed-domain"),
            new Logged(enforceLog, "GET", host, "/smtp", "port=25 status=403 rule=unsafe-port"),
            new Logged(
                enforceLog,
                "CONNECT",
                host,
                null,
                "scheme=null port=8443 status=403 rule=connect-port"),
            new Logged(
                enforceLog,
                "GET",
                host,
                "/denied-destination",
                "status=403 decision=deny rule=denied-destination would_deny=null"),
            new Logged(
                auditLog,
                "GET",
                other,
                "/denied-domain",
                "status=200 result=TCP_MISS decision=allow rule=allow would_deny=denied-domain"
                    + " server="
                    + Origin.OUTSIDE_ADDRESS),
            new Logged(
                auditLog,
                "GET",
                host,
                "/smtp",
                "port=25 status=503 decision=allow rule=allow would_deny=unsafe-port"),
            new Logged(
                auditLog,
                "GET",
                apiServer,
                "/blocked",
                "status=403 result=TCP_DENIED decision=deny rule=blocked-destination would_deny=null"),
            new Logged(
                auditLog,
                "GET",
                inCluster,
                "/ok",
                "status=200 decision=allow rule=allow would_deny=null"));
    for (Logged x : expected) {
      assertFields(line(x.log(), x.method(), x.host(), x.path()), fields(x.fields()));
    }

    // no denials, no Event: two more windows go by without a write for the quiet proxy, and the
    // enforce proxy's one Event stays as it was
    Cluster.sleep(
        Duration.ofSeconds(50).minus(Duration.ofNanos(Math.max(0, System.nanoTime() - burst))));
    assertThat(events("quiet")).as("Events on the proxy that denied nothing").isEmpty();
    assertThat(events("enforce")).hasSize(1).allMatch(ev -> ev.getCount() == 1);
    Figures.record("proxies ready to end seconds", (System.nanoTime() - readyAt) / 1e9);
  }
}
