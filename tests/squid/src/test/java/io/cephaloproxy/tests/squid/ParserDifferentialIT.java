package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import io.cephaloproxy.api.v1alpha1.AccessSpec;
import io.cephaloproxy.api.v1alpha1.ConfigMapKeyRef;
import io.cephaloproxy.api.v1alpha1.Patterns;
import io.cephaloproxy.api.v1alpha1.SquidConfRef;
import io.cephaloproxy.api.v1alpha1.SquidProxy;
import io.cephaloproxy.api.v1alpha1.SquidProxySpec;
import io.cephaloproxy.api.v1alpha1.UpstreamSpec;
import io.cephaloproxy.compiler.ReferencedData;
import io.cephaloproxy.compiler.SquidConfCompiler;
import io.cephaloproxy.compiler.ValidationError;
import io.cephaloproxy.testsupport.Cmd;
import io.cephaloproxy.testsupport.ExampleFile;
import io.cephaloproxy.testsupport.RepoRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * What Squid reads is exactly what the compiler wrote (issue 12, section 1), checked against
 * Squid's own parser: for every golden spec, every example and fuzzed specs with hostile text in
 * every free-text field, the compiled config is run through the real {@code squid -k parse}, and
 *
 * <ul>
 *   <li>the directives Squid reports processing ({@code Processing: ...}) are exactly the
 *       compiler's lines, with the included files (upstream include, a squidConfFrom config)
 *       expanded in place;
 *   <li>every line Squid reads from each ACL list file (shown by Squid's own list reader, the one
 *       of {@code dstdom_regex}, which reads files in the same 2048-byte chunks as dstdomain) is a
 *       whole line of that file, and its entry is one the validator accepts (a domain or CIDR; no
 *       piece of a split line).
 * </ul>
 *
 * Fuzzed specs the validator refuses never reach Squid; the test checks that enough are accepted to
 * mean something. {@code -Ddifferential.fuzz=N} (default 3000) sets the number of fuzzed specs;
 * {@code -Ddifferential.image=IMAGE} runs the Squid of the image (6.13) under Docker instead of
 * Debian's (5.7). {@link ParserDifferentialSquid6IT} runs the same cases on the image's Squid.
 */
class ParserDifferentialIT extends SquidSuite {
  /** The number of fuzzed specs. */
  int fuzz() {
    return Integer.getInteger("differential.fuzz", 3000);
  }

  /**
   * The Squid image to run instead of Debian's Squid ({@code
   * -Ddifferential.image=ghcr.io/cephaloproxy/squid:VERSION}: Squid 6.13 under Docker, no network,
   * the instance directory mounted read-only at the same path); empty for Debian's.
   */
  String image() {
    return System.getProperty("differential.image", "");
  }

  private static final Pattern PROCESSING = Pattern.compile("\\| Processing: (.*)$");
  private static final Pattern LIST_READ = Pattern.compile("parse: buffering RE '(.*)'$");
  private static final Pattern QUOTED_FILE = Pattern.compile("^acl \\S+ \\S+ (?:-n )?\"([^\"]+)\"");
  private static final Pattern DOMAIN = Pattern.compile(Patterns.DOMAIN);
  private static final Pattern CIDR = Pattern.compile("^[0-9a-fA-F:.]+/[0-9]{1,3}$");

  /**
   * The outcome of one spec on real Squid: the differences found, empty when Squid read what was
   * written.
   */
  record Outcome(String name, List<String> differences) {}

  // --- the cases ---

  static Stream<Path> yamlFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> goldenSpecsAndExamplesAreReadAsWritten() {
    Path root = RepoRoot.get();
    return Stream.concat(
            yamlFiles(root.resolve("compiler/src/test/resources/golden")),
            yamlFiles(root.resolve("examples")))
        .map(
            file ->
                DynamicTest.dynamicTest(
                    root.relativize(file).toString(),
                    () -> {
                      ExampleFile example = ExampleFile.load(file);
                      assertThat(
                              SquidConfCompiler.validate(example.proxy().getSpec(), example.data()))
                          .as("%s validates", file)
                          .isEmpty();
                      Outcome o =
                          run(
                              file.getFileName().toString().replace(".yaml", ""),
                              example.proxy(),
                              example.data());
                      assertThat(o.differences()).as("%s on real Squid", file).isEmpty();
                    }));
  }

  /**
   * The run is on the Squid it says: the image's 6.x with differential.image, else Debian's 5.x.
   */
  @Test
  void runsOnTheSquidAskedFor() {
    Cmd.Result r = squid(lab.newInstanceDir("version").resolve("squid.conf"), "-v");
    assertThat(r.out()).contains(image().isEmpty() ? "Version 5." : "Version 6.");
    System.out.printf("differential: %s%n", r.out().lines().findFirst().orElse("").trim());
  }

