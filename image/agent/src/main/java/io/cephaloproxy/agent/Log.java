package io.cephaloproxy.agent;

/** One line per event; the agent's own lines go to stderr so stdout carries Squid's access log. */
public final class Log {
  private Log() {}

  public static void info(String msg) {
    System.err.println("agent: " + msg);
    System.err.flush();
  }

  public static void error(String msg) {
    System.err.println("agent: ERROR: " + msg);
    System.err.flush();
  }
}
