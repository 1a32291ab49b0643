package io.cephaloproxy.operator.denials;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.agent.AccessLog;
import io.cephaloproxy.agent.Denials;
import io.cephaloproxy.agent.HealthServer;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.reconciler.EventRecorder;
import io.cephaloproxy.operator.testing.TestApi;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's poller against the Squid image's real agent code (AccessLog fed with access log
 * lines as Squid writes them, its HealthServer serving /denials on loopback addresses, one per
 * "pod"), the Events on Fabric8's mock API server.
 */
class DenialPollerTest {
  /** 2026-12-03T18:00:00Z, a bucket start. */
  static final long T0 = 1_796_320_800L;

  final AtomicLong agentClock = new AtomicLong((T0 + 1) * 1000);
  final AtomicLong operatorClock = new AtomicLong((T0 + 25) * 1000);
  final AtomicBoolean leading = new AtomicBoolean(true);
  final List<HealthServer> servers = new ArrayList<>();
  final Map<String, List<Pod>> pods = new HashMap<>();
  final List<SquidProxy> proxies = new ArrayList<>();
  KubernetesMockServer api;
  KubernetesClient client;
  EventRecorder events;
  DenialPoller poller;
  int port;

  final Clock clock = TestApi.clock(() -> Instant.ofEpochMilli(operatorClock.get()));

  @BeforeEach
  void start() {
    api = TestApi.crudServer();
    client = api.createClient();
    events = new EventRecorder(client, clock);
  }

  @AfterEach
  void stop() {
    if (poller != null) {
      poller.close();
    }
    servers.forEach(HealthServer::stop);
    client.close();
    api.destroy();
  }

  /** A pod's agent on {@code ip}, fed {@code lines}; all agents share one port. */
  AccessLog agent(String ip, String mode, String... lines) throws IOException {
    AccessLog log = new AccessLog(mode, new Denials(agentClock::get));
    log.pump(
        new ByteArrayInputStream(
            (String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1)),
        new ByteArrayOutputStream());
    HealthServer s =
        new HealthServer(
            ip,
            port,
            new HealthServer.Checks() {
              @Override
              public boolean healthy() {
                return true;
              }

              @Override
              public boolean ready() {
                return true;
              }

              @Override
              public String metrics() {
                return "";
              }

              @Override
              public String denials(String query) {
                return log.denials().answer(query, log.mode());
              }
            });
    s.start();
    servers.add(s);
    port = s.port();
    return log;
  }

  static String line(String decision, String rule, String wouldDeny, String host) {
    return "cp2 "
        + decision
        + " "
        + rule
        + " "
        + wouldDeny
        + (decision.equals("deny") ? " TCP_DENIED 403 3403 0 " : " TCP_MISS 200 512 3 ")
        + host
        + " 1796320801.000      0 10.0.0.9 TCP_DENIED/403 3403 GET http://"
        + host
        + "/ - HIER_NONE/- text/html";
  }

  static String[] repeat(int n, String line) {
    String[] out = new String[n];
    java.util.Arrays.fill(out, line);
    return out;
  }

