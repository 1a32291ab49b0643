package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.AuthMode;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every Secret/ConfigMap a spec refers to, with the file names the pod contract fixes. */
public final class References {
  public static final String TLS_DIR = ProxyModel.CONFIG_DIR + "/tls";
  public static final String AUTH_DIR = ProxyModel.CONFIG_DIR + "/auth";
  public static final String UPSTREAM_DIR = ProxyModel.CONFIG_DIR + "/upstream";
  public static final String TRUSTED_CA_DIR = ProxyModel.CONFIG_DIR + "/trusted-ca";

  private References() {}

  public static List<Reference> of(SquidProxySpec spec) {
    List<Reference> out = new ArrayList<>();
    var bump = spec.getSslBump();
    if (bump != null && Boolean.TRUE.equals(bump.getEnabled()) && bump.getCaSecret() != null) {
      var ca = bump.getCaSecret();
      Map<String, String> items = new LinkedHashMap<>();
      items.put(ca.getCertificateKey(), "tls.crt");
      items.put(ca.getPrivateKeyKey(), "tls.key");
      out.add(new Reference("Secret", ca.getName(), "spec.sslBump.caSecret", items, TLS_DIR));
    }
    var auth = spec.getAuth();
    if (auth != null && auth.getMode() == AuthMode.Basic && auth.getHtpasswdSecret() != null) {
      var h = auth.getHtpasswdSecret();
      out.add(new Reference("Secret", h.getName(), "spec.auth.htpasswdSecret", Map.of(h.getKey(), "htpasswd"), AUTH_DIR));
    }
    var up = spec.getUpstream();
    if (up != null && up.getCredentialsSecret() != null) {
      var c = up.getCredentialsSecret();
      Map<String, String> items = new LinkedHashMap<>();
      items.put(c.getUsernameKey(), "username");
      items.put(c.getPasswordKey(), "password");
      out.add(new Reference("Secret", c.getName(), "spec.upstream.credentialsSecret", items, UPSTREAM_DIR));
    }
    var trusted = spec.getTrustedCA();
    if (trusted != null) {
      if (trusted.getConfigMap() != null) {
        out.add(new Reference("ConfigMap", trusted.getConfigMap().getName(), "spec.trustedCA.configMap",
            Map.of(trusted.getConfigMap().getKey(), "ca.pem"), TRUSTED_CA_DIR + "/configmap"));
      }
      if (trusted.getSecret() != null) {
        out.add(new Reference("Secret", trusted.getSecret().getName(), "spec.trustedCA.secret",
            Map.of(trusted.getSecret().getKey(), "ca.pem"), TRUSTED_CA_DIR + "/secret"));
      }
    }
    AccessSpec access = spec.getAccess();
    if (access != null) {
      if (access.getAllowedDomainsFrom() != null) {
        out.add(new Reference("ConfigMap", access.getAllowedDomainsFrom().getName(), "spec.access.allowedDomainsFrom", null, null));
      }
      if (access.getDeniedDomainsFrom() != null) {
        out.add(new Reference("ConfigMap", access.getDeniedDomainsFrom().getName(), "spec.access.deniedDomainsFrom", null, null));
      }
    }
    if (spec.getSquidConfFrom() != null) {
      out.add(new Reference("ConfigMap", spec.getSquidConfFrom().getName(), "spec.squidConfFrom", null, null));
    }
    return out;
  }
}
