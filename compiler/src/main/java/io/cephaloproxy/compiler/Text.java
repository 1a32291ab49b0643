package io.cephaloproxy.compiler;

/** Quoting user text safely inside error messages. */
final class Text {
  private Text() {}

  /**
   * The value in single quotes, with control/non-ASCII characters as \\uXXXX, cut at 80 characters.
   */
  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("'");
    int n = 0;
    for (int i = 0; i < s.length() && n < 80; i++, n++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04X", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > 80) {
      b.append("...");
    }
    return b.append('\'').toString();
  }

  /** The first control or non-ASCII character other than tab, or -1. */
  static int firstBadChar(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c > 0x7e) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The number of bytes chars [from, to) of s take in UTF-8 (an unpaired surrogate counts as the 3
   * bytes of U+FFFD).
   */
  static int utf8Length(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < to
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
