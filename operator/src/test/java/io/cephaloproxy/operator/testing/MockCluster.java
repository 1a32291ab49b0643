package io.cephaloproxy.operator.testing;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.runtime.OperatorRuntime;
import io.cephaloproxy.operator.runtime.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A Fabric8 mock API server in CRUD mode (with {@link SsaCapableDispatcher}) and the operator
 * running against it exactly as main wires it, except that dependents do not use server-side apply
 * (the mock keeps no managedFields; see SsaCapableDispatcher).
 */
public final class MockCluster implements AutoCloseable {
  public final SsaCapableDispatcher dispatcher = new SsaCapableDispatcher();
  public final KubernetesMockServer server;
  public final KubernetesClient client;
  private OperatorRuntime operator;
  private KubernetesClient operatorClient;

  public MockCluster() {
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            dispatcher,
            false);
    server.init();
    server.expectCustomResource(
        CustomResourceDefinitionContext.fromCustomResourceType(SquidProxy.class));
    client = server.createClient();
  }

  public OperatorRuntime startOperator() {
    // its own client, configured as main configures it (timeouts, retries)
    operatorClient = OperatorRuntime.client(client.getConfiguration());
    operator =
        new OperatorRuntime(OperatorSettings.fromEnvironment(Map.of()), operatorClient, false);
    operator.start();
    return operator;
  }

  public OperatorRuntime operator() {
    return operator;
  }

  public void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
      operatorClient.close();
    }
  }

  /** Polls until the condition holds; fails with the description after the timeout. */
  public static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not there yet
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what);
      }
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what);
  }

  @Override
  public void close() {
    stopOperator();
    client.close();
    server.destroy();
  }
}
