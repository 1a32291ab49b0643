package io.cephaloproxy.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.render.Renderer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A list in a ConfigMap's binaryData is checked as mounted: decoded, byte for byte. */
class ReferencedListTest {
  static Renderer.Output render(String listKeyField, String content) {
    SquidProxy sp =
        Serialization.unmarshal(
            """
        apiVersion: cephaloproxy.io/v1alpha1
        kind: SquidProxy
        metadata: {name: lists, namespace: ns}
        spec:
          access: {allowedDomainsFrom: {name: domains, key: allow.txt}}
        """,
            SquidProxy.class);
    var cm =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("domains")
            .withNamespace("ns")
            .endMetadata();
    if (listKeyField.equals("binaryData")) {
      cm.addToBinaryData(
          "allow.txt",
          Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8)));
    } else {
      cm.addToData("allow.txt", content);
    }
    return Renderer.render(List.<HasMetadata>of(sp, cm.build()), "squid:test");
  }

  @Test
  void binaryDataIsCheckedDecoded() {
    // the base64 text is not what Squid reads: the decoded list, with its bad line 2, is
    assertThat(render("binaryData", ".example.com\nexa mple.org\n").problems())
        .singleElement()
        .asString()
        .contains("ConfigMap domains key allow.txt line 2")
        .contains("'exa mple.org'");
    assertThat(render("binaryData", ".example.com\n").problems()).isEmpty();
    // the same bytes in data and in binaryData give the same answer
    String longComment = "#" + "x".repeat(2047) + "\n";
    assertThat(render("binaryData", longComment).problems())
        .isEqualTo(render("data", longComment).problems())
        .singleElement()
        .asString()
        .contains("is 2048 bytes long");
  }
}
