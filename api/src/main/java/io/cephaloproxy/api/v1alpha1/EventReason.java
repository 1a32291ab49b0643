package io.cephaloproxy.api.v1alpha1;

/**
 * Every Event the operator records on a SquidProxy ({@code kubectl describe squidproxy}): its
 * reason (the constant's name), its type and, for the docs' table, when it is recorded.
 */
public enum EventReason {
  RolloutStarted(
      EventType.Normal,
      "A changed configuration hash is being rolled out (not on creation: RolloutFinished says when"
          + " a new proxy's first configuration is live)."),
  RolloutFinished(EventType.Normal, "Ready became True: the configuration is live."),
  ConfigRejected(
      EventType.Warning,
      "ConfigValid became False (InvalidSpec, InvalidReferencedData, SquidRejectedConfig) or its"
          + " message changed."),
  ReferenceMissing(
      EventType.Warning, "A Secret or ConfigMap the spec names is missing (Degraded=True)."),
  CrashLoop(EventType.Warning, "The Squid container keeps restarting (Degraded=True, CrashLoop)."),
  ImagePullFailed(
      EventType.Warning, "A proxy pod cannot pull its image (Degraded=True, ImagePullFailed)."),
  PodsRejected(
      EventType.Warning,
      "The ReplicaSet, or the config check pod of a new config, cannot create pods: quota,"
          + " admission or Pod Security (Degraded=True, PodsRejected)."),
  DependentRejected(
      EventType.Warning,
      "The API server refused an object the operator applies (Degraded=True, DependentRejected)."),
  RequestsDenied(
      EventType.Normal,
      "The proxy denied requests in the last window (the operator's denialEvents.interval, 5 min"
          + " by default): how many, per rule, and the host denied most. None when nothing was"
          + " denied."),
  RequestsWouldBeDenied(
      EventType.Normal,
      "Audit mode: requests the proxy let through that Enforce would deny, in the last window, per"
          + " rule with the host denied most. None when there were none.");

  /** The Event's {@code type}. */
  public enum EventType {
    Normal,
    Warning
  }

  private final EventType type;
  private final String meaning;

  EventReason(EventType type, String meaning) {
    this.type = type;
    this.meaning = meaning;
  }

  public EventType type() {
    return type;
  }

  /** When it is recorded, for the docs. */
  public String meaning() {
    return meaning;
  }
}
