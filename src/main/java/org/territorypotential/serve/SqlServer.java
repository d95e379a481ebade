package org.territorypotential.serve;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/**
 * jobs/tp serve-sql: Spark's Thrift Server (HiveServer2 protocol, what JDBC/ODBC clients and BI
 * tools speak) on the session's metastore. Loopback by default; on any other address it refuses
 * to start without authentication (docs/serving.md).
 */
public final class SqlServer {
  private SqlServer() {}

  /** Validated tp.serve.* settings. */
  public record Settings(String host, int port, String auth, String passwordFile, Map<String, String> hiveConf,
      boolean cache, int cacheRefreshSeconds, java.util.List<String> cacheExclude) {
    public String jdbcUrl() {
      String h = host.contains(":") ? "[" + host + "]" : host;
      return "jdbc:hive2://" + h + ":" + port + "/default";
    }
  }

  public static Settings settings(AppConfig cfg) {
    String host = cfg.getString("tp.serve.host");
    int port = cfg.getInt("tp.serve.port");
    String auth = cfg.getString("tp.serve.auth");
    String file = cfg.getString("tp.serve.password-file");
    if (port < 1 || port > 65535) {
      throw new ConfigError("configuration key 'tp.serve.port' must be 1..65535, got " + port);
    }
    if (!auth.equals("none") && !auth.equals("password-file")) {
      throw new ConfigError("configuration key 'tp.serve.auth' must be none or password-file, got '" + auth + "'");
    }
    if (auth.equals("none") && !isLoopback(host)) {
      throw new ConfigError("tp.serve.host = " + host + " is not a loopback address: anyone who can reach it could read"
          + " every table without logging in. Configure authentication (tp.serve.auth = \"password-file\" with"
          + " tp.serve.password-file) or bind to 127.0.0.1 (docs/serving.md)");
    }
    if (auth.equals("password-file")) {
      File f = new File(file);
      if (file.isEmpty() || !f.isFile() || !f.canRead()) {
        throw new ConfigError("tp.serve.auth = password-file needs tp.serve.password-file to name a readable file, got '"
            + file + "' (make lines with jobs/tp hash-password USER)");
      }
      file = f.getAbsolutePath();
    }
    Map<String, String> extra = new LinkedHashMap<>(cfg.stringMap("tp.serve.hive-conf"));
    for (String k : extra.keySet()) {
      if (!k.startsWith("hive.server2.") || k.startsWith("hive.server2.authentication")
          || k.equals("hive.server2.thrift.bind.host") || k.equals("hive.server2.thrift.port")) {
        throw new ConfigError("tp.serve.hive-conf: '" + k + "' is not allowed: only hive.server2.* settings other than"
            + " authentication, bind host and port (those come from tp.serve.*)");
      }
    }
    boolean cache = cfg.getBoolean("tp.serve.cache.enabled");
    int refresh = cfg.getInt("tp.serve.cache.refresh-seconds");
    if (refresh < 1) {
      throw new ConfigError("configuration key 'tp.serve.cache.refresh-seconds' must be >= 1, got " + refresh);
    }
    java.util.List<String> exclude = cfg.getStringList("tp.serve.cache.exclude");
    java.util.List<String> gold = CurrentViewCache.tables(java.util.List.of()).stream().map(t -> t.tableName).toList();
    for (String name : exclude) {
      if (!gold.contains(name)) {
        throw new ConfigError("tp.serve.cache.exclude: '" + name + "' is not a gold table with a _current view ("
            + String.join(", ", gold) + ")");
      }
    }
    return new Settings(host, port, auth, file, extra, cache, refresh, java.util.List.copyOf(exclude));
  }

