package org.territorypotential.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.dq.Evaluator;
import org.territorypotential.dq.Gates;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The score job on a fixture small enough to compute by hand (docs/scores.md walks through it):
 * three units u1, u2, u3; configured territories T1 = {u1, u2} and T2 = {u3} in region R1;
 * Aurora PMAs PMA-D1 = {u1}, PMA-D2 = {u2, u3} (and a Borealis PMA that must be ignored);
 * segments SUV and CAR; run date 2024-06-30 (trailing 12 months Jul 2023 .. Jun 2024, pace
 * months Apr .. Jun 2024).
 */
class ScoreTest {
  static final LocalDate AS_OF = LocalDate.parse("2024-06-30");
  static final LocalDate NEXT = LocalDate.parse("2024-07-31");
  static SparkSession spark;
  static AppConfig cfg;
  static Lake lake;
  static ScoreJob.Result first;

  @BeforeAll
  static void fixture() {
    spark = TestSpark.session();
    cfg = TestSpark.config("score", Map.of("tp.goals.targets", "[\"FY=101\"]", "tp.goals.territory-type", "configured"));
    lake = new Lake(spark, cfg);
    for (LocalDate d : List.of(AS_OF, NEXT)) {
      write(d);
    }
    first = ScoreJob.run(spark, cfg, RunContext.start("score", AS_OF), 10);
  }

  /** The default dq checks on the score stage's tables (conf/default.conf) name real columns and pass on its output. */
  @Test
  void defaultDqChecksPassOnTheScoreOutput() {
    List<Evaluator.Result> results = Gates.run(lake, cfg, RunContext.start("score", AS_OF), "score", java.util.Set.copyOf(new org.territorypotential.score.ScoreStage().writes()), System.out);
    assertTrue(results.size() >= 5, results.toString());
    for (Evaluator.Result r : results) {
      assertFalse(r.status().equals("fail"), r.toString());
    }
  }

  /**
   * Components equal but for float noise in the last bits (a sum in another order) tie in the
   * ranks, so a score does not depend on how the rows were partitioned: two territories whose
   * growth differs by 2e-16 get the same growth rank and the same score.
   */
  @Test
  void componentsEqualButForFloatNoiseTie() {
    String cols = "'configured' AS territory_type, concat('T', id) AS territory_id, 'R' AS region, 'SUV' AS segment,"
        + " 1L AS geo_units, 10.0D AS demand_next_12, 12 AS forecast_months, 10.0D AS industry_trailing_12,"
        + " 1.0D AS brand_trailing_12, 0.1D AS actual_share, 0.1D AS benchmark_share, 0.1D AS target_share,"
        + " 0.1D AS attainable_share, 'benchmark' AS attainable_share_source, 5.0D AS potential_units,"
        + " 1.0D AS brand_last_3_months, 4.0D AS current_pace, 1.0D AS opportunity_gap,"
        + " CASE id WHEN 0 THEN 0.1D + 0.2D WHEN 1 THEN 0.3D ELSE 0.9D END AS growth, 100.0D AS demographic_index";
    List<Row> rows = Scores.scored(spark.sql("SELECT " + cols + " FROM range(3)"), ScoreParams.from(cfg, AS_OF))
        .orderBy("territory_id").select("pr_growth", "score").collectAsList();
    assertTrue(0.1 + 0.2 != 0.3, "the two growths differ in the last bits");
    assertEquals(rows.get(0).getDouble(0), rows.get(1).getDouble(0), "equal growths tie: " + rows);
    assertEquals(rows.get(0).getDouble(1), rows.get(1).getDouble(1), "and score the same: " + rows);
    assertEquals(1.0, rows.get(2).getDouble(0), 1e-12, rows.toString());
  }

