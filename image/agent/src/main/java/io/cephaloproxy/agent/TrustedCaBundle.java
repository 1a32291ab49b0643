package io.cephaloproxy.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** System CA bundle + the user's extra PEM CAs, written atomically to one file Squid reads. */
public final class TrustedCaBundle {
  private TrustedCaBundle() {}

  /** Returns the number of extra certificates added, or -1 when there was nothing to build. */
  public static int build(Path system, List<Path> sources, Path bundle) throws StepFailure {
    List<Path> files = new ArrayList<>();
    for (Path src : sources) {
      if (Files.isDirectory(src)) {
        try (Stream<Path> s = Files.list(src)) {
          // Kubernetes volumes hold "..data" and timestamped dirs next to the visible links
          s.filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(Files::isRegularFile)
              .sorted()
              .forEach(files::add);
        } catch (IOException e) {
          throw new StepFailure("cannot list extra CA directory " + src + ": " + e);
        }
      } else if (Files.isRegularFile(src)) {
        files.add(src);
      } else {
        throw new StepFailure("extra CA source " + src + " does not exist (trustedCA.sources)");
      }
    }
    boolean hasSystem = Files.isRegularFile(system);
    if (!hasSystem && sources.isEmpty()) {
      return -1;
    }
    if (!hasSystem) {
      throw new StepFailure(
          "system CA bundle " + system + " not found; cannot add extra CAs to it");
    }
    StringBuilder out = new StringBuilder();
    try {
      out.append(Files.readString(system, StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      throw new StepFailure("cannot read the system CA bundle " + system + ": " + e);
    }
    if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
      out.append('\n');
    }
    int added = 0;
    for (Path f : files) {
      List<X509Certificate> certs;
      try {
        certs = Pem.certificates(Files.readString(f, StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        // e.g. AccessDeniedException, whose message is only the path: say what failed
        throw new StepFailure(
            "cannot read extra CA file "
                + f
                + ": "
                + e
                + " (the file must be readable by this process' user or group; Secret volumes are mounted group 0)");
      } catch (CertificateException e) {
        throw new StepFailure(
            "extra CA file " + f + " is not a PEM certificate: " + e.getMessage());
      }
      if (certs.isEmpty()) {
        throw new StepFailure(
            "extra CA file "
                + f
                + " contains no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
      }
      for (X509Certificate c : certs) {
        out.append("# ")
            .append(c.getSubjectX500Principal().getName())
            .append(" (from ")
            .append(f)
            .append(")\n");
        try {
          out.append(Pem.encodeCertificate(c));
        } catch (CertificateException e) {
          throw new StepFailure("extra CA file " + f + ": " + e.getMessage());
        }
        added++;
      }
    }
    writeAtomically(bundle, out.toString().getBytes(StandardCharsets.ISO_8859_1), "rw-rw-r--");
    return added;
  }

  /**
   * Writes via a temporary file and a rename, so a reader never sees half a file. {@code mode}
   * keeps group 0 able to read it when the main container runs with another UID of group 0.
   */
  static void writeAtomically(Path target, byte[] content, String mode) throws StepFailure {
    Path dir = target.toAbsolutePath().getParent();
    try {
      Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
      Files.write(tmp, content);
      try {
        Files.setPosixFilePermissions(
            tmp, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new StepFailure(
          "cannot write " + target + " as UID " + Ids.uid() + " GID " + Ids.gid() + ": " + e);
    }
  }
}
