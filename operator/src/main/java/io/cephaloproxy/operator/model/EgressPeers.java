package io.cephaloproxy.operator.model;

import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlockBuilder;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The NetworkPolicy's egress address blocks, with Squid's meaning: everything but the denied
 * networks, plus the allowed destination networks (which win over every deny, as in squid.conf's
 * {@code deny ... !cp_allowed_destinations}). Every {@code except} is strictly inside its {@code
 * cidr} (the API server refuses anything else), so a denied {@code 0.0.0.0/0} drops the
 * whole-family block instead of writing an except equal to it.
 */
final class EgressPeers {
  private EgressPeers() {}

  /** A parsed CIDR; {@code text} is the form written to the policy. */
  record Net(BigInteger base, int prefix, int bits, String text) {
    static Net parse(String cidr) {
      int slash = cidr.indexOf('/');
      String addr = slash < 0 ? cidr : cidr.substring(0, slash);
      byte[] bytes;
      try {
        bytes = InetAddress.getByName(addr).getAddress(); // the CRD only admits literals: no lookup
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not a CIDR: " + cidr, e);
      }
      int bits = bytes.length * 8;
      int prefix = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
      return new Net(new BigInteger(1, bytes), prefix, bits, cidr.toLowerCase(Locale.ROOT));
    }

    boolean contains(Net o) {
      return bits == o.bits
          && prefix <= o.prefix
          && base.shiftRight(bits - prefix).equals(o.base.shiftRight(bits - prefix));
    }
  }

  static List<IPBlock> blocks(List<String> denied, List<String> allowed) {
    List<IPBlock> out = new ArrayList<>();
    List<Net> deniedNets = maximal(denied);
    List<Net> allowedNets = maximal(allowed);
    for (String all : List.of("0.0.0.0/0", "::/0")) {
      Net family = Net.parse(all);
      List<Net> except = deniedNets.stream().filter(family::contains).toList();
      if (except.stream().anyMatch(n -> n.prefix() == 0)) {
        continue; // the whole family is denied: only the allowed networks below remain
      }
      IPBlockBuilder b = new IPBlockBuilder().withCidr(all);
      if (!except.isEmpty()) {
        b.withExcept(except.stream().map(Net::text).toList());
      }
      out.add(b.build());
    }
    for (Net a : allowedNets) {
      // already reachable through the family block unless some denied network overlaps it
      boolean overlapsDenied = deniedNets.stream().anyMatch(d -> d.contains(a) || a.contains(d));
      if (overlapsDenied) {
        out.add(new IPBlockBuilder().withCidr(a.text()).build());
      }
    }
    return out;
  }

  /**
   * Parsed, deduplicated, without networks inside another one of the list; IPv4 first, then by
   * address.
   */
  static List<Net> maximal(List<String> cidrs) {
    List<Net> nets =
        cidrs.stream()
            .map(Net::parse)
            .sorted(
                Comparator.comparingInt(Net::bits)
                    .thenComparing(Net::base)
                    .thenComparingInt(Net::prefix))
            .toList();
    List<Net> out = new ArrayList<>();
    for (Net n : nets) {
      if (out.stream().noneMatch(o -> o.contains(n))) {
        out.add(n);
      }
    }
    return out;
  }
}
