package io.cephaloproxy.operator.model;

import java.util.Map;
import java.util.TreeMap;

/** Names fixed by docs/architecture.md. */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "cephaloproxy-operator";
  public static final String CONFIG_HASH_ANNOTATION = "cephaloproxy.io/config-hash";
  public static final String INIT_CONTAINER = "init";
  public static final String RUN_CONTAINER = "run";

  /** Selects every object the operator manages, for the Pod/ReplicaSet informers. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGER;

  /**
   * On every object of a config generation (ConfigMaps and Secrets): the generation's hash ({@code
   * SquidProxyResources.generationHash}).
   */
  public static final String GENERATION = "cephaloproxy.io/config-generation";

  /**
   * Selects the operator's config generations, so the operator watches its own generation objects
   * (metadata only) and not every ConfigMap or Secret.
   */
  public static final String GENERATION_SELECTOR = MANAGED_SELECTOR + "," + GENERATION;

  /**
   * On a config generation's ConfigMap once its check pod finished: {@code passed} or {@code
   * failed}.
   */
  public static final String CHECK = "cephaloproxy.io/config-check";

  /** The component label of config check pods. */
  public static final String CHECK_COMPONENT = "config-check";

  /** Annotation on a generation's ConfigMap whose check failed: Squid's message. */
  public static final String CHECK_MESSAGE = "cephaloproxy.io/config-check-message";

  /**
   * On a Secret: its owner lets SquidProxies of its namespace use it (value {@code "true"}). The
   * operator uses no other Secret, and watches only these (issue 12 §5).
   */
  public static final String USABLE_BY_PROXIES = "cephaloproxy.io/usable-by-proxies";

  /** Selects the Secrets SquidProxies may use that are not the operator's own. */
  public static final String USABLE_SECRETS_SELECTOR =
      MANAGED_BY + "!=" + MANAGER + "," + USABLE_BY_PROXIES + "=true";

  public static final String CHECK_PASSED = "passed";
  public static final String CHECK_FAILED = "failed";

  private Labels() {}

  /**
   * The labels of a check pod: the instance and the manager as on every object, but another name
   * and component, so that no Deployment, ReplicaSet, Service, PDB or NetworkPolicy of the proxy
   * selects it.
   */
  public static Map<String, String> check(String instance) {
    Map<String, String> m = new TreeMap<>();
    m.put(NAME, "squid-config-check");
    m.put(INSTANCE, instance);
    m.put(COMPONENT, CHECK_COMPONENT);
    m.put(MANAGED_BY, MANAGER);
    return m;
  }

  /** All four labels, for every object and the pod template. */
  public static Map<String, String> of(String instance) {
    Map<String, String> m = new TreeMap<>();
    m.put(NAME, "squid");
    m.put(INSTANCE, instance);
    m.put(COMPONENT, "proxy");
    m.put(MANAGED_BY, MANAGER);
    return m;
  }

  /** The Deployment's selector: immutable once created, so only the two stable labels. */
  public static Map<String, String> selector(String instance) {
    Map<String, String> m = new TreeMap<>();
    m.put(NAME, "squid");
    m.put(INSTANCE, instance);
    return m;
  }
}
