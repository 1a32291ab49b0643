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

/** Reads the API server's audit log (JSON lines; the policy logs write requests only). */
public final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");

  /** One write request as the API server saw it. */
  public record Write(
      Instant received, String user, String verb, String resource, String subresource, String namespace,
      String name, int code) {
    @Override
    public String toString() {
      return verb + " " + resource + (subresource.isEmpty() ? "" : "/" + subresource) + " " + namespace + "/"
          + name + " -> " + code + " by " + user + " at " + received;
    }
  }

  private final Path file;

  public AuditLog(Path file) {
    this.file = file;
  }

  /** Write requests made by {@code username} received in [from, to). */
  public List<Write> writesBy(String username, Instant from, Instant to) {
    List<Write> result = new ArrayList<>();
    for (Write w : writes()) {
      if (w.user().equals(username) && !w.received().isBefore(from) && w.received().isBefore(to)) {
        result.add(w);
      }
    }
    return result;
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
      if (!"ResponseComplete".equals(e.path("stage").asText()) || !WRITES.contains(e.path("verb").asText())) {
        continue;
      }
      JsonNode ref = e.path("objectRef");
      result.add(new Write(
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
