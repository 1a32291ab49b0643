package io.cephaloproxy.operator.reconciler;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a failed reconcile into one line for a condition or an Event: which object, which field,
 * what the API server said and what to change in the SquidProxy. Never a Java class name or a stack
 * frame.
 */
public final class ApiErrors {
  /** The longest line written (an Event's message is cut at 1 KiB as well). */
  static final int MAX = 1000;

  /**
   * Where a field of the objects the operator applies comes from in the SquidProxy spec, longest
   * prefix first.
   */
  private static final Map<String, String> SPEC_FIELDS = specFields();

  private ApiErrors() {}

  private static Map<String, String> specFields() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    String pod = "spec.template.spec.";
    m.put(pod + "containers[0].resources", "spec.resources");
    m.put(pod + "containers[0].image", "spec.image");
    m.put(pod + "containers[0].imagePullPolicy", "spec.imagePullPolicy");
    m.put(pod + "initContainers[0].resources", "spec.resources");
    m.put(pod + "initContainers[0].image", "spec.image");
    m.put(pod + "tolerations", "spec.tolerations");
    m.put(pod + "affinity", "spec.affinity");
    m.put(pod + "nodeSelector", "spec.nodeSelector");
    m.put(pod + "topologySpreadConstraints", "spec.topologySpreadConstraints");
    m.put(pod + "priorityClassName", "spec.priorityClassName");
    m.put(pod + "imagePullSecrets", "spec.imagePullSecrets");
    m.put(pod + "securityContext", "spec.securityContext");
    m.put(pod + "terminationGracePeriodSeconds", "spec.terminationGracePeriodSeconds");
    m.put("spec.template.metadata.labels", "spec.podLabels");
    m.put("spec.template.metadata.annotations", "spec.podAnnotations");
    m.put("spec.replicas", "spec.replicas");
    m.put("spec.minReplicas", "spec.autoscaling.minReplicas");
    m.put("spec.maxReplicas", "spec.autoscaling.maxReplicas");
    m.put("spec.metrics", "spec.autoscaling.targetCPUUtilizationPercentage");
    m.put("spec.maxUnavailable", "spec.podDisruptionBudget.maxUnavailable");
    m.put("spec.type", "spec.service.type");
    m.put("spec.resources", "spec.cache");
    m.put("spec.storageClassName", "spec.cache.storageClassName");
    m.put("metadata.annotations", "spec.service.annotations");
    m.put("spec.ingress", "spec.access.allowedClientCIDRs");
    m.put("spec.egress", "spec.access");
    return m;
  }

  /** The API server's refusal inside a failed reconcile, if that is what it was. */
  public static Optional<KubernetesClientException> apiError(Throwable e) {
    for (Throwable t : causes(e)) {
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /**
   * True when the API server refused an object as invalid (400/422), or an admission check or quota
   * refused it (403 from a webhook, a ValidatingAdmissionPolicy or a ResourceQuota): retrying will
   * not help until someone changes the spec or the cluster.
   */
  public static boolean rejected(Throwable e) {
    return apiError(e)
        .map(
            k ->
                k.getCode() == 422
                    || k.getCode() == 400
                    || (k.getCode() == 403 && admissionAdvice(everything(k)).isPresent()))
        .orElse(false);
  }

  /** One bounded line for any failure of a reconcile. */
  public static String oneLine(Throwable e) {
    Optional<KubernetesClientException> api = apiError(e);
    String line;
    if (api.isPresent()) {
      line = describe(api.get());
    } else {
      // not from the API server: the innermost message, without class names
      Throwable root = e;
      for (Throwable t : causes(e)) {
        if (t.getMessage() != null && !t.getMessage().isBlank()) {
          root = t;
        }
      }
      String msg = root.getMessage() == null ? "" : root.getMessage();
      line = msg.isBlank() ? "unexpected error (" + root.getClass().getSimpleName() + ")" : msg;
    }
    return bounded(line);
  }

  static String describe(KubernetesClientException k) {
    Status s = k.getStatus();
    StatusDetails d = s == null ? null : s.getDetails();
    String object = object(d);
    String said = said(s, k);
    StringBuilder sb = new StringBuilder();
    int code = k.getCode();
    if (code == 422 || code == 400) {
      sb.append("the API server refused ").append(object).append(": ").append(said);
      Set<String> change = new LinkedHashSet<>();
      if (d != null && d.getCauses() != null) {
        for (StatusCause c : d.getCauses()) {
          specField(c.getField()).ifPresent(change::add);
        }
      }
      sb.append(" (HTTP ").append(code).append("); ");
      Optional<String> admission = admissionAdvice(everything(k));
      sb.append(
          !change.isEmpty()
              ? "change " + String.join(", ", change) + " in the SquidProxy"
              : admission.orElse(
                  "change the SquidProxy field that sets what the API server names"
                      + " (docs/troubleshooting.md, DependentRejected)"));
    } else if (code == 403 && admissionAdvice(everything(k)).isPresent()) {
      sb.append("the API server refused ")
          .append(object)
          .append(": ")
          .append(said)
          .append(" (HTTP 403); ")
          .append(admissionAdvice(everything(k)).orElseThrow());
    } else if (code == 403) {
      sb.append("the operator may not write ")
          .append(object)
          .append(": ")
          .append(said)
          .append(
              " (HTTP 403); grant the operator's ServiceAccount that permission (the chart's RBAC)");
    } else if (code == 409) {
      sb.append("conflict writing ")
          .append(object)
          .append(": ")
          .append(said)
          .append(" (HTTP 409); retrying");
    } else {
      java.util.regex.Matcher unanswered = UNANSWERED_WEBHOOK.matcher(said);
      sb.append("the API server answered HTTP ")
          .append(code)
          .append(" for ")
          .append(object)
          .append(": ")
          .append(said)
          .append(
              unanswered.find()
                  ? "; the cluster's admission webhook "
                      + unanswered.group(1)
                      + " does not answer: its service must run, or the cluster's administrators"
                      + " must fix or remove it (kubectl get"
                      + " validatingwebhookconfigurations,mutatingwebhookconfigurations); retrying"
                  : "; retrying");
    }
    return sb.toString();
  }

  private static final java.util.regex.Pattern POLICY =
      java.util.regex.Pattern.compile(
          "ValidatingAdmissionPolicy '([^']+)'(?: with binding '([^']+)')? denied request");
  private static final java.util.regex.Pattern UNANSWERED_WEBHOOK =
      java.util.regex.Pattern.compile("failed calling webhook \"([^\"]+)\"");
  private static final java.util.regex.Pattern WEBHOOK =
      java.util.regex.Pattern.compile("admission webhook \"([^\"]+)\" denied the request");

  /**
   * What to do when an admission check or a quota of the cluster, not the object's schema, refused
   * it: which policy, webhook or quota, how to read it, and that either the SquidProxy or the
   * cluster's rule has to change.
   */
  static Optional<String> admissionAdvice(String said) {
    java.util.regex.Matcher m = POLICY.matcher(said);
    if (m.find()) {
      return Optional.of(
          "the cluster's ValidatingAdmissionPolicy "
              + m.group(1)
              + (m.group(2) == null || m.group(2).equals(m.group(1))
                  ? ""
                  : " (binding " + m.group(2) + ")")
              + " forbids it: change the SquidProxy so that the object passes the policy's rule"
              + " (kubectl get validatingadmissionpolicy "
              + m.group(1)
              + " -o yaml), or ask the cluster's administrators to exempt it");
    }
    m = WEBHOOK.matcher(said);
    if (m.find()) {
      return Optional.of(
          "the cluster's admission webhook "
              + m.group(1)
              + " forbids it: change what its message names in the SquidProxy, or ask the"
              + " cluster's administrators about that webhook (kubectl get"
              + " validatingwebhookconfigurations,mutatingwebhookconfigurations)");
    }
    if (said.contains("exceeded quota")) {
      return Optional.of(
          "the namespace's ResourceQuota has no room for it: raise the quota (kubectl describe"
              + " resourcequota), or lower spec.replicas, spec.resources or spec.cache in the"
              + " SquidProxy");
    }
    return Optional.empty();
  }

  /** The causes and the Status message together: admission refusals are named in either. */
  private static String everything(KubernetesClientException k) {
    Status s = k.getStatus();
    return said(s, k) + " " + (s == null || s.getMessage() == null ? "" : s.getMessage());
  }

  private static String object(StatusDetails d) {
    if (d == null || d.getName() == null) {
      return "an object";
    }
    String kind = d.getKind() == null ? "object" : capitalize(d.getKind());
    return kind + " \"" + d.getName() + "\"";
  }

  private static String capitalize(String kind) {
    // the API server names the resource ("deployments"), not the kind, in some answers
    String k =
        kind.endsWith("s") && Character.isLowerCase(kind.charAt(0))
            ? kind.substring(0, kind.length() - 1)
            : kind;
    return Character.toUpperCase(k.charAt(0)) + k.substring(1);
  }

  private static String said(Status s, KubernetesClientException k) {
    List<String> parts = new ArrayList<>();
    if (s != null && s.getDetails() != null && s.getDetails().getCauses() != null) {
      for (StatusCause c : s.getDetails().getCauses()) {
        String m = c.getMessage() == null ? "" : c.getMessage();
        parts.add(c.getField() == null || c.getField().isBlank() ? m : c.getField() + ": " + m);
      }
    }
    if (parts.isEmpty()) {
      String m = s != null && s.getMessage() != null ? s.getMessage() : k.getMessage();
      parts.add(m == null ? "no message" : m);
    }
    return String.join("; ", parts);
  }

  /** The SquidProxy field an applied object's field comes from, with its index kept. */
  static Optional<String> specField(String field) {
    if (field == null) {
      return Optional.empty();
    }
    for (Map.Entry<String, String> e : SPEC_FIELDS.entrySet()) {
      if (field.startsWith(e.getKey())) {
        String rest = field.substring(e.getKey().length());
        // keep a list index ("tolerations[0]"), drop the rest of the path
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\[\\d+\\]").matcher(rest);
        return Optional.of(e.getValue() + (m.find() ? m.group() : ""));
      }
    }
    return Optional.empty();
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
    todo.add(e);
    while (!todo.isEmpty() && out.size() < 32) {
      Throwable t = todo.poll();
      if (t == null || out.contains(t)) {
        continue;
      }
      out.add(t);
      if (t instanceof AggregatedOperatorException a && a.getAggregatedExceptions() != null) {
        todo.addAll(a.getAggregatedExceptions().values());
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
    }
    return out;
  }

  /** One line (newlines and tabs folded), at most {@link #MAX} characters. */
  static String bounded(String s) {
    String one = s.replaceAll("\\s*[\\r\\n]+\\s*", " ").replace('\t', ' ').strip();
    return one.length() > MAX ? one.substring(0, MAX - 3) + "..." : one;
  }
}
