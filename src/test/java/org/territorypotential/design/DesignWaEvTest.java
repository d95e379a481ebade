package org.territorypotential.design;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.territorypotential.score.ScoreJob;

/**
 * Real data (skipped, saying why, when ../shared/data/wa-ev is absent): locate (zcta) -> market ->
 * forecast -> score -> design on the shared WA ingest; the WA ZCTAs designed
 * into Nissan's dealer PMAs, balanced on registrations (the WA forecast is per county, so ZCTAs
 * have no unit-level demand and potential would be zero), and the what-if closing the Nissan
 * dealer with the largest PMA. Prints the metrics for docs/design-territories.md and checks what
 * must hold on any data: one row per ZCTA, every designed territory one piece, balance no worse
 * than the current PMAs', the closed dealer's units conserved among the other Nissan dealers.
 */
class DesignWaEvTest {
  @Test
  void washingtonZctasIntoNissanPmas() {
    WaEv.dirOrSkip();
    WaEv.fullOrSkip("the WA ZCTA design (locate at zcta + market + forecast + score + design, several minutes)");
    WaEv.locatedAt("zcta");
    SparkSession spark = TestSpark.session();
    AppConfig cfg = WaEv.config(Map.of("tp.locate.level", "zcta", "tp.forecast.model.trees", "4",
        "tp.design.scenarios", "[\"wa-nissan territories=0 balance=registrations\"]"));
    WaEv.marketReplaced();
    MarketJob.run(spark, cfg, RunContext.start("market", WaEv.AS_OF));
    ForecastJob.run(spark, cfg, RunContext.start("forecast", WaEv.AS_OF));
    ScoreJob.run(spark, cfg, RunContext.start("score", WaEv.AS_OF), 5);
    DesignJob.Result r = DesignJob.run(spark, cfg, RunContext.start("design", WaEv.AS_OF));
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    DesignStage.print(new java.io.PrintStream(buf, true), r);
    System.out.println("[wa-ev design]\n" + buf);

    Lake lake = new Lake(spark, cfg);
    Dataset<Row> m = lake.read(Table.TERRITORY_DESIGN_METRICS, WaEv.AS_OF).cache();
    m.groupBy("assignment").agg(org.apache.spark.sql.functions.count("*").as("territories"),
        org.apache.spark.sql.functions.max(org.apache.spark.sql.functions.abs(m.col("load_deviation"))).as("max_abs_dev"),
        org.apache.spark.sql.functions.avg("polsby_popper").as("mean_pp"),
        org.apache.spark.sql.functions.min("polsby_popper").as("min_pp"),
        org.apache.spark.sql.functions.max("components").as("max_pieces"),
        org.apache.spark.sql.functions.sum("cut_edges").as("cut_edge_ends"),
        org.apache.spark.sql.functions.sum("units_moved_in").as("units_moved")).orderBy("assignment").show(false);
    lake.read(Table.WHATIF_RESULTS, WaEv.AS_OF).select("dealer_id", "is_scenario_dealer", "pma_units_before",
        "pma_units_after", "captured_before", "captured_after", "cannibalisation", "net_brand_gain", "huff_alpha",
        "huff_beta").orderBy("dealer_id").show(50, false);

    long zctas = lake.read(Table.GEO_UNITS_SILVER, WaEv.AS_OF)
        .where("level = 'zcta' AND centroid_lon IS NOT NULL AND centroid_lat IS NOT NULL").count();
    assertEquals(zctas, r.units());
    assertEquals(zctas, lake.read(Table.TERRITORY_DESIGN, WaEv.AS_OF).count());
    DesignJob.DesignLine l = r.designs().get(0);
    assertTrue(l.contiguous(), "every designed territory is one piece: " + l.notes());
    assertTrue(l.devBefore() == null || l.devAfter() <= l.devBefore(), l.devAfter() + " vs " + l.devBefore());
    Row w = lake.read(Table.WHATIF_RESULTS, WaEv.AS_OF)
        .selectExpr("sum(pma_units_before)", "sum(pma_units_after)").first();
    assertEquals(w.getLong(0), w.getLong(1), "the closed dealer's ZCTAs all go to other Nissan dealers");
  }
}
