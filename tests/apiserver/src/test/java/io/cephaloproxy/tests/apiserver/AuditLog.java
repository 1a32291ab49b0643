package io.cephaloproxy.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** Reads the API server's audit log (JSON lines; the policy logs write requests only). */
public final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> WRITES =
      Set.of("create", "update", "patch", "delete", "deletecollection");

  /** One write request as the API server saw it. */
  public record Write(
      Instant received,
      String user,
      String verb,
      String resource,
      String subresource,
      String namespace,
      String name,
      int code) {
    @Override
    public String toString() {
      return verb
          + " "
          + resource
          + (subresource.isEmpty() ? "" : "/" + subresource)
          + " "
          + namespace
          + "/"
          + name
          + " -> "
          + code
          + " by "
          + user
          + " at "
          + received;
    }
  }

  private final Path file;

  public AuditLog(Path file) {
    this.file = file;
  }

  /** Write requests made by {@code username} received in [from, to). */
  public List<Write> writesBy(String username, Instant from, Instant to) {
    return writes(w -> w.user().equals(username), from, to);
  }

  /** Write requests by anyone to objects in {@code namespace} received in [from, to). */
  public List<Write> writesIn(String namespace, Instant from, Instant to) {
    return writes(w -> w.namespace().equals(namespace), from, to);
  }

  private List<Write> writes(Predicate<Write> which, Instant from, Instant to) {
    return writes().stream()
        .filter(w -> which.test(w) && !w.received().isBefore(from) && w.received().isBefore(to))
        .toList();
  }

  /** Every completed write request in the log. */
  public List<Write> writes() {
    List<Write> result = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode e;
      try {
        e = JSON.readTree(line);
      } catch (IOException ex) {
        continue; // a line being written right now
      }
      if (!"ResponseComplete".equals(e.path("stage").asText())
          || !WRITES.contains(e.path("verb").asText())) {
        continue;
      }
      JsonNode ref = e.path("objectRef");
      result.add(
          new Write(
              Instant.parse(e.path("requestReceivedTimestamp").asText()),
              e.path("user").path("username").asText(),
              e.path("verb").asText(),
              ref.path("resource").asText(),
              ref.path("subresource").asText(""),
              ref.path("namespace").asText(""),
              ref.path("name").asText(""),
              e.path("responseStatus").path("code").asInt()));
    }
    return result;
  }
}
