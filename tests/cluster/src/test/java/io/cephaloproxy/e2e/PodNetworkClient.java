package io.cephaloproxy.e2e;

import io.cephaloproxy.testsupport.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client on the pod network: a network namespace with an address of the pod CIDR on the node's
 * bridge (scripts/cluster/netns.sh), using the cluster DNS. Requests leave it the way they leave a
 * pod, so they go through kube-proxy's Service rules to the proxy pods. Runs curl in it.
 */
class PodNetworkClient implements AutoCloseable {
  private static final Path NETNS_SCRIPT = Cluster.REPO.resolve("scripts/cluster/netns.sh");

  /**
   * How long {@link #get} retries a connection to the proxy that was refused or not answered:
   * kube-proxy's routing delay.
   */
  static final Duration ROUTING_WAIT = Duration.ofSeconds(45);

  private static final int CURL_CONNECTION_REFUSED = 7;

  private static final int CURL_TIMEOUT = 28;

  /** How long one attempt waits for the TCP connection to the proxy. */
  private static final int CONNECT_TIMEOUT_SECONDS = 5;

  final String name;
  final String netns;
  final String address;

  /** The request streams started here, ended by {@link #close} if a test did not end them. */
  private final List<Process> streams = new java.util.concurrent.CopyOnWriteArrayList<>();

  private PodNetworkClient(String name, String netns, String address) {
    this.name = name;
    this.netns = netns;
    this.address = address;
  }

  /** Creates the namespace {@code cephalo-<name>} at 10.244.0.{@code octet} (200..254). */
  static PodNetworkClient create(String name, int octet) {
    String netns =
        Cmd.run(
                Duration.ofSeconds(30),
                NETNS_SCRIPT.toString(),
                "add",
                name,
                Integer.toString(octet))
            .orThrow()
            .out()
            .trim();
    return new PodNetworkClient(name, netns, "10.244.0." + octet);
  }

  /**
   * A client outside the cluster: a network namespace {@code cephalo-<name>} joined to the node by
   * a veth pair of its own (not the pod bridge), the node's side at {@code nodeAddress}/30 and the
   * client at {@code address}/30 with the node as its default route. It reaches NodePorts at {@code
   * nodeAddress} as a machine on the node's network would.
   */
  static PodNetworkClient outside(String name, String address, String nodeAddress) {
    String netns = "cephalo-" + name;
    String hostIf = "cephx" + Integer.toHexString(name.hashCode() & 0xfffff);
    String script =
        String.join(
            " && ",
            "ip netns delete "
                + netns
                + " 2>/dev/null; ip link delete "
                + hostIf
                + " 2>/dev/null;"
                + " ip netns add "
                + netns,
            "ip link add " + hostIf + " type veth peer name eth0 netns " + netns,
            "ip addr add " + nodeAddress + "/30 dev " + hostIf,
            "ip link set " + hostIf + " up",
            "ip -n " + netns + " addr add " + address + "/30 dev eth0",
            "ip -n " + netns + " link set lo up",
            "ip -n " + netns + " link set eth0 up",
            "ip -n " + netns + " route add default via " + nodeAddress);
    Cmd.run(Duration.ofSeconds(30), "bash", "-c", script).orThrow();
    return new PodNetworkClient(name, netns, address) {
      @Override
      public void close() {
        endStreams();
        Cmd.run(
            Duration.ofSeconds(30),
            "bash",
            "-c",
            "ip netns delete " + netns + "; ip link delete " + hostIf + " 2>/dev/null; true");
      }
    };
  }

  /** The command line that runs {@code command} inside the namespace. */
  List<String> inside(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    full.addAll(command);
    return full;
  }

  Cmd.Result run(Duration timeout, List<String> command) {
    return Cmd.run(timeout, inside(command));
  }

  /**
   * One request through an HTTP proxy ({@code host:port}); returns the status code and body.
   *
   * <p>While curl cannot connect to the proxy it retries for up to 45 s: a Service whose pods just
   * became Ready (a new proxy, a restarted container, a rolled-out config) is refused (curl exit 7)
   * until kube-proxy has programmed its endpoints on the node, and a Service that kube-proxy has
   * not programmed at all yet is not answered (its ClusterIP leaves by the default route: curl exit
   * 28 "Failed to connect" after 5 s); Ready waits for neither (a pod started by {@code kubectl
   * run}, as in the docs, takes longer than that to start). Every outcome after a connection, a 403
   * or 503 or a timeout waiting for the answer included, is returned as it is: the tests assert
   * what the proxy answered.
   */
  Response get(String proxy, String url, String... curlArgs) {
    return whileNotConnected(() -> getOnce(proxy, url, curlArgs), Response::notConnected);
  }

