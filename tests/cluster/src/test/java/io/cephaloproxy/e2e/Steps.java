package io.cephaloproxy.e2e;

import java.util.function.Supplier;

/**
 * The set-up and tear-down steps of the node suites, timed: one line each on the test's output
 * ({@code [step] AutoscalingE2E: helm install cephaloproxy-hpa 9.1 s}), so the CI log shows where a
 * suite's time outside its tests goes (issue 13 §5).
 */
final class Steps {
  private Steps() {}

  static void time(String what, Runnable step) {
    time(
        what,
        () -> {
          step.run();
          return null;
        });
  }

  static <T> T time(String what, Supplier<T> step) {
    long start = System.nanoTime();
    try {
      return step.get();
    } finally {
      System.out.printf("[step] %s: %s %.1f s%n", suite(), what, (System.nanoTime() - start) / 1e9);
    }
  }

  /** The E2E class that called, from the stack (the suites run one after another in one JVM). */
  private static String suite() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames
                    .map(StackWalker.StackFrame::getClassName)
                    .filter(c -> c.endsWith("E2E") || c.endsWith("Benchmark"))
                    .map(c -> c.substring(c.lastIndexOf('.') + 1))
                    .findFirst()
                    .orElse("?"));
  }
}
