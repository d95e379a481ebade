package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/**
 * The forecasting engine on a series frame, with no table I/O: builds the examples, runs the
 * backtests, applies the guard, fits (or takes) the final model, forecasts from the last month,
 * reconciles bottom-up and adds intervals. {@link ForecastJob} reads and writes around it.
 */
public final class Forecaster {
  private static final Logger LOG = LoggerFactory.getLogger(Forecaster.class);

  /** Settings from {@code tp.forecast.*}. */
  public record Settings(int horizon, int movingAverageMonths, int minHistoryMonths, int origins, int stepMonths,
      ForecastModel.Params params, boolean publishBestBaselineWhenWorse) {
    public static Settings from(AppConfig cfg) {
      Settings s = new Settings(cfg.getInt("tp.forecast.horizon"), cfg.getInt("tp.forecast.moving-average-months"),
          cfg.getInt("tp.forecast.min-history-months"), cfg.getInt("tp.forecast.backtest.origins"),
          cfg.getInt("tp.forecast.backtest.step-months"), ForecastModel.Params.from(cfg),
          cfg.getBoolean("tp.forecast.publish-best-baseline-when-worse"));
      if (s.horizon < 1 || s.horizon > 36) {
        throw new ConfigError("configuration key 'tp.forecast.horizon' must be between 1 and 36, got " + s.horizon);
      }
      if (s.origins < 3) {
        throw new ConfigError("configuration key 'tp.forecast.backtest.origins' must be at least 3, got " + s.origins);
      }
      if (s.stepMonths < 1 || s.movingAverageMonths < 1 || s.minHistoryMonths < 1) {
        throw new ConfigError("tp.forecast.backtest.step-months, moving-average-months and min-history-months must be >= 1");
      }
      return s;
    }
  }

  /**
   * What a run produced. {@code forecast}: series_id, level, segment, target_month, horizon,
   * forecast, lower/upper 80 and 95, method. {@code backtest}: every backtest forecast (all
   * levels and methods, with actuals). {@code metrics}: {@link Backtest#metrics}.
   */
  public record Outcome(Dataset<Row> forecast, Dataset<Row> backtest, Dataset<Row> metrics, String publishedMethod,
      Map<String, Double> overallWape, String bestBaseline, List<Backtest.TrainWindow> windows, List<String> features,
      PipelineModel model, LocalDate origin, Dataset<Row> unitExamplesAtOrigin) {
    public boolean modelBeatsBestBaseline() {
      return overallWape.get(Backtest.MODEL) <= overallWape.get(bestBaseline);
    }
  }

  private Forecaster() {}

  /**
   * @param statics optional static covariates per unit series_id (numeric columns), or null
   * @param savedModel a model to publish with instead of fitting one, or null
   */
  public static Outcome run(History.Result history, Dataset<Row> statics, Settings s, PipelineModel savedModel) {
    Dataset<Row> units = history.units();
    LocalDate last = History.lastMonth(units);
    List<String> features = Features.featureNames(statics);
    if (savedModel != null && !ForecastModel.features(savedModel).equals(features)) {
      throw new ConfigError("the saved forecast model expects features " + ForecastModel.features(savedModel)
          + " but this run has " + features + "; set tp.forecast.retrain = true");
    }
    Dataset<Row> examples = Features.examples(units, s.horizon(), s.movingAverageMonths(), s.params().anchorMonths(), statics)
        .persist(StorageLevel.MEMORY_AND_DISK());

    List<LocalDate> origins = Backtest.origins(last, s.horizon(), s.origins(), s.stepMonths());
    LOG.info("backtest origins {} (last month {}, horizon {})", origins, last, s.horizon());
    Backtest.Result bt = Backtest.run(examples, history.hierarchy(), origins, features, s.params(), s.minHistoryMonths());
    Dataset<Row> backtest = bt.forecasts().persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> metrics = Backtest.metrics(backtest).persist(StorageLevel.MEMORY_AND_DISK());

    Map<String, Double> overall = Backtest.overallWape(metrics, Levels.UNIT);
    String best = Backtest.bestBaseline(overall);
    double modelWape = overall.get(Backtest.MODEL);
    String published = Backtest.MODEL;
    if (!(modelWape <= overall.get(best))) {
      published = s.publishBestBaselineWhenWorse() ? best : Backtest.MODEL;
      LOG.warn("!!! FORECAST GUARD: the model's backtest WAPE {} is WORSE than the best baseline {} ({}); publishing {} "
          + "(tp.forecast.publish-best-baseline-when-worse = {})", String.format("%.4f", modelWape), best,
          String.format("%.4f", overall.get(best)), published, s.publishBestBaselineWhenWorse());
    } else {
      LOG.info("model backtest WAPE {} beats the best baseline {} ({})", String.format("%.4f", modelWape), best,
          String.format("%.4f", overall.get(best)));
    }

    long t0 = System.nanoTime();
    PipelineModel model = savedModel != null ? savedModel
        : ForecastModel.fit(Backtest.trainingRows(examples, last, s.minHistoryMonths()), features, s.params());
    if (savedModel == null) {
      LOG.info("final fit (origin {}) in {} s", last, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    }
    Dataset<Row> atOrigin = ForecastModel.predict(model, Backtest.scoringRows(examples, last));
    Dataset<Row> unitForecast = atOrigin.select(col("series_id"), lit(Levels.UNIT).as("level"), col("segment"),
        col("target_month"), col("horizon"), col(published).as("forecast"));
    Dataset<Row> all = Reconcile.rollUp(unitForecast, history.hierarchy(), List.of("segment", "target_month", "horizon"),
        List.of("forecast"));
    Dataset<Row> q = Intervals.quantiles(Backtest.residuals(backtest, published));
    Dataset<Row> forecast = Intervals.withIntervals(all, q).withColumn("method", lit(published))
        .select("series_id", "level", "segment", "target_month", "horizon", "forecast", "lower_80", "upper_80",
            "lower_95", "upper_95", "method");
    return new Outcome(forecast, backtest, metrics, published, overall, best, bt.windows(), features, model, last, atOrigin);
  }
}
