package io.cephaloproxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.testsupport.Cmd;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 17 §5 on the node: the released operator, with {@code denialEvents.interval: 20s}, writes
 * one summary Event per proxy and window of what its pods denied (an Enforce proxy with {@code
 * workers: 2}, whose counts add up across both workers), and for an Audit proxy what Enforce would
 * deny; a proxy without denials gets no Event at all. The Enforce proxy's NetworkPolicy admits
 * exactly the operator's pods to the health port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DenialEventsE2E {
  static final Duration TIMEOUT = Duration.ofSeconds(180);
  static final String RELEASE = "cephaloproxy-denials";

  /** Parallel clients (each its own connection), so both Squid workers take requests. */
  static final int CLIENTS = 4;

  Path workDir;
  Origin origin;
  String operatorNs;
  String ns;
  OperatorRelease release;
  PodNetworkClient client;

  @BeforeAll
  void setUp() throws IOException {
    Cluster.client();
    workDir = Files.createTempDirectory("denials-e2e");
    origin = Origin.deploy(workDir);
    operatorNs = Cluster.restrictedNamespace("cephaloproxy-denials");
    ns = Cluster.restrictedNamespace("e2e-denials");
    client = PodNetworkClient.create("denials-e2e", 209);
    release = OperatorRelease.install(RELEASE, operatorNs, Map.of("denialEvents.interval", "20s"));
  }

  @AfterAll
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (ns != null && Cluster.client().namespaces().withName(ns).get() != null) {
      Cluster.deleteNamespace(ns, TIMEOUT);
    }
    if (release != null) {
      release.uninstallIfPresent();
    }
    for (String n : new String[] {origin == null ? null : origin.namespace, operatorNs}) {
      if (n != null && Cluster.client().namespaces().withName(n).get() != null) {
        Cluster.deleteNamespace(n, TIMEOUT);
      }
    }
  }

  /** The requests one client sends, in one curl (one connection while Squid keeps it). */
  static String curl(String proxy, List<String> urls) {
    StringBuilder b =
        new StringBuilder("curl -sS --max-time 15 -w 'code:%{http_code}\\n' -x http://")
            .append(proxy);
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

  static long counter(String metrics, String decision, String rule) {
    return io.cephaloproxy.testsupport.MonitoringQueries.requests(
        metrics, decision, rule, "enforce");
  }

  @Test
  void deniedRequestsAreSummarisedOncePerWindowAndNoDenialsWriteNothing() {
    String host = origin.host();
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: enforce}
        spec:
          workers: 2
          access:
            allowedDomains: [%s]
          networkPolicy: {enabled: true}
        """
            .formatted(host));
    SquidProxies.apply(
        ns,
        """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: audit}
        spec:
          access:
            mode: Audit
            allowedDomains: [%s]
        """
            .formatted(host));
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

    // the same requests from each of CLIENTS clients, within one 10-second bucket of the agents
    // (so within one window of the operator): it starts 1 s past a multiple of 10 s
    List<String> toEnforce =
        concat(
            times(3, "http://" + host + "/ok"),
            times(4, "http://other.example/x"),
            times(2, "http://" + host + ":25/smtp"));
    String other = origin.otherHost();
    List<String> toAudit =
        concat(
            times(4, "http://" + other + "/audited"),
            times(2, "http://" + host + ":25/smtp"),
            List.of("http://169.254.169.254/latest/meta-data/"));
    List<String> toQuiet = times(3, "http://" + host + "/ok");
    // the Services are routed (a refused connection retried for up to 30 s)
    assertThat(client.get(enforce, "http://" + host + "/warm").status()).isEqualTo(200);
    assertThat(client.get(audit, "http://" + host + "/warm").status()).isEqualTo(200);
    assertThat(client.get(quiet, "http://" + host + "/warm").status()).isEqualTo(200);
    long warmAt = System.currentTimeMillis();
    StringBuilder script = new StringBuilder();
    for (int c = 0; c < CLIENTS; c++) {
      script.append(curl(enforce, toEnforce)).append(" & ");
      script.append(curl(audit, toAudit)).append(" & ");
      script.append(curl(quiet, toQuiet)).append(" & ");
    }
    script.append("wait");
    // warm-up requests are in an earlier bucket than the burst: wait for a bucket boundary + 1 s
    long now = System.currentTimeMillis();
    long start = (Math.max(now, warmAt + 1) / 10_000 + 1) * 10_000 + 1_000;
    Cluster.sleep(Duration.ofMillis(start - now));
    long burst = System.nanoTime();
    Cmd.Result r = client.run(Duration.ofSeconds(60), List.of("bash", "-c", script.toString()));
    double seconds = (System.nanoTime() - burst) / 1e9;
    Figures.record("denial burst seconds (" + CLIENTS + " clients x 3 proxies)", seconds);
    List<String> codes =
        r.out().lines().filter(l -> l.startsWith("code:")).map(l -> l.substring(5)).toList();
    assertThat(codes).as(r.err()).hasSize(CLIENTS * (9 + 7 + 3));
    assertThat(codes.stream().filter("403"::equals).count())
        .as("403s: enforce 6 per client, audit 1 (blocked-destination)")
        .isEqualTo(CLIENTS * 7L);
    assertThat(seconds)
        .as("the burst ended within the 10-second bucket it started in (1 s after its start)")
        .isLessThan(8.5);

    // the warm-up requests were allowed: every denial is the burst's
    Cluster.await(
        "RequestsDenied on enforce and RequestsWouldBeDenied and RequestsDenied on audit",
        Duration.ofSeconds(120),
        () ->
            events("enforce").stream().anyMatch(e -> e.getReason().equals("RequestsDenied"))
                && events("audit").stream()
                    .anyMatch(
                        e ->
                            e.getReason().equals("RequestsWouldBeDenied")
                                && e.getMessage().startsWith(CLIENTS * 6 + " requests"))
                && events("audit").stream().anyMatch(e -> e.getReason().equals("RequestsDenied")),
        () -> String.valueOf(Cluster.client().v1().events().inNamespace(ns).list().getItems()));
    Figures.record("burst to Events seconds", (System.nanoTime() - burst) / 1e9);

    String shownHost = host.length() > 60 ? host.substring(0, 57) + "..." : host;
    List<Event> denied = events("enforce");
    assertThat(denied).hasSize(1);
    Event e = denied.get(0);
    assertThat(e.getType()).isEqualTo("Normal");
    assertThat(e.getSource().getComponent()).isEqualTo("cephaloproxy-operator");
    assertThat(e.getCount()).isEqualTo(1);
    assertThat(e.getMessage())
        .isEqualTo(
            (CLIENTS * 6)
                + " requests denied in 20 s: not-allowed-domain "
                + (CLIENTS * 4)
                + " (top: other.example), unsafe-port "
                + (CLIENTS * 2)
                + " (top: "
                + shownHost
                + ")");
    assertThat(events("audit"))
        .extracting(Event::getReason, Event::getMessage)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                "RequestsWouldBeDenied",
                (CLIENTS * 6)
                    + " requests would have been denied (Audit mode) in 20 s: not-allowed-domain "
                    + (CLIENTS * 4)
                    + " (top: "
                    + (other.length() > 60 ? other.substring(0, 57) + "..." : other)
                    + "), unsafe-port "
                    + (CLIENTS * 2)
                    + " (top: "
                    + shownHost
                    + ")"),
            org.assertj.core.groups.Tuple.tuple(
                "RequestsDenied",
                CLIENTS
                    + " requests denied in 20 s: blocked-destination "
                    + CLIENTS
                    + " (top: 169.254.169.254)"));

    // workers: 2: the pod's counts add up across both workers (one agent reads their shared log)
    Pod pod = SquidProxies.readyPods(ns, "enforce").get(0);
    String metrics =
        client
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
    assertThat(counter(metrics, "allow", "allow")).as(metrics).isEqualTo(CLIENTS * 3L + 1);
    assertThat(counter(metrics, "deny", "not-allowed-domain")).isEqualTo(CLIENTS * 4L);
    assertThat(counter(metrics, "deny", "unsafe-port")).isEqualTo(CLIENTS * 2L);

    // no denials, no Event: two more windows go by without a write for the quiet proxy, and the
    // enforce proxy's one Event stays as it was
    Cluster.sleep(
        Duration.ofSeconds(50).minus(Duration.ofNanos(Math.max(0, System.nanoTime() - burst))));
    assertThat(events("quiet")).as("Events on the proxy that denied nothing").isEmpty();
    assertThat(events("enforce")).hasSize(1).allMatch(ev -> ev.getCount() == 1);
    Figures.record("proxies ready to end seconds", (System.nanoTime() - readyAt) / 1e9);
  }
}
