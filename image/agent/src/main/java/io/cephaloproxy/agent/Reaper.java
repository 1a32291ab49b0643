package io.cephaloproxy.agent;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reaps orphans re-parented to the agent when it is PID 1. Java has no waitpid(-1); the JDK's own
 * {@code ProcessHandleImpl.waitForProcessExit0(pid, true)} is a waitpid(pid) that reaps, reachable
 * when the jar's manifest opens java.lang ({@code Add-Opens: java.base/java.lang}). Without it the
 * agent only counts zombies.
 *
 * <p>Safety: the JDK reaps the processes it started itself (Squid, {@code squid -k ...}) the moment
 * they exit, so only zombies that are not ours and are still zombies one scan later are reaped.
 */
public final class Reaper {
  /** Processes started through the JDK (the JDK reaps them; never touch their status). */
  static final Set<Long> OWN = ConcurrentHashMap.newKeySet();

  private static final Method WAIT = find();

  private Set<Long> seen = new HashSet<>();
  private volatile long reaped;

  private static Method find() {
    try {
      Method m =
          Class.forName("java.lang.ProcessHandleImpl")
              .getDeclaredMethod("waitForProcessExit0", long.class, boolean.class);
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  public static boolean available() {
    return WAIT != null;
  }

  public long reaped() {
    return reaped;
  }

  /**
   * One scan: when {@code parent} is PID 1, reaps its zombie children seen in the previous scan;
   * returns how many zombies remain.
   */
  public int scan(long parent) {
    Set<Long> zombies = zombieChildren(parent);
    Set<Long> next = new HashSet<>(zombies);
    if (WAIT != null && parent == 1) {
      for (long pid : zombies) {
        if (seen.contains(pid) && !OWN.contains(pid)) {
          try {
            int status = (Integer) WAIT.invoke(null, pid, true);
            reaped++;
            next.remove(pid);
            // one line each for the first few, then every 100th: a crash loop must not flood the
            // log
            if (reaped <= 10 || reaped % 100 == 0) {
              Log.info(
                  "run: reaped orphan process "
                      + pid
                      + " (exit status "
                      + status
                      + "; "
                      + reaped
                      + " so far)");
            }
          } catch (IllegalAccessException | InvocationTargetException e) {
            // leave it; counted below
          }
        }
      }
    }
    seen = next;
    return next.size();
  }

  static Set<Long> zombieChildren(long parent) {
    Set<Long> out = new HashSet<>();
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(
            Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path p : ds) {
        try {
          String stat = Files.readString(p.resolve("stat"));
          // pid (comm) state ppid ...; comm may contain spaces and parentheses
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (f[0].equals("Z") && Long.parseLong(f[1]) == parent) {
            out.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException | RuntimeException e) {
          // gone while we looked
        }
      }
    } catch (IOException e) {
      // no /proc: nothing to do
    }
    return out;
  }
}
