package io.cephaloproxy.api.v1alpha1;

/** Kubernetes Service type of the proxy Service. */
public enum ServiceType {
  ClusterIP,
  NodePort,
  LoadBalancer
}
