package io.cephaloproxy.operator.reconciler;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The operator's own metrics (issue 17 §3), beside JOSDK's {@code operator_sdk_*} and the JVM's,
 * with no per-proxy series (their number does not grow with the proxies):
 *
 * <ul>
 *   <li>{@code cephaloproxy_operator_proxies{condition, status, reason}} (gauge): SquidProxies by
 *       each condition's type, status and reason, from the operator's cache at each scrape;
 *   <li>{@code cephaloproxy_operator_reconcile_duration_seconds} (histogram): time of one reconcile
 *       of a SquidProxy (its status computed and patched; the dependents JOSDK applies before are
 *       in {@code operator_sdk_controllers_execution_reconcile_seconds});
 *   <li>{@code cephaloproxy_operator_reconcile_errors_total{reason}} (counter): reconciles that
 *       failed and are retried, by the Degraded reason they set ({@code ReconcileError}, {@code
 *       DependentRejected});
 *   <li>{@code cephaloproxy_operator_config_checks_total{result}} (counter): config generations
 *       Squid checked in a check pod, {@code passed} or {@code failed} (rejected).
 * </ul>
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Timer reconcile;
  private final MultiGauge proxies;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.reconcile =
        Timer.builder("cephaloproxy.operator.reconcile.duration")
            .description("Time of one reconcile of a SquidProxy (status computed and patched)")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    this.proxies =
        MultiGauge.builder("cephaloproxy.operator.proxies")
            .description(
                "SquidProxies by condition type, status and reason, from the operator's cache")
            .register(registry);
    // both series exist from the start, so a rate over them is 0 rather than absent
    checks("passed");
    checks("failed");
    errors("ReconcileError");
    errors("DependentRejected");
  }

  /** Metrics nobody scrapes (tests, the render command). */
  public static OperatorMetrics unregistered() {
    return new OperatorMetrics(new SimpleMeterRegistry());
  }

  private Counter checks(String result) {
    return Counter.builder("cephaloproxy.operator.config.checks")
        .description("Config generations Squid checked in a check pod, by result (passed, failed)")
        .tag("result", result)
        .register(registry);
  }

  private Counter errors(String reason) {
    return Counter.builder("cephaloproxy.operator.reconcile.errors")
        .description(
            "Reconciles that failed and are retried, by the Degraded reason they set"
                + " (ReconcileError, DependentRejected)")
        .tag("reason", reason)
        .register(registry);
  }

  /** A check pod's verdict was recorded. */
  void checked(boolean passed) {
    checks(passed ? "passed" : "failed").increment();
  }

  /** A reconcile failed with this Degraded reason. */
  void failed(String reason) {
    errors(reason).increment();
  }

  <T> T timeReconcile(Supplier<T> reconcile) {
    return this.reconcile.record(reconcile);
  }

  /** Sets {@code cephaloproxy_operator_proxies} from the SquidProxies in the cache. */
  public void countProxies(Collection<SquidProxy> all) {
    Map<List<String>, Integer> counts =
        new TreeMap<>(java.util.Comparator.comparing(List::toString));
    for (SquidProxy p : all) {
      if (p.getStatus() == null || p.getStatus().getConditions() == null) {
        counts.merge(List.of("Ready", "Unknown", "NoStatus"), 1, Integer::sum);
        continue;
      }
      for (Condition c : p.getStatus().getConditions()) {
        counts.merge(
            List.of(
                String.valueOf(c.getType()),
                String.valueOf(c.getStatus()),
                c.getReason() == null ? "" : c.getReason()),
            1,
            Integer::sum);
      }
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    counts.forEach(
        (k, n) ->
            rows.add(
                MultiGauge.Row.of(
                    Tags.of("condition", k.get(0), "status", k.get(1), "reason", k.get(2)), n)));
    proxies.register(rows, true);
  }
}
