package io.cephaloproxy.agent;

/** A failed init step; the message is what the user sees (log line and termination message). */
public final class StepFailure extends Exception {
  private static final long serialVersionUID = 1L;

  public StepFailure(String message) {
    super(message);
  }
}
