package io.cephaloproxy.tests.squid;

/**
 * {@link ParserDifferentialIT} on Squid 6.13, the Squid of the image stage 40 built ({@code
 * -Ddifferential.squid6.image}, set by the pom to {@code ghcr.io/cephaloproxy/squid:VERSION}): the
 * golden specs, the examples and the same 3,000 fuzzed specs as on Debian's 5.7 ({@code
 * -Ddifferential.squid6.fuzz=N}). The image's {@code /usr/sbin/squid} runs in long-lived containers
 * of the image without network ({@link ImageSquid}), so a spec costs Squid's parse, not a {@code
 * docker run}. A class of its own, so that it runs beside the other classes of the suite (their
 * pool runs three at a time) instead of after them.
 */
class ParserDifferentialSquid6IT extends ParserDifferentialIT {
  @Override
  int fuzz() {
    return Integer.getInteger("differential.squid6.fuzz", 3000);
  }

  @Override
  String image() {
    String image = System.getProperty("differential.squid6.image", "");
    if (image.isBlank()) {
      throw new IllegalStateException(
          "differential.squid6.image is not set: run this suite through Maven (tests/squid/pom.xml"
              + " sets it to the Squid image of stage 40), or pass"
              + " -Ddifferential.squid6.image=ghcr.io/cephaloproxy/squid:VERSION");
    }
    return image;
  }
}
