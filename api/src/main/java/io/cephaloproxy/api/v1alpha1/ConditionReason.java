package io.cephaloproxy.api.v1alpha1;

import java.util.List;

/**
 * Every {@code reason} the operator writes into {@code SquidProxy.status.conditions}: the one list
 * the operator, the docs' reason tables (generated from {@link #meaning()}) and the tests share.
 * The constant's name is the reason as written (CamelCase, like metav1.Condition wants).
 */
public enum ConditionReason {
  // --- configuration: ConfigValid, and what blocks a rollout (see BLOCKING) ---
  Compiled(
      "squid.conf compiled from the spec and every referenced Secret and ConfigMap.",
      "ConfigValid"),
  InvalidSpec(
      "A check the schema cannot express failed (a raw config line, a request above its limit,"
          + " the name): the message names the field and what to change. Nothing is rolled out;"
          + " the pods of the last good configuration keep serving.",
      "ConfigValid",
      "Ready",
      "Degraded"),
  InvalidReferencedData(
      "A referenced ConfigMap or Secret holds content that cannot be used (a domain list with a"
          + " bad line, a custom squid.conf with a forbidden directive, no PEM certificate, an"
          + " object over 1 MiB): the message names the object, the key and the line. Nothing is"
          + " rolled out; the previous pods keep serving.",
      "ConfigValid",
      "Ready",
      "Degraded"),
  MissingReference(
      "A Secret or ConfigMap (or one of its keys) named in the spec does not exist in the"
          + " proxy's namespace: create it or fix the name; the operator notices it and rolls out.",
      "ConfigValid",
      "Ready",
      "Degraded"),
  SquidRejectedConfig(
      "The new pods' init container ran `squid -k parse` and Squid refused the configuration;"
          + " the message is Squid's own (`FATAL: Bungled ... line N`). The pods of the last good"
          + " configuration keep serving.",
      "ConfigValid",
      "Ready",
      "Degraded"),

  // --- rollout: Ready and Progressing ---
  Creating("The Deployment does not exist yet.", "Ready", "Progressing"),
  ConfigChanged(
      "The Deployment does not carry the new configuration hash yet.", "Ready", "Progressing"),
  DeploymentPending(
      "The Deployment controller has not observed the new pod template yet.",
      "Ready",
      "Progressing"),
  RollingOut(
      "New pods are being created or old ones are still running or stopping (`N of M replicas updated`);"
          + " Ready waits until no pod of the previous config is left.",
      "Ready",
      "Progressing"),
  WaitingForAvailability(
      "Every pod runs the current configuration but not all are ready yet.",
      "Ready",
      "Progressing"),
  Available("Every desired pod runs the current configuration and is ready.", "Ready"),
  RolloutComplete("The last rollout finished.", "Progressing"),
  Blocked(
      "The current spec cannot be rolled out: ConfigValid and Degraded say why; running pods keep"
          + " serving.",
      "Progressing"),

  // --- Degraded: what needs someone ---
  AsExpected("No problem detected.", "Degraded"),
  ImagePullFailed(
      "A pod cannot pull its image (`ErrImagePull`, `ImagePullBackOff`, `InvalidImageName`): the"
          + " message quotes the kubelet and says what to change: the repository, tag or digest in"
          + " `spec.image` (unset: the chart's `squidImage`), a pull Secret in"
          + " `spec.imagePullSecrets` when the registry refuses, or the node's way to the"
          + " registry.",
      "Degraded"),
  CrashLoop(
      "The Squid container keeps restarting; the message has the restart count, the last exit"
          + " code and its termination message, and what to do: out of memory, raise"
          + " `spec.resources.limits.memory`; otherwise read the log it names (`kubectl logs ... -c"
          + " run --previous`), often about a line of `spec.extraConfig` that Squid cannot run.",
      "Degraded"),
  PodsRejected(
      "The ReplicaSet cannot create pods, or the API server refused the check pod of a new"
          + " config (ResourceQuota, LimitRange, admission, Pod Security): the message names the"
          + " ReplicaSet or the check pod, quotes the API server, then the field to change"
          + " (`spec.priorityClassName` for a PriorityClass that does not exist; the quota,"
          + " `spec.replicas` or `spec.resources` for an exhausted quota). A refused check pod is"
          + " tried again every 15 s; the running pods keep serving the previous config.",
      "Degraded"),
  ProgressDeadlineExceeded(
      "The Deployment made no progress within its deadline: the message names a pod that"
          + " cannot be scheduled, with the scheduler's words and the fields to change"
          + " (`spec.resources`, `spec.nodeSelector`, `spec.affinity`, `spec.tolerations`), or one"
          + " that is not ready, with the kubectl commands that show why.",
      "Degraded"),
  DependentRejected(
      "The API server refused an object the operator applies (Deployment, Service, ConfigMap,"
          + " ...): the message names the object, the field, what the API server said and what to"
          + " change in the spec; when an admission policy, webhook or ResourceQuota of the"
          + " cluster refused it, which one, how to read it, and that the SquidProxy or that rule"
          + " must change. The operator retries with backoff.",
      "Degraded"),
  ReconcileError(
      "The operator itself failed (API server unreachable, conflict, timeout) and retries;"
          + " transient.",
      "Degraded");

  /**
   * The order in which configuration problems decide Ready, Degraded and ConfigValid when several
   * apply at once: the spec first (nothing else can be judged while it is wrong), then the content
   * of referenced objects, then missing references, then Squid's own verdict (which exists only for
   * a configuration that compiled).
   */
  public static final List<ConditionReason> BLOCKING =
      List.of(InvalidSpec, InvalidReferencedData, MissingReference, SquidRejectedConfig);

  private final String meaning;
  private final List<String> conditions;

  ConditionReason(String meaning, String... conditions) {
    this.meaning = meaning;
    this.conditions = List.of(conditions);
  }

  /** One or two sentences for the docs: what it means and what to do. */
  public String meaning() {
    return meaning;
  }

  /** The condition types that carry this reason. */
  public List<String> conditions() {
    return conditions;
  }

  /** True for the reasons that block a rollout ({@link #BLOCKING}). */
  public boolean blocks() {
    return BLOCKING.contains(this);
  }
}
