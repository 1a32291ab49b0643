package io.cephaloproxy.compiler;

import io.cephaloproxy.api.v1alpha1.Patterns;
import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes written as Kubernetes quantities (the subset {@link Patterns#BYTES_QUANTITY} allows).
 */
final class Quantities {
  private Quantities() {}

  static final long MIB = 1024L * 1024L;

  /** Largest size accepted anywhere (1Pi). */
  static final BigInteger MAX = BigInteger.ONE.shiftLeft(50);

  private static final Pattern QUANTITY = Pattern.compile(Patterns.BYTES_QUANTITY);
  private static final Map<String, BigInteger> MULTIPLIERS =
      Map.of(
          "",
          BigInteger.ONE,
          "Ki",
          BigInteger.ONE.shiftLeft(10),
          "Mi",
          BigInteger.ONE.shiftLeft(20),
          "Gi",
          BigInteger.ONE.shiftLeft(30),
          "Ti",
          BigInteger.ONE.shiftLeft(40),
          "k",
          BigInteger.TEN.pow(3),
          "M",
          BigInteger.TEN.pow(6),
          "G",
          BigInteger.TEN.pow(9),
          "T",
          BigInteger.TEN.pow(12));

  /** Bytes, or null when the text is not such a quantity. */
  static BigInteger bytes(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = QUANTITY.matcher(text);
    if (!m.matches()) {
      return null;
    }
    String digits = text.replaceAll("[^0-9]", "");
    String suffix = text.substring(digits.length());
    return new BigInteger(digits).multiply(MULTIPLIERS.get(suffix));
  }

  /** Whole MiB, rounded down, at least 1. */
  static long mebibytes(BigInteger bytes) {
    return Math.max(1L, bytes.divide(BigInteger.valueOf(MIB)).longValueExact());
  }
}
