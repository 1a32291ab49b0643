package io.cephaloproxy.tests.apiserver;

import java.time.Duration;
import java.time.LocalTime;

/**
 * Works around a clock bug in io.fabric8:kube-api-test 7.5.2: its readiness polls (etcd health, API
 * server health, default namespace) compute their deadline as {@code LocalTime.now().plus(timeout)}
 * and give up when {@code LocalTime.now().isAfter(deadline)}. A LocalTime wraps at midnight, so a
 * poll that starts less than {@code timeout} before midnight (JVM default zone) sees its deadline
 * as already passed and fails at once with "etcd did not start properly". CI hit this at 23:59:28
 * UTC: every API-server test failed within a second.
 *
 * <p>The start takes several polls in a row; they all begin within one more {@code timeout}. When a
 * start would begin within {@code 2 × timeout} of midnight, the control plane waits until just
 * after midnight (at most {@code 2 × timeout}, once per test JVM) instead.
 */
final class StartupClock {
  private StartupClock() {}

  /** How long to wait before starting, given the local time now and the library's poll timeout. */
  static Duration waitBeforeStart(LocalTime now, Duration pollTimeout) {
    Duration untilMidnight = Duration.ofNanos(LocalTime.MAX.toNanoOfDay() - now.toNanoOfDay() + 1);
    if (untilMidnight.compareTo(pollTimeout.multipliedBy(2)) <= 0) {
      return untilMidnight.plusSeconds(1);
    }
    return Duration.ZERO;
  }
}