  static String[] concat(String[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }

  SquidProxy proxy(String name) {
    SquidProxy p = new SquidProxy();
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace("team");
    p.getMetadata().setUid("uid-" + name);
    proxies.add(p);
    return p;
  }

  static Pod pod(String name, String ip, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("team")
        .addToLabels("app.kubernetes.io/component", "proxy")
        .endMetadata()
        .withNewStatus()
        .withPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }

  DenialPoller poller() {
    poller =
        new DenialPoller(
            Duration.ofSeconds(30),
            () -> proxies,
            (ns, name) -> pods.getOrDefault(name, List.of()),
            events,
            clock,
            leading::get,
            port);
    return poller;
  }

  List<Event> events() {
    return client.v1().events().inNamespace("team").list().getItems();
  }

  @Test
  void oneEventSumsThePodsOfAProxyAndNoDenialsWriteNothing() throws IOException {
    // pod a: 20 + 1 denials; pod b: 10 + 6; an allowed request in each
    agent(
        "127.0.0.1",
        "enforce",
        concat(
            repeat(12, line("deny", "not-allowed-domain", "-", "example.org")),
            repeat(8, line("deny", "not-allowed-domain", "-", "other.test")),
            repeat(1, line("deny", "connect-port", "-", "ok.test")),
            repeat(1, line("allow", "allow", "-", "ok.test"))));
    agent(
        "127.0.0.2",
        "enforce",
        concat(
            repeat(10, line("deny", "not-allowed-domain", "-", "example.org")),
            repeat(6, line("deny", "connect-port", "-", "ok.test")),
            repeat(1, line("allow", "allow", "-", "ok.test"))));
    SquidProxy egress = proxy("egress");
    pods.put(
        "egress",
        List.of(
            pod("egress-a", "127.0.0.1", true),
            pod("egress-b", "127.0.0.2", true),
            // not ready: not asked (its agent would not answer: nothing listens there)
            pod("egress-c", "127.0.0.3", false)));
    // a proxy with pods and no denials, and one without ready pods
    proxy("quiet");
    agent("127.0.0.4", "enforce", line("allow", "allow", "-", "ok.test"));
    pods.put("quiet", List.of(pod("quiet-a", "127.0.0.4", true)));
    proxy("idle");

    agentClock.set((T0 + 25) * 1000);
    DenialPoller p = poller();
    p.poll();
    List<Event> written = events();
    assertThat(written).hasSize(1);
    Event e = written.get(0);
    assertThat(e.getReason()).isEqualTo("RequestsDenied");
    assertThat(e.getType()).isEqualTo("Normal");
    assertThat(e.getInvolvedObject().getName()).isEqualTo(egress.getMetadata().getName());
    assertThat(e.getMessage())
        .isEqualTo(
            "37 requests denied in 30 s: not-allowed-domain 30 (top: example.org),"
                + " connect-port 7 (top: ok.test)");
    // the next window starts where this one ended, for every proxy
    assertThat(p.cursors())
        .containsEntry("uid-egress", T0 + 10)
        .containsEntry("uid-quiet", T0 + 10);

    // the next window has no denials: no write at all
    long writes = events.writes();
    agentClock.set((T0 + 55) * 1000);
    operatorClock.set((T0 + 55) * 1000);
    p.poll();
    assertThat(events.writes()).isEqualTo(writes);
    assertThat(events()).hasSize(1);
  }

  @Test
  void auditModeSaysWouldBeDeniedAndAPodThatDoesNotAnswerIsSaid() throws IOException {
    agent(
        "127.0.0.1",
        "audit",
        concat(
            repeat(5, line("allow", "allow", "not-allowed-domain", "example.org")),
            repeat(2, line("allow", "allow", "connect-port", "ok.test")),
            repeat(1, line("deny", "blocked-destination", "-", "169.254.169.254"))));
    proxy("audit");
    // the second pod is ready but nothing answers there (as when a NetworkPolicy drops the
    // operator)
    pods.put(
        "audit", List.of(pod("audit-a", "127.0.0.1", true), pod("audit-b", "127.0.0.5", true)));
    agentClock.set((T0 + 25) * 1000);
    poller().poll();
    assertThat(events())
        .extracting(Event::getReason, Event::getMessage)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "RequestsWouldBeDenied",
                "7 requests would have been denied (Audit mode) in 30 s: not-allowed-domain 5"
                    + " (top: example.org), connect-port 2 (top: ok.test); 1 of 2 pods did not"
                    + " answer (see the operator's log)"),
            org.assertj.core.groups.Tuple.tuple(
                "RequestsDenied",
                "1 request denied in 30 s: blocked-destination 1 (top: 169.254.169.254); 1 of 2"
                    + " pods did not answer (see the operator's log)"));
  }

  @Test
  void onlyTheLeaderPolls() throws IOException {
    agent("127.0.0.1", "enforce", line("deny", "connect-port", "-", "ok.test"));
    proxy("egress");
    pods.put("egress", List.of(pod("egress-a", "127.0.0.1", true)));
    agentClock.set((T0 + 25) * 1000);
    leading.set(false);
    DenialPoller p = poller();
    p.poll();
    assertThat(events()).isEmpty();
    assertThat(p.cursors()).isEmpty();
  }
}
