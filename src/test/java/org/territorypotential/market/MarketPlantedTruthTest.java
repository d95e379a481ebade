package org.territorypotential.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.DemoFixture;
import org.territorypotential.TestSpark;
import org.territorypotential.cli.Main;

/**
 * The planted-truth scenario end to end: {@code jobs/tp demo} (generate -> ingest -> locate ->
 * market), the JVM's one {@link DemoFixture}, on a small synthetic region; the market tables must find the dealer planted at 60% of
 * the regional share in the lowest band and the parity dealer near 100.
 */
class MarketPlantedTruthTest {
  private static final String AS_OF = DemoFixture.AS_OF;
  private static final String DB = DemoFixture.DB;
  private static SparkSession spark;
  private static String printed;
  private static Map<String, Row> truths;
  private static String[] common;

  @BeforeAll
  static void demo() {
    spark = TestSpark.session();
    DemoFixture demo = DemoFixture.get();
    printed = demo.printed();
    common = demo.common();
    truths = new HashMap<>();
    for (Row r : spark.sql("SELECT truth, subject_id, value FROM " + DB + "_ops.planted_truths").collectAsList()) {
      truths.putIfAbsent(r.getString(0), r);
    }
  }

  private static Row dealer(String id) {
    List<Row> rows = spark.sql("SELECT * FROM " + DB + "_gold.dealer_performance WHERE dealer_id = '" + id + "'").collectAsList();
    assertEquals(1, rows.size(), "one performance row for " + id);
    return rows.get(0);
  }

  @Test
  void underperformerIsInTheLowestBandAndParityNear100() {
    Row under = dealer(truths.get("underperforming_dealer").getString(1));
    Row parity = dealer(truths.get("parity_dealer").getString(1));
    double reUnder = under.getAs("registration_effectiveness");
    double reParity = parity.getAs("registration_effectiveness");
    System.out.printf("planted 60%%: %s RE %.1f (expected %.1f, actual %d, band %s, local RE %.1f, SE %.1f)%n",
        under.getAs("dealer_id"), reUnder, under.<Double>getAs("expected_registrations"),
        under.<Long>getAs("actual_registrations"), under.getAs("band"), under.<Double>getAs("registration_effectiveness_local"),
        under.<Double>getAs("sales_effectiveness"));
    System.out.printf("planted parity: %s RE %.1f (expected %.1f, actual %d, band %s, local RE %.1f, SE %.1f)%n",
        parity.getAs("dealer_id"), reParity, parity.<Double>getAs("expected_registrations"),
        parity.<Long>getAs("actual_registrations"), parity.getAs("band"), parity.<Double>getAs("registration_effectiveness_local"),
        parity.<Double>getAs("sales_effectiveness"));
    assertTrue(List.of(Effectiveness.UNSATISFACTORY, Effectiveness.NEEDS_SIGNIFICANT_IMPROVEMENT).contains(under.getAs("band")),
        "under-performer's band: " + under.getAs("band"));
    assertEquals(60.0, reUnder, 12.0);
    assertEquals(100.0, reParity, 8.0);
    // the under-performer is the weakest of our brand's dealers
    assertEquals((long) under.<Long>getAs("dealers_in_area"), (long) under.<Integer>getAs("rank_in_area"),
        "under-performer ranks last among our dealers");
    // the closed dealer is not measured
    assertEquals(0, spark.sql("SELECT * FROM " + DB + "_gold.dealer_performance WHERE dealer_id = '"
        + truths.get("closed_dealer").getString(1) + "'").count());
    assertTrue(printed.contains("weakest dealers (registration effectiveness)") && printed.contains("strongest dealers"), printed);
    assertTrue(printed.contains("market " + AS_OF + " succeeded"), printed);
  }

