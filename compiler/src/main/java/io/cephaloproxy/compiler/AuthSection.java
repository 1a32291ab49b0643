package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.AuthMode;
import io.cephaloproxy.api.v1alpha1.AuthSpec;
import io.cephaloproxy.api.v1alpha1.Defaults;

/** spec.auth: HTTP Basic against the mounted htpasswd Secret, and the cp_authenticated ACL. */
final class AuthSection {
  private AuthSection() {}

  /** Writes the auth_param lines when the mode is Basic; true when it did. */
  static boolean write(SquidConfWriter out, AuthSpec auth, Layout layout) {
    if (auth == null || auth.getMode() != AuthMode.Basic) {
      return false;
    }
    out.section("Authentication: HTTP Basic against the htpasswd Secret");
    out.line(
        "auth_param basic program " + layout.helper("basic_ncsa_auth") + " " + layout.htpasswd());
    out.line("auth_param basic children 5 startup=1 idle=1");
    out.line(
        "auth_param basic realm " + ResolvedSpec.or(auth.getRealm(), () -> Defaults.AUTH_REALM));
    out.line("auth_param basic credentialsttl 1 hour");
    out.line("acl cp_authenticated proxy_auth REQUIRED");
    return true;
  }
}
