package io.cephaloproxy.operator.reconciler;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on the SquidProxy (core/v1, so `kubectl describe` shows them). */
public final class EventRecorder {
  static final String COMPONENT = "cephaloproxy-operator";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private EventRecorder() {}

  public static void emit(
      KubernetesClient client,
      SquidProxy p,
      boolean warning,
      String reason,
      String message,
      Instant now) {
    String ts = now.truncatedTo(ChronoUnit.SECONDS).toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(p.getMetadata().getName() + ".")
            .withNamespace(p.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(p.getApiVersion())
                    .withKind(p.getKind())
                    .withName(p.getMetadata().getName())
                    .withNamespace(p.getMetadata().getNamespace())
                    .withUid(p.getMetadata().getUid())
                    .build())
            .withType(warning ? "Warning" : "Normal")
            .withReason(reason)
            .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
            .withFirstTimestamp(ts)
            .withLastTimestamp(ts)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .build();
    try {
      client.v1().events().inNamespace(p.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // an event is best effort: never fail a reconcile for it
      LOG.warn(
          "could not record event {} on {}/{}: {}",
          reason,
          p.getMetadata().getNamespace(),
          p.getMetadata().getName(),
          e.getMessage());
    }
  }
}