  @Test
  void rerunLeavesTheSameRows() {
    // doubles to 9 decimals: Spark sums doubles in the order shuffle blocks arrive, so a rerun may
    // differ in the last bit (seen in CI, 1 Dec 2026: 97.82796294457597 against ...599)
    String q = "SELECT dealer_id, round(expected_registrations, 9), actual_registrations, round(registration_effectiveness, 9),"
        + " band FROM " + DB + "_gold.dealer_performance";
    List<Row> before = spark.sql(q).collectAsList();
    long shareRows = spark.table(DB + "_gold.market_share").count();
    String[] args = new String[common.length + 1];
    args[0] = "market";
    System.arraycopy(common, 0, args, 1, common.length);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    assertEquals(Main.OK, Main.run(args, new PrintStream(sink, true, StandardCharsets.UTF_8),
        new PrintStream(sink, true, StandardCharsets.UTF_8)), sink.toString(StandardCharsets.UTF_8));
    assertEquals(new java.util.HashSet<>(before), new java.util.HashSet<>(spark.sql(q).collectAsList()));
    assertEquals(shareRows, spark.table(DB + "_gold.market_share").count());
    assertEquals(2, spark.sql("SELECT DISTINCT run_id FROM " + DB + "_ops.job_runs WHERE job = 'market'").count(),
        "both market runs are in job_runs");
  }

  @Test
  void goldTablesAddUpCarryLineageAndNoPersonalData() {
    Dataset<Row> share = spark.table(DB + "_gold.market_share");
    MarketTest.assertMarketShareConsistent(share);
    // our brand's expected over all its PMAs = its registrations in the region (the PMAs partition it)
    Row ours = spark.sql("SELECT sum(expected_registrations), sum(actual_registrations) FROM " + DB
        + "_gold.dealer_performance WHERE brand = 'AURORA'").first();
    assertEquals(ours.getLong(1), ours.getDouble(0), 1e-6);
    for (String t : List.of("market_share", "monthly_registrations", "dealer_expected_by_segment", "dealer_performance",
        "cross_sell", "market_data_quality")) {
      Dataset<Row> df = spark.table(DB + "_gold." + t);
      List<String> cols = List.of(df.columns());
      for (String personal : List.of("vin_prefix", "customer_name", "longitude", "latitude", "customer_longitude",
          "customer_latitude", "registration_id", "sale_id", "zip", "customer_zip")) {
        assertFalse(cols.contains(personal), t + " has " + personal);
      }
      assertTrue(cols.containsAll(List.of("run_id", "as_of", "input_versions")), t + " lineage: " + cols);
      assertTrue(df.first().<String>getAs("input_versions").contains(DB + "_silver.registrations_located@"), t);
      for (var f : df.schema().fields()) {
        assertTrue(f.getComment().isDefined(), t + "." + f.name() + " has no comment");
      }
      assertNotNull(spark.sql("DESCRIBE TABLE EXTENDED " + DB + "_gold." + t).where("col_name = 'Comment'").first(), t);
    }
    // the demo's forecast stage: the industry forecast of the market's monthly registrations, with lineage
    Dataset<Row> fc = spark.table(DB + "_gold.demand_forecast");
    assertTrue(List.of(fc.columns()).containsAll(List.of("run_id", "as_of", "model_version", "input_versions", "scope")));
    Row f = fc.selectExpr("min(scope)", "max(scope)", "min(input_versions)", "min(target_month)", "max(horizon)",
        "count(DISTINCT CASE WHEN level = 'unit' THEN series_id END)").first();
    assertEquals("industry", f.getString(0));
    assertEquals("industry", f.getString(1));
    assertTrue(f.getString(2).startsWith(DB + "_gold.monthly_registrations@"), f.getString(2));
    assertEquals(java.sql.Date.valueOf("2024-06-01"), f.getDate(3), "run date mid-June: May is the last month of history");
    assertEquals(6, f.getInt(4));
    assertTrue(f.getLong(5) > 0 && f.getLong(5) <= 80, "unit series are geo units: " + f.getLong(5));
    assertTrue(printed.contains("held-out WAPE by horizon, level unit") && printed.contains("forecast " + AS_OF + " succeeded"),
        printed);
    Row unclassified = spark.sql("SELECT affected, share FROM " + DB + "_gold.market_data_quality WHERE check_name = 'unclassified_segment'")
        .first();
    assertEquals(0L, unclassified.getLong(0), "the generator classifies every model");
  }
}
