package io.cephaloproxy.operator.model;

import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import java.util.Map;

/** Calls the API module's SquidConfCompiler. */
public final class CompilerAdapter implements ConfigCompiler {
  @Override
  public Compiled compile(String name, SquidProxySpec spec, Map<String, Map<String, String>> configMapData) {
    throw new UnsupportedOperationException("the compiler has not landed yet");
  }
}