  static void write(LocalDate asOf) {
    Date d = Date.valueOf(asOf);
    // industry forecast per unit and month (12 horizons): u1 SUV 10, u2 SUV 5, u3 SUV 20, u1 CAR 2, u3 CAR 1
    List<Row> fc = new ArrayList<>();
    Object[][] perMonth = {{"u1", "SUV", 10.0}, {"u2", "SUV", 5.0}, {"u3", "SUV", 20.0}, {"u1", "CAR", 2.0}, {"u2", "CAR", 0.0},
        {"u3", "CAR", 1.0}};
    for (Object[] u : perMonth) {
      for (int h = 1; h <= 12; h++) {
        fc.add(RowFactory.create(u[0], "unit", u[1], Date.valueOf(asOf.withDayOfMonth(1).plusMonths(h)), h, u[2], "model",
            "industry", "fc-1", d));
        // a brand-scope row and an unrelated level: both must be ignored
        fc.add(RowFactory.create(u[0], "unit", u[1], Date.valueOf(asOf.withDayOfMonth(1).plusMonths(h)), h, 999.0, "model",
            "AURORA", "fc-1", d));
      }
    }
    fc.add(RowFactory.create("T1", "territory", "SUV", Date.valueOf("2024-07-01"), 1, 999.0, "model", "industry", "fc-1", d));
    org.territorypotential.TestTables.write(lake, Table.DEMAND_FORECAST, spark.createDataFrame(fc, new StructType().add("series_id", DataTypes.StringType)
        .add("level", DataTypes.StringType).add("segment", DataTypes.StringType).add("target_month", DataTypes.DateType)
        .add("horizon", DataTypes.IntegerType).add("forecast", DataTypes.DoubleType).add("method", DataTypes.StringType)
        .add("scope", DataTypes.StringType).add("model_version", DataTypes.StringType).add("as_of", DataTypes.DateType))
        // the table's interval CHECK constraints name these columns: a demand_forecast always has them
        .withColumn("lower_80", functions.lit(null).cast("double")).withColumn("upper_80", functions.lit(null).cast("double"))
        .withColumn("lower_95", functions.lit(null).cast("double")).withColumn("upper_95", functions.lit(null).cast("double")),
        asOf, null);

    Object[][] regs = {
        {"u1", "SUV", "AURORA", "2024-05-01", 6L}, {"u1", "SUV", "BOREALIS", "2024-05-01", 14L},
        {"u1", "SUV", "AURORA", "2023-09-01", 4L}, {"u1", "SUV", "BOREALIS", "2023-09-01", 16L},
        {"u2", "SUV", "AURORA", "2024-05-01", 1L}, {"u2", "SUV", "BOREALIS", "2024-05-01", 19L},
        {"u3", "SUV", "AURORA", "2023-09-01", 20L}, {"u3", "SUV", "BOREALIS", "2024-05-01", 60L},
        {"u3", "SUV", "AURORA", "2023-05-01", 100L}, // before the trailing window
        {"u1", "CAR", "BOREALIS", "2024-05-01", 10L},
        {"u3", "CAR", "AURORA", "2024-06-01", 5L}, {"u3", "CAR", "BOREALIS", "2024-06-01", 5L}};
    List<Row> m = new ArrayList<>();
    for (Object[] r : regs) {
      m.add(RowFactory.create(r[0], r[1], r[2], Date.valueOf((String) r[3]), r[4], d));
    }
    org.territorypotential.TestTables.write(lake, Table.MONTHLY_REGISTRATIONS, spark.createDataFrame(m, new StructType().add("geo_unit_id", DataTypes.StringType)
        .add("segment", DataTypes.StringType).add("brand", DataTypes.StringType).add("month", DataTypes.DateType)
        .add("registrations", DataTypes.LongType).add("as_of", DataTypes.DateType)), asOf, null);

    Object[][] assign = {{"u1", "T1", "configured", null, "R1"}, {"u2", "T1", "configured", null, "R1"},
        {"u3", "T2", "configured", null, "R1"}, {"u1", "PMA-D1", "pma", "AURORA", null}, {"u2", "PMA-D2", "pma", "AURORA", null},
        {"u3", "PMA-D2", "pma", "AURORA", null}, {"u1", "PMA-X9", "pma", "BOREALIS", null}};
    List<Row> a = new ArrayList<>();
    for (Object[] r : assign) {
      a.add(RowFactory.create(r[0], r[1], r[2], r[3], r[4], d));
    }
    org.territorypotential.TestTables.write(lake, Table.TERRITORY_ASSIGNMENT, spark.createDataFrame(a, new StructType().add("geo_unit_id", DataTypes.StringType)
        .add("territory_id", DataTypes.StringType).add("method", DataTypes.StringType).add("brand", DataTypes.StringType)
        .add("region", DataTypes.StringType).add("as_of", DataTypes.DateType)), asOf, null);

    List<Row> dem = List.of(RowFactory.create("u1", 2023, 100.0, 50000.0, d), RowFactory.create("u2", 2023, 300.0, 100000.0, d),
        RowFactory.create("u3", 2023, 100.0, 50000.0, d), RowFactory.create("u3", 2025, 100.0, 1.0, d)); // a future year: ignored
    org.territorypotential.TestTables.write(lake, Table.DEMOGRAPHICS_BRONZE, spark.createDataFrame(dem, new StructType().add("geo_unit_id", DataTypes.StringType)
        .add("year", DataTypes.IntegerType).add("households", DataTypes.DoubleType)
        .add("median_household_income", DataTypes.DoubleType).add("as_of", DataTypes.DateType)), asOf, null);
  }

