package io.cephaloproxy.operator.status;

import io.cephaloproxy.compiler.ValidationError;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.List;
import java.util.Optional;

/**
 * Everything the status is computed from, gathered by the reconciler: pure data, so every situation
 * is a unit test.
 *
 * @param generation the SquidProxy's metadata.generation
 * @param problems the compiler's validation errors with their reasons (InvalidSpec,
 *     InvalidReferencedData, MissingReference); empty when the spec compiled
 * @param desiredHash the config hash the pod template should carry (absent when not computable)
 * @param desiredReplicas replicas the Deployment should run
 * @param deployment the observed Deployment, if any
 * @param replicaSets the proxy's ReplicaSets
 * @param pods the proxy's Pods
 * @param endpoint {@code <service>.<namespace>.svc:<port>}
 * @param checkRejection Squid's message when the check pod of the desired config generation failed
 *     (the Deployment was not changed)
 * @param checkRefused why the API server refused the desired config's check pod (one line naming
 *     the pod, the API server's words and what to change; the Deployment was not changed)
 */
public record Observation(
    long generation,
    List<ValidationError> problems,
    Optional<String> desiredHash,
    int desiredReplicas,
    Optional<Deployment> deployment,
    List<ReplicaSet> replicaSets,
    List<Pod> pods,
    String endpoint,
    Optional<String> checkRejection,
    Optional<String> checkRefused) {

  public Observation {
    problems = List.copyOf(problems);
    replicaSets = List.copyOf(replicaSets);
    pods = List.copyOf(pods);
  }

  /** Without a failed check. */
  public Observation(
      long generation,
      List<ValidationError> problems,
      Optional<String> desiredHash,
      int desiredReplicas,
      Optional<Deployment> deployment,
      List<ReplicaSet> replicaSets,
      List<Pod> pods,
      String endpoint) {
    this(
        generation,
        problems,
        desiredHash,
        desiredReplicas,
        deployment,
        replicaSets,
        pods,
        endpoint,
        Optional.empty(),
        Optional.empty());
  }
}
