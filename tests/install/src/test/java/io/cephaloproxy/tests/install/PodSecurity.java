package io.cephaloproxy.tests.install;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The Pod Security Standard "restricted" (v1.26+) rules, checked on a pod spec; returns the
 * violations (empty = admitted). Also the OpenShift restricted-v2 rule that matters to a chart: no
 * fixed runAsUser/fsGroup (the SCC assigns them from the namespace's range).
 */
final class PodSecurity {
  private PodSecurity() {}

  static List<String> restrictedViolations(PodSpec pod) {
    List<String> v = new ArrayList<>();
    PodSecurityContext psc = pod.getSecurityContext();
    if (Boolean.TRUE.equals(pod.getHostNetwork())
        || Boolean.TRUE.equals(pod.getHostPID())
        || Boolean.TRUE.equals(pod.getHostIPC())) {
      v.add("host namespaces");
    }
    for (Volume vol : Objects.requireNonNullElse(pod.getVolumes(), List.<Volume>of())) {
      boolean allowed =
          vol.getEmptyDir() != null
              || vol.getConfigMap() != null
              || vol.getSecret() != null
              || vol.getProjected() != null
              || vol.getDownwardAPI() != null
              || vol.getPersistentVolumeClaim() != null
              || vol.getEphemeral() != null
              || vol.getCsi() != null;
      if (!allowed) {
        v.add("volume " + vol.getName() + " has a restricted type");
      }
    }
    boolean podNonRoot = psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
    String podSeccomp =
        psc != null && psc.getSeccompProfile() != null ? psc.getSeccompProfile().getType() : null;
    if (psc != null && psc.getRunAsUser() != null && psc.getRunAsUser() == 0) {
      v.add("pod runAsUser 0");
    }
    List<Container> all =
        Stream.of(pod.getInitContainers(), pod.getContainers())
            .filter(Objects::nonNull)
            .flatMap(List::stream)
            .toList();
    for (Container c : all) {
      String n = "container " + c.getName() + ": ";
      SecurityContext sc = c.getSecurityContext();
      if (sc == null) {
        v.add(n + "no securityContext");
        continue;
      }
      if (Boolean.TRUE.equals(sc.getPrivileged())) {
        v.add(n + "privileged");
      }
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        v.add(n + "allowPrivilegeEscalation must be false");
      }
      boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : podNonRoot;
      if (!nonRoot) {
        v.add(n + "runAsNonRoot must be true");
      }
      if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0) {
        v.add(n + "runAsUser 0");
      }
      String seccomp =
          sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType() : podSeccomp;
      if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
        v.add(n + "seccompProfile must be RuntimeDefault or Localhost");
      }
      Capabilities caps = sc.getCapabilities();
      if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
        v.add(n + "capabilities must drop ALL");
      }
      if (caps != null
          && caps.getAdd() != null
          && caps.getAdd().stream().anyMatch(a -> !"NET_BIND_SERVICE".equals(a))) {
        v.add(n + "adds capabilities " + caps.getAdd());
      }
      if (c.getPorts() != null && c.getPorts().stream().anyMatch(p -> p.getHostPort() != null)) {
        v.add(n + "hostPort");
      }
    }
    return v;
  }

  /**
   * OpenShift restricted-v2 assigns the UID and fsGroup; a fixed one is rejected outside its range.
   */
  static List<String> openShiftViolations(PodSpec pod) {
    List<String> v = new ArrayList<>();
    PodSecurityContext psc = pod.getSecurityContext();
    if (psc != null && (psc.getRunAsUser() != null || psc.getFsGroup() != null)) {
      v.add("pod sets a fixed runAsUser/fsGroup");
    }
    for (Container c : pod.getContainers()) {
      if (c.getSecurityContext() != null && c.getSecurityContext().getRunAsUser() != null) {
        v.add("container " + c.getName() + " sets a fixed runAsUser");
      }
    }
    return v;
  }
}
