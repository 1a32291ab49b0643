package io.cephaloproxy.operator.dependent;

import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.operator.model.ProxyModel;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/** Hands the reconcile's {@link ProxyModel} to the dependents through JOSDK's workflow context. */
public final class WorkflowModel {
  private static final String KEY = "cephaloproxy.model";

  private WorkflowModel() {}

  public static void put(Context<SquidProxy> context, ProxyModel model) {
    context.managedWorkflowAndDependentResourceContext().put(KEY, model);
  }

  /** The model of this reconcile, absent when the spec did not compile (or nothing put it). */
  public static java.util.Optional<ProxyModel> find(Context<SquidProxy> context) {
    return context.managedWorkflowAndDependentResourceContext().get(KEY, ProxyModel.class);
  }

  private static final String KEPT_TEMPLATE = "cephaloproxy.kept-template";

  /**
   * The pod template the Deployment keeps for this reconcile: the one it carries, while the current
   * config has not passed its check (everything else, such as replicas, is applied).
   */
  public static void keepTemplate(
      Context<SquidProxy> context, io.fabric8.kubernetes.api.model.PodTemplateSpec template) {
    context.managedWorkflowAndDependentResourceContext().put(KEPT_TEMPLATE, template);
  }

  /** The template to keep, if any. */
  public static java.util.Optional<io.fabric8.kubernetes.api.model.PodTemplateSpec> keptTemplate(
      Context<SquidProxy> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(KEPT_TEMPLATE, io.fabric8.kubernetes.api.model.PodTemplateSpec.class);
  }

  public static ProxyModel require(Context<SquidProxy> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(KEY, ProxyModel.class)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no model: the workflow runs only after the spec compiled"));
  }
}
