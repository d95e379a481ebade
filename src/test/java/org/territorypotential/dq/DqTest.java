package org.territorypotential.dq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.cli.Main;
import org.territorypotential.config.ConfigError;

/** Each check kind passes and fails on fixtures; a blocking failure stops the pipeline before the next stage. */
class DqTest {
  private static final LocalDate AS_OF = LocalDate.of(2024, 6, 30);
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType, true)
      .add("unit", DataTypes.StringType, true)
      .add("lat", DataTypes.DoubleType, true)
      .add("day", DataTypes.DateType, true);

  private static Dataset<Row> rows(Object[]... rs) {
    SparkSession spark = TestSpark.session();
    return spark.createDataFrame(java.util.Arrays.stream(rs).map(RowFactory::create).toList(), SCHEMA);
  }

  private static Object[] r(String id, String unit, Double lat, String day) {
    return new Object[] {id, unit, lat, day == null ? null : Date.valueOf(day)};
  }

  private static String status(String spec, Dataset<Row> cur, Dataset<Row> prev, Dataset<Row> ref) {
    return Evaluator.evaluate(Check.parse(spec), cur, prev, ref, AS_OF).status();
  }

  @Test
  void everyKindPassesAndFails() {
    Dataset<Row> good = rows(r("a", "U1", 47.0, "2024-06-01"), r("b", "U2", 48.0, "2024-05-03"), r("c", null, 46.0, "2024-04-01"));
    Dataset<Row> bad = rows(r("a", "U1", 47.0, "2024-01-01"), r("a", "U9", 91.0, "2023-12-01"), r(null, "U2", null, null));
    Dataset<Row> units = rows(r("x", "U1", null, null), r("y", "U2", null, null));

    assertEquals("pass", status("DEALERS_BRONZE not_null id fail", good, null, null));
    Evaluator.Result nn = Evaluator.evaluate(Check.parse("DEALERS_BRONZE not_null id,lat fail"), bad, null, null, AS_OF);
    assertEquals("fail", nn.status());
    assertEquals(1.0, nn.observed());

    assertEquals("pass", status("DEALERS_BRONZE unique id fail", good, null, null));
    assertEquals("warn", status("DEALERS_BRONZE unique id warn", bad, null, null));

    // null units are not checked (unlocated); U9 is unknown
    assertEquals("pass", status("DEALERS_LOCATED references unit:GEO_UNITS_SILVER.unit fail", good, null, units));
    Evaluator.Result ref = Evaluator.evaluate(Check.parse("DEALERS_LOCATED references unit:GEO_UNITS_SILVER.unit fail"),
        bad, null, units, AS_OF);
    assertEquals("fail", ref.status());
    assertEquals(1.0, ref.observed());

    assertEquals("pass", status("DEALERS_BRONZE range lat:-90..90 fail", good, null, null));
    assertEquals("fail", status("DEALERS_BRONZE range lat:-90..90 fail", bad, null, null));

    assertEquals("pass", status("REGISTRATIONS_BRONZE row_count_change 0.5 fail", good, bad, null));
    assertEquals("pass", status("REGISTRATIONS_BRONZE row_count_change 0.5 fail", good, null, null), "first run: nothing to compare");
    Evaluator.Result rc = Evaluator.evaluate(Check.parse("REGISTRATIONS_BRONZE row_count_change 0.5 fail"),
        rows(r("a", null, null, null)), good, null, AS_OF);
    assertEquals("fail", rc.status());
    assertEquals(2.0 / 3, rc.observed(), 1e-9);

    assertEquals("pass", status("REGISTRATIONS_BRONZE freshness day:1 fail", good, null, null));
    Evaluator.Result fr = Evaluator.evaluate(Check.parse("REGISTRATIONS_BRONZE freshness day:3 fail"), bad, null, null, AS_OF);
    assertEquals("fail", fr.status());
    assertEquals(5.0, fr.observed(), "newest 2024-01 is 5 months before 2024-06");
  }

  @Test
  void configThatWouldReachSqlIsValidated() {
    assertThrows(ConfigError.class, () -> Check.parse("NO_SUCH_TABLE not_null id fail"));
    assertThrows(ConfigError.class, () -> Check.parse("DEALERS_BRONZE not_null id;drop fail"));
    assertThrows(ConfigError.class, () -> Check.parse("DEALERS_BRONZE references unit:GEO_UNITS_SILVER.`x` fail"));
    assertThrows(ConfigError.class, () -> Check.parse("DEALERS_BRONZE not_null id blocker"));
    assertThrows(ConfigError.class, () -> Check.parse("DEALERS_BRONZE median id fail"));
    Dataset<Row> good = rows(r("a", "U1", 47.0, "2024-06-01"));
    ConfigError e = assertThrows(ConfigError.class, () -> status("DEALERS_BRONZE not_null nope fail", good, null, null));
    assertTrue(e.getMessage().contains("has no column 'nope'"), e.getMessage());
  }

  /**
   * Write-audit-publish (issue 23): a published ingest, then a rerun of the same as_of whose
   * registrations fail a blocking check on the staged rows. Exit 4 with one line, locate does not
   * start, nothing is published (every bronze _current view still shows the first run, all of them
   * the same run), the tables themselves are back at the first run's rows, and the staged rows stay
   * readable at the version the run printed.
   */
  @Test
  void blockingFailureOnStagedRowsPublishesNothing() throws IOException {
    TestSpark.session();
    File dir = TestSpark.dir("dqpipe");
    Files.writeString(new File(dir, "fresh.csv").toPath(),
        "registration_id,registration_date,make,model,segment,zip\nA,2024-06-02,X,Y,SMALL_CAR,98101\nB,2024-06-03,X,Y,SMALL_CAR,98102\n");
    Files.writeString(new File(dir, "stale.csv").toPath(), "registration_id,registration_date,make,model,segment,zip\n"
        + "A,2024-04-02,X,Y,SMALL_CAR,98101\nB,2024-04-03,X,Y,SMALL_CAR,98102\nC,2024-04-04,X,Y,SMALL_CAR,98103\n");
    Files.writeString(new File(dir, "d.csv").toPath(), "dealer_id,name,brand,longitude,latitude\nD,Dealer,X,-122.3,47.6\n");
    Files.writeString(new File(dir, "g.csv").toPath(),
        "geo_unit_id,level,geometry\nU,county,\"POLYGON ((-123 47, -121 47, -121 48, -123 48, -123 47))\"\n");
    Files.writeString(new File(dir, "s.csv").toPath(), "make,model,segment\nX,Y,SMALL_CAR\n");
    File conf = new File(dir, "dq.conf");
    Files.writeString(conf.toPath(), "tp.dq.checks = [\"DEALERS_BRONZE unique dealer_id fail\", \"REGISTRATIONS_BRONZE freshness registration_date:1 fail\"]\n");
    java.util.function.BiFunction<String, String[], String[]> args = (regs, command) -> {
      List<String> a = new java.util.ArrayList<>(List.of(command));
      a.addAll(List.of("--as-of", "2024-06-30", "--conf", conf.getPath(),
          "--set", "tp.lakehouse=" + dir.getAbsolutePath() + "/lake",
          "--set", "tp.spark.master=local[2]", "--set", "tp.spark.shuffle-partitions=2",
          "--set", "tp.databases.bronze=dqpipe_bronze",
          "--set", "tp.databases.silver=dqpipe_silver",
          "--set", "tp.databases.ops=dqpipe_ops",
          "--set", "tp.ingest.inputs.registrations.path=" + dir + "/" + regs,
          "--set", "tp.ingest.inputs.dealers.path=" + dir + "/d.csv",
          "--set", "tp.ingest.inputs.geo-units.path=" + dir + "/g.csv",
          "--set", "tp.ingest.inputs.segments.path=" + dir + "/s.csv",
          "--set", "tp.ingest.inputs.sales.path=",
          "--set", "tp.ingest.inputs.demographics.path=",
          "--set", "tp.ingest.inputs.territories.path="));
      return a.toArray(new String[0]);
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int first = Main.run(args.apply("fresh.csv", new String[] {"ingest"}),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Main.OK, first, err.toString(StandardCharsets.UTF_8));
    SparkSession spark = TestSpark.session();
    String published = spark.sql("SELECT run_id FROM dqpipe_ops.job_runs_current WHERE job = 'ingest'").first().getString(0);
    out.reset();
    err.reset();
    int code = Main.run(args.apply("stale.csv", new String[] {"pipeline", "--to", "locate"}),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String e = err.toString(StandardCharsets.UTF_8);
    String o = out.toString(StandardCharsets.UTF_8);
    assertEquals(Main.DQ_FAILED, code, e);
    assertEquals(1, e.lines().count(), e);
    assertTrue(e.startsWith("tp: error: data-quality gate failed after ingest: REGISTRATIONS_BRONZE freshness(registration_date:1): newest registration_date is 2024-04-04, 2 months before 2024-06-30"), e);
    assertTrue(o.contains("== ingest"), o);
    assertFalse(o.contains("== locate"), "locate must not start: " + o);
    assertFalse(o.contains("published:"), "nothing published: " + o);

    // Published: every bronze view on the first run, with its rows; the table is back at them too.
    List<Row> views = spark.sql("SHOW VIEWS IN dqpipe_bronze LIKE '*_current'").collectAsList();
    assertTrue(views.size() >= 4, "a view per bronze table written: " + views);
    for (Row v : views) {
      List<Row> runs = spark.sql("SELECT DISTINCT run_id FROM dqpipe_bronze." + v.getString(1)).collectAsList();
      assertEquals(List.of(published), runs.stream().map(x -> x.getString(0)).toList(), v.getString(1));
    }
    String ids = "SELECT concat_ws(',', sort_array(collect_list(registration_id))) FROM ";
    assertEquals("A,B", spark.sql(ids + "dqpipe_bronze.registrations_current").first().getString(0));
    assertEquals("A,B", spark.sql(ids + "dqpipe_bronze.registrations").first().getString(0), "the table is rolled back");
    // The staged rows stay readable where the run said they are.
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("dqpipe_bronze\\.registrations VERSION AS OF (\\d+)").matcher(o);
    assertTrue(m.find(), "the staged version is printed: " + o);
    assertEquals("A,B,C", spark.sql(ids + "dqpipe_bronze.registrations VERSION AS OF " + m.group(1)).first().getString(0));

    List<Row> runs = spark.sql("SELECT status, error, run_id FROM dqpipe_ops.job_runs_current WHERE job = 'ingest'"
        + " ORDER BY started_at").collectAsList();
    assertEquals(2, runs.size(), runs.toString());
    assertEquals("succeeded", runs.get(0).getString(0));
    assertEquals("failed", runs.get(1).getString(0));
    assertTrue(runs.get(1).getString(1).startsWith("data-quality gate failed after ingest"), runs.get(1).getString(1));
    assertEquals(0, spark.sql("SELECT * FROM dqpipe_ops.job_runs WHERE job = 'locate'").count());
    List<Row> dq = spark.sql("SELECT check_name, status, observed, threshold, stage, table_name, as_of, run_id"
        + " FROM dqpipe_ops.dq_results WHERE run_id = '" + runs.get(1).getString(2) + "' ORDER BY check_name").collectAsList();
    assertEquals(2, dq.size(), dq.toString());
    assertEquals("freshness(registration_date:1)", dq.get(0).getString(0));
    assertEquals("fail", dq.get(0).getString(1));
    assertEquals(2.0, dq.get(0).getDouble(2));
    assertEquals("ingest", dq.get(0).getString(4));
    assertEquals("dqpipe_bronze.registrations", dq.get(0).getString(5));
    assertEquals(Date.valueOf(AS_OF), dq.get(0).getDate(6));
    assertTrue(dq.get(0).getString(7).startsWith("ingest-2024-06-30-"));
    assertEquals("pass", dq.get(1).getString(1));
  }
}