  static Row row(String type, String id, String segment) {
    List<Row> rows = spark.table(lake.sqlName(Table.POTENTIAL_SCORES)).where("as_of = DATE'" + AS_OF + "' AND territory_type = '"
        + type + "' AND territory_id = '" + id + "' AND segment = '" + segment + "'").collectAsList();
    assertEquals(1, rows.size(), type + " " + id + " " + segment);
    return rows.get(0);
  }

  static double d(Row r, String c) {
    return r.<Double>getAs(c);
  }

  @Test
  void scoresMatchTheHandComputation() {
    double suvShare = 31.0 / 140; // Aurora SUV 10 + 1 + 20 of 40 + 20 + 80 in the trailing window
    Row t1 = row("configured", "T1", "SUV");
    assertEquals(180.0, d(t1, "demand_next_12"), 1e-9);
    assertEquals(60.0, d(t1, "industry_trailing_12"), 1e-9);
    assertEquals(11.0, d(t1, "brand_trailing_12"), 1e-9);
    assertEquals(suvShare, d(t1, "benchmark_share"), 1e-12);
    assertEquals(180 * suvShare, d(t1, "potential_units"), 1e-9);
    assertEquals(28.0, d(t1, "current_pace"), 1e-9); // (6 + 1) x 4
    assertEquals(180 * suvShare - 28, d(t1, "opportunity_gap"), 1e-9);
    assertEquals(2.0, d(t1, "growth"), 1e-9);
    assertEquals(109.375, d(t1, "demographic_index"), 1e-9); // (100 x 50k + 300 x 100k) / 400 vs 80k
    Row t2 = row("configured", "T2", "SUV");
    assertEquals(240 * suvShare, d(t2, "potential_units"), 1e-9);
    assertEquals(0.0, d(t2, "current_pace"), 1e-9);
    assertEquals(62.5, d(t2, "demographic_index"), 1e-9);
    // SUV: T2 leads gap and potential (0.4 + 0.3), growth ties (both rank 0), T1 leads demographics (0.1)
    assertEquals(10.0, d(t1, "score"), 1e-9);
    assertEquals(70.0, d(t2, "score"), 1e-9);
    assertEquals(0.0, d(t1, "pr_growth"), 1e-12);
    assertEquals("low", t1.getAs("band"));
    assertEquals("high", t2.getAs("band"));
    assertEquals(1, (int) t2.<Integer>getAs("rank_in_region"));
    assertEquals(2L, (long) t2.<Long>getAs("territories_in_region"));
    // CAR: share 5 / 20
    Row t2car = row("configured", "T2", "CAR");
    assertEquals(3.0, d(t2car, "potential_units"), 1e-9);
    assertEquals(20.0, d(t2car, "current_pace"), 1e-9);
    assertEquals(-17.0, d(t2car, "opportunity_gap"), 1e-9);
    // ALL rows: sums over segments; T1 now leads growth (204 / 70 > 252 / 90)
    Row t1all = row("configured", "T1", "ALL");
    assertEquals(204.0, d(t1all, "demand_next_12"), 1e-9);
    assertEquals(180 * suvShare + 6, d(t1all, "potential_units"), 1e-9);
    assertEquals((180 * suvShare + 6) / 204, d(t1all, "attainable_share"), 1e-12);
    assertNull(t1all.getAs("benchmark_share"));
    assertEquals(30.0, d(t1all, "score"), 1e-9);
    assertEquals(70.0, d(row("configured", "T2", "ALL"), "score"), 1e-9);
    // PMAs of the scored brand only; PMA-D2 = u2 + u3
    assertEquals(300.0, d(row("pma", "PMA-D2", "SUV"), "demand_next_12"), 1e-9);
    assertEquals(0, spark.table(lake.sqlName(Table.POTENTIAL_SCORES)).where("territory_id = 'PMA-X9'").count());
    // 2 configured + 2 PMAs, x (SUV, CAR, ALL)
    assertEquals(12L, first.rowsWritten().get(lake.sqlName(Table.POTENTIAL_SCORES)));
    // printed top by opportunity (ALL rows): PMA-D2 45.4, T2 36.1, T1 17.9, PMA-D1 8.6
    assertEquals(List.of("PMA-D2", "T2", "T1", "PMA-D1"), first.top().stream().map(ScoreJob.Line::territoryId).toList());
  }