  static boolean isLoopback(String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      throw new ConfigError("tp.serve.host: unknown host '" + host + "'");
    }
  }

  /**
   * startWithContext builds the server's HiveConf from the session's settings only when the calling
   * thread has no Hive SessionState yet; a thread that already touched the metastore reuses its old
   * one, and the server then listened on *:10000 (Hive's defaults) whatever tp.serve.* said. A new
   * thread has none, so the settings above are the ones that apply.
   */
  private static HiveThriftServer2 startInFreshThread(SparkSession spark) {
    HiveThriftServer2[] started = new HiveThriftServer2[1];
    RuntimeException[] failed = new RuntimeException[1];
    Thread t = new Thread(() -> {
      try {
        started[0] = HiveThriftServer2.startWithContext(spark.sqlContext());
      } catch (RuntimeException e) {
        failed[0] = e;
      }
    }, "tp-serve-sql-start");
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (failed[0] != null) {
      throw failed[0];
    }
    return started[0];
  }

  /**
   * Resolves every {@code <table>_current} view the metastore holds, before the server listens: the
   * embedded metastore is opened (so this process holds it from the start, and a job started
   * meanwhile fails at once with a clear error instead of a client later), and each table's Delta
   * snapshot is loaded, so the first client does not pay for it. Returns the views resolved.
   */
  public static int warm(SparkSession spark, org.territorypotential.lake.Lake lake) {
    int n = 0;
    for (org.territorypotential.lake.Table t : org.territorypotential.lake.Table.values()) {
      boolean hasView = t.hasPublishedView() || t.currentViewSql(lake.sqlName(t)) != null;
      if (hasView && spark.catalog().tableExists(lake.currentViewName(t))) {
        spark.table(lake.currentViewName(t)).queryExecution().analyzed();
        n++;
      }
    }
    return n;
  }

  /**
   * Points the HiveConf the server copies into each new JDBC session at the metastore service Spark
   * uses ({@code hive.metastore.uris}, the shared local service or an external one). Spark builds
   * that conf for its "execution" Hive client: an empty in-memory Derby metastore
   * (HiveUtils.newTemporaryConfiguration sets the URIs to ""). Each session's Hive object is made
   * from it (HiveSessionImpl: {@code Hive.getWithoutRegisterFns(sessionConf)}), and Hive 2.3 keeps
   * one Hive object per thread, replacing and re-configuring it when confs differ, on the same pool
   * threads where Spark's own metastore client runs. A lookup that reached a client on that empty
   * Derby would answer "not found": the likely cause of the rare TABLE_OR_VIEW_NOT_FOUND of a view
   * that exists (1 query in about 1,000 under 8 clients, docs/BENCHMARKS.md; a likely cause, not a
   * proven one). With the session conf on the same metastore, every client a thread may get finds
   * the same tables. Embedded mode (one process, the tests) has no URI and is left as it is.
   */
  static void shareMetastore(HiveThriftServer2 server, SparkSession spark) {
    String uris = spark.sparkContext().hadoopConfiguration().get("hive.metastore.uris", "");
    if (!uris.isEmpty()) {
      server.getHiveConf().set("hive.metastore.uris", uris);
    }
  }

  /** Starts the server on {@code spark}'s metastore and waits until it accepts connections. */
  public static HiveThriftServer2 start(SparkSession spark, Settings s) {
    Map<String, String> conf = new LinkedHashMap<>(s.hiveConf());
    conf.put("hive.server2.thrift.bind.host", s.host());
    conf.put("hive.server2.thrift.port", String.valueOf(s.port()));
    conf.put("hive.server2.transport.mode", "binary");
    conf.put("hive.server2.enable.doAs", "false");
    if (s.auth().equals("password-file")) {
      conf.put("hive.server2.authentication", "CUSTOM");
      conf.put("hive.server2.custom.authentication.class", PasswordFileAuthenticator.class.getName());
      // Hive builds the provider from a fresh HiveConf, which reads its keys from system properties.
      System.setProperty("hive.server2.custom.authentication.class", PasswordFileAuthenticator.class.getName());
      System.setProperty(PasswordFileAuthenticator.FILE_PROPERTY, s.passwordFile());
    } else {
      conf.put("hive.server2.authentication", "NONE");
    }
    conf.forEach((k, v) -> spark.conf().set(k, v));
    HiveThriftServer2 server = startInFreshThread(spark);
    shareMetastore(server, spark);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(s.host(), s.port()), 1000);
        return server;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          server.stop();
          throw new IllegalStateException("serve-sql: nothing listens on " + s.host() + ":" + s.port() + " after 60 s", e);
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(ie);
        }
      }
    }
  }
}
