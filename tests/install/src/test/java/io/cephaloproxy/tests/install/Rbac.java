package io.cephaloproxy.tests.install;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/**
 * The operator's RBAC rules from their single source, helm/cephaloproxy-operator/files/rules.yaml.
 */
final class Rbac {
  private Rbac() {}

  static List<PolicyRule> rules(String section) {
    Map<String, Object> all = Yaml.single(Repo.RULES);
    List<?> rules = (List<?>) all.get(section);
    if (rules == null || rules.isEmpty()) {
      throw new IllegalStateException(Repo.RULES + " has no section " + section);
    }
    return rules.stream()
        .map(r -> Serialization.unmarshal(Yaml.toJson(r), PolicyRule.class))
        .toList();
  }
}
