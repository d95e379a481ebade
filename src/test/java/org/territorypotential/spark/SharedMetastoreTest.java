package org.territorypotential.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;

/**
 * Issue 22 items 1 and 5: processes of one local lakehouse share its metastore (the default,
 * tp.metastore.local = shared). A fresh lakehouse, no service running; then, each its own JVM:
 * serve-sql (which starts the service), and two writers started together that write the same
 * table through Lake.write, the stages' write path: on this first-ever run both create the
 * database and the table (the CREATE race), then each replaces the same as_of partition twice.
 * Throughout, this JVM queries serve-sql over JDBC, and a writer's second round waits until one of
 * those reads has seen a whole partition, so reads happen while the writers run. Asserted: one service for all three
 * processes; both writers exit 0; every JDBC read succeeds once the table exists and shows the
 * partition whole (exactly the 100 keys once each, from one writer's round: no duplicate, no lost
 * row); the table ends with one round's 100 rows; both writers' first-ever appends to job_runs
 * (the run log every stage writes first) land, two rows per run; jobs/tp metastore stop stops the service.
 */
class SharedMetastoreTest {
  static final String AS_OF = "2024-06-30";
  static final int KEYS = 100;
  static final int ROUNDS = 2;

  /** A writer process: writes tp_bronze.segments' as_of partition ROUNDS times with Lake.write. */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      Map<String, String> set = new LinkedHashMap<>();
      File go = new File(args[1]);
      for (int i = 2; i < args.length; i++) {
        int eq = args[i].indexOf('=');
        set.put(args[i].substring(0, eq), args[i].substring(eq + 1));
      }
      String name = args[0];
      SparkSession spark = Sessions.create(AppConfig.load(null, set));
      AppConfig cfg = AppConfig.load(null, set);
      org.territorypotential.lake.Lake lake = new org.territorypotential.lake.Lake(spark, cfg);
      // the run log first, as every stage does (Runner): on a first-ever lakehouse both writers
      // create ops.job_runs with their first append (the append's CREATE race)
      org.territorypotential.ops.RunContext run =
          org.territorypotential.ops.RunContext.start("ingest", java.time.LocalDate.parse(AS_OF));
      org.territorypotential.ops.JobRuns.started(lake, run, "{}");
      for (int r = 1; r <= ROUNDS; r++) {
        if (r > 1) {
          // the next round only once the test JVM has read the table over JDBC since this one
          // began: reads then fall between rounds of a running writer, whatever the machine's speed
          File signal = new File(go, "go-" + r);
          long deadline = System.nanoTime() + 300_000_000_000L;
          while (!signal.exists() && System.nanoTime() < deadline) {
            Thread.sleep(100);
          }
          if (!signal.exists()) {
            throw new IllegalStateException("no " + signal + " within 300 s");
          }
        }
        // the real write path (Lake.write): on a first-ever run the first round of both writers
        // creates the table, then each round replaces the as_of partition (conflicts retried)
        org.apache.spark.sql.Dataset<Row> rows = spark.range(KEYS).selectExpr("concat('MAKE', id) AS make", "'M' AS model",
            "'" + name + "-" + r + "' AS segment", "'f.csv' AS source_file", "id AS source_row");
        lake.write(org.territorypotential.lake.Table.SEGMENTS_BRONZE, rows, org.territorypotential.lake.Lake.Lineage.of(
            run));
      }
      org.territorypotential.ops.JobRuns.finished(lake, run, "{}", new org.territorypotential.ops.RunStats(), null);
      System.out.println("writer " + name + ": done");
      spark.stop();
      System.exit(0);
    }
  }

  @Test
  void serveSqlAndTwoWritersShareTheMetastore() throws Exception {
    TestSpark.session();
    File dir = TestSpark.dir("sharedms");
    File lake = new File(dir, "lake");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> common = List.of("tp.lakehouse=" + lake.getAbsolutePath(), "tp.metastore.local=shared",
        "tp.metastore.idle-seconds=30", "tp.spark.master=local[1]", "tp.spark.shuffle-partitions=1",
        "tp.spark.delta-snapshot-partitions=1", "tp.serve.port=" + port, "tp.databases.bronze=shms_bronze",
        "tp.databases.ops=shms_ops", "tp.lake.conflict-retries=8");
    List<String> serveArgs = new ArrayList<>(List.of("org.territorypotential.cli.Main", "serve-sql"));
    common.forEach(c -> serveArgs.addAll(List.of("--set", c)));
    File serveLog = new File(dir, "serve.log");
    Process serve = java(serveArgs, serveLog);
    Process a = null;
    Process b = null;
    try {
      waitFor(serveLog, "listening on", serve, 180);
      assertTrue(LocalMetastore.find(lake).isPresent(), "serve-sql started the lakehouse's metastore service");
      File go = new File(dir, "go");
      assertTrue(go.mkdirs() || go.isDirectory());
      List<String> wa = new ArrayList<>(List.of(Writer.class.getName(), "a", go.getAbsolutePath()));
      List<String> wb = new ArrayList<>(List.of(Writer.class.getName(), "b", go.getAbsolutePath()));
      wa.addAll(common);
      wb.addAll(common);
      a = java(wa, new File(dir, "a.log"));
      b = java(wb, new File(dir, "b.log"));

      int reads = 0;
      int whole = 0;
      String jdbc = "jdbc:hive2://127.0.0.1:" + port + "/default";
      Class.forName("org.apache.hive.jdbc.HiveDriver");
      try (Connection c = DriverManager.getConnection(jdbc, "", ""); Statement st = c.createStatement()) {
        boolean exists = false;
        while (a.isAlive() || b.isAlive()) {
          try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT make), count(DISTINCT segment)"
              + " FROM shms_bronze.segments WHERE as_of = DATE'" + AS_OF + "'")) {
            rs.next();
            long n = rs.getLong(1);
            assertTrue(n == 0 || (n == KEYS && rs.getLong(2) == KEYS && rs.getLong(3) == 1),
                "read " + reads + " sees a whole partition, got " + n + " rows, " + rs.getLong(2) + " keys, "
                    + rs.getLong(3) + " writers");
            exists = true;
            reads++;
            whole += n == KEYS ? 1 : 0;
            if (n == KEYS) {
              // a whole partition seen: let the writers' next round start (they wait for it)
              for (int r = 2; r <= ROUNDS; r++) {
                File signal = new File(go, "go-" + r);
                if (!signal.exists()) {
                  assertTrue(signal.createNewFile());
                  break;
                }
              }
            }
          } catch (java.sql.SQLException e) {
            // before a writer created them: the database or the table is not there yet
            assertFalse(exists, "a read after the table existed failed: " + e.getMessage());
            assertTrue(String.valueOf(e.getMessage()).contains("not found")
                || String.valueOf(e.getMessage()).contains("cannot be found"), e.getMessage());
          }
          Thread.sleep(300);
        }
      }
      assertTrue(a.waitFor(120, TimeUnit.SECONDS) && b.waitFor(120, TimeUnit.SECONDS));
      assertEquals(0, a.exitValue(), Files.readString(new File(dir, "a.log").toPath()));
      assertEquals(0, b.exitValue(), Files.readString(new File(dir, "b.log").toPath()));
      System.out.printf("SharedMetastoreTest: %d JDBC reads during the writes, %d of them saw the %d rows%n", reads, whole, KEYS);
      // each later round waited for a read of a whole partition: reads happened while the writers ran
      assertTrue(whole >= ROUNDS - 1, whole + " whole reads during the writes");
      for (String w : List.of("a", "b")) { // which side of each first-ever CREATE race this run took
        Files.readString(new File(dir, w + ".log").toPath()).lines().filter(l -> l.contains("meanwhile"))
            .forEach(l -> System.out.println("SharedMetastoreTest: writer " + w + ": " + l));
      }
      assertTrue(serve.isAlive(), "serve-sql kept running");
      // the JDBC sessions' own Hive conf points at the service too (SqlServer.shareMetastore): Spark gives
      // them an empty in-memory Derby otherwise (printed after "listening on", long before the writers end)
      String metastoreLine = "  metastore of the JDBC sessions: " + LocalMetastore.find(lake).orElseThrow().uri();
      assertTrue(Files.readString(serveLog.toPath()).lines().anyMatch(metastoreLine::equals),
          "serve-sql's log has the line '" + metastoreLine + "'");

      String log = Files.readString(new File(lake, "metastore_service/server.log").toPath());
      assertEquals(1, log.lines().filter(l -> l.startsWith("metastore: listening on")).count(),
          "one service for the three processes: " + log);
      Row r = TestSpark.session().read().format("delta").load(new File(lake, "bronze/segments").getAbsolutePath())
          .selectExpr("count(*)", "count(DISTINCT make)", "count(DISTINCT segment)").first();
      assertEquals(List.of((long) KEYS, (long) KEYS, 1L), List.of(r.getLong(0), r.getLong(1), r.getLong(2)),
          "the partition holds one writer's rows once");
      // the run log: both first-ever appends landed (no lost or doubled row), each run succeeded
      Row runs = TestSpark.session().read().format("delta").load(new File(lake, "ops/job_runs").getAbsolutePath())
          .selectExpr("count(*)", "count(DISTINCT run_id)", "count_if(status = 'running')", "count_if(status = 'succeeded')")
          .first();
      assertEquals(List.of(4L, 2L, 2L, 2L), List.of(runs.getLong(0), runs.getLong(1), runs.getLong(2), runs.getLong(3)),
          "job_runs: a running and a succeeded row for each of the two writers");
    } finally {
      for (Process p : new Process[] {a, b, serve}) {
        if (p != null) {
          p.destroy();
          p.waitFor(30, TimeUnit.SECONDS);
        }
      }
      LocalMetastore.stop(lake, 30_000); // jobs/tp metastore stop
    }
    assertTrue(LocalMetastore.find(lake).isEmpty());
    assertTrue(Files.readString(new File(lake, "metastore_service/server.log").toPath()).contains("metastore: stopped"));
  }

  /** A child JVM on the test classpath (Spark's --add-opens included), its output to {@code log}. */
  static Process java(List<String> args, File log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
    cmd.add("-Xmx1g");
    cmd.addAll(TestSpark.childJvm());
    cmd.addAll(LocalMetastore.OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }

  /** Waits until {@code log} contains {@code text}; fails when {@code p} exits first or after {@code seconds}. */
  static void waitFor(File log, String text, Process p, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (log.isFile() && Files.readString(log.toPath(), StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      if (!p.isAlive()) {
        throw new AssertionError("exited " + p.exitValue() + ": " + Files.readString(log.toPath()));
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no '" + text + "' within " + seconds + " s: " + Files.readString(log.toPath()));
  }
}
