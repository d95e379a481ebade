package org.territorypotential.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.territorypotential.config.AppConfig;

/**
 * Issue 22: the external metastore path of docs/metastore.md, run. A throwaway PostgreSQL cluster
 * (initdb, pg_ctl; as root through the postgres user) on a free port; the metastore schema created
 * by jobs/tp metastore init-schema; Hive's metastore service from Spark's jars on it (schema
 * verification on, no auto-creation); then, through tp.metastore.uri only, two writer JVMs started
 * together (SharedMetastoreTest's Writer: Lake.write and the job_runs appends, so both race to
 * create the databases and the tables) and, after them, a third JVM that reads the table and runs
 * CREATE VIEW, ALTER TABLE ADD CONSTRAINT, CTAS and DROP. Asserted: every process exits 0, the
 * table holds one round's 100 rows read through the metastore, job_runs its four rows, and
 * PostgreSQL's TBLS holds both tables and not the dropped view and table. Skipped, saying so,
 * without PostgreSQL's binaries (.ci/run installs them).
 */
class PostgresMetastoreTest {
  private static final String USER = "hive";

  /** The last process: SQL through the metastore; prints "result: " and the counts. */
  public static final class Sql {
    public static void main(String[] args) {
      Map<String, String> set = new LinkedHashMap<>();
      for (String a : args) {
        set.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      }
      SparkSession spark = Sessions.create(AppConfig.load(null, set));
      for (String sql : List.of(
          "CREATE VIEW pgms_bronze.segments_v AS SELECT * FROM pgms_bronze.segments WHERE as_of = DATE'"
              + SharedMetastoreTest.AS_OF + "'",
          "ALTER TABLE pgms_bronze.segments ADD CONSTRAINT source_row_known CHECK (source_row >= 0)",
          "CREATE TABLE pgms_bronze.scratch USING delta AS SELECT 1 AS id",
          "DROP TABLE pgms_bronze.scratch")) {
        spark.sql(sql);
      }
      Row seg = spark.sql("SELECT count(*), count(DISTINCT make), count(DISTINCT segment) FROM pgms_bronze.segments_v").first();
      Row runs = spark.sql("SELECT count(*), count(DISTINCT run_id), count_if(status = 'running'),"
          + " count_if(status = 'succeeded') FROM pgms_ops.job_runs").first();
      spark.sql("DROP VIEW pgms_bronze.segments_v");
      System.out.println("result: " + seg.getLong(0) + " " + seg.getLong(1) + " " + seg.getLong(2) + " " + runs.getLong(0)
          + " " + runs.getLong(1) + " " + runs.getLong(2) + " " + runs.getLong(3));
      spark.stop();
      System.exit(0);
    }
  }

