package org.territorypotential.score;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.WaEv;
import org.territorypotential.config.AppConfig;
import org.territorypotential.forecast.ForecastJob;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.market.MarketJob;
import org.territorypotential.ops.RunContext;

/**
 * Real data (skipped, saying why, when ../shared/data/wa-ev is absent): locate (county) ->
 * market -> forecast -> score on the shared WA ingest ({@link WaEv}) with the conf/wa-ev.conf
 * profile: every county scored as a territory, and Nissan's dealer PMAs. Prints the top county
 * territories by opportunity gap and the Nissan PMA table (docs/scores.md), and checks the
 * properties that must hold on any data: one ALL row per county and per PMA (the WA forecast's
 * segments, BEV / PHEV, are not the market's body segments, so only ALL rows are written),
 * scores 0-100 ranked 1..n per group, the stored terms recompute the potential, lineage filled,
 * no personal identifiers, goals summing to the target within their floors and caps.
 */
class ScoreWaEvTest {
  private static final List<String> PERSONAL = List.of("vin", "name", "address", "street", "phone", "email", "owner");

  @Test
  void washingtonCountiesAndNissanPmas() {
    WaEv.dirOrSkip();
    WaEv.fullOrSkip("the WA score (forecast + score + goals on the real data, about 3 minutes)");
    MarketJob.Result market = WaEv.countyMarket();
    SparkSession spark = TestSpark.session();
    // floors and caps set so the goals' clamping is exercised on the real potentials; a 4-tree
    // model keeps the forecast's GBT fits short: each boosting round is several Spark jobs. The forecast's accuracy on this history is ForecastRealDataTest's business.
    Map<String, String> o = new HashMap<>(Map.of("tp.locate.level", "county", "tp.goals.floor-units", "1",
        "tp.goals.cap-multiple-of-potential", "1.5", "tp.forecast.model.trees", "4",
        "tp.forecast.backtest.refit-every-origins", "5"));
    AppConfig cfg = WaEv.config(o);
    long t2 = System.nanoTime();
    ForecastJob.Result f = ForecastJob.run(spark, cfg, RunContext.start("forecast", WaEv.AS_OF));
    long t3 = System.nanoTime();
    ScoreJob.Result r = ScoreJob.run(spark, cfg, RunContext.start("score", WaEv.AS_OF), 10);
    long t4 = System.nanoTime();
    System.out.printf("[wa-ev score] market window %s .. %s; forecast %.0f s (%s), score %.0f s; inputs %s%n",
        market.windowStart(), market.windowEnd(), (t3 - t2) / 1e9, f.outcome().choice().byLevel(), (t4 - t3) / 1e9, r.versionsRead());

    Lake lake = new Lake(spark, cfg);
    Dataset<Row> scores = lake.read(Table.POTENTIAL_SCORES, WaEv.AS_OF).cache();
    String[] cols = {"territory_id", "geo_units", "demand_next_12", "industry_trailing_12", "attainable_share",
        "potential_units", "current_pace", "opportunity_gap", "growth", "demographic_index", "score", "rank_in_region", "band"};
    System.out.println("[wa-ev score] top 10 county territories by opportunity gap (Nissan, as_of " + WaEv.AS_OF + "):\n"
        + table(scores.where("territory_type = 'unit'").orderBy(col("opportunity_gap").desc(), col("territory_id")).limit(10), cols));
    System.out.println("[wa-ev score] Nissan dealer PMAs:\n"
        + table(scores.where("territory_type = 'pma'").orderBy(col("opportunity_gap").desc(), col("territory_id")), cols));
    Dataset<Row> goals = lake.read(Table.SALES_GOALS, WaEv.AS_OF).cache();
    goals.select("period", "target_units", "territory_id", "potential_units", "floor_units", "cap_units", "goal_units")
        .orderBy("period", "territory_id").show(100, false);

    // one ALL row per county (39) and per Nissan PMA, nothing else
    assertEquals(List.of(Scores.ALL), scores.select("segment").distinct().collectAsList().stream().map(x -> x.getString(0)).toList());
    assertEquals(39, scores.where("territory_type = 'unit'").count());
    assertEquals(39, scores.where("territory_type = 'unit'").select("territory_id").distinct().count());
    long pmaOwners = lake.read(Table.TERRITORY_ASSIGNMENT, WaEv.AS_OF).where("method = 'pma' AND upper(brand) = 'NISSAN'")
        .select("territory_id").distinct().count();
    long pmas = scores.where("territory_type = 'pma'").count();
    assertTrue(pmas >= 5, "Nissan PMAs scored: " + pmas);
    assertEquals(pmaOwners, pmas, "one row per Nissan PMA");
    assertEquals(39 + pmas, scores.count(), "no other territory types");
    // the PMAs partition the counties: their demand and potential add up to the counties'
    Row sums = scores.groupBy("territory_type").agg(org.apache.spark.sql.functions.sum("demand_next_12"),
        org.apache.spark.sql.functions.sum("potential_units")).orderBy("territory_type").collectAsList().get(0);
    Row unitSums = scores.where("territory_type = 'unit'").agg(org.apache.spark.sql.functions.sum("demand_next_12"),
        org.apache.spark.sql.functions.sum("potential_units")).first();
    assertEquals("pma", sums.getString(0));
    assertEquals(unitSums.getDouble(0), sums.getDouble(1), 1e-6 * Math.max(1, unitSums.getDouble(0)));
    assertEquals(unitSums.getDouble(1), sums.getDouble(2), 1e-6 * Math.max(1, unitSums.getDouble(1)));

    // scores 0-100, ranks 1..n within territory type x region x segment
    assertEquals(0, scores.where("score IS NULL OR score < 0 OR score > 100").count(), "every score within 0-100");
    for (Row g : scores.groupBy("territory_type", "region", "segment").agg(org.apache.spark.sql.functions.count("*"),
        org.apache.spark.sql.functions.min("rank_in_region"), org.apache.spark.sql.functions.max("rank_in_region"),
        org.apache.spark.sql.functions.countDistinct("rank_in_region")).collectAsList()) {
      long n = g.getLong(3);
      assertEquals(1L, ((Number) g.get(4)).longValue(), "ranks start at 1: " + g);
      assertEquals(n, ((Number) g.get(5)).longValue(), "ranks end at n: " + g);
      assertEquals(n, g.getLong(6), "ranks 1..n, each once: " + g);
    }
    // ranks follow the score: a higher score never has a worse rank
    assertEquals(0, scores.as("a").join(scores.as("b"), col("a.territory_type").equalTo(col("b.territory_type"))
        .and(col("a.region").equalTo(col("b.region"))).and(col("a.segment").equalTo(col("b.segment")))
        .and(col("a.score").gt(col("b.score"))).and(col("a.rank_in_region").geq(col("b.rank_in_region")))).count());

    // stored terms recompute the stored results
    assertEquals(0, scores.where("abs(potential_units - demand_next_12 * attainable_share) > 1e-6 * greatest(1, potential_units)"
        + " OR abs(opportunity_gap - (potential_units - current_pace)) > 1e-6 * greatest(1, abs(opportunity_gap))"
        + " OR abs(current_pace - 4 * brand_last_3_months) > 1e-9"
        + " OR potential_units < 0 OR demand_next_12 < 0").count(), "potential = demand x attainable share; gap = potential - pace");
    assertTrue(scores.where("potential_units > 0").count() >= 30, "real potential in most territories");
    // the ACS county file has no household count: its population weights the income instead
    assertEquals(0, scores.where("territory_type = 'unit' AND demographic_index IS NULL").count(),
        "every county has a demographic index");
    Row king = scores.where("territory_type = 'unit' AND territory_id = '53033'").select("demographic_index").first();
    System.out.println("[wa-ev score] demographic_index: King County " + king.get(0) + "; range " + scores.agg(
        org.apache.spark.sql.functions.min("demographic_index"), org.apache.spark.sql.functions.max("demographic_index")).first());
    assertTrue(king.getDouble(0) > 100, "King County's income is above the state's: " + king);
    assertEquals(0, scores.where("demographic_index <= 0").count());

    // lineage filled, no personal identifiers
    assertEquals(0, scores.where("run_id IS NULL OR as_of IS NULL OR model_version IS NULL OR input_versions IS NULL").count());
    assertEquals(r.modelVersion(), scores.select("model_version").distinct().first().getString(0));
    assertTrue(scores.first().getAs("input_versions").toString().contains("demand_forecast"));
    for (String c : scores.columns()) {
      assertFalse(PERSONAL.stream().anyMatch(pii -> c.toLowerCase(Locale.ROOT).contains(pii)), "personal identifier column: " + c);
    }

    // goals: sum exactly to each target, within floor and cap, over the Nissan PMAs
    List<Row> periods = goals.groupBy("brand", "period").agg(org.apache.spark.sql.functions.sum("goal_units"),
        org.apache.spark.sql.functions.min("target_units"), org.apache.spark.sql.functions.max("target_units"),
        org.apache.spark.sql.functions.count("*")).collectAsList();
    assertFalse(periods.isEmpty(), "goals written");
    for (Row p : periods) {
      assertEquals(p.getLong(3), p.getLong(4), "one target per brand / period: " + p);
      assertEquals(p.getLong(3), p.getLong(2), "goals sum exactly to the target: " + p);
      assertEquals(pmas, p.getLong(5), "one goal per Nissan PMA: " + p);
    }
    assertEquals(0, goals.where("goal_units < floor_units OR (cap_units IS NOT NULL AND goal_units > cap_units)").count(),
        "goals within floor and cap");
    assertEquals(0, goals.where("floor_units <> 1").count(), "configured floor stored");
    assertEquals(0, goals.where("cap_units IS NULL OR cap_units <> greatest(1, ceil(1.5 * potential_units))").count(),
        "cap = max(floor, ceil(1.5 x potential)) stored");
  }

  private static String table(Dataset<Row> rows, String[] cols) {
    StringBuilder b = new StringBuilder("| " + String.join(" | ", cols) + " |\n|" + "---|".repeat(cols.length) + "\n");
    for (Row x : rows.select(cols[0], java.util.Arrays.copyOfRange(cols, 1, cols.length)).collectAsList()) {
      b.append("|");
      for (int i = 0; i < cols.length; i++) {
        Object v = x.get(i);
        b.append(' ').append(v == null ? "null" : v instanceof Double d ? String.format(Locale.ROOT, cols[i].contains("share")
            ? "%.4f" : "%.1f", d) : v.toString()).append(" |");
      }
      b.append('\n');
    }
    return b.toString();
  }
}
