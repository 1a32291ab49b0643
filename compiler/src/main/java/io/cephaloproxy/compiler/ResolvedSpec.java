package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.AccessMode;
import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.CacheSpec;
import io.cephaloproxy.api.v1alpha1.Defaults;
import io.cephaloproxy.api.v1alpha1.LoggingSpec;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.api.v1alpha1.SslBumpSpec;
import java.util.function.Supplier;

/**
 * A spec with the compiler's fallbacks applied: what the section emitters, {@link PodVolumes} and
 * {@link RuntimeProperties} read instead of null checks of their own.
 *
 * @param spec the spec as given (never null)
 * @param port the proxy port
 * @param workers Squid workers
 * @param shutdownLifetimeSeconds squid.conf's shutdown_lifetime
 * @param cache the cache settings (an empty spec when absent: no cache)
 * @param access the access settings (the defaults when absent)
 * @param logging the logging settings (the defaults when absent)
 * @param sslBump the ssl-bump settings when enabled, else null
 * @param audit access mode Audit: the deny rules only log would_deny=
 */
record ResolvedSpec(
    SquidProxySpec spec,
    int port,
    int workers,
    int shutdownLifetimeSeconds,
    CacheSpec cache,
    AccessSpec access,
    LoggingSpec logging,
    SslBumpSpec sslBump,
    boolean audit) {

  static ResolvedSpec of(SquidProxySpec spec) {
    SquidProxySpec s = spec == null ? new SquidProxySpec() : spec;
    SslBumpSpec bump =
        s.getSslBump() != null && Boolean.TRUE.equals(s.getSslBump().getEnabled())
            ? s.getSslBump()
            : null;
    return new ResolvedSpec(
        s,
        or(s.getPort(), () -> Defaults.PORT),
        or(s.getWorkers(), () -> Defaults.WORKERS),
        SquidConfCompiler.shutdownLifetimeSeconds(
            or(
                s.getTerminationGracePeriodSeconds(),
                () -> Defaults.TERMINATION_GRACE_PERIOD_SECONDS)),
        or(s.getCache(), CacheSpec::new),
        or(s.getAccess(), AccessSpec::new),
        or(s.getLogging(), LoggingSpec::new),
        bump,
        s.getAccess() != null && s.getAccess().getMode() == AccessMode.Audit);
  }

  /** True when the user gives the whole squid.conf (squidConfFrom): no generated access rules. */
  boolean fullConfig() {
    return spec.getSquidConfFrom() != null;
  }

  static <T> T or(T value, Supplier<T> fallback) {
    return value != null ? value : fallback.get();
  }
}
