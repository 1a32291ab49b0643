package io.cephaloproxy.compiler;

import java.util.List;

/**
 * Helpers of the section emitters' unit tests: a spec from YAML, its resolved form, the lines an
 * emitter wrote.
 */
final class SectionTests {
  private SectionTests() {}

  static ResolvedSpec resolved(String specYaml) {
    return ResolvedSpec.of(SpecValidatorTest.spec(specYaml));
  }

  /** The lines written, without the blank lines and section headers. */
  static List<String> directives(SquidConfWriter out) {
    return out.lines().stream().filter(l -> !l.isEmpty() && !l.startsWith("# ---")).toList();
  }
}
