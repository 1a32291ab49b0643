package io.cephaloproxy.tests.image;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A test class with its own Docker network and the origin "origin" (see {@link TestNet}). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OriginSuite {
  TestNet net;

  @BeforeAll
  void startOrigin() {
    net = TestNet.withOrigin();
  }

  @AfterAll
  void removeOrigin() {
    if (net != null) {
      net.close();
    }
  }
}
