package io.cephaloproxy.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WrkTest {
  private static final String CLEAN =
      """
      Running 2s test @ http://10.0.0.2:3128/
        2 threads and 16 connections
        Thread Stats   Avg      Stdev     Max   +/- Stdev
          Latency     1.20ms  300.00us   9.00ms   90.00%
        Latency Distribution
           50%    1.10ms
           75%    1.30ms
           90%    1.50ms
           99%  812.00us
        26000 requests in 2.00s, 3.10MB read
      Requests/sec:  12999.50
      Transfer/sec:      1.55MB
      """;

  @Test
  void readsThroughputAndLatencies() {
    Wrk.Result r = Wrk.parse(CLEAN);
    assertThat(r.requests()).isEqualTo(26000);
    assertThat(r.requestsPerSecond()).isEqualTo(12999.5);
    assertThat(r.p50Millis()).isEqualTo(1.1);
    assertThat(r.p99Millis()).isEqualTo(0.812);
    assertThat(r.errors()).isZero();
    assertThat(r.withoutErrors("proxy")).isSameAs(r);
  }

  @Test
  void countsSocketErrorsAndBadResponses() {
    Wrk.Result r =
        Wrk.parse(
            CLEAN.replace(
                "Requests/sec",
                "Socket errors: connect 1, read 2, write 0, timeout 3\n"
                    + "Non-2xx or 3xx responses: 4\nRequests/sec"));
    assertThat(r.errors()).isEqualTo(10);
    assertThatThrownBy(() -> r.withoutErrors("10.0.0.2:3128"))
        .hasMessageStartingWith("wrk saw 10 errors through 10.0.0.2:3128");
  }

  @Test
  void withoutLatencyTheLatenciesAreNotANumber() {
    Wrk.Result r = Wrk.parse(CLEAN.replaceAll("(?m)^\\s+\\d+%.*\\n", ""));
    assertThat(r.p50Millis()).isNaN();
    assertThat(r.requests()).isEqualTo(26000);
  }
}
