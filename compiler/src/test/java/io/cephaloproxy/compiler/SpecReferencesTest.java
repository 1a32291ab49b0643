package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecReferencesTest {
  @Test
  void walksEveryUsedReferenceWithItsKeysInSpecOrder() {
    var refs =
        SpecReferences.of(
            SpecValidatorTest.spec(
                """
        access: {allowedDomainsFrom: {name: lists, key: a.txt}, deniedDomainsFrom: {name: lists, key: d.txt}}
        sslBump: {enabled: true, caSecret: {name: ca}}
        auth: {mode: Basic, htpasswdSecret: {name: users}}
        upstream: {host: p, credentialsSecret: {name: creds}}
        trustedCA: {configMap: {name: cas, key: ca.pem}}
        """));
    assertThat(refs)
        .extracting(
            r -> r.field() + " " + r.kind() + "/" + r.name() + " " + r.keys() + " " + r.content())
        .containsExactly(
            "spec.access.allowedDomainsFrom ConfigMap/lists [a.txt] DOMAIN_LIST",
            "spec.access.deniedDomainsFrom ConfigMap/lists [d.txt] DOMAIN_LIST",
            "spec.sslBump.caSecret Secret/ca [tls.crt, tls.key] SECRET_DATA",
            "spec.auth.htpasswdSecret Secret/users [htpasswd] SECRET_DATA",
            "spec.upstream.credentialsSecret Secret/creds [username, password] SECRET_DATA",
            "spec.trustedCA.configMap ConfigMap/cas [ca.pem] PEM_CERTIFICATES");
  }

  @Test
  void referencesTheOutputDoesNotUseAreNotWalked() {
    assertThat(
            SpecReferences.of(
                SpecValidatorTest.spec(
                    """
        sslBump: {enabled: false, caSecret: {name: ca}}
        auth: {mode: None, htpasswdSecret: {name: users}}
        """)))
        .isEmpty();
    assertThat(SpecReferences.of(null)).isEmpty();
  }

  @Test
  void theHashCoversTheWalkedKeysOnly() {
    var refs =
        SpecReferences.of(
            SpecValidatorTest.spec("auth: {mode: Basic, htpasswdSecret: {name: users}}"));
    ReferencedData data =
        ReferencedData.builder()
            .secretStrings("users", Map.of("htpasswd", "a:x", "other", "y"))
            .configMap("unrelated", Map.of("k", "v"))
            .build();
    assertThat(ConfigHash.referencedData(refs, data))
        .containsOnlyKeys("Secret/users/htpasswd")
        .hasEntrySatisfying(
            "Secret/users/htpasswd",
            v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("a:x"));
    assertThat(ConfigHash.referencedData(refs, ReferencedData.offline())).isEmpty();
  }
}
