package io.cephaloproxy.compiler;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** CIDR syntax as Kubernetes' CEL isCIDR() accepts it, plus "host bits must be zero". */
final class Cidrs {
  private Cidrs() {}

  private static final Pattern IPV4 =
      Pattern.compile("^(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}$");
  private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9a-fA-F:.]{2,45}$");
  private static final Pattern PREFIX = Pattern.compile("^(0|[1-9][0-9]{0,2})$");

  /** Null when valid, else what is wrong. */
  static String problem(String cidr) {
    if (cidr == null || cidr.isEmpty()) {
      return "is empty";
    }
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      return "has no prefix length; write it as a CIDR, e.g. "
          + Text.quote(cidr)
          + "/32 for one IPv4 address";
    }
    String addr = cidr.substring(0, slash);
    String len = cidr.substring(slash + 1);
    if (!PREFIX.matcher(len).matches()) {
      return "has an invalid prefix length";
    }
    int prefix = Integer.parseInt(len);
    byte[] bytes;
    if (IPV4.matcher(addr).matches()) {
      bytes = new byte[4];
      String[] parts = addr.split("\\.");
      for (int i = 0; i < 4; i++) {
        int v = Integer.parseInt(parts[i]);
        if (v > 255) {
          return "is not an IPv4 or IPv6 CIDR";
        }
        bytes[i] = (byte) v;
      }
    } else if (addr.contains(":") && IPV6_CHARS.matcher(addr).matches()) {
      try {
        bytes = InetAddress.getByName(addr).getAddress(); // a literal: no lookup
      } catch (UnknownHostException | RuntimeException e) {
        return "is not an IPv4 or IPv6 CIDR";
      }
      if (bytes.length == 4) { // Java folds ::ffff:a.b.c.d to IPv4; Squid would too, keep it simple
        return "is an IPv4-mapped IPv6 address; write the IPv4 CIDR instead";
      }
    } else {
      return "is not an IPv4 or IPv6 CIDR";
    }
    int bits = bytes.length * 8;
    if (prefix > bits) {
      return "has a prefix length above " + bits;
    }
    BigInteger value = new BigInteger(1, bytes);
    BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
    if (!value.and(hostMask).equals(BigInteger.ZERO)) {
      return "has host bits set; use the network address (e.g. 10.0.0.0/8, not 10.1.2.3/8) or a /"
          + bits
          + " for one address";
    }
    return null;
  }

  /**
   * The valid CIDRs of {@code cidrs}, normalized and sorted, without those inside another one:
   * Squid warns about an entry inside another and then ignores the wider one ("is a subnetwork
   * of").
   */
  static List<String> withoutNested(List<String> cidrs) {
    List<String> valid =
        cidrs.stream().filter(c -> problem(c) == null).map(Cidrs::normalize).distinct().toList();
    List<BigInteger[]> nets = valid.stream().map(Cidrs::net).toList();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < valid.size(); i++) {
      boolean nested = false;
      for (int j = 0; j < valid.size() && !nested; j++) {
        nested =
            i != j
                && contains(nets.get(j), nets.get(i))
                && (!contains(nets.get(i), nets.get(j)) || j < i);
      }
      if (!nested) {
        out.add(valid.get(i));
      }
    }
    return out.stream().sorted().toList();
  }

  /** {bits, prefix, network} of a valid CIDR. */
  private static BigInteger[] net(String cidr) {
    int slash = cidr.indexOf('/');
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(cidr.substring(0, slash)).getAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(cidr, e);
    }
    return new BigInteger[] {
      BigInteger.valueOf(bytes.length * 8L),
      new BigInteger(cidr.substring(slash + 1)),
      new BigInteger(1, bytes)
    };
  }

  private static boolean contains(BigInteger[] outer, BigInteger[] inner) {
    if (!outer[0].equals(inner[0]) || outer[1].compareTo(inner[1]) > 0) {
      return false;
    }
    int shift = outer[0].intValue() - outer[1].intValue();
    return outer[2].shiftRight(shift).equals(inner[2].shiftRight(shift));
  }

  /** The form written to ACL files (lower case). Only call on valid CIDRs. */
  static String normalize(String cidr) {
    return cidr.toLowerCase(Locale.ROOT);
  }
}
