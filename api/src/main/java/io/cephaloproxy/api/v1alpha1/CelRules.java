package io.cephaloproxy.api.v1alpha1;

/**
 * The CEL rules (x-kubernetes-validations) and their messages that several fields of the schema
 * share.
 */
final class CelRules {
  private CelRules() {}

  static final String CIDRS = "self.all(c, isCIDR(c) && cidr(c) == cidr(c).masked())";
  static final String CIDRS_MSG =
      "each entry must be an IPv4 or IPv6 CIDR with the host bits zero, e.g. 10.0.0.0/8 or fd00::/8 "
          + "(write 10.1.2.3/32 for a single address)";
  static final String DOMAINS = "self.all(d, d.matches('" + Patterns.DOMAIN + "'))";
  static final String DOMAINS_MSG =
      "each entry must be a domain name like example.com (exactly that host) or .example.com (the domain "
          + "and all its subdomains): letters, digits, '-', '_' and dots only; no '*', spaces, quotes, '#', "
          + "'%' or control characters; labels of at most 63 characters";
  static final String QUANTITY =
      "isQuantity(self) && quantity(self).compareTo(quantity('1Mi')) >= 0 "
          + "&& quantity(self).compareTo(quantity('1Pi')) <= 0";
  static final String QUANTITY_MSG = "must be a size between 1Mi and 1Pi, e.g. 256Mi or 10Gi";
}
