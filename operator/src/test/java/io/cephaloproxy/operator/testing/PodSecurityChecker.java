package io.cephaloproxy.operator.testing;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a pod spec against every rule of the Pod Security Standards "restricted" profile (which
 * includes "baseline"), as of Kubernetes 1.30+, and OpenShift's restricted-v2 SCC. Returns one line
 * per violation; an empty list means the pod is admitted by both.
 */
public final class PodSecurityChecker {
  /** Restricted: the only volume types allowed. Same list in restricted-v2. */
  static final Set<String> RESTRICTED_VOLUME_TYPES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");

  /** Baseline: the safe sysctls. */
  static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes");

  static final Set<String> SELINUX_TYPES =
      Set.of("container_t", "container_init_t", "container_kvm_t", "container_engine_t");

  private PodSecurityChecker() {}

  public static List<String> violations(PodSpec spec, Map<String, String> podAnnotations) {
    List<String> v = new ArrayList<>();
    PodSecurityContext psc = spec.getSecurityContext();
    // --- baseline ---
    if (Boolean.TRUE.equals(spec.getHostNetwork())) v.add("baseline: hostNetwork");
    if (Boolean.TRUE.equals(spec.getHostPID())) v.add("baseline: hostPID");
    if (Boolean.TRUE.equals(spec.getHostIPC())) v.add("baseline: hostIPC");
    if (psc != null
        && psc.getWindowsOptions() != null
        && Boolean.TRUE.equals(psc.getWindowsOptions().getHostProcess())) {
      v.add("baseline: windows hostProcess");
    }
    for (Volume vol : nz(spec.getVolumes())) {
      if (vol.getHostPath() != null) v.add("baseline: hostPath volume " + vol.getName());
      String type = volumeType(vol);
      if (!RESTRICTED_VOLUME_TYPES.contains(type))
        v.add("restricted: volume " + vol.getName() + " of type " + type);
    }
    if (psc != null) {
      for (Sysctl s : nz(psc.getSysctls())) {
        if (!SAFE_SYSCTLS.contains(s.getName())) v.add("baseline: unsafe sysctl " + s.getName());
      }
      checkSeLinux("pod", psc.getSeLinuxOptions(), v);
      checkSeccompBaseline("pod", psc.getSeccompProfile(), v);
      if (psc.getAppArmorProfile() != null
          && !Set.of("RuntimeDefault", "Localhost").contains(psc.getAppArmorProfile().getType())) {
        v.add("baseline: pod appArmorProfile " + psc.getAppArmorProfile().getType());
      }
    }
    if (podAnnotations != null) {
      podAnnotations.forEach(
          (k, val) -> {
            if (k.startsWith("container.apparmor.security.beta.kubernetes.io/")
                && !(val.equals("runtime/default") || val.startsWith("localhost/"))) {
              v.add("baseline: AppArmor annotation " + k + "=" + val);
            }
          });
    }
    boolean podNonRoot = psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
    boolean podSeccomp =
        psc != null
            && psc.getSeccompProfile() != null
            && Set.of("RuntimeDefault", "Localhost").contains(psc.getSeccompProfile().getType());
    if (psc != null && psc.getRunAsUser() != null && psc.getRunAsUser() == 0)
      v.add("restricted: pod runAsUser 0");
    // --- restricted-v2 (pod level) ---
    if (psc != null && psc.getRunAsUser() != null)
      v.add("restricted-v2: fixed pod runAsUser " + psc.getRunAsUser() + " (MustRunAsRange)");
    if (psc != null && psc.getFsGroup() != null)
      v.add("restricted-v2: fixed fsGroup " + psc.getFsGroup() + " (MustRunAs)");
    if (psc != null && psc.getSeLinuxOptions() != null)
      v.add("restricted-v2: custom pod seLinuxOptions (MustRunAs)");

    List<Container> all = new ArrayList<>(nz(spec.getInitContainers()));
    all.addAll(nz(spec.getContainers()));
    if (spec.getEphemeralContainers() != null && !spec.getEphemeralContainers().isEmpty()) {
      v.add("checker: ephemeral containers are not expected in a template");
    }
    for (Container c : all) {
      String n = "container " + c.getName() + ": ";
      SecurityContext sc = c.getSecurityContext();
      for (ContainerPort p : nz(c.getPorts())) {
        if (p.getHostPort() != null && p.getHostPort() != 0)
          v.add("baseline: " + n + "hostPort " + p.getHostPort());
      }
      if (sc == null) {
        v.add("restricted: " + n + "no securityContext (allowPrivilegeEscalation, capabilities)");
        if (!podNonRoot) v.add("restricted: " + n + "runAsNonRoot not set");
        if (!podSeccomp) v.add("restricted: " + n + "seccompProfile not set");
        continue;
      }
      if (Boolean.TRUE.equals(sc.getPrivileged())) v.add("baseline: " + n + "privileged");
      if (sc.getProcMount() != null && !"Default".equals(sc.getProcMount()))
        v.add("baseline: " + n + "procMount " + sc.getProcMount());
      if (sc.getWindowsOptions() != null
          && Boolean.TRUE.equals(sc.getWindowsOptions().getHostProcess()))
        v.add("baseline: " + n + "hostProcess");
      checkSeLinux(n, sc.getSeLinuxOptions(), v);
      checkSeccompBaseline(n, sc.getSeccompProfile(), v);
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation()))
        v.add("restricted: " + n + "allowPrivilegeEscalation must be false");
      boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : podNonRoot;
      if (!nonRoot) v.add("restricted: " + n + "runAsNonRoot must be true");
      if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0)
        v.add("restricted: " + n + "runAsUser 0");
      SeccompProfile sp = sc.getSeccompProfile();
      boolean seccomp =
          sp != null ? Set.of("RuntimeDefault", "Localhost").contains(sp.getType()) : podSeccomp;
      if (!seccomp)
        v.add("restricted: " + n + "seccompProfile must be RuntimeDefault or Localhost");
      Capabilities caps = sc.getCapabilities();
      if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL"))
        v.add("restricted: " + n + "capabilities must drop ALL");
      if (caps != null) {
        for (String add : nz(caps.getAdd())) {
          if (!"NET_BIND_SERVICE".equals(add)) v.add("restricted: " + n + "adds capability " + add);
        }
      }
      // restricted-v2
      if (sc.getRunAsUser() != null)
        v.add("restricted-v2: " + n + "fixed runAsUser " + sc.getRunAsUser());
      if (sc.getSeLinuxOptions() != null) v.add("restricted-v2: " + n + "custom seLinuxOptions");
      // project rule (docs/architecture.md): read-only root filesystem
      if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()))
        v.add("cephaloproxy: " + n + "readOnlyRootFilesystem must be true");
    }
    return v;
  }

  private static void checkSeLinux(
      String where, io.fabric8.kubernetes.api.model.SELinuxOptions o, List<String> v) {
    if (o == null) return;
    if (o.getType() != null && !SELINUX_TYPES.contains(o.getType()))
      v.add("baseline: " + where + " SELinux type " + o.getType());
    if (o.getUser() != null) v.add("baseline: " + where + " SELinux user");
    if (o.getRole() != null) v.add("baseline: " + where + " SELinux role");
  }

  private static void checkSeccompBaseline(String where, SeccompProfile p, List<String> v) {
    if (p != null && "Unconfined".equals(p.getType()))
      v.add("baseline: " + where + " seccomp Unconfined");
  }

  static String volumeType(Volume vol) {
    if (vol.getConfigMap() != null) return "configMap";
    if (vol.getSecret() != null) return "secret";
    if (vol.getEmptyDir() != null) return "emptyDir";
    if (vol.getPersistentVolumeClaim() != null) return "persistentVolumeClaim";
    if (vol.getProjected() != null) return "projected";
    if (vol.getDownwardAPI() != null) return "downwardAPI";
    if (vol.getCsi() != null) return "csi";
    if (vol.getEphemeral() != null) return "ephemeral";
    if (vol.getHostPath() != null) return "hostPath";
    return "other";
  }

  private static <T> List<T> nz(List<T> l) {
    return l == null ? List.of() : l;
  }
}
