package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.ClusterNetworkAccess;
import io.cephaloproxy.api.v1alpha1.ConditionReason;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.compiler.SquidConfCompiler;
import io.cephaloproxy.compiler.ValidationError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The platform team's guardrails for clusters shared by several teams (issue 12 §5), set with the
 * chart's {@code admission.*} values. The chart's ValidatingAdmissionPolicy refuses a SquidProxy
 * that breaks them when it is applied; the operator checks them again (defence in depth: a policy
 * that is missing, was deleted or was installed after the proxy), reports a violation as {@code
 * ConfigValid=False} ({@code InvalidSpec}) and keeps the running pods on their last config.
 *
 * @param allowedImagePrefixes {@code spec.image} must start with one of these; empty: any image
 * @param allowRawConfig whether {@code extraConfig} and {@code squidConfFrom} may be used
 * @param allowUpstreamToDeniedDestinations whether {@code upstream.host} may be an address the
 *     proxy denies as a destination
 */
public record Guardrails(
    List<String> allowedImagePrefixes,
    boolean allowRawConfig,
    boolean allowUpstreamToDeniedDestinations) {

  /** The chart's defaults: any image, raw config allowed, no parent proxy at a denied address. */
  public static final Guardrails DEFAULTS = new Guardrails(List.of(), true, false);

  private static final Pattern IPV4 = Pattern.compile("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$");

  public Guardrails {
    allowedImagePrefixes = List.copyOf(allowedImagePrefixes);
  }

  /**
   * What the spec breaks, each naming the field, what is wrong and the chart value that allows it.
   *
   * @param clusterNetworks the cluster's networks the operator discovered, denied unless the proxy
   *     allows them
   */
  public List<ValidationError> check(SquidProxySpec spec, List<String> clusterNetworks) {
    List<ValidationError> out = new ArrayList<>();
    if (spec == null) {
      return out;
    }
    String image = spec.getImage();
    if (image != null
        && !allowedImagePrefixes.isEmpty()
        && allowedImagePrefixes.stream().noneMatch(image::startsWith)) {
      out.add(
          error(
              "spec.image",
              "'"
                  + image
                  + "' is not an allowed image: it must start with "
                  + String.join(
                      " or ", allowedImagePrefixes.stream().map(p -> "'" + p + "'").toList())
                  + " (chart value admission.allowedImagePrefixes); leave image unset for the"
                  + " operator's default"));
    }
    if (!allowRawConfig) {
      if (spec.getExtraConfig() != null) {
        out.add(error("spec.extraConfig", rawConfigOff()));
      }
      if (spec.getSquidConfFrom() != null) {
        out.add(error("spec.squidConfFrom", rawConfigOff()));
      }
    }
    // fromClusterProxy: the cluster proxy was set by the cluster's admin, not by the proxy's owner
    if (!allowUpstreamToDeniedDestinations
        && spec.getUpstream() != null
        && spec.getUpstream().getHost() != null) {
      String host = spec.getUpstream().getHost();
      deniedNetworkOf(host, spec.getAccess(), clusterNetworks)
          .ifPresent(
              denied ->
                  out.add(
                      error(
                          "spec.upstream.host",
                          "'"
                              + host
                              + "' is inside "
                              + denied
                              + ", which this proxy denies as a destination: a parent proxy"
                              + " there would reach it for every client (chart value"
                              + " admission.allowUpstreamToDeniedDestinations allows it, or list"
                              + " the address in access.allowedDestinationCIDRs)")));
    }
    return out;
  }

  private static String rawConfigOff() {
    return "raw Squid config is turned off in this cluster (chart value admission.allowRawConfig is"
        + " false): use the access, sslBump, auth and upstream fields instead";
  }

  private static ValidationError error(String field, String message) {
    return new ValidationError(field, message, ConditionReason.InvalidSpec);
  }

  /**
   * The denied network holding {@code host} when it is an IP literal (or {@code localhost}) that no
   * allowed destination excepts; names are not resolved.
   */
  static Optional<String> deniedNetworkOf(
      String host, AccessSpec access, List<String> clusterNetworks) {
    if (host == null) {
      return Optional.empty();
    }
    String literal = "localhost".equals(host.toLowerCase(Locale.ROOT)) ? "127.0.0.1" : host;
    if (!IPV4.matcher(literal).matches() && !literal.contains(":")) {
      return Optional.empty();
    }
    EgressPeers.Net address;
    try {
      address = EgressPeers.Net.parse(literal);
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // the CRD admits only names and IP literals
    }
    List<String> denied = new ArrayList<>(SquidConfCompiler.ALWAYS_BLOCKED_DESTINATIONS);
    if (access != null && access.getDeniedDestinationCIDRs() != null) {
      denied.addAll(access.getDeniedDestinationCIDRs());
    }
    if (access == null || access.getClusterNetworks() != ClusterNetworkAccess.Allow) {
      denied.addAll(clusterNetworks);
    }
    List<String> allowed =
        access == null || access.getAllowedDestinationCIDRs() == null
            ? List.of()
            : access.getAllowedDestinationCIDRs();
    if (allowed.stream().anyMatch(a -> contains(a, address))) {
      return Optional.empty();
    }
    return denied.stream().filter(d -> contains(d, address)).findFirst();
  }

  private static boolean contains(String cidr, EgressPeers.Net address) {
    try {
      return EgressPeers.Net.parse(cidr).contains(address);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
