package io.cephaloproxy.operator.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster proxy the operator was given in its environment (OLM injects HTTPS_PROXY, HTTP_PROXY
 * and NO_PROXY on a cluster with a proxy), for SquidProxies with {@code upstream.fromClusterProxy:
 * true}. Reading it never fails: a URL the operator cannot use becomes {@link #problem}, reported
 * on the proxies that ask for it.
 *
 * @param variable the variable the URL came from (HTTPS_PROXY, https_proxy, HTTP_PROXY or
 *     http_proxy), empty when none is set
 * @param host the proxy's host name or IP address (IPv6 without brackets); null with a problem
 * @param port the proxy's port (80 when the URL has none)
 * @param noProxy NO_PROXY's entries, trimmed, in order
 * @param problem why the URL cannot be used, without the URL's credentials; null when usable
 */
public record ClusterProxy(
    String variable, String host, int port, List<String> noProxy, String problem) {

  /** No cluster proxy. */
  public static final ClusterProxy NONE = new ClusterProxy("", null, 0, List.of(), null);

  public ClusterProxy {
    noProxy = List.copyOf(noProxy);
  }

  /** HTTPS_PROXY, else HTTP_PROXY (upper case first, then lower case), and NO_PROXY. */
  public static ClusterProxy fromEnvironment(Map<String, String> env) {
    List<String> noProxy =
        Arrays.stream(firstSet(env, "NO_PROXY", "no_proxy").orElse("").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    for (String name : List.of("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        return parse(name, v.trim(), noProxy);
      }
    }
    return new ClusterProxy("", null, 0, noProxy, null);
  }

  /** Whether the operator has a cluster proxy at all (usable or not). */
  public boolean present() {
    return !variable.isEmpty();
  }

  private static ClusterProxy parse(String name, String value, List<String> noProxy) {
    String url = value.contains("://") ? value : "http://" + value;
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return problem(name, noProxy, "is not a URL (expected http://host:port)");
    }
    if (uri.getRawUserInfo() != null) {
      return problem(
          name,
          noProxy,
          "carries credentials in the URL, which the operator does not copy into proxies: give them"
              + " in spec.upstream.credentialsSecret and remove them from the URL");
    }
    if (!"http".equalsIgnoreCase(uri.getScheme())) {
      return problem(
          name,
          noProxy,
          "has scheme '" + uri.getScheme() + "': only http:// parent proxies are supported");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return problem(name, noProxy, "has no host (expected http://host:port)");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new ClusterProxy(name, host, uri.getPort() < 0 ? 80 : uri.getPort(), noProxy, null);
  }

  private static ClusterProxy problem(String name, List<String> noProxy, String what) {
    return new ClusterProxy(name, null, 0, noProxy, "the operator's " + name + " " + what);
  }

  private static Optional<String> firstSet(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
