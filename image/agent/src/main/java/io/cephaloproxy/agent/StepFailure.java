package io.cephaloproxy.agent;

/** A failed init step; the message is what the user sees (log line and termination message). */
public final class StepFailure extends Exception {
    public StepFailure(String message) {
        super(message);
    }
}
