package org.territorypotential.spark;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/**
 * The local lakehouse's shared metastore: Hive's metastore service (HMSHandler, in Spark's
 * hive-metastore jar) over the embedded Derby database {@code <lakehouse>/metastore_db}, in a JVM
 * of its own, listening on 127.0.0.1 only. The first process that needs it starts it; later ones
 * find it through {@code <lakehouse>/metastore_service/server.properties}; it stops itself after
 * {@code tp.metastore.idle-seconds} without a client (or on SIGTERM: jobs/tp metastore stop). Each
 * process that uses it keeps a connection open for its whole life (a lease), so "no client" means
 * no process of the lakehouse is left.
 *
 * <p>Liveness is a file lock, not a pid: the service holds {@code server.lock} for its whole life
 * and the operating system releases it when the process ends, even on SIGKILL, so a stale
 * properties file is never trusted. Starters serialize on {@code start.lock}, so two processes
 * starting at once start one service.
 */
public final class LocalMetastore {
  static final String DIR = "metastore_service";
  /** The --add-opens flags Spark needs on Java 17 (as in jobs/tp), for the service's JVM and the tests' children. */
  public static final List<String> OPENS = List.of(
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false");

  private LocalMetastore() {}

  /** Validated tp.metastore.* settings of the shared service. */
  public record Settings(File lakehouse, String warehouse, int idleSeconds, int port, int startTimeoutSeconds, String heap) {
    File dir() {
      return new File(lakehouse, DIR);
    }
  }

  /** The local mode: "shared" or "embedded" (validated). */
  public static String mode(AppConfig cfg) {
    String mode = cfg.getString("tp.metastore.local");
    if (!mode.equals("shared") && !mode.equals("embedded")) {
      throw new ConfigError("configuration key 'tp.metastore.local' must be shared or embedded, got '" + mode + "'");
    }
    return mode;
  }

  public static Settings settings(AppConfig cfg, File lakehouse, String warehouse) {
    int idle = cfg.getInt("tp.metastore.idle-seconds");
    int port = cfg.getInt("tp.metastore.port");
    int timeout = cfg.getInt("tp.metastore.start-timeout-seconds");
    String heap = cfg.getString("tp.metastore.heap");
    if (idle < 1) {
      throw new ConfigError("configuration key 'tp.metastore.idle-seconds' must be >= 1, got " + idle);
    }
    if (port < 0 || port > 65535) {
      throw new ConfigError("configuration key 'tp.metastore.port' must be 0..65535, got " + port);
    }
    if (timeout < 1) {
      throw new ConfigError("configuration key 'tp.metastore.start-timeout-seconds' must be >= 1, got " + timeout);
    }
    if (!heap.matches("[1-9][0-9]*[kmgKMG]?")) {
      throw new ConfigError("configuration key 'tp.metastore.heap' must be a Java heap size like 512m, got '" + heap + "'");
    }
    return new Settings(lakehouse, warehouse, idle, port, timeout, heap);
  }

  /** A running service: its process id and port. */
  public record Running(long pid, int port) {
    public String uri() {
      return "thrift://127.0.0.1:" + port;
    }
  }

  /** The service of {@code lakehouse} when one runs and answers, else empty. */
  public static Optional<Running> find(File lakehouse) {
    File dir = new File(lakehouse, DIR);
    if (!alive(new File(dir, "server.lock"))) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(new File(dir, "server.properties").toPath())) {
      p.load(in);
    } catch (IOException e) {
      return Optional.empty(); // starting: the lock is held, the port not written yet
    }
    Running r = new Running(Long.parseLong(p.getProperty("pid")), Integer.parseInt(p.getProperty("port")));
    return answers(r.port()) ? Optional.of(r) : Optional.empty();
  }

