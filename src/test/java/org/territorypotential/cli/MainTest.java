package org.territorypotential.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;

/** The launcher's exit codes and its one-line errors. */
class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String errText() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    assertEquals(Main.OK, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: jobs/tp"));

    assertEquals(Main.USAGE, run("ingest", "--bogus"));
    assertEquals("tp: error: unknown option --bogus (see jobs/tp --help)\n", errText());

    assertEquals(Main.USAGE, run("ingest", "--as-of", "2024-13-01"));
    assertEquals("tp: error: --as-of must be a date like 2024-06-30, got '2024-13-01' (see jobs/tp --help)\n", errText());

    assertEquals(Main.USAGE, run("frobnicate"));
    assertEquals("tp: error: unknown command 'frobnicate' (see jobs/tp --help)\n", errText());

    assertEquals(Main.USAGE, run("ingest", "--set", "tp.ingest.sorce=wa-ev"));
    assertTrue(errText().startsWith("tp: error: unknown configuration key: tp.ingest.sorce"), errText());
    assertEquals(1, errText().lines().count());
  }

  /**
   * A lakehouse whose embedded Derby metastore another process has open (serve-sql, a running job):
   * one error line, exit 1, and nothing of Derby's boot errors. Another JVM holds the lock on
   * metastore_db/dbex.lck the way Derby does (a FileLock, which this JVM's own locks would not test).
   */
  @Test
  void aMetastoreOpenInAnotherProcessFailsWithOneLine() throws Exception {
    File lake = new File(TestSpark.dir("cli_locked"), "lake");
    File db = new File(lake, "metastore_db");
    assertTrue(db.mkdirs() || db.isDirectory());
    File lockFile = new File(db, "dbex.lck");
    Files.writeString(lockFile.toPath(), "lock");
    File holder = new File(TestSpark.dir("cli_locked"), "Holder.java");
    Files.writeString(holder.toPath(), "import java.nio.channels.*; import java.nio.file.*;\n"
        + "class Holder { public static void main(String[] a) throws Exception {\n"
        + "  FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE); FileLock l = ch.lock();\n"
        + "  System.out.println(\"locked\"); System.out.flush(); System.in.read(); l.release(); } }\n");
    Process p = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(), holder.getPath(),
        lockFile.getPath()).redirectErrorStream(true).start();
    try {
      String first = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertEquals("locked", first, "the other process holds the lock");
      assertEquals(Main.FAILED, run("sql", "SELECT 1", "--set", "tp.lakehouse=" + lake.getAbsolutePath(),
          "--set", "tp.metastore.local=embedded"));
      assertEquals("tp: error: the embedded metastore " + db.getAbsolutePath() + " is open in another process (jobs/tp"
          + " serve-sql, or a job still running): Derby admits one process. Stop that process and run again, or configure a"
          + " metastore that several processes share (tp.metastore.local = shared, the default, or tp.metastore.uri;"
          + " docs/metastore.md)\n", errText());
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  @Test
  void badInputExitsThreeNamingTheFile() {
    TestSpark.session();
    String lake = TestSpark.dir("cli").getAbsolutePath() + "/lake";
    int code = run("ingest", "--as-of", "2024-06-30",
        "--set", "tp.lakehouse=" + lake,
        "--set", "tp.spark.master=local[2]", "--set", "tp.spark.shuffle-partitions=2",
        "--set", "tp.databases.bronze=cli_bronze",
        "--set", "tp.databases.ops=cli_ops",
        "--set", "tp.ingest.inputs.registrations.path=/no/such/registrations.csv");
    assertEquals(Main.BAD_INPUT, code);
    assertEquals("tp: error: input 'registrations': file not found: /no/such/registrations.csv\n", errText());

    Row failed = TestSpark.session().sql("SELECT status, error, ended_at FROM cli_ops.job_runs_current WHERE job = 'ingest'").first();
    assertEquals("failed", failed.getString(0), "a failed run is recorded as failed");
    assertEquals("input 'registrations': file not found: /no/such/registrations.csv", failed.getString(1));
  }

  @Test
  void pipelineRunsSelectedStagesAndRecordsThem() throws IOException {
    TestSpark.session();
    File dir = TestSpark.dir("clipipe");
    Files.writeString(new File(dir, "r.csv").toPath(),
        "registration_id,registration_date,make,model,segment,zip\nA,2024-01-02,X,Y,SMALL_CAR,98101\nB,2024-01-03,X,Y,SMALL_CAR,98102\n");
    Files.writeString(new File(dir, "d.csv").toPath(), "dealer_id,name,brand,longitude,latitude\nD,Dealer,X,-122.3,47.6\n");
    Files.writeString(new File(dir, "g.csv").toPath(),
        "geo_unit_id,level,geometry\nU,county,\"POLYGON ((-123 47, -121 47, -121 48, -123 48, -123 47))\"\n");
    Files.writeString(new File(dir, "s.csv").toPath(), "make,model,segment\nX,Y,SMALL_CAR\n");
    String[] common = {"--as-of", "2024-06-30",
        "--set", "tp.lakehouse=" + dir.getAbsolutePath() + "/lake",
        "--set", "tp.spark.master=local[2]", "--set", "tp.spark.shuffle-partitions=2",
        "--set", "tp.databases.bronze=clipipe_bronze",
        "--set", "tp.databases.ops=clipipe_ops",
        "--set", "tp.ingest.inputs.registrations.path=" + dir + "/r.csv",
        "--set", "tp.ingest.inputs.dealers.path=" + dir + "/d.csv",
        "--set", "tp.ingest.inputs.geo-units.path=" + dir + "/g.csv",
        "--set", "tp.ingest.inputs.segments.path=" + dir + "/s.csv",
        "--set", "tp.ingest.inputs.sales.path=",
        "--set", "tp.ingest.inputs.demographics.path=",
        "--set", "tp.ingest.inputs.territories.path="};

    assertEquals(Main.USAGE, run(concat(new String[] {"pipeline", "--from", "nowhere"}, common)));
    assertTrue(errText().startsWith("tp: error: unknown stage 'nowhere'; stages are [ingest"), errText());

    assertEquals(Main.OK, run(concat(new String[] {"pipeline", "--only", "ingest"}, common)), errText());
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("== ingest") && printed.contains("ingest 2024-06-30 succeeded in"), printed);
    Row ok = TestSpark.session().sql("SELECT status, rows_read['registrations'], ended_at IS NOT NULL, parameters"
        + " FROM clipipe_ops.job_runs_current WHERE job = 'ingest'").first();
    assertEquals("succeeded", ok.getString(0));
    assertEquals(2L, ok.getLong(1));
    assertTrue(ok.getBoolean(2));
    assertTrue(ok.getString(3).contains("\"argv\":[\"pipeline\""), ok.getString(3));
    assertEquals(2, TestSpark.session().sql("SELECT * FROM clipipe_ops.job_runs").count(),
        "append-only: a running row, then a succeeded row");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * Every registered stage run before the stage that writes its first input: exit 3 and one line
   * in one wording, naming the table, its folder and the stage to run first; nothing else written
   * than the failed run in job_runs.
   */
  @Test
  void everyStageBeforeItsInputsExitsThreeWithOneWording() {
    TestSpark.session();
    String lake = TestSpark.dir("cli-missing").getAbsolutePath() + "/lake";
    AppConfig cfg = TestSpark.config("cli_missing", java.util.Map.of("tp.lakehouse", lake));
    org.territorypotential.lake.Lake l = new org.territorypotential.lake.Lake(TestSpark.session(), cfg);
    int checked = 0;
    for (org.territorypotential.ops.Stage stage : org.territorypotential.pipeline.Stages.PIPELINE) {
      if (stage.reads(cfg).isEmpty()) {
        continue;
      }
      org.territorypotential.lake.Table t = stage.reads(cfg).get(0);
      int code = run(stage.name(), "--as-of", "2024-06-30",
          "--set", "tp.lakehouse=" + lake,
          "--set", "tp.spark.master=local[2]", "--set", "tp.spark.shuffle-partitions=2",
          "--set", "tp.databases.bronze=cli_missing_bronze", "--set", "tp.databases.silver=cli_missing_silver",
          "--set", "tp.databases.gold=cli_missing_gold", "--set", "tp.databases.ops=cli_missing_ops");
      assertEquals(Main.BAD_INPUT, code, stage.name());
      assertEquals("tp: error: " + stage.name() + " needs " + l.sqlName(t) + " (" + l.path(t) + "), which does not exist: run "
          + org.territorypotential.pipeline.Stages.producerOf(t) + " first\n", errText(), stage.name());
      if (stage.writes().isEmpty()) {
        // report writes files, not tables (under <lakehouse>/reports)
        assertTrue(!new java.io.File(lake, "reports").exists(), stage.name() + " wrote nothing");
      } else {
        assertTrue(!l.exists(stage.writes().get(0)), stage.name() + " wrote nothing");
      }
      checked++;
    }
    assertEquals(org.territorypotential.pipeline.Stages.PIPELINE.size() - 1, checked, "every stage but ingest reads a table");

    assertEquals(Main.USAGE, run("locate", "--set", "tp.locate.level=planet"));
    assertEquals("tp: error: configuration key 'tp.locate.level' must be tract, zcta, county or state, got 'planet'\n", errText());
  }
}
