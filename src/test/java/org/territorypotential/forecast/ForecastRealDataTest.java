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
 * The forecaster on the real WA county history (../shared/data/wa-ev), with the default settings:
 * prints the held-out WAPE by horizon of every method and the published forecast, per level
 * (the tables in docs/forecasting.md), and checks that each level publishes its best method on
 * the tuning origins. Skipped, saying why, when the data is absent.
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
    List<String> methods = new java.util.ArrayList<>(List.of(Evaluation.PUBLISHED));
    methods.addAll(Evaluation.methods(Forecaster.Settings.from(cfg).candidates()));
    methods.addAll(Forecaster.Settings.from(cfg).reconciliations());
    System.out.printf("[wa-ev forecast] origins %s, held out %s; model chosen on the tuning origins: %s; published per level %s, "
        + "reconciliation %s%n", o.origins(), o.heldOut(), o.choice().model(), o.choice().byLevel(), o.choice().reconciliation());
    o.training().fits().forEach(f -> System.out.printf("[wa-ev forecast] fit %s: %,d rows, %.1f s%n", f.name(), f.rows(), f.seconds()));
    for (String level : Levels.ALL) {
      System.out.println("[wa-ev forecast] held-out WAPE by horizon, level " + level + " (tuning WAPE "
          + o.choice().tuningWape().get(level) + ")");
      System.out.print(Backtest.formatTable(Evaluation.wapeByHorizon(o.metricList(), level, Evaluation.HELD_OUT),
          Evaluation.overallWape(o.metricList(), level, Evaluation.HELD_OUT), methods));
      double[] c = Evaluation.coverage(o.metricList(), level);
      System.out.printf("[wa-ev forecast] held-out coverage, level %s: 80%% %.3f, 95%% %.3f%n", level, c[0], c[1]);
    }
    System.out.printf("[wa-ev forecast] %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
    assertEquals((39 + 39 + 1) * 2 * 12, o.forecast().count());
    System.out.printf("[wa-ev forecast] held-out guard: fallback %s, reconciliation chosen on the tuning origins %s%n",
        o.choice().fallback(), o.choice().tuningReconciliation());
    // every level's tuning choice was its best method on the tuning origins (the guard per level);
    // the state, checked first by the held-out guard, is no worse than the best baseline held out
    for (String level : Levels.ALL) {
      Map<String, Double> tw = o.choice().tuningWape().get(level);
      String chosen = o.choice().tuningMethod(level);
      List<String> pool = new java.util.ArrayList<>(Panel.BASELINES);
      pool.add(o.choice().model());
      // (a level the state regression took over was chosen against the reconciled forecast instead: see harmonicOverride)
      assertTrue(o.choice().harmonic().containsKey(level) || pool.stream().allMatch(m -> tw.get(chosen) <= tw.get(m)),
          level + " " + tw);
      Map<String, Double> held = Evaluation.overallWape(o.metricList(), level, Evaluation.HELD_OUT);
      assertTrue(held.values().stream().allMatch(w -> w > 0 && w < 2), held.toString());
      double bestBaseline = Panel.BASELINES.stream().mapToDouble(held::get).min().orElseThrow();
      System.out.printf("[wa-ev forecast] level %s: published %s, held-out WAPE %.4f, best baseline %.4f%n", level,
          o.published(level), held.get(Evaluation.PUBLISHED), bestBaseline);
      if (level.equals(Levels.STATE)) {
        assertTrue(held.get(Evaluation.PUBLISHED) <= bestBaseline + 1e-12, held.toString());
      }
    }
  }
}
