package io.cephaloproxy.tests.apiserver;

import static io.cephaloproxy.tests.apiserver.Proxies.is;
import static io.cephaloproxy.tests.apiserver.Proxies.templateHash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two operator processes with leader election (each with its own ServiceAccount from its own chart
 * release, so the audit log tells their writes apart): only the Lease holder reconciles; when it is
 * killed the other takes over within the lease time and converges a change made meanwhile.
 */
class LeaderElectionIT {
  static final String SYSTEM = "le-system";
  static final String APPS = "le-apps";
  static final String LEASE = "cephaloproxy-operator-leader";
  static ControlPlane cp;
  static ChartRbac.Installed rbacA;
  static ChartRbac.Installed rbacB;
  static OperatorProcess a;
  static OperatorProcess b;

  @BeforeAll
  static void start() {
    cp = ControlPlane.get();
    cp.installCrd();
    cp.namespace(APPS);
    rbacA = ChartRbac.install(cp, "cephaloproxy-a", SYSTEM, List.of(), true);
    rbacB = ChartRbac.install(cp, "cephaloproxy-b", SYSTEM, List.of(), true);
  }

  @AfterAll
  static void stop() {
    for (OperatorProcess p : new OperatorProcess[] {a, b}) {
      if (p != null) {
        p.close();
      }
    }
  }

  @Test
  void onlyTheLeaderReconcilesAndTheOtherTakesOverWhenItDies() {
    Map<String, String> env =
        Map.of("LEADER_ELECTION", "true", "LEADER_ELECTION_NAMESPACE", SYSTEM);
    a = OperatorProcess.start(cp, "operator-a", rbacA.kubeconfig(), env);
    Lease lease =
        await("operator-a holds the Lease")
            .atMost(Duration.ofSeconds(60))
            .until(
                this::lease,
                l -> l != null && "operator-a".equals(l.getSpec().getHolderIdentity()));
    b = OperatorProcess.start(cp, "operator-b", rbacB.kubeconfig(), env);

    AuditLog audit = new AuditLog(cp.auditLog());
    Instant start = Instant.now();
    Proxies proxies = new Proxies(cp.admin(), APPS);
    try (FakeKubelet kubelet = new FakeKubelet(cp.admin(), APPS)) {
      proxies.apply("ha", "access: {allowedDomains: [.example.com]}");
      String hash1 = proxies.awaitReady("ha").getStatus().getConfigHash();
      ControlPlane.sleep(3_000);
      assertThat(appWrites(audit, rbacA, start, Instant.now()))
          .as("writes by the leader")
          .isNotEmpty();
      assertThat(appWrites(audit, rbacB, start, Instant.now()))
          .as("writes by the standby")
          .isEmpty();
      assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("operator-a");

      // the leader dies without releasing the Lease; a change arrives while nobody leads
      int leaseSeconds = lease.getSpec().getLeaseDurationSeconds();
      Instant killed = Instant.now();
      a.kill();
      proxies.apply("ha", "access: {allowedDomains: [.example.com, .example.org]}");
      Lease taken =
          await("operator-b takes the Lease")
              .atMost(Duration.ofSeconds(leaseSeconds + 30L))
              .pollInterval(Duration.ofMillis(200))
              .until(this::lease, l -> "operator-b".equals(l.getSpec().getHolderIdentity()));
      Duration takeover = Duration.between(killed, Instant.now());
      System.out.printf(
          "leader election: lease %d s, operator-b took over %d ms after operator-a was killed%n",
          leaseSeconds, takeover.toMillis());
      assertThat(takeover).isLessThanOrEqualTo(Duration.ofSeconds(leaseSeconds + 5L));
      assertThat(taken.getSpec().getLeaseTransitions()).isGreaterThanOrEqualTo(1);

      SquidProxy converged =
          proxies.await(
              "ha",
              "converged by the new leader",
              sp ->
                  is(sp, "Ready", "True")
                      && !hash1.equals(sp.getStatus().getConfigHash())
                      && sp.getStatus()
                          .getObservedGeneration()
                          .equals(sp.getMetadata().getGeneration()));
      assertThat(templateHash(proxies.deployment("ha")))
          .isEqualTo(converged.getStatus().getConfigHash());
      assertThat(appWrites(audit, rbacB, killed, Instant.now()))
          .as("writes by the new leader")
          .isNotEmpty();
    }
  }

  private Lease lease() {
    return cp.admin().leases().inNamespace(SYSTEM).withName(LEASE).get();
  }

  private static List<AuditLog.Write> appWrites(
      AuditLog audit, ChartRbac.Installed who, Instant from, Instant to) {
    return audit.writesBy(who.username(), from, to).stream()
        .filter(w -> APPS.equals(w.namespace()))
        .toList();
  }
}
