package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
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

  /**
   * Settings from {@code tp.forecast.*}. {@code maxTrainingSeries}: the model is fitted on at
   * most this many unit series (0 = all), a fixed sample by a hash of the series key; the
   * backtests and the published forecast still cover every series. {@code parallelFits}: model
   * fits run at once ({@link ForecastModel#fitAll}).
   */
  public record Settings(int horizon, int movingAverageMonths, int minHistoryMonths, int origins, int stepMonths,
      ForecastModel.Params params, boolean publishBestBaselineWhenWorse, int maxTrainingSeries, int parallelFits) {
    /** Every series trains the model; four fits at once (as conf/default.conf). */
    public Settings(int horizon, int movingAverageMonths, int minHistoryMonths, int origins, int stepMonths,
        ForecastModel.Params params, boolean publishBestBaselineWhenWorse) {
      this(horizon, movingAverageMonths, minHistoryMonths, origins, stepMonths, params, publishBestBaselineWhenWorse, 0, 4);
    }

    public static Settings from(AppConfig cfg) {
      Settings s = new Settings(cfg.getInt("tp.forecast.horizon"), cfg.getInt("tp.forecast.moving-average-months"),
          cfg.getInt("tp.forecast.min-history-months"), cfg.getInt("tp.forecast.backtest.origins"),
          cfg.getInt("tp.forecast.backtest.step-months"), ForecastModel.Params.from(cfg),
          cfg.getBoolean("tp.forecast.publish-best-baseline-when-worse"), cfg.getInt("tp.forecast.model.max-training-series"),
          cfg.getInt("tp.forecast.model.parallel-fits"));
      if (s.horizon < 1 || s.horizon > 36) {
        throw new ConfigError("configuration key 'tp.forecast.horizon' must be between 1 and 36, got " + s.horizon);
      }
      if (s.origins < 3) {
        throw new ConfigError("configuration key 'tp.forecast.backtest.origins' must be at least 3, got " + s.origins);
      }
      if (s.stepMonths < 1 || s.movingAverageMonths < 1 || s.minHistoryMonths < 1) {
        throw new ConfigError("tp.forecast.backtest.step-months, moving-average-months and min-history-months must be >= 1");
      }
      if (s.parallelFits < 1) {
        throw new ConfigError("configuration key 'tp.forecast.model.parallel-fits' must be at least 1, got " + s.parallelFits);
      }
      if (s.maxTrainingSeries < 0) {
        throw new ConfigError("configuration key 'tp.forecast.model.max-training-series' must be >= 0 (0 = all), got "
            + s.maxTrainingSeries);
      }
      return s;
    }
  }

  /**
   * Which unit series train the model: {@code series} of all, {@code sampled} of them when the
   * sample is smaller, and the training rows of each fit (backtest origins, then the final fit).
   */
  public record Training(long series, long sampled, List<Long> rows) {}

  /**
   * What a run produced. {@code forecast}: series_id, level, segment, target_month, horizon,
   * forecast, lower/upper 80 and 95, method. {@code backtest}: every backtest forecast (all
   * levels and methods, with actuals). {@code metrics}: {@link Backtest#metrics}, also collected
   * ({@code metricRows}: a few hundred rows) for the WAPE tables.
   */
  public record Outcome(Dataset<Row> forecast, Dataset<Row> backtest, Dataset<Row> metrics, String publishedMethod,
      Map<String, Double> overallWape, String bestBaseline, List<Backtest.TrainWindow> windows, List<String> features,
      PipelineModel model, LocalDate origin, Dataset<Row> unitExamplesAtOrigin, List<Row> metricRows, Training training) {
    public boolean modelBeatsBestBaseline() {
      return overallWape.get(Backtest.MODEL) <= overallWape.get(bestBaseline);
    }
  }

  private Forecaster() {}

  /**
   * The unit series ({@code series_id, segment}) the model trains on when there are more than
   * {@code max}: the {@code max} with the smallest 64-bit hash of their key, so the same series
   * are picked on every run and machine, whatever the partitioning; null when every series
   * trains ({@code max} = 0 or at most {@code max} series). One Spark job.
   */
  static Dataset<Row> trainingSample(Dataset<Row> units, int max) {
    if (max <= 0) {
      return null;
    }
    Dataset<Row> first = units.select("series_id", "segment").distinct()
        .withColumn("_h", functions.xxhash64(col("series_id"), col("segment")))
        .orderBy("_h", "series_id", "segment").limit(max + 1).drop("_h");
    List<Row> keys = first.collectAsList();
    if (keys.size() <= max) {
      return null;
    }
    return units.sparkSession().createDataFrame(keys.subList(0, max), first.schema());
  }

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
    List<LocalDate> origins = Backtest.origins(last, s.horizon(), s.origins(), s.stepMonths());
    LOG.info("backtest origins {} (last month {}, horizon {})", origins, last, s.horizon());
    int ma = s.movingAverageMonths();
    int anchor = s.params().anchorMonths();
    Dataset<Row> trends = Features.stateTrends(units).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> sample = trainingSample(units, s.maxTrainingSeries());
    Dataset<Row> train;
    Dataset<Row> score;
    long series;
    long sampled;
    if (sample == null) {
      // every series trains: one frame serves training and scoring
      train = Features.examples(units, trends, null, s.horizon(), ma, anchor, statics).persist(StorageLevel.MEMORY_AND_DISK());
      score = train;
      series = sampled = -1;
    } else {
      series = units.select("series_id", "segment").distinct().count();
      sampled = sample.count();
      Dataset<Row> trainUnits = units.join(functions.broadcast(sample), new String[] {"series_id", "segment"}, "left_semi");
      train = Features.examples(trainUnits, trends, null, s.horizon(), ma, anchor, statics).persist(StorageLevel.MEMORY_AND_DISK());
      List<LocalDate> scored = new java.util.ArrayList<>(origins);
      scored.add(last);
      score = Features.examples(units, trends, scored, s.horizon(), ma, anchor, statics).persist(StorageLevel.MEMORY_AND_DISK());
      LOG.info("the model trains on {} of {} unit series (tp.forecast.model.max-training-series = {}); backtests and the "
          + "forecast cover all {}", sampled, series, s.maxTrainingSeries(), series);
    }

    // every fit at once: the backtest origins' and the final one (unless a saved model publishes)
    List<LocalDate> fitOrigins = new java.util.ArrayList<>(origins);
    if (savedModel == null) {
      fitOrigins.add(last);
    }
    List<Backtest.TrainWindow> windows = Backtest.windows(train, fitOrigins, s.minHistoryMonths());
    Map<LocalDate, Dataset<Row>> fitRows = new java.util.LinkedHashMap<>();
    Map<LocalDate, Long> fitCounts = new java.util.LinkedHashMap<>();
    for (Backtest.TrainWindow w : windows) {
      fitRows.put(w.origin(), Backtest.trainingRows(train, w.origin(), s.minHistoryMonths()));
      fitCounts.put(w.origin(), w.rows());
    }
    long t0 = System.nanoTime();
    Map<LocalDate, PipelineModel> models = ForecastModel.fitAll(fitRows, fitCounts, features, s.params(), s.parallelFits());
    LOG.info("{} model fits in {} s ({} at once)", models.size(), String.format("%.1f", (System.nanoTime() - t0) / 1e9),
        Math.min(s.parallelFits(), models.size()));
    Map<LocalDate, PipelineModel> backtestModels = new java.util.LinkedHashMap<>(models);
    backtestModels.remove(last);
    Dataset<Row> backtest = Backtest.run(backtestModels, score, history.hierarchy()).persist(StorageLevel.MEMORY_AND_DISK());
    // a few hundred rows: collected once, every WAPE table is computed from them without Spark
    List<Row> metricRows = Backtest.metrics(backtest).collectAsList();
    Dataset<Row> metrics = units.sparkSession().createDataFrame(metricRows, Backtest.metrics(backtest).schema());

    Map<String, Double> overall = Backtest.overallWape(metricRows, Levels.UNIT);
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

    PipelineModel model = savedModel != null ? savedModel : models.get(last);
    Dataset<Row> atOrigin = ForecastModel.predict(model, Backtest.scoringRows(score, last));
    Dataset<Row> unitForecast = atOrigin.select(col("series_id"), lit(Levels.UNIT).as("level"), col("segment"),
        col("target_month"), col("horizon"), col(published).as("forecast"));
    Dataset<Row> all = Reconcile.rollUp(unitForecast, history.hierarchy(), List.of("segment", "target_month", "horizon"),
        List.of("forecast"), false);
    Dataset<Row> q = Intervals.quantiles(Backtest.residuals(backtest, published));
    Dataset<Row> forecast = Intervals.withIntervals(all, q).withColumn("method", lit(published))
        .select("series_id", "level", "segment", "target_month", "horizon", "forecast", "lower_80", "upper_80",
            "lower_95", "upper_95", "method");
    List<Backtest.TrainWindow> backtestWindows = windows.subList(0, origins.size());
    return new Outcome(forecast, backtest, metrics, published, overall, best, backtestWindows, features, model, last, atOrigin,
        metricRows, new Training(series, sampled, windows.stream().map(Backtest.TrainWindow::rows).toList()));
  }
}
