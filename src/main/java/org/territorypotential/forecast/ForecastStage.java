package org.territorypotential.forecast;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.ops.BaseStage;

/** {@code forecast}: backtests against baselines, the published demand forecast and its metrics ({@link ForecastJob}). */
public final class ForecastStage extends BaseStage {
  public ForecastStage() {
    super("forecast", "backtest the demand model against baselines, write demand_forecast and model_metrics, print WAPE by horizon"
        + " (tp.forecast.history: the market stage's monthly registrations; conf/wa-ev.conf = the WA county history)",
        List.of(),
        List.of(Table.DEMAND_FORECAST, Table.MODEL_METRICS));
  }

  @Override
  public List<Table> reads(AppConfig cfg) {
    return cfg.getString("tp.forecast.history").equals("county_history") ? List.of(Table.COUNTY_HISTORY_BRONZE)
        : List.of(Table.MONTHLY_REGISTRATIONS);
  }

  @Override
  public void validate(AppConfig cfg, java.time.LocalDate asOf) {
    Forecaster.Settings.from(cfg);
    ForecastJob.scope(cfg);
    ForecastJob.countyTerritories(cfg);
    String history = cfg.getString("tp.forecast.history");
    if (!history.equals("registrations") && !history.equals("county_history")) {
      throw new org.territorypotential.config.ConfigError(
          "configuration key 'tp.forecast.history' must be registrations or county_history, got '" + history + "'");
    }
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    ForecastJob.Result r = ForecastJob.run(spark, cfg, run);
    RunStats stats = new RunStats();
    stats.versionsRead.putAll(r.versionsRead());
    stats.versionsWritten.putAll(r.versionsWritten());
    stats.rowsWritten.put("demand_forecast", r.forecastRows());
    return new Summary(stats, out -> print(out, r));
  }

  static void print(PrintStream out, ForecastJob.Result r) {
    out.printf("forecast run %s (%s): model %s (%s), origin %s, history partition %s, %,d rows in demand_forecast, %d s%n",
        r.runId(), r.scope(), r.modelVersion(), r.modelReused() ? "reused" : "trained", r.origin(), r.historyAsOf(), r.forecastRows(),
        r.seconds());
    Forecaster.Training t = r.training();
    out.printf("model fits: %s training rows (backtest origins, then the final fit), from %s%n",
        t.rows().stream().map(n -> String.format("%,d", n)).collect(java.util.stream.Collectors.joining(" / ")),
        t.sampled() < 0 ? "every unit series" : String.format("a fixed sample of %,d of the %,d unit series "
            + "(tp.forecast.model.max-training-series)", t.sampled(), t.series()));
    r.wapeByLevelAndHorizon().forEach((level, table) -> {
      out.println();
      out.println("backtest WAPE by horizon, level " + level + (level.equals(Levels.UNIT) ? " (the guard compares these)" : ""));
      out.print(Backtest.formatTable(table, r.overallByLevel().get(level)));
    });
    double model = r.overallWape().get(Backtest.MODEL);
    double best = r.overallWape().get(r.bestBaseline());
    out.println();
    if (model <= best) {
      out.printf("model beats the best baseline (%s) by %.1f WAPE points (%.1f%% vs %.1f%%); published: %s%n",
          r.bestBaseline(), 100 * (best - model), 100 * model, 100 * best, r.publishedMethod());
    } else {
      out.printf("WARNING: the model is WORSE than the best baseline (%s) by %.1f WAPE points (%.1f%% vs %.1f%%); published: %s%n",
          r.bestBaseline(), 100 * (model - best), 100 * model, 100 * best, r.publishedMethod());
    }
  }
}
