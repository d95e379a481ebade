package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The {@code forecast} job: reads the history, runs {@link Forecaster}, saves the model under
 * {@code <lakehouse>/models/forecast/<version>}, and writes {@code demand_forecast} (gold) and
 * {@code model_metrics} (ops) for the run date.
 */
public final class ForecastJob {
  private static final Logger LOG = LoggerFactory.getLogger(ForecastJob.class);
  private static final DateTimeFormatter VERSION_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  /** What the run did, for the launcher to print. */
  public record Result(String runId, String modelVersion, boolean modelReused, String publishedMethod, String bestBaseline,
      Map<String, Double> overallWape, Map<String, Map<Integer, Map<String, Double>>> wapeByLevelAndHorizon,
      Map<String, Map<String, Double>> overallByLevel,
      LocalDate origin, LocalDate historyAsOf, long forecastRows, long seconds) {}

  private ForecastJob() {}

  public static Result run(SparkSession spark, AppConfig cfg, RunContext run) {
    long t0 = System.nanoTime();
    Lake lake = new Lake(spark, cfg);
    Forecaster.Settings settings = Forecaster.Settings.from(cfg);
    String historyKind = cfg.getString("tp.forecast.history");
    History.Result history;
    LocalDate historyAsOf;
    switch (historyKind) {
      case "county_history" -> {
        if (!lake.exists(Table.COUNTY_HISTORY_BRONZE)) {
          throw new ConfigError("tp.forecast.history = \"county_history\" but " + lake.sqlName(Table.COUNTY_HISTORY_BRONZE)
              + " does not exist under " + lake.root() + ": run jobs/tp ingest --conf conf/wa-ev.conf first");
        }
        historyAsOf = inputPartition(lake, Table.COUNTY_HISTORY_BRONZE, run.asOf());
        history = History.fromCountyHistory(lake.read(Table.COUNTY_HISTORY_BRONZE, historyAsOf),
            countyTerritories(cfg), run.asOf());
      }
      case "registrations" -> throw new ConfigError("tp.forecast.history = \"registrations\" is not wired yet: it needs the "
          + "spatial layer (registrations located in geo units and territories). Use \"county_history\" (conf/wa-ev.conf)");
      default -> throw new ConfigError("configuration key 'tp.forecast.history' must be registrations or county_history, got '"
          + historyKind + "'");
    }

    String modelsDir = ForecastModel.modelsDir(lake.root());
    PipelineModel saved = null;
    String version;
    Optional<String> latest = cfg.getBoolean("tp.forecast.retrain") ? Optional.empty()
        : ForecastModel.latestVersion(spark, modelsDir);
    if (latest.isPresent()) {
      version = latest.get();
      saved = ForecastModel.load(modelsDir, version);
      LOG.info("tp.forecast.retrain = false: reusing saved model {}", version);
    } else {
      version = "fc-" + VERSION_TIME.format(run.startedAt()) + "-" + settings.params().algorithm();
    }

    Forecaster.Outcome out = Forecaster.run(history, null, settings, saved);
    if (saved == null) {
      ForecastModel.save(out.model(), modelsDir, version);
      LOG.info("saved model {} under {}", version, modelsDir);
    }

    Dataset<Row> forecast = out.forecast().withColumn("model_version", lit(version)).withColumn("run_id", lit(run.runId()))
        .withColumn("as_of", lit(java.sql.Date.valueOf(run.asOf())));
    lake.replaceAsOf(Table.DEMAND_FORECAST, forecast, run.asOf(), null);
    long rows = lake.read(Table.DEMAND_FORECAST, run.asOf()).count();

    Dataset<Row> metrics = withTrainWindows(spark, out.metrics(), out.windows())
        .withColumn("published_method", lit(out.publishedMethod()))
        .withColumn("model_version", lit(version))
        .withColumn("feature_list", lit(String.join(",", out.features())))
        .withColumn("run_id", lit(run.runId()))
        .withColumn("as_of", lit(java.sql.Date.valueOf(run.asOf())));
    lake.replaceAsOf(Table.MODEL_METRICS, metrics, run.asOf(), null);

    Map<String, Map<Integer, Map<String, Double>>> tables = new LinkedHashMap<>();
    Map<String, Map<String, Double>> overall = new LinkedHashMap<>();
    for (String level : Levels.ALL) {
      tables.put(level, Backtest.wapeByHorizon(out.metrics(), level));
      overall.put(level, Backtest.overallWape(out.metrics(), level));
    }
    return new Result(run.runId(), version, saved != null, out.publishedMethod(), out.bestBaseline(), out.overallWape(),
        tables, overall, out.origin(), historyAsOf, rows, (System.nanoTime() - t0) / 1_000_000_000L);
  }

  /**
   * The input partition a run reads: the run date's own partition when it exists, else the
   * newest one (only months up to the run date are then used).
   */
  static LocalDate inputPartition(Lake lake, Table t, LocalDate asOf) {
    Dataset<Row> parts = lake.read(t).select("as_of").distinct();
    if (parts.where(col("as_of").equalTo(lit(java.sql.Date.valueOf(asOf)))).count() > 0) {
      return asOf;
    }
    Row newest = parts.agg(max("as_of")).first();
    if (newest.isNullAt(0)) {
      throw new ConfigError(lake.sqlName(t) + " is empty: run ingest first");
    }
    LocalDate d = newest.getDate(0).toLocalDate();
    LOG.info("{} has no partition for {}: reading the newest one ({}), months up to {} only", lake.sqlName(t), asOf, d, asOf);
    return d;
  }

  static Map<String, String> countyTerritories(AppConfig cfg) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : cfg.getStringList("tp.forecast.county-territories")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new ConfigError("tp.forecast.county-territories entries must be \"County=Territory\", got '" + pair + "'");
      }
      m.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return m;
  }

  private static Dataset<Row> withTrainWindows(SparkSession spark, Dataset<Row> metrics, List<Backtest.TrainWindow> windows) {
    List<Row> rows = new ArrayList<>();
    for (Backtest.TrainWindow w : windows) {
      rows.add(RowFactory.create(java.sql.Date.valueOf(w.origin()), java.sql.Date.valueOf(w.start()),
          java.sql.Date.valueOf(w.end())));
    }
    StructType schema = new StructType().add("w_origin", DataTypes.DateType).add("train_start", DataTypes.DateType)
        .add("train_end", DataTypes.DateType);
    Dataset<Row> win = spark.createDataFrame(rows, schema);
    return metrics.join(win, metrics.col("origin").equalTo(win.col("w_origin")), "left_outer").drop("w_origin");
  }
}
