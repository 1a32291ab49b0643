package io.cephaloproxy.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** The status the aggregator computed, before it is copied into the SquidProxy's status type. */
public record AggregatedStatus(
    List<Condition> conditions,
    long observedGeneration,
    int replicas,
    int readyReplicas,
    String endpoint,
    String configHash) {

  public AggregatedStatus {
    conditions = List.copyOf(conditions);
  }
}