  /**
   * Finds the service of the lakehouse or starts one, and returns its thrift:// URI. Fails with
   * {@link MetastoreUnavailable} (one line naming the cause and the service's log) when it cannot.
   */
  public static String ensure(Settings s) {
    File dir = s.dir();
    dir.mkdirs();
    try (FileChannel ch = FileChannel.open(new File(dir, "start.lock").toPath(), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
      Optional<Running> found = find(s.lakehouse());
      if (found.isEmpty()) {
        found = awaitHeld(s);
      }
      Running r = found.isPresent() ? found.get() : start(s);
      lease(r);
      return r.uri();
    } catch (IOException e) {
      throw new MetastoreUnavailable("cannot use " + dir + " to start the lakehouse's metastore service: " + e.getMessage());
    }
  }

  /**
   * An idle connection this process keeps open to the service until it ends: the service counts
   * it as a client, so it does not stop between this process finding it and Spark's first metastore
   * call (tens of seconds on a busy machine), nor while this process lives. The operating system
   * closes it when the process ends, killed or not.
   */
  private static Socket lease;

  private static synchronized void lease(Running r) throws IOException {
    if (lease != null && !lease.isClosed() && lease.getPort() == r.port()) {
      return;
    }
    Socket socket = new Socket();
    socket.setKeepAlive(true);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), r.port()), 5000);
    lease = socket;
  }

  /**
   * When a service holds the lakehouse's lock but did not answer (busy, or still writing its port):
   * waits for it to answer, up to tp.metastore.start-timeout-seconds, instead of starting a second
   * one that would fail on the lock ("another metastore service runs", seen with two jobs/tp
   * commands back to back on a loaded machine). Empty once no service holds the lock (it stopped):
   * the caller starts one.
   */
  private static Optional<Running> awaitHeld(Settings s) {
    File lock = new File(s.dir(), "server.lock");
    long deadline = System.nanoTime() + s.startTimeoutSeconds() * 1_000_000_000L;
    while (alive(lock)) {
      Optional<Running> r = find(s.lakehouse());
      if (r.isPresent()) {
        return r;
      }
      if (System.nanoTime() > deadline) {
        throw new MetastoreUnavailable("the lakehouse's metastore service holds " + lock + " but did not answer within "
            + s.startTimeoutSeconds() + " s (tp.metastore.start-timeout-seconds; log: " + new File(s.dir(), "server.log") + ")");
      }
      sleep(200);
    }
    return Optional.empty();
  }

  private static Running start(Settings s) throws IOException {
    File dir = s.dir();
    File log = new File(dir, "server.log");
    Files.deleteIfExists(new File(dir, "server.properties").toPath());
    List<String> cmd = new ArrayList<>();
    cmd.add(new File(System.getProperty("java.home"), "bin/java").getPath());
    cmd.add("-Xmx" + s.heap());
    cmd.addAll(OPENS);
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add(LocalMetastore.class.getName());
    cmd.add(s.lakehouse().getAbsolutePath());
    cmd.add(s.warehouse());
    cmd.add(String.valueOf(s.idleSeconds()));
    cmd.add(String.valueOf(s.port()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    long deadline = System.nanoTime() + s.startTimeoutSeconds() * 1_000_000_000L;
    while (true) {
      Optional<Running> r = find(s.lakehouse());
      if (r.isPresent() && r.get().pid() == p.pid()) {
        return r.get();
      }
      if (!p.isAlive()) {
        throw new MetastoreUnavailable("the lakehouse's metastore service did not start (exit " + p.exitValue() + "): "
            + lastLine(log) + " (log: " + log + ")");
      }
      if (System.nanoTime() > deadline) {
        p.destroy();
        throw new MetastoreUnavailable("the lakehouse's metastore service did not answer within "
            + s.startTimeoutSeconds() + " s (tp.metastore.start-timeout-seconds; log: " + log + ")");
      }
      sleep(200);
    }
  }

  /** Stops the lakehouse's service (SIGTERM, then waits); false when none ran. */
  public static boolean stop(File lakehouse, long timeoutMillis) {
    Optional<Running> r = find(lakehouse);
    if (r.isEmpty()) {
      return false;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(r.get().pid());
    if (h.isEmpty()) {
      return false;
    }
    h.get().destroy();
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (h.get().isAlive() && System.currentTimeMillis() < deadline) {
      sleep(100);
    }
    if (h.get().isAlive()) {
      throw new MetastoreUnavailable("the metastore service (pid " + r.get().pid() + ") did not stop within "
          + timeoutMillis / 1000 + " s");
    }
    return true;
  }

  /** The JVM's classpath plus the jar or folder of this class (spark-submit loads the app jar apart). */
  private static String classpath() {
    String cp = System.getProperty("java.class.path");
    try {
      String own = new File(LocalMetastore.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
      if (!List.of(cp.split(File.pathSeparator)).contains(own)) {
        cp = own + File.pathSeparator + cp;
      }
    } catch (Exception e) {
      // keep the JVM's classpath
    }
    return cp;
  }

  /** True when another process holds {@code lock} (the service is running). */
  static boolean alive(File lock) {
    if (!lock.isFile()) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(lock.toPath(), StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (java.nio.channels.OverlappingFileLockException inThisJvm) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String lastLine(File log) {
    try {
      List<String> lines = Files.readAllLines(log.toPath(), StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).startsWith("metastore: error: ")) {
          return lines.get(i).substring("metastore: error: ".length());
        }
      }
      return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).trim();
    } catch (IOException e) {
      return "no log";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetastoreUnavailable("interrupted while waiting for the metastore service");
    }
  }

  // ---------------------------------------------------------------- the service's own JVM

  /** The service: args lakehouse, warehouse, idle seconds, port (0 = any). */
  public static void main(String[] args) {
    try {
      serve(args);
    } catch (Throwable e) {
      // the stack trace for the log; the last line for the client's one-line error
      e.printStackTrace(System.out);
      fail(1, e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  private static void serve(String[] args) throws Exception {
    File lake = new File(args[0]);
    String warehouse = args[1];
    long idleMillis = Long.parseLong(args[2]) * 1000L;
    int port = Integer.parseInt(args[3]);
    File dir = new File(lake, DIR);
    // Ctrl-C in the terminal of the process that started us, or that terminal closing, is not
    // for us: other processes may still use the metastore. SIGTERM (jobs/tp metastore stop) is.
    for (String sig : List.of("INT", "HUP")) {
      sun.misc.Signal.handle(new sun.misc.Signal(sig), sun.misc.SignalHandler.SIG_IGN);
    }
    FileChannel lockChannel = FileChannel.open(new File(dir, "server.lock").toPath(), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock = lockChannel.tryLock();
    if (lock == null) {
      fail(3, "another metastore service runs for " + lake);
    }
    try {
      Sessions.requireMetastoreFree(new File(lake, "metastore_db"));
    } catch (MetastoreInUse e) {
      fail(2, e.getMessage());
    }
    System.setProperty("derby.system.home", lake.getAbsolutePath());
    org.apache.hadoop.hive.conf.HiveConf conf = new org.apache.hadoop.hive.conf.HiveConf();
    conf.set("javax.jdo.option.ConnectionURL", "jdbc:derby:;databaseName=" + lake.getAbsolutePath() + "/metastore_db;create=true");
    conf.set("javax.jdo.option.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver");
    conf.set("hive.metastore.warehouse.dir", warehouse);
    conf.set("hive.metastore.schema.verification", "false");
    conf.set("datanucleus.schema.autoCreateAll", "true");
    conf.set("hive.metastore.uris", "");
    var base = new org.apache.hadoop.hive.metastore.HiveMetaStore.HMSHandler("tp local metastore", conf, false);
    var handler = org.apache.hadoop.hive.metastore.HiveMetaStore.newRetryingHMSHandler(base, conf);
    handler.get_database("default"); // creates the schema and the default database before anyone connects

    ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    org.apache.thrift.server.TThreadPoolServer server = new org.apache.thrift.server.TThreadPoolServer(
        new org.apache.thrift.server.TThreadPoolServer.Args(new org.apache.thrift.transport.TServerSocket(socket))
            .processor(new org.apache.hadoop.hive.metastore.api.ThriftHiveMetastore.Processor<>(handler))
            .transportFactory(new org.apache.thrift.transport.TTransportFactory())
            .protocolFactory(new org.apache.thrift.protocol.TBinaryProtocol.Factory())
            .minWorkerThreads(2).maxWorkerThreads(200));
    AtomicInteger clients = new AtomicInteger();
    AtomicLong idleSince = new AtomicLong(System.currentTimeMillis());
    server.setServerEventHandler(new org.apache.thrift.server.TServerEventHandler() {
      @Override
      public void preServe() {}

      @Override
      public org.apache.thrift.server.ServerContext createContext(org.apache.thrift.protocol.TProtocol in,
          org.apache.thrift.protocol.TProtocol out) {
        clients.incrementAndGet();
        return null;
      }

      @Override
      public void deleteContext(org.apache.thrift.server.ServerContext c, org.apache.thrift.protocol.TProtocol in,
          org.apache.thrift.protocol.TProtocol out) {
        // this connection's thread-local store (a Derby connection) goes with it
        org.apache.hadoop.hive.metastore.RawStore rs = org.apache.hadoop.hive.metastore.HiveMetaStore.HMSHandler.getRawStore();
        if (rs != null) {
          rs.shutdown();
        }
        org.apache.hadoop.hive.metastore.HiveMetaStore.HMSHandler.removeRawStore();
        if (clients.decrementAndGet() == 0) {
          idleSince.set(System.currentTimeMillis());
        }
      }

      @Override
      public void processContext(org.apache.thrift.server.ServerContext c, org.apache.thrift.transport.TTransport in,
          org.apache.thrift.transport.TTransport out) {}
    });
    Path props = new File(dir, "server.properties").toPath();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop();
      try {
        Files.deleteIfExists(props);
        java.sql.DriverManager.getConnection("jdbc:derby:;shutdown=true");
      } catch (Exception e) {
        // Derby reports a clean shutdown as an SQLException (XJ015)
      }
      System.out.println("metastore: stopped");
    }, "tp-metastore-stop"));
    Thread watcher = new Thread(() -> {
      while (true) {
        sleep(Math.min(1000, idleMillis));
        if (clients.get() == 0 && System.currentTimeMillis() - idleSince.get() >= idleMillis) {
          System.out.println("metastore: no client for " + idleMillis / 1000 + " s, stopping");
          System.exit(0);
        }
      }
    }, "tp-metastore-idle");
    watcher.setDaemon(true);
    Properties p = new Properties();
    p.setProperty("pid", String.valueOf(ProcessHandle.current().pid()));
    p.setProperty("port", String.valueOf(socket.getLocalPort()));
    Path tmp = new File(dir, "server.properties.tmp").toPath();
    try (OutputStream o = Files.newOutputStream(tmp)) {
      p.store(o, "the lakehouse's metastore service (LocalMetastore); valid while server.lock is held");
    }
    Files.move(tmp, props, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("metastore: listening on 127.0.0.1:" + socket.getLocalPort() + " for " + lake + " (pid "
        + ProcessHandle.current().pid() + ")");
    watcher.start();
    server.serve();
  }

  private static void fail(int code, String message) {
    System.out.println("metastore: error: " + message);
    System.exit(code);
  }
}
