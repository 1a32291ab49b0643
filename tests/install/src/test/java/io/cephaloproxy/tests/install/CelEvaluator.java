package io.cephaloproxy.tests.install;

import static dev.cel.common.CelFunctionDecl.newFunctionDeclaration;
import static dev.cel.common.CelOverloadDecl.newGlobalOverload;
import static dev.cel.common.CelOverloadDecl.newMemberOverload;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRD's x-kubernetes-validations rules, evaluated with cel-java plus the Kubernetes CEL
 * functions the CRD uses (IP/CIDR: isIP, isCIDR, cidr().masked(); quantity: isQuantity,
 * quantity().compareTo()). A CIDR is modelled as its canonical string and a quantity as a number,
 * which is all these rules compare. Rules using oldSelf (transition rules) do not apply to a new
 * object, as on the API server. The strings extension (split, ...) is Kubernetes' too.
 */
final class CelEvaluator {
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          // Kubernetes' CEL has the strings extension (split, indexOf, lowerAscii, ...)
          .addLibraries(CelExtensions.strings())
          .addFunctionDeclarations(
              newFunctionDeclaration(
                  "isIP", newGlobalOverload("isIP_string", SimpleType.BOOL, SimpleType.STRING)),
              newFunctionDeclaration(
                  "isCIDR", newGlobalOverload("isCIDR_string", SimpleType.BOOL, SimpleType.STRING)),
              newFunctionDeclaration(
                  "cidr", newGlobalOverload("cidr_string", SimpleType.STRING, SimpleType.STRING)),
              newFunctionDeclaration(
                  "masked",
                  newMemberOverload("string_masked", SimpleType.STRING, SimpleType.STRING)),
              newFunctionDeclaration(
                  "isQuantity",
                  newGlobalOverload("isQuantity_string", SimpleType.BOOL, SimpleType.STRING)),
              newFunctionDeclaration(
                  "quantity",
                  newGlobalOverload("quantity_string", SimpleType.DOUBLE, SimpleType.STRING)),
              newFunctionDeclaration(
                  "compareTo",
                  newMemberOverload(
                      "double_compareTo_double",
                      SimpleType.INT,
                      SimpleType.DOUBLE,
                      SimpleType.DOUBLE)))
          .build();
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder()
          .addLibraries(CelExtensions.strings())
          .addFunctionBindings(
              CelFunctionBinding.from("isIP_string", String.class, s -> ip(s) != null),
              CelFunctionBinding.from("isCIDR_string", String.class, s -> cidr(s, false) != null),
              CelFunctionBinding.from("cidr_string", String.class, s -> require(cidr(s, false), s)),
              CelFunctionBinding.from(
                  "string_masked", String.class, s -> require(cidr(s, true), s)),
              CelFunctionBinding.from("isQuantity_string", String.class, s -> quantity(s) != null),
              CelFunctionBinding.from(
                  "quantity_string", String.class, s -> require(quantity(s), s)),
              CelFunctionBinding.from(
                  "double_compareTo_double",
                  Double.class,
                  Double.class,
                  (a, b) -> (long) Double.compare(a, b)))
          .build();
  private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

  private CelEvaluator() {}

  /** null when the rule holds (or does not apply), else why not. */
  static String check(String rule, Object self) {
    if (rule.contains("oldSelf")) {
      return null;
    }
    try {
      CelRuntime.Program program = PROGRAMS.computeIfAbsent(rule, CelEvaluator::compile);
      Object result = program.eval(Map.of("self", celValue(self)));
      return Boolean.TRUE.equals(result) ? null : "rule failed";
    } catch (Exception e) {
      return "rule cannot be evaluated here (" + e.getMessage() + ")";
    }
  }

  private static CelRuntime.Program compile(String rule) {
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(rule).getAst();
      return RUNTIME.createProgram(ast);
    } catch (Exception e) {
      throw new IllegalStateException("cannot compile CEL rule " + rule + ": " + e.getMessage(), e);
    }
  }

  /** JSON-ish values as CEL sees them: integers are int64. */
  static Object celValue(Object v) {
    if (v instanceof Integer i) {
      return i.longValue();
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), celValue(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(celValue(x)));
      return out;
    }
    return v;
  }

  private static <T> T require(T value, String input) {
    if (value == null) {
      throw new IllegalArgumentException("invalid argument: " + input);
    }
    return value;
  }

  private static final Pattern IPV4 = Pattern.compile("(0|[1-9]\\d{0,2})(\\.(0|[1-9]\\d{0,2})){3}");

  /** A literal IP address (never a DNS lookup), or null. */
  static InetAddress ip(String s) {
    boolean v4 = IPV4.matcher(s).matches();
    boolean v6 = s.contains(":") && s.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      return null;
    }
    if (v4 && !s.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
      return null;
    }
    try {
      InetAddress a = InetAddress.getByName(s);
      if (v4) {
        for (String octet : s.split("\\.")) {
          if (Integer.parseInt(octet) > 255) {
            return null;
          }
        }
      }
      return a;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Canonical "address/prefix" (host bits cleared when masked), or null if not a CIDR. */
  static String cidr(String s, boolean masked) {
    int slash = s.indexOf('/');
    if (slash < 0 || !s.substring(slash + 1).matches("0|[1-9]\\d{0,2}")) {
      return null;
    }
    InetAddress a = ip(s.substring(0, slash));
    int prefix = Integer.parseInt(s.substring(slash + 1));
    if (a == null || prefix > a.getAddress().length * 8) {
      return null;
    }
    byte[] bytes = a.getAddress();
    if (masked) {
      for (int i = 0; i < bytes.length; i++) {
        int keep = Math.max(0, Math.min(8, prefix - i * 8));
        bytes[i] &= (byte) (0xff << (8 - keep));
      }
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static final Pattern QUANTITY =
      Pattern.compile(
          "([+-]?(?:\\d+\\.?\\d*|\\.\\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");

  /** A Kubernetes quantity's value, or null. */
  static Double quantity(String s) {
    Matcher m = QUANTITY.matcher(s);
    if (!m.matches()) {
      return null;
    }
    BigDecimal n = new BigDecimal(m.group(1));
    String suffix = m.group(2) == null ? "" : m.group(2);
    BigDecimal factor =
        switch (suffix) {
          case "" -> BigDecimal.ONE;
          case "Ki" -> BigDecimal.valueOf(1L << 10);
          case "Mi" -> BigDecimal.valueOf(1L << 20);
          case "Gi" -> BigDecimal.valueOf(1L << 30);
          case "Ti" -> BigDecimal.valueOf(1L << 40);
          case "Pi" -> BigDecimal.valueOf(1L << 50);
          case "Ei" -> BigDecimal.valueOf(1L << 60);
          case "n" -> new BigDecimal("1e-9");
          case "u" -> new BigDecimal("1e-6");
          case "m" -> new BigDecimal("1e-3");
          case "k" -> new BigDecimal("1e3");
          case "M" -> new BigDecimal("1e6");
          case "G" -> new BigDecimal("1e9");
          case "T" -> new BigDecimal("1e12");
          case "P" -> new BigDecimal("1e15");
          case "E" -> new BigDecimal("1e18");
          default ->
              BigDecimal.TEN.pow(
                  Integer.parseInt(suffix.substring(1)), java.math.MathContext.DECIMAL64);
        };
    return n.multiply(factor).doubleValue();
  }
}
