package io.cephaloproxy.tests.squid;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HarnessSmokeIT {
  static SquidLab lab;

  @BeforeAll
  static void up() {
    lab = SquidLab.start();
  }

  @AfterAll
  static void down() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void handWrittenConfigProxies() throws Exception {
    Path d = lab.newInstanceDir("smoke");
    Path run = Files.createDirectories(d.resolve("run"));
    SquidInstance.groupWritable(d);
    String name = lab.serviceName("smoke");
    Files.writeString(d.resolve("squid.conf"), String.join("\n",
        "http_port 3128",
        "pid_filename " + run.resolve("squid.pid"),
        "access_log stdio:/dev/stdout squid",
        "cache_log stdio:/dev/stderr",
        "logfile_rotate 0",
        "shutdown_lifetime 1 seconds",
        "coredump_dir " + run,
        "hosts_file " + lab.hostsFile,
        "dns_nameservers 127.0.0.1",
        "acl lan src 10.0.0.0/8",
        "http_access allow lan",
        "http_access deny all",
        "cache deny all",
        ""));
    var settings = new SquidInstance.Settings(d.resolve("squid.conf"), name, 3128, 1, 1, run, java.util.List.of(), null, "4MB");
    try (SquidInstance squid = new SquidInstance(lab.net, settings, d)) {
      squid.init();
      squid.start();
      System.out.println("start ms " + squid.startMillis());
      Curl.Response r = lab.get(3128, "http://origin.test/hello");
      assertThat(r.status()).as(r + squid.describe()).isEqualTo(200);
      assertThat(r.body()).contains("host=origin.test");
      Curl.Response outside = Curl.get(lab.net.client, NetLab.PROXY_IP + ":3128", "http://origin.test/x",
          "--interface", NetLab.OUTSIDE_CLIENT_IP);
      assertThat(outside.status()).as(outside + squid.describe()).isEqualTo(403);
      squid.awaitAccessLog(l -> l.contains("TCP_DENIED/403"), Duration.ofSeconds(5));
      Curl.Response s = lab.get(3128, "https://origin.test/tls", "--cacert", lab.pki.originCaCert.toString());
      assertThat(s.status()).as(s.toString()).isEqualTo(200);
      System.out.println("issuer " + s.issuer());
      long t = System.nanoTime();
      assertThat(squid.stop()).isEqualTo(0);
      System.out.println("stop ms " + (System.nanoTime() - t) / 1_000_000);
      System.out.println(squid.describe());
    }
  }
}
