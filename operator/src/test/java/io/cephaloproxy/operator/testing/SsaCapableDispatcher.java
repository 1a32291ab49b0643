package io.cephaloproxy.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Fabric8 mock server's CRUD dispatcher plus server-side apply, and a request log.
 *
 * <p>The mock answers {@code application/apply-patch+yaml} with 415. This dispatcher turns an apply
 * patch into create-or-merge: create when the object does not exist (409 when the apply carried a
 * resourceVersion, as the real server does for JOSDK's "create only if absent"), else a JSON merge
 * patch of the applied fields (status path included). That is enough for the operator's status
 * patches. It does not keep managedFields, which JOSDK's SSA matcher needs to compare desired and
 * actual, so the mock suites run the dependents without SSA (OperatorRuntime's ssaForDependents =
 * false): with SSA on, every reconcile would see a mismatch and re-apply. The real API server suite
 * runs with SSA.
 *
 * <p>Every request is logged as "METHOD path" so tests count writes.
 */
public class SsaCapableDispatcher extends KubernetesCrudDispatcher {
  private static final String APPLY = "apply-patch";
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong writes = new AtomicLong();

  private volatile String ignoredUserAgent = "\u0000";
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile String failingPrefix = "\u0000";

  private volatile int failureCode;

  /**
   * The next {@code count} write requests whose "METHOD path" starts with {@code prefix} are
   * answered with this status code ({@code Status} body, reason {@code Failure}) and have no
   * effect.
   */
  public void failWrites(String prefix, int count, int code) {
    failureCode = code;
    failingPrefix = prefix;
    failuresLeft.set(count);
  }

  public int failuresLeft() {
    return failuresLeft.get();
  }

  private final AtomicInteger delaysLeft = new AtomicInteger();
  private volatile String delayedPrefix = "\u0000";
  private volatile Duration delay = Duration.ZERO;

  /**
   * The next {@code count} write requests whose "METHOD path" starts with {@code prefix} take
   * effect at once but are answered only after {@code delay}, as a busy API server answers a write
   * queued behind others.
   */
  public void delayWrites(String prefix, int count, Duration delay) {
    this.delay = delay;
    delayedPrefix = prefix;
    delaysLeft.set(count);
  }

  /** Requests from clients whose User-Agent starts with this are served but not logged. */
  public void ignoreUserAgent(String prefix) {
    ignoredUserAgent = prefix;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String method = request.getMethod();
    String ua = request.getHeader("User-Agent");
    if (ua == null || !ua.startsWith(ignoredUserAgent)) {
      requests.add(method + " " + request.getPath());
      if (!"GET".equals(method)) {
        writes.incrementAndGet();
      }
    }
    if (!"GET".equals(method)
        && (method + " " + request.getPath()).startsWith(failingPrefix)
        && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return new MockResponse()
          .setResponseCode(failureCode)
          .setBody(
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                  + "\"message\":\"injected failure\",\"code\":"
                  + failureCode
                  + "}");
    }
    if ("POST".equals(method) && request.getPath().endsWith("/selfsubjectrulesreviews")) {
      // JOSDK checks its Lease permissions before leader election; the mock cannot review rules:
      // answer as an API server would for a subject allowed everything
      return new MockResponse()
          .setResponseCode(201)
          .setBody(
              "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"metadata\":{},"
                  + "\"spec\":{},\"status\":{\"incomplete\":false,\"nonResourceRules\":[],"
                  + "\"resourceRules\":[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]}}");
    }
    if (!"GET".equals(method)
        && (method + " " + request.getPath()).startsWith(delayedPrefix)
        && delaysLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return super.dispatch(request).setBodyDelay(delay);
    }
    return super.dispatch(request);
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    if (contentType == null || !contentType.contains(APPLY)) {
      return super.handlePatch(request);
    }
    String path = request.getPath();
    String pathNoQuery = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    boolean status = pathNoQuery.endsWith("/status");
    String objectPath =
        status ? pathNoQuery.substring(0, pathNoQuery.length() - "/status".length()) : pathNoQuery;
    JsonNode applied = Serialization.unmarshal(request.getBody().readUtf8(), JsonNode.class);
    MockResponse existing = super.handleGet(objectPath);
    if (existing.code() == 404) {
      if (status) {
        return new MockResponse().setResponseCode(404);
      }
      JsonNode meta = applied.path("metadata");
      if (meta.hasNonNull("resourceVersion")) {
        // JOSDK sets resourceVersion "1" to create only when absent; the real server then creates.
        ((ObjectNode) meta).remove("resourceVersion");
      }
      String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
      return super.handleCreate(
          request(HttpMethod.POST, collection, "application/json", Serialization.asJson(applied)));
    }
    // existing object: RFC 7386 merge of the applied fields (lists replaced, as SSA does for atomic
    // lists), written back as a PUT. The mock's own merge patch appends to lists, so it is not
    // used.
    JsonNode current = Serialization.unmarshal(existing.getBody().readUtf8(), JsonNode.class);
    JsonNode meta = applied.path("metadata");
    if (meta.isObject()) {
      ((ObjectNode) meta).remove("resourceVersion");
      ((ObjectNode) meta).remove("managedFields");
    }
    JsonNode merged = mergePatch(current.deepCopy(), applied);
    ((ObjectNode) merged.path("metadata")).remove("resourceVersion");
    return super.handleUpdate(
        request(HttpMethod.PUT, pathNoQuery, "application/json", Serialization.asJson(merged)));
  }

  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode out =
        target != null && target.isObject()
            ? (ObjectNode) target
            : Serialization.jsonMapper().createObjectNode();
    patch
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isNull()) {
                out.remove(e.getKey());
              } else {
                out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
              }
            });
    return out;
  }

  private static RecordedRequest request(
      HttpMethod method, String path, String contentType, String body) {
    Buffer buffer = new Buffer();
    buffer.write(body.getBytes(StandardCharsets.UTF_8));
    Headers headers = Headers.builder().add("Content-Type", contentType).build();
    return new RecordedRequest("HTTP/1.1", method, path, headers, buffer);
  }

  /** Requests other than GET (watches and lists are GETs) since the start or the last reset. */
  public long writes() {
    return writes.get();
  }

  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public List<String> writeRequests() {
    return requests().stream().filter(r -> !r.startsWith("GET ")).toList();
  }

  public void resetCounters() {
    requests.clear();
    writes.set(0);
  }
}
