package org.territorypotential.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.WaEv;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Contracts;
import org.territorypotential.ingest.RawInput;
import org.territorypotential.ingest.Validation;
import org.territorypotential.ingest.WaEvAdapter;

/**
 * The forecaster on the real WA county history (../shared/data/wa-ev), with the default model
 * settings: prints the backtest WAPE by horizon for the model and each baseline (the table in
 * docs/BENCHMARKS.md) and checks that the model beats the best baseline, as published there.
 * Skipped, saying why, when the data is absent.
 */
class ForecastRealDataTest {
  private static final LocalDate AS_OF = LocalDate.parse("2023-04-30");

  @Test
  void waCountyHistoryBacktest() {
    File dir = TestSpark.waEvDir();
    Assumptions.assumeTrue(dir != null,
        "../shared/data/wa-ev absent: real-data forecast test skipped (set -Dtp.shared.dir to the folder holding data/wa-ev)");
    WaEv.fullOrSkip("the WA county-history backtest (about 100 s)");
    SparkSession spark = TestSpark.session();
    AppConfig cfg = TestSpark.config("fc_wa", Map.of("tp.ingest.source", "wa-ev", "tp.wa-ev.dir", dir.getAbsolutePath(),
        "tp.forecast.history", "county_history", "tp.ingest.inputs.segments.path", ""));
    Validation.registerFunctions(spark);
    RawInput raw = new WaEvAdapter().read(spark, cfg).stream().filter(r -> r.contract() == Contracts.COUNTY_HISTORY)
        .findFirst().orElseThrow();
    Dataset<Row> validated = Validation.accepted(Validation.withReasons(raw, AS_OF, List.of(),
        org.territorypotential.ingest.InputRules.Settings.from(cfg)),
        Contracts.COUNTY_HISTORY, List.of());
    // 18k rows: materialise them, so every later step plans over a local table rather than the
    // adapter's and validation's long expression chain (re-planned at every step, it exhausted
    // the test JVM's heap after 20 minutes).
    Dataset<Row> bronze = spark.createDataFrame(validated.collectAsList(), validated.schema());
    long t0 = System.nanoTime();
    History.Result h = History.fromCountyHistory(bronze, Map.of(), AS_OF);
    assertEquals(39 * 2 * 75, h.units().count(), "39 counties x BEV/PHEV x 75 monthly differences (Feb 2017 - Apr 2023)");
    // The history (5,850 unit rows + roll-ups) as local tables too: every backtest fit then plans
    // over them instead of re-planning the differencing and roll-up windows.
    History.Result local = new History.Result(spark.createDataFrame(h.series().collectAsList(), h.series().schema()),
        spark.createDataFrame(h.hierarchy().collectAsList(), h.hierarchy().schema()));
    Forecaster.Outcome o = Forecaster.run(local, null, Forecaster.Settings.from(cfg), null);
    for (String level : Levels.ALL) {
      System.out.println("[wa-ev forecast] backtest WAPE by horizon, level " + level);
      System.out.print(Backtest.formatTable(Backtest.wapeByHorizon(o.metricRows(), level), Backtest.overallWape(o.metricRows(), level)));
    }
    System.out.printf("[wa-ev forecast] published %s; best baseline %s; %d s%n", o.publishedMethod(), o.bestBaseline(),
        (System.nanoTime() - t0) / 1_000_000_000L);
    assertEquals((39 + 39 + 1) * 2 * 12, o.forecast().count());
    assertTrue(o.overallWape().values().stream().allMatch(w -> w > 0 && w < 2), o.overallWape().toString());
    // The published result (docs/BENCHMARKS.md): the default model beats the best baseline (the
    // 3-month moving average, 34.8%) at unit level, measured 33.7%, so the guard publishes the
    // model. The margin asserted (half a point) is less than the 1.1 points measured: the fit's
    // row layout is fixed (ForecastModel.FIT_PARTITIONS), so the test and the job fit the same trees.
    double model = o.overallWape().get(Backtest.MODEL);
    double best = o.overallWape().get(o.bestBaseline());
    assertEquals("moving_average", o.bestBaseline(), o.overallWape().toString());
    assertTrue(model < best - 0.005, "model " + model + " vs best baseline " + best);
    assertEquals(Backtest.MODEL, o.publishedMethod());
  }
}