  /**
   * The harness sees the reproduced attack when it reaches Squid (here by editing the written
   * file).
   */
  @Test
  void harnessSeesASmuggledDirective() throws IOException {
    SquidProxy proxy =
        CompiledSquid.proxy("smuggle", "extraConfig: 'acl pad dstdomain .a.example'");
    CompiledSquid compiled =
        CompiledSquid.compile(
            lab, "smuggle", proxy, ReferencedData.builder().build(), (s, k, f) -> null);
    String attack = "acl pad dstdomain " + ".a".repeat(4086) + " acl cp_clients src all";
    assertThat(attack.indexOf("acl cp_clients")).isEqualTo(8191);
    Path conf = compiled.instance().settings().config();
    Files.writeString(conf, Files.readString(conf).replace("acl pad dstdomain .a.example", attack));
    assertThat(differences(conf)).anyMatch(d -> d.contains("acl cp_clients src all"));
    // and the validator refuses that spec
    SquidProxySpec spec = new SquidProxySpec();
    spec.setExtraConfig(attack);
    assertThat(SquidConfCompiler.validate(spec, ReferencedData.offline()))
        .extracting(ValidationError::message)
        .anyMatch(m -> m.contains("at most 8191 bytes"));
  }

  /**
   * A comment line of a list whose byte 2048 starts a domain: the validator refuses it, Squid would
   * load it.
   */
  @Test
  void harnessSeesASmuggledListEntry() throws IOException {
    Path list = lab.newInstanceDir("list-smuggle").resolve("allow.txt");
    Files.writeString(list, ".example.com\n#" + "x".repeat(2046) + ".evil.example\n");
    assertThat(listDifferences(list.resolveSibling("probe.conf"), List.of(list)))
        .anyMatch(d -> d.contains("is not a whole line of the list: [.evil.example]"));
  }

