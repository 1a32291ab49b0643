package io.cephaloproxy.tests.apiserver;

import io.cephaloproxy.operator.runtime.HttpEndpoints;
import io.cephaloproxy.operator.runtime.OperatorRuntime;
import io.cephaloproxy.operator.runtime.OperatorSettings;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The operator in the test's JVM, wired by {@link OperatorRuntime} as {@code run} wires it (the
 * operator's client settings, its HTTP endpoints), authenticated with the chart's ServiceAccount
 * token: its internals (the reconciler) are reachable, and a debugger can stop in it.
 */
public final class InProcessOperator implements RunningOperator {
  private final KubernetesClient client;
  private final OperatorRuntime runtime;
  private final HttpEndpoints http;
  private volatile boolean closed;

  private InProcessOperator(KubernetesClient client, OperatorRuntime runtime, HttpEndpoints http) {
    this.client = client;
    this.runtime = runtime;
    this.http = http;
  }

  /** Starts it with this kubeconfig and these settings (the operator's environment variables). */
  public static InProcessOperator start(Path kubeconfig, Map<String, String> env) {
    KubernetesClient client;
    try {
      client = OperatorRuntime.client(Config.fromKubeconfig(Files.readString(kubeconfig)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    OperatorRuntime runtime = new OperatorRuntime(OperatorSettings.fromEnvironment(env), client);
    HttpEndpoints http;
    try {
      http = new HttpEndpoints(0, runtime::live, runtime::ready, runtime::scrape);
    } catch (IOException e) {
      client.close();
      throw new UncheckedIOException(e);
    }
    runtime.start();
    return new InProcessOperator(client, runtime, http);
  }

  public OperatorRuntime runtime() {
    return runtime;
  }

  @Override
  public int httpStatus(String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public String metrics() {
    return runtime.scrape();
  }

  @Override
  public boolean isAlive() {
    return !closed;
  }

  @Override
  public String logTail(int lines) {
    return "(in-process operator: its log is the test's output)";
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      runtime.close();
      http.close();
      client.close();
    }
  }
}