  @Test
  void jobsShareHiveMetastoreOnPostgres() throws Exception {
    File bin = pgBin();
    assumeTrue(bin != null, "PostgreSQL's initdb and pg_ctl not found (under /usr/lib/postgresql/*/bin or on the PATH;"
        + " apt-get install postgresql, .ci/run does it): the PostgreSQL metastore test is skipped");
    boolean root = "root".equals(System.getProperty("user.name"));
    assumeTrue(!root || run(List.of("id", "-u", "postgres")) == 0,
        "running as root without a postgres user to run PostgreSQL as: the PostgreSQL metastore test is skipped");
    long t0 = System.nanoTime();
    File dir = new File("target/pg-metastore-test").getAbsoluteFile();
    deleteTree(dir);
    assertTrue(dir.mkdirs());
    File pg = pgHome(dir, root);
    int pgPort = freePort();
    int msPort = freePort();
    File pgLog = new File(dir, "postgres.log");
    Process service = null;
    List<Process> clients = new ArrayList<>();
    boolean pgStarted = false;
    try {
      assertEquals(0, run(pgCommand(root, List.of(new File(bin, "initdb").getPath(), "-D", pg + "/data", "-U", USER,
          "--auth=trust", "-E", "UTF8", "--no-sync")), new File(dir, "initdb.log")), log(new File(dir, "initdb.log")));
      pgStarted = true;
      assertEquals(0, run(pgCommand(root, List.of(new File(bin, "pg_ctl").getPath(), "-D", pg + "/data", "-l", pg + "/server.log",
          "-w", "-t", "60", "-o", "-p " + pgPort + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off",
          "start")), pgLog), log(pgLog) + log(new File(pg, "server.log")));
      String base = "jdbc:postgresql://127.0.0.1:" + pgPort + "/";
      try (Connection c = DriverManager.getConnection(base + "postgres", USER, ""); Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE metastore");
      }
      String jdbc = base + "metastore";

      // the schema, as a user creates it: jobs/tp metastore init-schema
      File initLog = new File(dir, "init-schema.log");
      Process init = SharedMetastoreTest.java(List.of("org.territorypotential.cli.Main", "metastore", "init-schema",
          "--jdbc-url", jdbc, "--user", USER), initLog);
      assertTrue(init.waitFor(180, TimeUnit.SECONDS) && init.exitValue() == 0, log(initLog));
      assertTrue(log(initLog).contains("version 2.3.0 (recorded)"), log(initLog));

      // Hive's metastore service from Spark's jars, as docs/metastore.md runs it
      File serviceLog = new File(dir, "metastore.log");
      List<String> hms = new ArrayList<>(List.of("org.apache.hadoop.hive.metastore.HiveMetaStore", "-p", String.valueOf(msPort)));
      for (String kv : List.of("hive.async.log.enabled=false", "javax.jdo.option.ConnectionURL=" + jdbc,
          "javax.jdo.option.ConnectionDriverName=org.postgresql.Driver", "javax.jdo.option.ConnectionUserName=" + USER,
          "hive.metastore.schema.verification=true", "datanucleus.schema.autoCreateAll=false",
          "hive.metastore.warehouse.dir=" + new File(dir, "warehouse").toURI())) {
        hms.addAll(List.of("--hiveconf", kv));
      }
      service = SharedMetastoreTest.java(hms, serviceLog);
      long deadline = System.nanoTime() + 180_000_000_000L;
      while (!LocalMetastore.answers(msPort)) {
        assertTrue(service.isAlive() && System.nanoTime() < deadline, "the metastore service did not listen: " + log(serviceLog));
        Thread.sleep(250);
      }
      long ready = System.nanoTime();

      List<String> common = List.of("tp.lakehouse=" + new File(dir, "lake"), "tp.metastore.uri=thrift://127.0.0.1:" + msPort,
          "tp.spark.master=local[1]", "tp.spark.shuffle-partitions=1", "tp.spark.delta-snapshot-partitions=1",
          "tp.databases.bronze=pgms_bronze", "tp.databases.ops=pgms_ops", "tp.lake.conflict-retries=8");
      File go = new File(dir, "go");
      assertTrue(go.mkdirs());
      for (int r = 2; r <= SharedMetastoreTest.ROUNDS; r++) { // no reader to wait for here: rounds back to back
        assertTrue(new File(go, "go-" + r).createNewFile());
      }
      for (String w : List.of("a", "b")) {
        List<String> args = new ArrayList<>(List.of(SharedMetastoreTest.Writer.class.getName(), w, go.getPath()));
        args.addAll(common);
        clients.add(SharedMetastoreTest.java(args, new File(dir, w + ".log")));
      }
      for (int i = 0; i < 2; i++) {
        File wlog = new File(dir, List.of("a", "b").get(i) + ".log");
        assertTrue(clients.get(i).waitFor(300, TimeUnit.SECONDS) && clients.get(i).exitValue() == 0, log(wlog));
      }
      List<String> sqlArgs = new ArrayList<>(List.of(Sql.class.getName()));
      sqlArgs.addAll(common);
      File sqlLog = new File(dir, "sql.log");
      clients.add(SharedMetastoreTest.java(sqlArgs, sqlLog));
      assertTrue(clients.get(2).waitFor(300, TimeUnit.SECONDS) && clients.get(2).exitValue() == 0, log(sqlLog));
      String result = log(sqlLog).lines().filter(l -> l.startsWith("result: ")).findFirst().orElse("result: none");
      int keys = SharedMetastoreTest.KEYS;
      assertEquals("result: " + keys + " " + keys + " 1 4 2 2 2", result,
          "through the metastore: one round's rows (rows, keys, writers), job_runs (rows, runs, running, succeeded)");

      // PostgreSQL holds the catalogue: the tables left, none of the dropped ones
      TreeSet<String> tables = new TreeSet<>();
      try (Connection c = DriverManager.getConnection(jdbc, USER, ""); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT d.\"NAME\", t.\"TBL_NAME\" FROM \"TBLS\" t JOIN \"DBS\" d ON t.\"DB_ID\" = d.\"DB_ID\"")) {
        while (rs.next()) {
          tables.add(rs.getString(1) + "." + rs.getString(2));
        }
      }
      assertTrue(tables.containsAll(List.of("pgms_bronze.segments", "pgms_ops.job_runs")), "TBLS in PostgreSQL: " + tables);
      assertTrue(!tables.contains("pgms_bronze.segments_v") && !tables.contains("pgms_bronze.scratch"),
          "the dropped view and table are gone from TBLS: " + tables);
      System.out.printf("PostgresMetastoreTest: PostgreSQL + schema + service ready in %.1f s, clients %.1f s%n",
          (ready - t0) / 1e9, (System.nanoTime() - ready) / 1e9);
      for (String w : List.of("a", "b")) { // which side of each first-ever CREATE race this run took
        log(new File(dir, w + ".log")).lines().filter(l -> l.contains("meanwhile"))
            .forEach(l -> System.out.println("PostgresMetastoreTest: writer " + w + ": " + l));
      }
    } finally {
      for (Process p : clients) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      if (service != null) {
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
      }
      if (pgStarted && new File(pg, "data/postmaster.pid").isFile()) {
        run(pgCommand(root, List.of(new File(bin, "pg_ctl").getPath(), "-D", pg + "/data", "-m", "fast", "-w", "stop")), pgLog);
      }
      if (!pg.toPath().startsWith(dir.toPath())) {
        deleteTree(pg);
      }
    }
  }

  /** The folder of initdb and pg_ctl: Debian's newest /usr/lib/postgresql/N/bin, else the PATH's; null when absent. */
  static File pgBin() {
    File[] versions = new File("/usr/lib/postgresql").listFiles();
    if (versions != null) {
      Arrays.sort(versions, (x, y) -> Integer.compare(major(y), major(x)));
      for (File v : versions) {
        if (new File(v, "bin/initdb").canExecute() && new File(v, "bin/pg_ctl").canExecute()) {
          return new File(v, "bin");
        }
      }
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(d, "initdb").canExecute() && new File(d, "pg_ctl").canExecute()) {
        return new File(d);
      }
    }
    return null;
  }

  private static int major(File v) {
    return v.getName().matches("[0-9]+") ? Integer.parseInt(v.getName()) : -1;
  }

  /**
   * The cluster's folder: under {@code dir}; as root, PostgreSQL refuses to run, so it runs as the
   * postgres user in a folder it owns: under {@code dir} when it can reach it, else a temp folder
   * (a checkout under /root, mode 700, is out of its reach).
   */
  private static File pgHome(File dir, boolean root) throws Exception {
    File pg = new File(dir, "pg");
    assertTrue(pg.mkdirs());
    if (!root) {
      return pg;
    }
    var postgres = pg.toPath().getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
    Files.setOwner(pg.toPath(), postgres);
    if (run(List.of("runuser", "-u", "postgres", "--", "test", "-w", pg.getPath())) == 0) {
      return pg;
    }
    File tmp = Files.createTempDirectory("tp-pg-").toFile();
    Files.setOwner(tmp.toPath(), postgres);
    return tmp;
  }

  private static List<String> pgCommand(boolean root, List<String> cmd) {
    List<String> all = new ArrayList<>(root ? List.of("runuser", "-u", "postgres", "--") : List.of());
    all.addAll(cmd);
    return all;
  }

  private static int run(List<String> cmd) throws Exception {
    return run(cmd, null);
  }

  private static int run(List<String> cmd, File log) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(log));
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String log(File f) throws IOException {
    return f.isFile() ? Files.readString(f.toPath()) : "(no " + f + ")";
  }

  private static void deleteTree(File f) {
    File[] kids = f.listFiles();
    if (kids != null) {
      for (File k : kids) {
        if (!Files.isSymbolicLink(k.toPath())) {
          deleteTree(k);
        }
      }
    }
    f.delete();
  }
}