  @Test
  void fuzzedSpecsAreReadAsWrittenOrRefused() throws Exception {
    final int fuzz = fuzz();
    Random random = new Random(12);
    List<Fuzzed> accepted = new ArrayList<>();
    int refused = 0;
    for (int i = 0; i < fuzz; i++) {
      Fuzzed f = Fuzzed.make(random, i);
      if (SquidConfCompiler.validate(f.spec(), f.data()).isEmpty()) {
        accepted.add(f);
      } else {
        refused++;
      }
    }
    System.out.printf(
        "differential: %d fuzzed specs, %d accepted (run on Squid), %d refused by the validator%n",
        fuzz, accepted.size(), refused);
    assertThat(accepted.size()).as("fuzzed specs the validator accepts").isGreaterThan(fuzz / 5);
    assertThat(refused).as("fuzzed specs the validator refuses").isGreaterThan(fuzz / 5);
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (Fuzzed f : accepted) {
        SquidProxy proxy = CompiledSquid.proxy(f.name(), "{}");
        proxy.setSpec(f.spec());
        futures.add(pool.submit(() -> run(f.name(), proxy, f.data())));
      }
      List<String> failures = new ArrayList<>();
      for (Future<Outcome> fu : futures) {
        Outcome o = fu.get();
        if (!o.differences().isEmpty()) {
          failures.add(o.name() + ": " + o.differences());
        }
      }
      System.out.printf(
          "differential: %d specs on real Squid in %d s%n",
          accepted.size(), (System.nanoTime() - t0) / 1_000_000_000L);
      assertThat(failures)
          .as("specs whose config Squid read differently from what the compiler wrote")
          .isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  // --- running Squid ---

  Outcome run(String name, SquidProxy proxy, ReferencedData data) {
    CompiledSquid compiled;
    synchronized (this) { // the lab numbers instance dirs
      compiled = CompiledSquid.compile(lab, name, proxy, data, this::stub);
    }
    try {
      return new Outcome(name, differences(compiled.instance().settings().config()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stand-ins for Secret/ConfigMap keys a spec names without shipping them. */
  String stub(String source, String key, String file) {
    try {
      return switch (file) {
        case "tls.crt" -> Files.readString(lab.pki.bumpCaCert);
        case "tls.key" -> Files.readString(lab.pki.bumpCaKey);
        case "ca.crt" -> Files.readString(lab.pki.originCaCert);
        case "htpasswd" -> AuthIT.htpasswd("alice", "example-password");
        case "username" -> "user";
        case "password" -> "password";
        case "domains.txt" -> ".example.com\n";
        case "squid.conf" ->
            "acl office src 10.0.0.0/8\nhttp_access allow office\nhttp_access deny all\n";
        default -> null;
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The image's Squid, once the first call needs it (its containers serve the whole class). */
  private ImageSquid imageSquid;

  /**
   * Squid with these arguments on a config under the lab's directory: Debian's as the Squid UID, or
   * the image's (in long-lived containers of the image, {@link ImageSquid}).
   */
  Cmd.Result squid(Path config, String... args) {
    String image = image();
    if (image.isEmpty()) {
      List<String> cmd = new ArrayList<>(List.of(Prereqs.SQUID.toString()));
      cmd.addAll(List.of(args));
      return Cmd.run(Duration.ofSeconds(60), SquidInstance.asSquidUser(cmd));
    }
    Path root =
        config
            .getRoot()
            .resolve(config.subpath(0, 2)); // /tmp/cpsq-...: every file the config names
    ImageSquid squid;
    synchronized (this) {
      if (imageSquid == null) {
        imageSquid = new ImageSquid(image, root);
      }
      squid = imageSquid;
    }
    if (!config.startsWith(squid.root())) {
      throw new IllegalArgumentException(config + " is not under " + squid.root());
    }
    return squid.squid(Duration.ofSeconds(120), List.of(args));
  }

  @AfterAll
  synchronized void stopImageSquid() {
    if (imageSquid != null) {
      System.out.printf("differential: %d containers of %s%n", imageSquid.containers(), image());
      imageSquid.close();
      imageSquid = null;
    }
  }

  /** Differences between what the compiler wrote under {@code conf} and what Squid read. */
  List<String> differences(Path conf) throws IOException {
    List<String> out = new ArrayList<>();
    List<String> written = new ArrayList<>();
    List<Path> lists = new ArrayList<>();
    expand(conf, written, lists);
    Cmd.Result r = squid(conf, "-k", "parse", "-f", conf.toString());
    List<String> processed = new ArrayList<>();
    for (String l : (r.out() + r.err()).lines().toList()) {
      Matcher m = PROCESSING.matcher(l);
      if (m.find()) {
        processed.add(trim(m.group(1)));
      }
    }
    // a config Squid refuses (the validator does not know every directive's syntax) stops at the
    // refused line:
    // then what Squid processed must be the start of what was written, nothing else
    boolean fatal = (r.out() + r.err()).contains("FATAL");
    List<String> expected =
        fatal && processed.size() <= written.size()
            ? written.subList(0, processed.size())
            : written;
    if (!processed.equals(expected)) {
      List<String> extra = new ArrayList<>(processed);
      extra.removeAll(written);
      List<String> lost = new ArrayList<>(written);
      lost.removeAll(processed);
      out.add(
          "squid.conf: Squid processed "
              + processed.size()
              + " directives, the compiler wrote "
              + written.size()
              + "; processed but not written: "
              + cut(extra)
              + "; written but not processed: "
              + cut(lost));
    }
    if (!lists.isEmpty()) {
      out.addAll(listDifferences(conf.resolveSibling("list-probe.conf"), lists));
    }
    return out;
  }

  /** The directives of a config file as Squid should process them: includes expanded in place. */
  static void expand(Path file, List<String> directives, List<Path> lists) throws IOException {
    for (String raw : Files.readString(file, StandardCharsets.UTF_8).split("\n", -1)) {
      String line = trim(raw);
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      directives.add(line);
      if (line.startsWith("include ")) {
        Path included = Path.of(line.substring("include ".length()).strip());
        if (Files.exists(included)) {
          expand(included, directives, lists);
        }
      }
      Matcher m = QUOTED_FILE.matcher(line);
      if (m.find()) {
        lists.add(Path.of(m.group(1)));
      }
    }
  }

  /**
   * Squid's list reader on each list file: every line it reads must be a whole, accepted line of
   * the file.
   */
  List<String> listDifferences(Path probe, List<Path> lists) throws IOException {
    StringBuilder conf = new StringBuilder("http_port 127.0.0.1:1\npid_filename none\n");
    for (int i = 0; i < lists.size(); i++) {
      conf.append("acl probe")
          .append(i)
          .append(" dstdom_regex \"")
          .append(lists.get(i))
          .append("\"\n");
    }
    Files.writeString(probe, conf);
    SquidInstance.groupWritable(probe.getParent());
    Cmd.Result r = squid(probe, "-k", "parse", "-X", "-f", probe.toString());
    List<String> read = new ArrayList<>();
    boolean inProbe = false;
    for (String l : (r.out() + r.err()).lines().toList()) {
      if (l.contains("| Processing: acl probe")) {
        inProbe = true;
      }
      Matcher m = LIST_READ.matcher(l);
      if (inProbe && m.find()) {
        read.add(m.group(1));
      }
    }
    List<String> fileLines = new ArrayList<>();
    for (Path p : lists) {
      for (String l : Files.readString(p, StandardCharsets.UTF_8).split("\n", -1)) {
        String e = trim(l);
        if (!e.isEmpty() && !e.startsWith("#")) {
          fileLines.add(e);
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String chunk : read) {
      String e = trim(chunk);
      if (!fileLines.contains(e)) {
        out.add("list entry Squid read is not a whole line of the list: " + cut(List.of(e)));
      } else if (!DOMAIN.matcher(e).matches() && !CIDR.matcher(e).matches()) {
        out.add("list entry Squid read is not an accepted domain or CIDR: " + cut(List.of(e)));
      }
    }
    if (read.size() != fileLines.size()) {
      out.add("Squid read " + read.size() + " list entries, the files hold " + fileLines.size());
    }
    return out;
  }

  /** Strips spaces and tabs only (what Squid strips around a directive or a list entry). */
  static String trim(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
      a++;
    }
    while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) {
      b--;
    }
    return s.substring(a, b);
  }

  /** Each line shortened to its first and last 60 characters. */
  static String cut(List<String> l) {
    return l.stream()
        .map(s -> s.length() > 130 ? s.substring(0, 60) + "..." + s.substring(s.length() - 60) : s)
        .toList()
        .toString();
  }

  // --- the fuzzer ---

  /** A generated spec with its referenced ConfigMaps. */
  record Fuzzed(String name, SquidProxySpec spec, ReferencedData data) {
    static final String[] SEPARATORS = {
      "\u2028", "\u2029", "\u0085", "\u00a0", "\u3000", "\u1680", "\u000b", "\u000c", "\r",
      "\u0000", "\t", " "
    };
    static final String[] HOSTILE = {
      "http_access allow all",
      "acl cp_clients src all",
      "include /etc/passwd",
      "${process_number}",
      "\\",
      "#",
      "\"",
      "'",
      "%",
      "*",
      "..",
      "-",
      "é",
      "\ud83d\ude00",
      "\u202e"
    };
    static final String[] DOMAINS = {
      ".example.com",
      "api.github.com",
      "example.org",
      "_acme.example.net",
      "192.0.2.10",
      "a-b.example",
      ".x.example",
      "very.deep.sub.domain.example"
    };

    /** NO_PROXY entries as OpenShift and administrators write them. */
    static final String[] NO_PROXY = {
      ".cluster.local",
      ".svc",
      "localhost",
      "127.0.0.1",
      "10.128.0.0/14",
      "172.30.0.1/16",
      "*.apps.example.com",
      "Internal.Corp",
      "[fd00::1]",
      "2001:db8::/32",
      "*"
    };

    static final String[] DIRECTIVES = {
      "forwarded_for delete",
      "via off",
      "client_lifetime 1 hour",
      "acl uploads method POST\nhttp_access deny uploads",
      "request_header_access Referer deny all",
      "acl office src 10.1.0.0/16",
      "# a comment",
      ""
    };

    static Fuzzed make(Random r, int i) {
      SquidProxySpec spec = new SquidProxySpec();
      Map<String, String> lists = new TreeMap<>();
      if (r.nextInt(8) == 0) {
        SquidConfRef expert = new SquidConfRef();
        expert.setName("expert");
        expert.setKey("squid.conf");
        spec.setSquidConfFrom(expert);
        lists.put("squid.conf", config(r, "http_access deny all"));
      } else {
        AccessSpec access = new AccessSpec();
        if (r.nextBoolean()) {
          List<String> inline = new ArrayList<>();
          for (int n = r.nextInt(4); n > 0; n--) {
            inline.add(r.nextInt(4) == 0 ? hostile(r, pick(r, DOMAINS)) : pick(r, DOMAINS));
          }
          access.setAllowedDomains(inline.isEmpty() ? null : inline);
        }
        if (r.nextBoolean()) {
          access.setAllowedDomainsFrom(ref(new ConfigMapKeyRef(), "lists", "allow.txt"));
          lists.put("allow.txt", list(r));
        }
        if (r.nextInt(3) == 0) {
          access.setDeniedDomainsFrom(ref(new ConfigMapKeyRef(), "lists", "deny.txt"));
          lists.put("deny.txt", list(r));
        }
        spec.setAccess(access);
        if (r.nextBoolean()) {
          spec.setExtraConfig(config(r, null));
        }
      }
      // the operator's NO_PROXY for upstream.fromClusterProxy, from a Random of its own: the specs
      // above stay the ones earlier runs measured
      Random own = new Random(1_000_003L * i);
      List<String> noProxy = new ArrayList<>();
      if (spec.getSquidConfFrom() == null && own.nextInt(4) == 0) {
        UpstreamSpec upstream = new UpstreamSpec();
        upstream.setHost("proxy.corp.example");
        upstream.setFromClusterProxy(true);
        spec.setUpstream(upstream);
        for (int n = own.nextInt(6); n > 0; n--) {
          noProxy.add(
              own.nextInt(5) == 0 ? hostile(own, pick(own, NO_PROXY)) : pick(own, NO_PROXY));
        }
      }
      ReferencedData.Builder data = ReferencedData.builder();
      Map<String, String> expert = new TreeMap<>();
      Map<String, String> named = new TreeMap<>();
      lists.forEach((k, v) -> (k.equals("squid.conf") ? expert : named).put(k, v));
      if (!expert.isEmpty()) {
        data.configMap("expert", expert);
      }
      if (!named.isEmpty()) {
        data.configMap("lists", named);
      }
      return new Fuzzed("fz" + i, spec, data.build().withNoProxy(noProxy));
    }

    static ConfigMapKeyRef ref(ConfigMapKeyRef ref, String name, String key) {
      ref.setName(name);
      ref.setKey(key);
      return ref;
    }

    static String pick(Random r, String[] a) {
      return a[r.nextInt(a.length)];
    }

    /** A value with something hostile put before, inside or after it. */
    static String hostile(Random r, String value) {
      String bad = r.nextBoolean() ? pick(r, SEPARATORS) : pick(r, HOSTILE);
      int at = r.nextInt(value.length() + 1);
      return switch (r.nextInt(3)) {
        case 0 -> value.substring(0, at) + bad + value.substring(at);
        case 1 -> value + bad + (r.nextBoolean() ? pick(r, HOSTILE) : "");
        default -> bad + value;
      };
    }

    /**
     * A list file: entries, comments, blank lines, whitespace, lines around Squid's 2047-byte
     * limit.
     */
    static String list(Random r) {
      StringBuilder b = new StringBuilder();
      for (int n = 1 + r.nextInt(6); n > 0; n--) {
        String line =
            switch (r.nextInt(7)) {
              case 0 -> "# " + "c".repeat(r.nextInt(40));
              case 1 -> "";
              case 2 ->
                  (r.nextBoolean() ? " \t" : "")
                      + pick(r, DOMAINS)
                      + (r.nextBoolean() ? "\t " : "");
              case 3 -> hostile(r, pick(r, DOMAINS));
              case 4 -> longLine(r, "#", 2047, pick(r, DOMAINS));
              case 5 -> "#" + pick(r, SEPARATORS) + pick(r, DOMAINS);
              default -> pick(r, DOMAINS);
            };
        b.append(line).append('\n');
      }
      return r.nextInt(5) == 0 ? b.toString().stripTrailing() : b.toString();
    }

    /**
     * squid.conf lines: directives, comments, hostile text, lines around Squid's 8191-byte limit.
     */
    static String config(Random r, String last) {
      StringBuilder b = new StringBuilder();
      for (int n = 1 + r.nextInt(5); n > 0; n--) {
        String line =
            switch (r.nextInt(6)) {
              // a squidConfFrom config may use Squid's macros (expert mode, with conditionals): not
              // compared here
              case 0 ->
                  last != null
                      ? hostile(r, pick(r, DIRECTIVES)).replace("${", "$")
                      : hostile(r, pick(r, DIRECTIVES));
              case 1 -> longLine(r, "acl pad dstdomain ", 8191, pick(r, HOSTILE));
              case 2 -> longLine(r, "# ", 8191, "acl cp_clients src all");
              default -> pick(r, DIRECTIVES);
            };
        b.append(line).append('\n');
      }
      if (last != null) {
        b.append(last).append('\n');
      }
      return b.toString();
    }

    /**
     * A line of about {@code limit} bytes (a few below, at or above it) with {@code tail} near its
     * end.
     */
    static String longLine(Random r, String head, int limit, String tail) {
      int target = limit - 3 + r.nextInt(7) - tail.length();
      StringBuilder b = new StringBuilder(head);
      while (b.length() < target) {
        b.append(head.startsWith("acl") ? " .a" + b.length() + ".example" : "x");
      }
      b.setLength(Math.max(head.length(), target));
      return b + tail;
    }
  }
}