  /**
   * Whether curl (exit code, stderr) never connected to the proxy: refused, or no answer to its
   * connection attempt within --connect-timeout ("Failed to connect"), or within --max-time when
   * there is no --connect-timeout ("Connection timed out").
   */
  static boolean notConnected(int curlExit, String curlErrors) {
    return curlExit == CURL_CONNECTION_REFUSED
        || (curlExit == CURL_TIMEOUT
            && (curlErrors.contains("Failed to connect")
                || curlErrors.contains("Connection timed out")));
  }

  /**
   * Runs a curl {@code attempt} again every 0.5 s while {@code notConnected} holds for it, for up
   * to {@link #ROUTING_WAIT}; returns the last attempt.
   */
  static <T> T whileNotConnected(
      java.util.function.Supplier<T> attempt, java.util.function.Predicate<T> notConnected) {
    long deadline = System.nanoTime() + ROUTING_WAIT.toNanos();
    T r = attempt.get();
    while (notConnected.test(r) && System.nanoTime() < deadline) {
      Cluster.sleep(Duration.ofMillis(500));
      r = attempt.get();
    }
    return r;
  }

  private Response getOnce(String proxy, String url, String... curlArgs) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "--connect-timeout",
                String.valueOf(CONNECT_TIMEOUT_SECONDS),
                "--max-time",
                "20",
                "-x",
                "http://" + proxy,
                "-w",
                "\n%{http_code}"));
    command.addAll(List.of(curlArgs));
    command.add(url);
    Cmd.Result r = run(Duration.ofSeconds(30), command);
    String out = r.out();
    int cut = out.lastIndexOf('\n');
    int code = Integer.parseInt(out.substring(cut + 1).trim());
    return new Response(code, out.substring(0, Math.max(cut, 0)), r.err(), r.exit());
  }

  record Response(int status, String body, String curlErrors, int curlExit) {
    /** Whether curl never connected to the proxy (see {@link PodNetworkClient#notConnected}). */
    boolean notConnected() {
      return PodNetworkClient.notConnected(curlExit, curlErrors);
    }
  }

  /**
   * Starts a steady stream of {@code total} requests at {@code perSecond} through {@code proxy},
   * each on its own connection (as many independent clients would), in the background. It first
   * waits until the proxy's Service is routed (one {@link #get}), so that the stream measures what
   * the test does to the proxy, not kube-proxy's delay in routing a Service that just became Ready.
   */
  Load startLoad(String proxy, String url, int perSecond, int total) {
    awaitRouted(proxy, url);
    return stream(proxy, url, perSecond, total);
  }

  /**
   * Starts {@code streams} streams of {@code perStream} requests a second each through {@code
   * proxy} for at most {@code atMost} (after one wait for routing, as {@link #startLoad}), as many
   * independent clients would send them: each request on its own connection, a stream's requests
   * one after another. curl's --rate is a ceiling that never catches up (a request slower than its
   * slot delays the rest of its stream), so one stream falls behind as soon as a request takes
   * longer than 1/rate (a single 50/s stream reached 37/s on the loaded node); many slow streams
   * keep the rate even when some requests take 200 ms. {@link Loads#stop} ends them and measures
   * the rate they reached.
   */
  Loads startLoads(String proxy, String url, int streams, int perStream, Duration atMost) {
    awaitRouted(proxy, url);
    int total = (int) Math.max(1, atMost.toSeconds() * perStream);
    long started = System.nanoTime();
    List<Load> loads = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      loads.add(stream(proxy, url, perStream, total));
    }
    return new Loads(loads, streams * perStream, started);
  }

  private void awaitRouted(String proxy, String url) {
    Response first = get(proxy, url);
    if (first.notConnected()) {
      throw new AssertionError(
          "the proxy "
              + proxy
              + " still did not accept connections "
              + ROUTING_WAIT.toSeconds()
              + " s after it was Ready: "
              + first);
    }
  }

  private Load stream(String proxy, String url, int perSecond, int total) {
    try {
      Path out = Files.createTempFile("e2e-load", ".txt");
      List<String> command =
          inside(
              List.of(
                  "curl",
                  "-s",
                  "-o",
                  "/dev/null",
                  "--max-time",
                  "10",
                  "-x",
                  "http://" + proxy,
                  "--rate",
                  perSecond + "/s",
                  "-H",
                  "Connection: close",
                  // one line per request on stderr, which is unbuffered: stdout to a file is
                  // flushed only every 4 KiB, so a stream ended by stop() lost its last ~270 lines
                  // (all of them for a stream that had not written 4 KiB yet)
                  "-w",
                  "%{stderr}%{http_code} %{time_total} %{errormsg}\n",
                  url + "?n=[1-" + total + "]"));
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectErrorStream(false)
              .redirectError(out.toFile())
              .start();
      streams.add(p);
      return new Load(p, out, total);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start curl in " + netns, e);
    }
  }

  /** A running request stream; {@link #finish} waits for it and counts the outcomes. */
  record Load(Process process, Path output, int total) {
    Outcome finish(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(
              "the request stream did not finish within " + timeout.toSeconds() + " s");
        }
        return count();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /**
     * Ends a stream that is still running (fails if it ended by itself: it then did not cover what
     * it was meant to) and counts the requests that completed; the one in flight is not counted.
     */
    Outcome stop() {
      end();
      return collect();
    }

    /** Ends the stream (see {@link #stop}) without waiting for it. */
    void end() {
      if (!process.isAlive()) {
        throw new AssertionError(
            "the request stream ended before it was stopped (exit "
                + process.exitValue()
                + "): it did not cover the whole operation; give it more requests");
      }
      process.destroy();
    }

    /** Waits for an ended stream and counts its requests. */
    Outcome collect() {
      try {
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return count();
    }

    private Outcome count() {
      try {
        String text = Files.readString(output);
        Files.deleteIfExists(output);
        // (a line cut off by stop() has no newline yet)
        List<String> lines = text.lines().toList();
        if (!text.isEmpty() && !text.endsWith("\n")) {
          lines = lines.subList(0, lines.size() - 1);
        }
        int ok = 0;
        double slowest = 0;
        List<String> failures = new ArrayList<>();
        for (String line : lines) {
          if (line.startsWith("200 ")) {
            ok++;
          } else {
            failures.add(line);
          }
          String[] fields = line.split(" ", 3);
          if (fields.length > 1) {
            slowest = Math.max(slowest, Double.parseDouble(fields[1]));
          }
        }
        return new Outcome(lines.size(), ok, failures, slowest);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Streams started together by {@link #startLoads}, offering up to {@code ceilingPerSecond}. */
  record Loads(List<Load> streams, int ceilingPerSecond, long startedNanos) {
    /**
     * Ends every stream (fails if one ended by itself, see {@link Load#stop}) and returns what they
     * saw together and the rate they reached: requests completed over the seconds from their start
     * to this call (each stream's request in flight is not counted).
     */
    Result stop() {
      long ended = System.nanoTime();
      List<String> endedEarly = new ArrayList<>();
      for (Load stream : streams) {
        try {
          stream.end();
        } catch (AssertionError e) {
          endedEarly.add(e.getMessage());
        }
      }
      Outcome all = Outcome.of(streams.stream().map(Load::collect).toList());
      if (!endedEarly.isEmpty()) {
        throw new AssertionError(
            endedEarly.size() + " of " + streams.size() + " streams: " + endedEarly.get(0));
      }
      return new Result(all, ceilingPerSecond, (ended - startedNanos) / 1e9);
    }

    /** What {@link Loads#stop} measured. */
    record Result(Outcome outcome, int ceilingPerSecond, double seconds) {
      double perSecond() {
        return Math.round(outcome.requests() / seconds * 10) / 10.0;
      }

      @Override
      public String toString() {
        return outcome.requests()
            + " requests in "
            + Math.round(seconds * 10) / 10.0
            + " s ("
            + perSecond()
            + "/s, at most "
            + ceilingPerSecond
            + "/s offered), "
            + outcome.failures().size()
            + " failed "
            + outcome.failures().stream().limit(5).toList()
            + ", slowest "
            + outcome.slowestSeconds()
            + " s";
      }
    }
  }

  /**
   * What a stream saw: requests completed, how many were answered 200, the other outcomes' lines
   * ({@code status time_total curl-error}), and the longest a request took (seconds): since a
   * stream sends one request after another, also the longest the proxy kept that client waiting.
   */
  record Outcome(int requests, int ok, List<String> failures, double slowestSeconds) {
    /** The outcomes of several streams as one. */
    static Outcome of(List<Outcome> outcomes) {
      List<String> failures = new ArrayList<>();
      outcomes.forEach(o -> failures.addAll(o.failures()));
      return new Outcome(
          outcomes.stream().mapToInt(Outcome::requests).sum(),
          outcomes.stream().mapToInt(Outcome::ok).sum(),
          failures,
          outcomes.stream().mapToDouble(Outcome::slowestSeconds).max().orElse(0));
    }
  }

  @Override
  public void close() {
    endStreams();
    Cmd.run(Duration.ofSeconds(30), NETNS_SCRIPT.toString(), "del", name);
  }

  void endStreams() {
    streams.forEach(Process::destroy);
    streams.clear();
  }
}
