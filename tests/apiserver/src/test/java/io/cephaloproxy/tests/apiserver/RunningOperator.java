package io.cephaloproxy.tests.apiserver;

/**
 * An operator the reconciler scenarios run against, however it was started: what the scenarios look
 * at besides the API server (its health port, its metrics, whether it is still up).
 */
public interface RunningOperator extends AutoCloseable {
  /** HTTP status of a path on the operator's health port, or -1 when it does not answer. */
  int httpStatus(String path);

  /** The Prometheus text of {@code /metrics}. */
  String metrics();

  boolean isAlive();

  /** The last lines of its log, for a failure message. */
  String logTail(int lines);

  @Override
  void close();
}
