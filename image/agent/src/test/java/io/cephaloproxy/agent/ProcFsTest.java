package io.cephaloproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * /proc facts the run loop relies on: listening sockets, open accepted connections, RSS, zombies.
 */
class ProcFsTest {
  @Test
  void listeningAndOpenConnectionsFollowARealSocket() throws Exception {
    int port;
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = server.getLocalPort();
      assertThat(ProcFs.listening(port)).isTrue();
      assertThat(ProcFs.openConnections(port)).isZero();
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
          Socket accepted = server.accept()) {
        // only the accepted side has the server's port as its local port
        assertThat(ProcFs.openConnections(port)).isEqualTo(1);
        client.close();
        // the peer hung up but the server side is still open (CLOSE_WAIT): still in flight
        Thread.sleep(100);
        assertThat(ProcFs.openConnections(port)).isEqualTo(1);
      }
      assertThat(ProcFs.openConnections(port)).isZero();
    }
    assertThat(ProcFs.listening(port)).isFalse();
  }

  @Test
  void residentMemory() {
    assertThat(ProcFs.residentBytes(ProcessHandle.current().pid())).isGreaterThan(1 << 20);
    assertThat(ProcFs.residentBytes(999_999_999L)).isEqualTo(-1);
  }

  @Test
  void zombieChildrenAreCounted() throws Exception {
    // the shell starts a child, then becomes `sleep`, which never waits: the child stays a zombie
    // of it
    Process p = new ProcessBuilder("sh", "-c", "sleep 0 & sleep 0 & exec sleep 5").start();
    try {
      long deadline = System.nanoTime() + 3_000_000_000L;
      while (ProcFs.zombieChildren(p.pid()) < 2 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(ProcFs.zombieChildren(p.pid())).isEqualTo(2);
      assertThat(ProcFs.zombieChildren(ProcessHandle.current().pid())).isZero();
    } finally {
      p.destroyForcibly().waitFor();
    }
  }
}
