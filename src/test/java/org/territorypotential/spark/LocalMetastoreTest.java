package org.territorypotential.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a command finds the lakehouse's metastore service when one holds its lock but has not
 * answered yet (busy, or still writing its port): it waits for it instead of starting a second
 * service that would fail on the lock ("another metastore service runs for ...", seen with two
 * jobs/tp commands back to back on a loaded machine). No Spark and no real service: the lock is held
 * by this JVM and the "service" is a socket.
 */
class LocalMetastoreTest {
  @TempDir
  File lake;

  private LocalMetastore.Settings settings(int startTimeoutSeconds) {
    return new LocalMetastore.Settings(lake, new File(lake, "warehouse").getPath(), 60, 0, startTimeoutSeconds, "256m");
  }

  @Test
  void aServiceThatHoldsTheLockIsWaitedForNotStartedTwice() throws Exception {
    File dir = new File(lake, "metastore_service");
    assertTrue(dir.mkdirs());
    try (FileChannel ch = FileChannel.open(new File(dir, "server.lock").toPath(), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock held = ch.lock();
        ServerSocket service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread writesItsPortLater = new Thread(() -> {
        try {
          Thread.sleep(1500);
          Properties p = new Properties();
          p.setProperty("pid", String.valueOf(ProcessHandle.current().pid()));
          p.setProperty("port", String.valueOf(service.getLocalPort()));
          try (OutputStream out = Files.newOutputStream(new File(dir, "server.properties").toPath())) {
            p.store(out, null);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      writesItsPortLater.start();
      long t0 = System.nanoTime();
      assertEquals("thrift://127.0.0.1:" + service.getLocalPort(), LocalMetastore.ensure(settings(30)));
      assertTrue(System.nanoTime() - t0 >= 1_000_000_000L, "it waited for the service's port");
      writesItsPortLater.join();
    }
    assertFalse(new File(dir, "server.log").exists(), "no second service was started (it would log there)");
  }

  @Test
  void aServiceThatHoldsTheLockAndNeverAnswersIsOneClearError() throws Exception {
    File dir = new File(lake, "metastore_service");
    assertTrue(dir.mkdirs());
    try (FileChannel ch = FileChannel.open(new File(dir, "server.lock").toPath(), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock held = ch.lock()) {
      RuntimeException e = assertThrows(RuntimeException.class, () -> LocalMetastore.ensure(settings(1)));
      assertTrue(e.getMessage().contains("holds") && e.getMessage().contains("did not answer within 1 s"), e.getMessage());
    }
    assertFalse(new File(dir, "server.log").exists(), "no second service was started");
  }
}
