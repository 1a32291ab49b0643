package io.cephaloproxy.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * IDs for the proxy pod. By default none are set: the pod runs with whatever UID the platform
 * assigns (OpenShift restricted-v2) or the image's non-root user, with GID 0 group permissions.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecurityContextOverride {
  @Min(1)
  @Max(2147483647)
  @JsonPropertyDescription(
      "UID to run Squid as (runAsUser); never 0. Leave out to let the platform choose.")
  private Long runAsUser;

  @Min(0)
  @Max(2147483647)
  @JsonPropertyDescription(
      "Primary GID (runAsGroup). Leave out for the default (0, which owns the writable paths).")
  private Long runAsGroup;

  @Min(0)
  @Max(2147483647)
  @JsonPropertyDescription(
      "fsGroup of the pod, for volumes such as a persistent cache. Leave out for none.")
  private Long fsGroup;

  // --- accessors ---

  public Long getRunAsUser() {
    return runAsUser;
  }

  public void setRunAsUser(Long runAsUser) {
    this.runAsUser = runAsUser;
  }

  public Long getRunAsGroup() {
    return runAsGroup;
  }

  public void setRunAsGroup(Long runAsGroup) {
    this.runAsGroup = runAsGroup;
  }

  public Long getFsGroup() {
    return fsGroup;
  }

  public void setFsGroup(Long fsGroup) {
    this.fsGroup = fsGroup;
  }
}
