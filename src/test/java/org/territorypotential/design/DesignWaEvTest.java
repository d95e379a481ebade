package org.territorypotential.design;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
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
 * forecast -> score -> design on the shared WA ingest; the WA ZCTAs designed into Nissan's dealer
 * PMAs, balanced on registrations (the WA forecast is per county, so ZCTAs have no unit-level
 * demand and potential would be zero), with conf/wa-ev.conf's adjacency tolerance (the ZCTA file
 * is simplified polygon by polygon). Prints the design's lines for docs/design-territories.md and
 * checks what must hold on any data: one row per ZCTA, every designed territory one piece, balance
 * no worse than the current PMAs'. No what-if here: on ZCTAs it is degenerate (no unit-level
 * demand, no selling dealer to calibrate Huff) and its market pass was most of this class's time;
 * WhatIfTest and DesignJobTest check the what-if. Every figure checked comes from the job's result
 * (rows from the write), so it reads back one count.
 */
class DesignWaEvTest {
  @Test
  void washingtonZctasIntoNissanPmas() {
    WaEv.dirOrSkip();
    WaEv.fullOrSkip("the WA ZCTA design (locate at zcta + market + forecast + score + design, several minutes)");
    WaEv.locatedAt("zcta");
    SparkSession spark = TestSpark.session();
    AppConfig cfg = WaEv.config(Map.of("tp.locate.level", "zcta", "tp.forecast.model.trees", "4",
        "tp.forecast.backtest.refit-every-origins", "5",
        "tp.design.scenarios", "[\"wa-nissan territories=0 balance=registrations\"]", "tp.whatif.scenarios", "[]"));
    WaEv.marketReplaced();
    long t0 = System.nanoTime();
    MarketJob.run(spark, cfg, RunContext.start("market", WaEv.AS_OF));
    long t1 = System.nanoTime();
    ForecastJob.run(spark, cfg, RunContext.start("forecast", WaEv.AS_OF));
    long t2 = System.nanoTime();
    ScoreJob.run(spark, cfg, RunContext.start("score", WaEv.AS_OF), 5);
    long t3 = System.nanoTime();
    DesignJob.Result r = DesignJob.run(spark, cfg, RunContext.start("design", WaEv.AS_OF));
    long t4 = System.nanoTime();
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    DesignStage.print(new java.io.PrintStream(buf, true), r);
    DesignJob.DesignLine l = r.designs().get(0);
    System.out.printf("[wa-ev design] market %.0f s, forecast %.0f s, score %.0f s, design %.0f s%n%s", (t1 - t0) / 1e9,
        (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, buf);

    Lake lake = new Lake(spark, cfg);
    long zctas = lake.read(Table.GEO_UNITS_SILVER, WaEv.AS_OF)
        .where("level = 'zcta' AND centroid_lon IS NOT NULL AND centroid_lat IS NOT NULL").count();
    assertEquals(zctas, r.units(), "one designed unit per ZCTA with a centroid");
    assertEquals(zctas, r.rowsWritten().get(lake.sqlName(Table.TERRITORY_DESIGN)));
    assertTrue(l.contiguous(), "every designed territory is one piece: " + l.notes());
    assertTrue(l.devBefore() != null && l.devAfter() <= l.devBefore(), l.devAfter() + " vs " + l.devBefore());
    // no unit is heavier than its target plus the tolerance here: the moves left 1 of 18 outside
    // (+7.3%), the perturbations bring it in (the 305th draw with the default seed)
    assertEquals(0, l.outsideAfter(), "territories outside the tolerance: " + l.notes());
  }
}
