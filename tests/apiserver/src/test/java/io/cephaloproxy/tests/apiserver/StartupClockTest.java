package io.cephaloproxy.tests.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class StartupClockTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @Test
  void startsAtOnceDuringTheDay() {
    assertEquals(Duration.ZERO, StartupClock.waitBeforeStart(LocalTime.of(12, 0), TIMEOUT));
    assertEquals(Duration.ZERO, StartupClock.waitBeforeStart(LocalTime.MIDNIGHT, TIMEOUT));
    assertEquals(Duration.ZERO, StartupClock.waitBeforeStart(LocalTime.of(23, 55, 59), TIMEOUT));
  }

  @Test
  void waitsUntilJustAfterMidnightWhenAPollWouldWrap() {
    // the time CI started the API-server suite: every readiness poll would have wrapped
    assertEquals(
        Duration.ofSeconds(33), StartupClock.waitBeforeStart(LocalTime.of(23, 59, 28), TIMEOUT));
    assertEquals(
        Duration.ofSeconds(241), StartupClock.waitBeforeStart(LocalTime.of(23, 56, 0), TIMEOUT));
  }

  @Test
  void aWaitEndsAfterMidnightWhereTheLibrarysDeadlineDoesNotWrap() {
    for (int s = 0; s < 240; s++) {
      LocalTime now = LocalTime.of(23, 56).plusSeconds(s);
      LocalTime startsAt = now.plus(StartupClock.waitBeforeStart(now, TIMEOUT));
      // the library's check: a deadline that wrapped past midnight is "before" the start
      assertEquals(false, startsAt.plus(TIMEOUT).isBefore(startsAt), "start at " + now);
      assertEquals(
          false, startsAt.plus(TIMEOUT.multipliedBy(2)).isBefore(startsAt), "start at " + now);
    }
  }
}
