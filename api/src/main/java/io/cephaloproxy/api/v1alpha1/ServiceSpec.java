package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import java.util.Map;

/** The Service in front of the proxy pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceSpec {
  @Default("ClusterIP")
  @JsonPropertyDescription(
      "ClusterIP (default), NodePort or LoadBalancer. NodePort and LoadBalancer Services get "
          + "externalTrafficPolicy Local, so Squid sees the client's own address (not a node's, which "
          + "access.allowedClientCIDRs would admit) and nodes without a proxy pod drop the traffic; a "
          + "LoadBalancer also gets loadBalancerSourceRanges = access.allowedClientCIDRs. The Service "
          + "has only the proxy port: the health port (8080) is reached on the pods.")
  private ServiceType type = ServiceType.ClusterIP;

  @Size(max = 64)
  @JsonPropertyDescription("Annotations of the Service (e.g. for an internal load balancer).")
  private Map<String, String> annotations;

  // --- accessors ---

  public ServiceType getType() {
    return type;
  }

  public void setType(ServiceType type) {
    this.type = type;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }
}
