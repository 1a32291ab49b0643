package io.cephaloproxy.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuthSectionTest {
  @Test
  void basicAuthChecksTheMountedHtpasswdFileWithTheDefaultRealm() {
    SquidConfWriter out = new SquidConfWriter();
    boolean basic =
        AuthSection.write(
            out,
            SectionTests.resolved("auth: {mode: Basic, htpasswdSecret: {name: u}}")
                .spec()
                .getAuth(),
            Layout.defaults());
    assertThat(basic).isTrue();
    assertThat(SectionTests.directives(out))
        .containsExactly(
            "auth_param basic program /usr/lib/squid/basic_ncsa_auth /etc/cephaloproxy/auth/htpasswd",
            "auth_param basic children 5 startup=1 idle=1",
            "auth_param basic realm CephaloProxy",
            "auth_param basic credentialsttl 1 hour",
            "acl cp_authenticated proxy_auth REQUIRED");
  }

  @Test
  void noAuthWritesNothing() {
    SquidConfWriter out = new SquidConfWriter();
    assertThat(
            AuthSection.write(
                out,
                SectionTests.resolved("auth: {mode: None}").spec().getAuth(),
                Layout.defaults()))
        .isFalse();
    assertThat(AuthSection.write(out, null, Layout.defaults())).isFalse();
    assertThat(out.lines()).isEmpty();
  }
}
