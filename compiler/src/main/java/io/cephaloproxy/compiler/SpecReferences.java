package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.AuthMode;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The one walk over a spec's references to ConfigMap and Secret keys that the proxy uses. The
 * operator reads and watches these objects ({@code WatchedObjects}), {@link SpecValidator} checks
 * that they exist and what they hold, and the rollout hash covers their data. A reference the
 * output does not use (an htpasswd Secret without Basic auth, a CA Secret while ssl-bump is off) is
 * not walked; one without a name neither (the validator reports that field).
 */
public final class SpecReferences {
  /** The kind of a referenced object; {@link #name()} is its Kubernetes kind. */
  public enum Kind {
    ConfigMap,
    Secret
  }

  /** What a referenced key holds, for the validator's content check. */
  public enum Content {
    /** a complete squid.conf (squidConfFrom) */
    SQUID_CONF,
    /** a domain list, one per line (allowedDomainsFrom, deniedDomainsFrom) */
    DOMAIN_LIST,
    /** PEM CA certificates (trustedCA.configMap) */
    PEM_CERTIFICATES,
    /** Secret data: checked only for presence */
    SECRET_DATA
  }

  /**
   * One referenced object and the keys of it the proxy reads.
   *
   * @param field the spec field, e.g. {@code spec.sslBump.caSecret}
   * @param kind ConfigMap or Secret
   * @param name the object's name (same namespace as the SquidProxy)
   * @param keys the data keys read, in the field's order (a null key is left out)
   * @param content what the keys hold
   */
  public record KeyReference(
      String field, Kind kind, String name, List<String> keys, Content content) {}

  private SpecReferences() {}

  /** Every key reference the proxy uses, in spec order. */
  public static List<KeyReference> of(SquidProxySpec spec) {
    List<KeyReference> out = new ArrayList<>();
    if (spec == null) {
      return out;
    }
    var conf = spec.getSquidConfFrom();
    if (conf != null) {
      add(
          out,
          "spec.squidConfFrom",
          Kind.ConfigMap,
          conf.getName(),
          Content.SQUID_CONF,
          conf.getKey());
    }
    var access = spec.getAccess();
    if (access != null && access.getAllowedDomainsFrom() != null) {
      add(
          out,
          "spec.access.allowedDomainsFrom",
          Kind.ConfigMap,
          access.getAllowedDomainsFrom().getName(),
          Content.DOMAIN_LIST,
          access.getAllowedDomainsFrom().getKey());
    }
    if (access != null && access.getDeniedDomainsFrom() != null) {
      add(
          out,
          "spec.access.deniedDomainsFrom",
          Kind.ConfigMap,
          access.getDeniedDomainsFrom().getName(),
          Content.DOMAIN_LIST,
          access.getDeniedDomainsFrom().getKey());
    }
    var bump = spec.getSslBump();
    if (bump != null && Boolean.TRUE.equals(bump.getEnabled()) && bump.getCaSecret() != null) {
      add(
          out,
          "spec.sslBump.caSecret",
          Kind.Secret,
          bump.getCaSecret().getName(),
          Content.SECRET_DATA,
          bump.getCaSecret().getCertificateKey(),
          bump.getCaSecret().getPrivateKeyKey());
    }
    var auth = spec.getAuth();
    if (auth != null && auth.getMode() == AuthMode.Basic && auth.getHtpasswdSecret() != null) {
      add(
          out,
          "spec.auth.htpasswdSecret",
          Kind.Secret,
          auth.getHtpasswdSecret().getName(),
          Content.SECRET_DATA,
          auth.getHtpasswdSecret().getKey());
    }
    var upstream = spec.getUpstream();
    if (upstream != null && upstream.getCredentialsSecret() != null) {
      add(
          out,
          "spec.upstream.credentialsSecret",
          Kind.Secret,
          upstream.getCredentialsSecret().getName(),
          Content.SECRET_DATA,
          upstream.getCredentialsSecret().getUsernameKey(),
          upstream.getCredentialsSecret().getPasswordKey());
    }
    var trusted = spec.getTrustedCA();
    if (trusted != null && trusted.getConfigMap() != null) {
      add(
          out,
          "spec.trustedCA.configMap",
          Kind.ConfigMap,
          trusted.getConfigMap().getName(),
          Content.PEM_CERTIFICATES,
          trusted.getConfigMap().getKey());
    }
    if (trusted != null && trusted.getSecret() != null) {
      add(
          out,
          "spec.trustedCA.secret",
          Kind.Secret,
          trusted.getSecret().getName(),
          Content.SECRET_DATA,
          trusted.getSecret().getKey());
    }
    return out;
  }

  private static void add(
      List<KeyReference> out,
      String field,
      Kind kind,
      String name,
      Content content,
      String... keys) {
    if (name != null) {
      out.add(
          new KeyReference(
              field, kind, name, Arrays.stream(keys).filter(Objects::nonNull).toList(), content));
    }
  }
}