  @Test
  void goalsSumToTheTargetAndRowsCarryLineageButNoPersonalData() {
    List<Row> goals = spark.table(lake.sqlName(Table.SALES_GOALS)).where("as_of = DATE'" + AS_OF + "'").orderBy("territory_id")
        .collectAsList();
    assertEquals(2, goals.size());
    assertEquals(45L, (long) goals.get(0).<Long>getAs("goal_units")); // 101 x 45.857 / 102 = 45.41
    assertEquals(56L, (long) goals.get(1).<Long>getAs("goal_units")); // 55.59: gets the remainder
    assertEquals(101L, (long) goals.get(0).<Long>getAs("target_units"));
    for (Table t : List.of(Table.POTENTIAL_SCORES, Table.SALES_GOALS)) {
      Dataset<Row> df = spark.table(lake.sqlName(t));
      List<String> cols = List.of(df.columns());
      assertTrue(cols.containsAll(List.of("run_id", "as_of", "model_version", "input_versions")), t + ": " + cols);
      for (String personal : List.of("vin", "vin_prefix", "customer_name", "address", "zip", "longitude", "latitude")) {
        assertFalse(cols.contains(personal), t + " has " + personal);
      }
      for (var f : df.schema().fields()) {
        assertTrue(f.getComment().isDefined(), t + "." + f.name() + " has no comment");
      }
      String versions = df.where("as_of = DATE'" + AS_OF + "'").first().getAs("input_versions");
      assertTrue(versions.contains(lake.sqlName(Table.DEMAND_FORECAST) + "@") && versions.contains(
          lake.sqlName(Table.DEMOGRAPHICS_BRONZE) + "@"), versions);
      assertEquals("fc-1", df.first().getAs("model_version"));
    }
  }

  @Test
  void rerunIsIdempotentAndASecondRunDateKeepsTheFirst() {
    String cols = "territory_type, territory_id, segment, potential_units, opportunity_gap, score, rank_in_region, band";
    String q = "SELECT " + cols + " FROM " + lake.sqlName(Table.POTENTIAL_SCORES) + " WHERE as_of = DATE'" + AS_OF + "'";
    List<Row> before = spark.sql(q).collectAsList();
    ScoreJob.run(spark, cfg, RunContext.start("score", AS_OF), 10);
    List<Row> after = spark.sql(q).collectAsList();
    assertEquals(before.size(), after.size(), "no duplicates");
    assertEquals(new HashSet<>(before), new HashSet<>(after));
    ScoreJob.run(spark, cfg, RunContext.start("score", NEXT), 10);
    Map<String, Long> perDate = new HashMap<>();
    for (Row r : spark.sql("SELECT string(as_of), count(*) FROM " + lake.sqlName(Table.POTENTIAL_SCORES) + " GROUP BY 1")
        .collectAsList()) {
      perDate.put(r.getString(0), r.getLong(1));
    }
    assertEquals(Map.of(AS_OF.toString(), 12L, NEXT.toString(), 12L), perDate);
    assertEquals(new HashSet<>(before), new HashSet<>(spark.sql(q).collectAsList()), "the first run date is untouched");
    assertEquals(101L, spark.sql("SELECT sum(goal_units) FROM " + lake.sqlName(Table.SALES_GOALS) + " WHERE as_of = DATE'" + NEXT
        + "'").first().getLong(0));
  }
}
