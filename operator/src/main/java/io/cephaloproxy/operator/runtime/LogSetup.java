package io.cephaloproxy.operator.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logging goes through SLF4J to java.util.logging (no extra framework in the image). One line per
 * record on stderr, either plain text or a JSON object per line for log collectors.
 */
public final class LogSetup {
  private LogSetup() {}

  public static void configure(OperatorSettings.LogFormat format, String level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Level julLevel = toJul(level);
    root.setLevel(julLevel);
    Handler handler = new ConsoleHandler();
    handler.setLevel(julLevel);
    handler.setFormatter(
        format == OperatorSettings.LogFormat.JSON ? new JsonFormatter() : new PlainFormatter());
    root.addHandler(handler);
    // the HTTP client and informers are chatty at INFO about routine reconnects
    Logger.getLogger("io.fabric8.kubernetes.client.informers")
        .setLevel(maxOf(julLevel, Level.INFO));
  }

  static Level toJul(String level) {
    return switch (level) {
      case "ERROR" -> Level.SEVERE;
      case "WARN" -> Level.WARNING;
      case "DEBUG" -> Level.FINE;
      case "TRACE" -> Level.FINEST;
      default -> Level.INFO;
    };
  }

  private static Level maxOf(Level a, Level b) {
    return a.intValue() >= b.intValue() ? a : b;
  }

  static String levelName(Level l) {
    if (l.intValue() >= Level.SEVERE.intValue()) {
      return "ERROR";
    } else if (l.intValue() >= Level.WARNING.intValue()) {
      return "WARN";
    } else if (l.intValue() >= Level.INFO.intValue()) {
      return "INFO";
    } else if (l.intValue() >= Level.FINE.intValue()) {
      return "DEBUG";
    }
    return "TRACE";
  }

  static String stackTrace(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    return sw.toString();
  }

  /** {@code 2026-01-01T00:00:00.000Z INFO logger - message}. */
  public static final class PlainFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringBuilder sb = new StringBuilder();
      sb.append(DateTimeFormatter.ISO_INSTANT.format(r.getInstant()))
          .append(' ')
          .append(String.format("%-5s", levelName(r.getLevel())))
          .append(' ')
          .append(shortName(r.getLoggerName()))
          .append(" - ")
          .append(formatMessage(r))
          .append(System.lineSeparator());
      if (r.getThrown() != null) {
        sb.append(stackTrace(r.getThrown()));
      }
      return sb.toString();
    }

    private static String shortName(String logger) {
      if (logger == null) {
        return "";
      }
      int i = logger.lastIndexOf('.');
      return i < 0 ? logger : logger.substring(i + 1);
    }
  }

  /** One JSON object per line: time, level, logger, thread, message, and error when present. */
  public static final class JsonFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringBuilder sb = new StringBuilder(256).append('{');
      field(sb, "time", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(r.getMillis())))
          .append(',');
      field(sb, "level", levelName(r.getLevel())).append(',');
      field(sb, "logger", r.getLoggerName() == null ? "" : r.getLoggerName()).append(',');
      field(sb, "thread", Thread.currentThread().getName()).append(',');
      field(sb, "message", formatMessage(r));
      if (r.getThrown() != null) {
        sb.append(',');
        field(sb, "error", stackTrace(r.getThrown()));
      }
      return sb.append('}').append(System.lineSeparator()).toString();
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
      sb.append('"').append(name).append("\":\"");
      escape(sb, value == null ? "" : value);
      return sb.append('"');
    }

    static void escape(StringBuilder sb, String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
    }
  }
}
