package io.cephaloproxy.compiler;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The operator's NO_PROXY for proxies with {@code upstream.fromClusterProxy: true}: destinations
 * they reach directly (Squid's {@code always_direct}) instead of through the cluster proxy. Entries
 * are read as Go's and curl's NO_PROXY reads them, which is what OpenShift's cluster proxy and OLM
 * hand to operators:
 *
 * <ul>
 *   <li>{@code *}: every destination;
 *   <li>a domain, with or without a leading dot or {@code *.} ({@code example.com}, {@code
 *       .example.com}, {@code *.example.com}): the domain and all its subdomains ({@code
 *       .example.com} in Squid's dstdomain);
 *   <li>an IPv4 or IPv6 address (IPv6 also in brackets) or a CIDR: destinations at those addresses
 *       (Squid's dst, which resolves a host name to its addresses; host bits of a CIDR are cleared,
 *       as Go does).
 * </ul>
 *
 * A port ({@code host:8080}) or anything else is a problem the validator reports: a proxy cannot
 * tell which destinations the entry means.
 */
final class NoProxy {
  private NoProxy() {}

  /** The most entries accepted (a NO_PROXY is a list an administrator writes). */
  static final int MAX_ENTRIES = 1000;

  /**
   * The valid entries as rules.
   *
   * @param all an entry {@code *}: everything goes direct
   * @param domains dstdomain entries ({@code .example.com}), normalized
   * @param destinations dst entries (CIDRs), normalized, none inside another
   */
  record Rules(boolean all, List<String> domains, List<String> destinations) {
    boolean isEmpty() {
      return !all && domains.isEmpty() && destinations.isEmpty();
    }
  }

  /** An entry: a domain, a CIDR, or every destination. */
  private record Entry(String domain, String cidr, boolean all, String problem) {}

  /** Null when {@code entry} is valid, else what is wrong (starting with the quoted entry). */
  static String problem(String entry) {
    return parse(entry).problem();
  }

  /** The rules of the valid entries of {@code entries}. */
  static Rules rules(List<String> entries) {
    boolean all = false;
    List<String> domains = new ArrayList<>();
    List<String> cidrs = new ArrayList<>();
    for (String raw : entries) {
      Entry e = parse(raw);
      if (e.problem() != null) {
        continue;
      }
      all |= e.all();
      if (e.domain() != null) {
        domains.add(e.domain());
      }
      if (e.cidr() != null) {
        cidrs.add(e.cidr());
      }
    }
    return all
        ? new Rules(true, List.of(), List.of())
        : new Rules(false, Domains.normalize(domains), Cidrs.withoutNested(cidrs));
  }

  private static Entry parse(String raw) {
    String e = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
    if (e.equals("*")) {
      return new Entry(null, null, true, null);
    }
    if (e.isEmpty()) {
      return invalid(raw, "is empty");
    }
    String h = e.startsWith("*.") ? e.substring(1) : e;
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      String inside = close < 0 ? "" : h.substring(1, close);
      if (close < 0 || !isIpv6(inside)) {
        return invalid(raw, "is not an IPv6 address in brackets like [2001:db8::1]");
      }
      if (close < h.length() - 1) {
        return invalid(raw, portProblem(h.substring(close + 1)));
      }
      return new Entry(null, inside + "/128", false, null);
    }
    String address = h.contains("/") ? h.substring(0, h.indexOf('/')) : null;
    if (address != null && (isIpv4(address) || isIpv6(address))) {
      return cidr(raw, h);
    }
    if (isIpv4(h)) {
      return new Entry(null, h + "/32", false, null);
    }
    if (isIpv6(h)) {
      return new Entry(null, h + "/128", false, null);
    }
    int colon = h.lastIndexOf(':');
    if (colon > 0 && h.indexOf(':') == colon && h.substring(colon + 1).matches("[0-9]{1,5}")) {
      String host = h.substring(0, colon);
      if (isIpv4(host) || Domains.problem(host) == null) {
        return invalid(raw, portProblem(h.substring(colon)));
      }
    }
    if (address != null || Domains.problem(h) != null) {
      return invalid(
          raw,
          "is not a domain (example.com, .example.com), an IP address or a CIDR (10.0.0.0/8), as"
              + " NO_PROXY entries are (no scheme, path or spaces)");
    }
    return new Entry(h.startsWith(".") ? h : "." + h, null, false, null);
  }

  /** A CIDR; host bits are cleared (10.1.2.3/8 is 10.0.0.0/8), as Go's NO_PROXY reads it. */
  private static Entry cidr(String raw, String h) {
    String problem = Cidrs.problem(h);
    if (problem == null) {
      return new Entry(null, Cidrs.normalize(h), false, null);
    }
    if (!problem.startsWith("has host bits set")) {
      return invalid(raw, problem);
    }
    int slash = h.indexOf('/');
    int prefix = Integer.parseInt(h.substring(slash + 1));
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(h.substring(0, slash)).getAddress(); // checked literal
    } catch (UnknownHostException ex) {
      return invalid(raw, "is not an IPv4 or IPv6 CIDR");
    }
    int bits = bytes.length * 8;
    BigInteger mask =
        BigInteger.ONE
            .shiftLeft(bits)
            .subtract(BigInteger.ONE)
            .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
    byte[] net = new BigInteger(1, bytes).and(mask).toByteArray();
    byte[] out = new byte[bytes.length];
    int copy = Math.min(net.length, out.length);
    System.arraycopy(net, net.length - copy, out, out.length - copy, copy);
    try {
      String address = compressed(InetAddress.getByAddress(out).getHostAddress());
      return new Entry(null, Cidrs.normalize(address + "/" + prefix), false, null);
    } catch (UnknownHostException ex) {
      return invalid(raw, "is not an IPv4 or IPv6 CIDR");
    }
  }

  /**
   * An address as Java prints it, with an IPv6 address's longest run of zero groups written as "::"
   * (2001:db8:0:0:0:0:0:0 is 2001:db8::), as people and Squid write it.
   */
  static String compressed(String address) {
    if (!address.contains(":")) {
      return address;
    }
    String[] groups = address.split(":");
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < groups.length; ) {
      int j = i;
      while (j < groups.length && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    if (bestStart < 0) {
      return address;
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
    String tail =
        String.join(
            ":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    return head + "::" + tail;
  }

  private static String portProblem(String port) {
    return "names a port ("
        + Text.quote(port)
        + "), which the proxies cannot match in NO_PROXY: remove the port (the entry then covers"
        + " every port of the host)";
  }

  private static boolean isIpv4(String h) {
    return !h.contains(":") && Cidrs.problem(h + "/32") == null;
  }

  private static boolean isIpv6(String h) {
    return h.contains(":") && Cidrs.problem(h + "/128") == null;
  }

  private static Entry invalid(String raw, String what) {
    return new Entry(null, null, false, Text.quote(raw == null ? "" : raw.strip()) + " " + what);
  }
}
