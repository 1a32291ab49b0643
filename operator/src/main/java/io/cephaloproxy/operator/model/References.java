package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.AuthMode;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every Secret/ConfigMap a spec refers to: what the operator reads for the compiler and watches so
 * that a change re-reconciles the proxies using it. (The compiler decides which keys it needs and
 * reports missing ones.)
 */
public final class References {
  private References() {}

  public static List<Reference> of(SquidProxySpec spec) {
    Set<Reference> out = new LinkedHashSet<>();
    if (spec == null) {
      return List.of();
    }
    var bump = spec.getSslBump();
    if (bump != null && Boolean.TRUE.equals(bump.getEnabled()) && bump.getCaSecret() != null) {
      out.add(new Reference(Reference.SECRET, bump.getCaSecret().getName()));
    }
    var auth = spec.getAuth();
    if (auth != null && auth.getMode() == AuthMode.Basic && auth.getHtpasswdSecret() != null) {
      out.add(new Reference(Reference.SECRET, auth.getHtpasswdSecret().getName()));
    }
    var up = spec.getUpstream();
    if (up != null && up.getCredentialsSecret() != null) {
      out.add(new Reference(Reference.SECRET, up.getCredentialsSecret().getName()));
    }
    var trusted = spec.getTrustedCA();
    if (trusted != null && trusted.getConfigMap() != null) {
      out.add(new Reference(Reference.CONFIG_MAP, trusted.getConfigMap().getName()));
    }
    if (trusted != null && trusted.getSecret() != null) {
      out.add(new Reference(Reference.SECRET, trusted.getSecret().getName()));
    }
    var access = spec.getAccess();
    if (access != null && access.getAllowedDomainsFrom() != null) {
      out.add(new Reference(Reference.CONFIG_MAP, access.getAllowedDomainsFrom().getName()));
    }
    if (access != null && access.getDeniedDomainsFrom() != null) {
      out.add(new Reference(Reference.CONFIG_MAP, access.getDeniedDomainsFrom().getName()));
    }
    if (spec.getSquidConfFrom() != null) {
      out.add(new Reference(Reference.CONFIG_MAP, spec.getSquidConfFrom().getName()));
    }
    out.removeIf(r -> r.name() == null);
    return List.copyOf(out);
  }
}
