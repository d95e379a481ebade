package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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
   * Settings from {@code tp.forecast.*}. {@code origins} rolling backtest origins, the newest
   * {@code heldOutOrigins} held out (never tuned on); a backtest model is fitted every
   * {@code refitEvery} origins and forecasts from its own origin and the next ones (never from
   * an earlier one). {@code candidates}: the algorithms compared on the tuning origins.
   * {@code maxTrainingSeries}: the model is fitted on at most this many unit series (0 = all), a
   * fixed sample by a hash of the series key. {@code parallelFits}: fits run at once.
   */
  public record Settings(int horizon, int movingAverageMonths, int minHistoryMonths, int origins, int stepMonths,
      int heldOutOrigins, int refitEvery, ForecastModel.Params params, List<String> candidates, Panel.Tsb tsb,
      boolean publishBestBaselineWhenWorse, int maxTrainingSeries, int parallelFits, List<String> reconciliations,
      int mintMaxAggregates, boolean heldOutGuard, HarmonicTrend.Settings harmonic) {

    public static Settings from(AppConfig cfg) {
      Settings s = new Settings(cfg.getInt("tp.forecast.horizon"), cfg.getInt("tp.forecast.moving-average-months"),
          cfg.getInt("tp.forecast.min-history-months"), cfg.getInt("tp.forecast.backtest.origins"),
          cfg.getInt("tp.forecast.backtest.step-months"), cfg.getInt("tp.forecast.backtest.held-out-origins"),
          cfg.getInt("tp.forecast.backtest.refit-every-origins"), ForecastModel.Params.from(cfg),
          cfg.getStringList("tp.forecast.model.candidates"),
          new Panel.Tsb(cfg.getDouble("tp.forecast.tsb.alpha"), cfg.getDouble("tp.forecast.tsb.beta")),
          cfg.getBoolean("tp.forecast.publish-best-baseline-when-worse"), cfg.getInt("tp.forecast.model.max-training-series"),
          cfg.getInt("tp.forecast.model.parallel-fits"), cfg.getStringList("tp.forecast.reconciliation.methods"),
          cfg.getInt("tp.forecast.reconciliation.mint-max-aggregates"), cfg.getBoolean("tp.forecast.held-out-guard"),
          new HarmonicTrend.Settings(cfg.getInt("tp.forecast.harmonic.window-months"), cfg.getInt("tp.forecast.harmonic.harmonics"),
              cfg.getBoolean("tp.forecast.harmonic.middle-out")));
      if (s.harmonic.harmonics() < 1 || s.harmonic.harmonics() > 5) {
        throw new ConfigError("configuration key 'tp.forecast.harmonic.harmonics' must be 1..5, got " + s.harmonic.harmonics());
      }
      if (s.harmonic.windowMonths() < 2 * s.harmonic.harmonics() + 2 + HarmonicTrend.SPARE_MONTHS) {
        throw new ConfigError("configuration key 'tp.forecast.harmonic.window-months' must be at least "
            + (2 * s.harmonic.harmonics() + 2 + HarmonicTrend.SPARE_MONTHS) + " for " + s.harmonic.harmonics()
            + " harmonics, got " + s.harmonic.windowMonths());
      }
      if (s.reconciliations.isEmpty() || !Evaluation.RECONCILIATIONS.containsAll(s.reconciliations)) {
        throw new ConfigError("configuration key 'tp.forecast.reconciliation.methods' must list some of "
            + Evaluation.RECONCILIATIONS + ", got " + s.reconciliations);
      }
      if (s.mintMaxAggregates < 1) {
        throw new ConfigError("configuration key 'tp.forecast.reconciliation.mint-max-aggregates' must be at least 1, got "
            + s.mintMaxAggregates);
      }
      if (s.horizon < 1 || s.horizon > 36) {
        throw new ConfigError("configuration key 'tp.forecast.horizon' must be between 1 and 36, got " + s.horizon);
      }
      if (s.heldOutOrigins < 1 || s.origins < s.heldOutOrigins + 1) {
        throw new ConfigError("tp.forecast.backtest.held-out-origins must be >= 1 and below tp.forecast.backtest.origins, got "
            + s.heldOutOrigins + " of " + s.origins);
      }
      if (s.stepMonths < 1 || s.movingAverageMonths < 1 || s.minHistoryMonths < 1 || s.refitEvery < 1) {
        throw new ConfigError("tp.forecast.backtest.step-months, refit-every-origins, moving-average-months and "
            + "min-history-months must be >= 1");
      }
      if (s.candidates.isEmpty() || !ForecastModel.ALGORITHMS.containsAll(s.candidates)) {
        throw new ConfigError("configuration key 'tp.forecast.model.candidates' must list some of " + ForecastModel.ALGORITHMS
            + ", got " + s.candidates);
      }
      if (!(s.tsb.alpha() > 0 && s.tsb.alpha() <= 1 && s.tsb.beta() > 0 && s.tsb.beta() <= 1)) {
        throw new ConfigError("tp.forecast.tsb.alpha and beta must be in (0, 1]");
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

    /** The settings a stored backtest was made with (any change reruns it). */
    String backtestKey() {
      return String.join(";", "h=" + horizon, "ma=" + movingAverageMonths, "mh=" + minHistoryMonths, "o=" + origins,
          "step=" + stepMonths, "held=" + heldOutOrigins, "refit=" + refitEvery, "p=" + params, "c=" + candidates,
          "max=" + maxTrainingSeries);
    }
  }

  /**
   * Which unit series train the model: {@code series} of all, {@code sampled} of them when the
   * sample is smaller (-1 = no sample), and every fit (name, training rows, seconds).
   */
  public record Training(long series, long sampled, List<ForecastModel.Fitted> fits) {}

  /**
   * What a run produced. {@code forecast}: series_id, level, segment, target_month, horizon,
   * forecast, lower/upper 80 and 95, method. {@code metrics}: one row per backtest origin x
   * horizon x level x method ({@link Evaluation.Metric}), also as a list. {@code choice}: the
   * winning model and the method published at each level. {@code model}: the final fit (or the
   * saved model), null when no level publishes the model. {@code reused}: the backtest came
   * from the store.
   */
  public record Outcome(Dataset<Row> forecast, Dataset<Row> metrics, List<Evaluation.Metric> metricList,
      Evaluation.Choice choice, List<LocalDate> origins, List<LocalDate> heldOut, List<Backtest.TrainWindow> windows,
      List<String> features, PipelineModel model, LocalDate origin, Training training, boolean reused,
      Map<String, HarmonicTrend.Fit> harmonic) {
    /** The method published at a level. */
    public String published(String level) {
      return choice.byLevel().get(level);
    }
  }

  /**
   * Where backtest predictions are kept between runs (null = always backtest). {@code load}: the
   * stored candidate predictions for this key that are recent enough for a run whose last month
   * is {@code last}; {@code save}: keeps them.
   */
  public interface Store {
    /** The newest usable backtest's predictions ({@link #PREDICTIONS}' columns) for this key, if any. */
    Optional<Dataset<Row>> load(String key, LocalDate last);

    /** Keeps the predictions (computed and cached by the caller: a write reads them once); false when this store keeps nothing. */
    boolean save(String key, LocalDate last, Dataset<Row> predictions);
  }

  /**
   * How many pieces the backtest predictions reach the driver in: one Spark job each, and only one
   * piece's rows (compressed) held at a time. At 150,000 unit series they are tens of millions of
   * rows, which as a list of Rows did not fit an 8 GiB driver (docs/forecasting.md, Limits).
   */
  static final int PREDICTION_PIECES = 4;

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

  /** The candidate predictions' columns (what the store keeps). */
  static final StructType PREDICTIONS = new StructType().add("candidate", DataTypes.StringType)
      .add("series_id", DataTypes.StringType).add("segment", DataTypes.StringType).add("origin", DataTypes.DateType)
      .add("horizon", DataTypes.IntegerType).add("model", DataTypes.DoubleType);

  public static Outcome run(History.Result history, Dataset<Row> statics, Settings s, PipelineModel savedModel) {
    return run(history, statics, s, savedModel, null);
  }

  /**
   * @param statics optional static covariates per unit series_id (numeric columns), or null
   * @param savedModel a model to publish with instead of fitting one, or null
   * @param store keeps backtests between runs, or null
   */
  public static Outcome run(History.Result history, Dataset<Row> statics, Settings s, PipelineModel savedModel, Store store) {
    SparkSession spark = history.series().sparkSession();
    List<String> features = Features.featureNames(statics);
    if (savedModel != null && !ForecastModel.features(savedModel).equals(features)) {
      throw new ConfigError("the saved forecast model expects features " + ForecastModel.features(savedModel)
          + " but this run has " + features + "; set tp.forecast.retrain = true");
    }
    // the history and hierarchy on the driver (series-months and units): one job each
    Map<String, String[]> hierarchy = new HashMap<>();
    for (Row r : history.hierarchy().select("series_id", "territory_id", "state_id").collectAsList()) {
      hierarchy.put(r.getString(0), new String[] {r.getString(1), r.getString(2)});
    }
    // cached: the features, the sample and the driver's panel all read it (no re-planned history)
    Dataset<Row> unitsLocal = history.units().select(col("series_id"), col("segment"), col("month"),
        col("value").cast("double").as("value")).persist(StorageLevel.MEMORY_AND_DISK());
    List<Object[]> unitRows = new ArrayList<>();
    for (Row r : unitsLocal.collectAsList()) {
      unitRows.add(new Object[] {r.getString(0), r.getString(1), r.getDate(2).toLocalDate(), ((Number) r.get(3)).doubleValue()});
    }
    Panel panel = Panel.of(unitRows, hierarchy);
    LocalDate last = panel.lastMonth();
    String key = s.backtestKey() + ";f=" + features + ";series=" + panel.series().size() + ";first=" + panel.month(0);
    String keyHash = Integer.toHexString(key.hashCode());
    Optional<Dataset<Row>> stored = store == null ? Optional.empty() : store.load(keyHash, last);
    List<LocalDate> origins = Backtest.origins(last, s.horizon(), s.origins(), s.stepMonths());
    List<String> methods = Evaluation.methods(s.candidates());
    // every backtest prediction, with the baselines, per unit series x origin x horizon
    Map<Long, Evaluation.Point> points = new HashMap<>();
    if (stored.isPresent()) {
      java.util.TreeSet<LocalDate> seen = new java.util.TreeSet<>();
      addPredictions(stored.get(), points, panel, methods, s, seen);
      origins = List.copyOf(seen);
      LOG.info("backtest reused from the store (key {}): origins {}", keyHash, origins);
    } else {
      LOG.info("backtest origins {} (last month {}, horizon {}; the newest {} held out)", origins, last, s.horizon(),
          s.heldOutOrigins());
    }
    int ma = s.movingAverageMonths();
    int anchor = s.params().anchorMonths();
    Dataset<Row> trends = Features.stateTrends(unitsLocal).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> sample = trainingSample(unitsLocal, s.maxTrainingSeries());
    long series = panel.series().size();
    Dataset<Row> trainUnits = sample == null ? unitsLocal
        : unitsLocal.join(functions.broadcast(sample), new String[] {"series_id", "segment"}, "left_semi");
    long sampled = sample == null ? -1 : s.maxTrainingSeries(); // the sample is exactly that many (no count job)
    if (sample != null) {
      LOG.info("the model trains on {} of {} unit series (tp.forecast.model.max-training-series = {}); backtests and the "
          + "forecast cover all {}", sampled, series, s.maxTrainingSeries(), series);
    }
    // features assembled once and cached: every origin of the training series, the scored origins of all
    Dataset<Row> train = Features.examples(trainUnits, trends, null, s.horizon(), ma, anchor, statics)
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<LocalDate> scored = new ArrayList<>(stored.isPresent() ? List.of() : origins);
    scored.add(last);
    Dataset<Row> score = Features.examples(unitsLocal, trends, scored, s.horizon(), ma, anchor, statics)
        .persist(StorageLevel.MEMORY_AND_DISK());

    // backtest fits: every candidate at every refit origin, at once
    List<LocalDate> fitOrigins = new ArrayList<>();
    for (int i = 0; i < origins.size(); i += s.refitEvery()) {
      fitOrigins.add(origins.get(i));
    }
    List<LocalDate> windowOrigins = new ArrayList<>(fitOrigins);
    windowOrigins.add(last);
    List<Backtest.TrainWindow> fitWindows = Backtest.windows(train, windowOrigins, s.minHistoryMonths());
    Map<LocalDate, Long> rowsAt = new HashMap<>();
    fitWindows.forEach(w -> rowsAt.put(w.origin(), w.rows()));
    // each backtest origin's training window is that of the fit that forecast from it
    List<Backtest.TrainWindow> windows = new ArrayList<>();
    for (LocalDate o : origins) {
      Backtest.TrainWindow w = fitWindows.stream().filter(x -> !x.origin().isAfter(o)).reduce((a, b) -> b).orElseThrow();
      windows.add(new Backtest.TrainWindow(o, w.start(), w.end(), w.rows()));
    }
    List<ForecastModel.Fitted> fits = new ArrayList<>();
    if (stored.isEmpty()) {
      List<ForecastModel.FitJob> jobs = new ArrayList<>();
      for (String c : s.candidates()) {
        for (LocalDate o : fitOrigins) {
          jobs.add(new ForecastModel.FitJob(c + "@" + o, Backtest.trainingRows(train, o, s.minHistoryMonths()), rowsAt.get(o),
              s.params().withAlgorithm(c)));
        }
      }
      fits.addAll(ForecastModel.fitAll(jobs, features, s.parallelFits()));
      Dataset<Row> all = null;
      int j = 0;
      for (String c : s.candidates()) {
        for (int i = 0; i < fitOrigins.size(); i++) {
          LocalDate from = fitOrigins.get(i);
          LocalDate until = i + 1 < fitOrigins.size() ? fitOrigins.get(i + 1) : null;
          Column served = col("origin").geq(lit(java.sql.Date.valueOf(from)))
              .and(until == null ? col("origin").lt(lit(java.sql.Date.valueOf(last))) : col("origin").lt(lit(java.sql.Date.valueOf(until))));
          Dataset<Row> p = ForecastModel.predict(fits.get(j++).model(), score.where(served))
              .select(lit(c).as("candidate"), col("series_id"), col("segment"), col("origin"), col("horizon"), col("model"));
          all = all == null ? p : all.unionByName(p);
        }
      }
      // computed once, on every core (the count), then saved from the cached blocks (the store writes one
      // file: its coalesce(1) on a frame not yet computed ran every fit's predictions in one task), then
      // streamed to the driver a piece at a time
      all = all.persist(StorageLevel.MEMORY_AND_DISK());
      all.count();
      if (store != null) {
        store.save(keyHash, last, all);
      }
      addPredictions(all, points, panel, methods, s, new java.util.TreeSet<>());
      all.unpersist();
    }

    // Java: baselines, choice on the tuning origins, reconciliation, metrics, intervals
    Evaluation ev = new Evaluation(panel, methods, s.candidates(), s.reconciliations(), s.mintMaxAggregates(), s.harmonic());
    int tuningCount = origins.size() - s.heldOutOrigins();
    java.util.Set<Integer> tuning = new java.util.HashSet<>();
    origins.subList(0, tuningCount).forEach(o -> tuning.add(panel.index(o)));
    long evalStart = System.nanoTime();
    // in one order whatever order the rows came in (the sums below are floating point)
    List<Evaluation.Point> ordered = new ArrayList<>(points.values());
    points.clear();
    ordered.sort(POINT_ORDER);
    Evaluation.Result result = ev.evaluate(ordered, tuning, s.publishBestBaselineWhenWorse(), s.heldOutGuard());
    LOG.info("backtest evaluated on the driver: {} points in {} s", ordered.size(),
        String.format("%.1f", (System.nanoTime() - evalStart) / 1e9));
    Evaluation.Choice choice = result.choice();
    for (String level : Levels.ALL) {
      Map<String, Double> w = choice.tuningWape().get(level);
      String bestBaseline = bestOf(w, Panel.BASELINES);
      if (w.get(choice.model()) > w.get(bestBaseline)) {
        LOG.warn("!!! FORECAST GUARD, level {}: the model ({}) has tuning WAPE {} against {} for the best baseline {}; "
            + "published at this level: {}", level, choice.model(), pct(w.get(choice.model())), pct(w.get(bestBaseline)),
            bestBaseline, choice.byLevel().get(level));
      } else {
        LOG.info("level {}: the model ({}) has tuning WAPE {} against {} for the best baseline {}; published: {}", level,
            choice.model(), pct(w.get(choice.model())), pct(w.get(bestBaseline)), bestBaseline, choice.byLevel().get(level));
      }
      if (choice.fallback().containsKey(level)) {
        LOG.warn("!!! FORECAST HELD-OUT GUARD, level {}: the tuning choice {} (as published: reconciled, inside the levels above) has a "
            + "higher held-out WAPE than the baseline {} alone; "
            + "published at this level: {}", level, choice.fallback().get(level), choice.byLevel().get(level),
            choice.byLevel().get(level));
      }
    }

    // the final fit (the winner, on every example up to the last month) and the forecast from the last month
    PipelineModel model = savedModel;
    boolean modelUsed = choice.byLevel().containsValue(choice.model()) || choice.byLevel().containsValue(Evaluation.COMBINATION);
    if (!modelUsed) {
      LOG.info("no level publishes the model: no final fit, the published forecast is the baselines' and the state regression's ({})", choice.byLevel());
    }
    if (model == null && modelUsed) {
      ForecastModel.Fitted f = ForecastModel.fitAll(List.of(new ForecastModel.FitJob(choice.model() + "@" + last,
          Backtest.trainingRows(train, last, s.minHistoryMonths()), rowsAt.get(last), s.params().withAlgorithm(choice.model()))),
          features, 1).get(0);
      fits.add(f);
      model = f.model();
    }
    List<Evaluation.Point> finals = new ArrayList<>();
    Dataset<Row> atLast = Backtest.scoringRows(score, last);
    atLast = model != null && modelUsed ? ForecastModel.predict(model, atLast) : atLast.withColumn("model", lit(Double.NaN));
    for (Row r : atLast.select("series_id", "segment", "horizon", "model").collectAsList()) {
      int u = panel.find(r.getString(0), r.getString(1));
      Evaluation.Point p = point(panel.series().get(u), u, panel.index(last), r.getInt(2), methods, s, Double.NaN);
      for (String c : s.candidates()) {
        p.f[methods.indexOf(c)] = c.equals(choice.model()) ? r.getDouble(3) : Double.NaN;
      }
      finals.add(p);
    }
    List<Evaluation.Forecast> published = ev.publish(finals, choice, result.quantiles());
    train.unpersist();
    score.unpersist();
    trends.unpersist();
    unitsLocal.unpersist();
    return new Outcome(forecastFrame(spark, published), metricsFrame(spark, result.metrics()), result.metrics(), choice, origins,
        origins.subList(tuningCount, origins.size()), windows, features, model, last, new Training(series, sampled, fits),
        stored.isPresent(), ev.harmonicFits());
  }

  private static final java.util.Comparator<Evaluation.Point> POINT_ORDER = java.util.Comparator
      .<Evaluation.Point>comparingInt(p -> p.unit).thenComparingInt(p -> p.origin).thenComparingInt(p -> p.h);

  /**
   * Adds each candidate prediction ({@link #PREDICTIONS}' columns) to its point (unit series x
   * origin x horizon), made with the baselines and the actual on first sight; the origins seen go
   * to {@code origins}. The rows arrive in {@link #PREDICTION_PIECES} Spark jobs and are never
   * held all at once.
   */
  private static void addPredictions(Dataset<Row> predictions, Map<Long, Evaluation.Point> points, Panel panel,
      List<String> methods, Settings s, java.util.Set<LocalDate> origins) {
    long t0 = System.nanoTime();
    long n = 0;
    java.util.Iterator<Row> rows = predictions.coalesce(PREDICTION_PIECES).toLocalIterator();
    // the few origins and candidates repeat on every row: converted once each
    Map<java.sql.Date, Integer> originIndex = new HashMap<>();
    Map<String, Integer> methodIndex = new HashMap<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      n++;
      int u = panel.find(r.getString(1), r.getString(2));
      int o = originIndex.computeIfAbsent(r.getDate(3), d -> {
        origins.add(d.toLocalDate());
        return panel.index(d.toLocalDate());
      });
      int h = r.getInt(4);
      long k = Evaluation.key(u, o, h);
      Evaluation.Point p = points.get(k);
      if (p == null) {
        Panel.Series ser = panel.series().get(u);
        p = point(ser, u, o, h, methods, s, ser.y()[o + h]);
        points.put(k, p);
      }
      p.f[methodIndex.computeIfAbsent(r.getString(0), methods::indexOf)] = r.getDouble(5);
    }
    LOG.info("backtest predictions on the driver: {} rows in {} s", n, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
  }

  /** A point with every baseline filled in from the panel (model candidates left at 0). */
  private static Evaluation.Point point(Panel.Series ser, int u, int o, int h, List<String> methods, Settings s, double actual) {
    double[] f = new double[methods.size()];
    double[] b = Panel.baselines(ser.y(), ser.start(), o, h, s.movingAverageMonths(), s.tsb());
    System.arraycopy(b, 0, f, s.candidates().size(), b.length);
    return new Evaluation.Point(u, o, h, actual, f);
  }

  private static String bestOf(Map<String, Double> w, List<String> pool) {
    return pool.stream().filter(m -> w.get(m) != null && !w.get(m).isNaN())
        .min((a, b) -> Double.compare(w.get(a), w.get(b))).orElse(pool.get(0));
  }

  static String pct(double d) {
    return String.format("%.1f%%", 100 * d);
  }

  static final StructType FORECAST = new StructType().add("series_id", DataTypes.StringType)
      .add("level", DataTypes.StringType).add("segment", DataTypes.StringType).add("target_month", DataTypes.DateType)
      .add("horizon", DataTypes.IntegerType).add("forecast", DataTypes.DoubleType).add("lower_80", DataTypes.DoubleType)
      .add("upper_80", DataTypes.DoubleType).add("lower_95", DataTypes.DoubleType).add("upper_95", DataTypes.DoubleType)
      .add("method", DataTypes.StringType);

  static Dataset<Row> forecastFrame(SparkSession spark, List<Evaluation.Forecast> rows) {
    List<Row> out = new ArrayList<>(rows.size());
    for (Evaluation.Forecast f : rows) {
      out.add(RowFactory.create(f.seriesId(), f.level(), f.segment(), java.sql.Date.valueOf(f.targetMonth()), f.horizon(),
          f.forecast(), f.lower80(), f.upper80(), f.lower95(), f.upper95(), f.method()));
    }
    return spark.createDataFrame(out, FORECAST);
  }

  static final StructType METRICS = new StructType().add("origin", DataTypes.DateType).add("horizon", DataTypes.IntegerType)
      .add("level", DataTypes.StringType).add("method", DataTypes.StringType).add("split", DataTypes.StringType)
      .add("wape", DataTypes.DoubleType).add("mape", DataTypes.DoubleType).add("mase", DataTypes.DoubleType)
      .add("bias", DataTypes.DoubleType).add("abs_error_sum", DataTypes.DoubleType).add("actual_sum", DataTypes.DoubleType)
      .add("forecast_sum", DataTypes.DoubleType).add("n_series", DataTypes.LongType).add("coverage_80", DataTypes.DoubleType)
      .add("coverage_95", DataTypes.DoubleType);

  static Dataset<Row> metricsFrame(SparkSession spark, List<Evaluation.Metric> rows) {
    List<Row> out = new ArrayList<>(rows.size());
    for (Evaluation.Metric m : rows) {
      out.add(RowFactory.create(java.sql.Date.valueOf(m.origin()), m.horizon(), m.level(), m.method(), m.split(), m.wape(),
          m.mape(), m.mase(), m.bias(), m.absErrorSum(), m.actualSum(), m.forecastSum(), m.nSeries(), m.coverage80(),
          m.coverage95()));
    }
    return spark.createDataFrame(out, METRICS);
  }
}
