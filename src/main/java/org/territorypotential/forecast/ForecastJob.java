package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
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
  public record Result(String runId, String scope, String modelVersion, boolean modelReused, Forecaster.Outcome outcome,
      LocalDate historyAsOf, long forecastRows, Map<String, Long> versionsRead, Map<String, Long> versionsWritten, long seconds) {}

  /** {@code scope} of industry-wide forecasts (all brands); a brand's forecast has the brand. */
  public static final String SCOPE_INDUSTRY = "industry";
  /** Id of the top level (the whole region the run covers) for the registrations history. */
  public static final String STATE_ID = "ALL";

  private ForecastJob() {}

  public static Result run(SparkSession spark, AppConfig cfg, RunContext run) {
    long t0 = System.nanoTime();
    Lake lake = new Lake(spark, cfg);
    Forecaster.Settings settings = Forecaster.Settings.from(cfg);
    String historyKind = cfg.getString("tp.forecast.history");
    String scope = scope(cfg);
    Map<String, Long> versionsRead = new LinkedHashMap<>();
    History.Result history;
    LocalDate historyAsOf;
    switch (historyKind) {
      case "county_history" -> {
        if (!SCOPE_INDUSTRY.equals(scope)) {
          throw new ConfigError("tp.forecast.brand must be \"\" with history = county_history (the WA history has no brands)");
        }
        historyAsOf = inputPartition(lake, Table.COUNTY_HISTORY_BRONZE, run.asOf());
        Dataset<Row> countyUnits = null;
        if (lake.exists(Table.GEO_UNITS_BRONZE)) {
          countyUnits = lake.readPinned(Table.GEO_UNITS_BRONZE, inputPartition(lake, Table.GEO_UNITS_BRONZE, run.asOf()),
              versionsRead).where(col("level").equalTo("county")).select("name", "geo_unit_id");
        }
        history = History.fromCountyHistory(lake.readPinned(Table.COUNTY_HISTORY_BRONZE, historyAsOf, versionsRead),
            countyTerritories(cfg), countyUnits, run.asOf());
      }
      case "registrations" -> {
        historyAsOf = inputPartition(lake, Table.MONTHLY_REGISTRATIONS, run.asOf());
        history = History.fromMonthlyRegistrations(lake.readPinned(Table.MONTHLY_REGISTRATIONS, historyAsOf, versionsRead),
            SCOPE_INDUSTRY.equals(scope) ? null : scope, lastCompleteMonth(run.asOf()), STATE_ID);
      }
      default -> throw new ConfigError("configuration key 'tp.forecast.history' must be registrations or county_history, got '"
          + historyKind + "'");
    }
    String inputVersions = Lake.versionsText(versionsRead);
    LOG.info("forecast {} ({}): history {} from partition {}; inputs {}", run.asOf(), scope, historyKind, historyAsOf,
        inputVersions);

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
      version = null;
    }

    Forecaster.Outcome out = Forecaster.run(history, null, settings, saved,
        new StoredBacktests(spark, modelsDir + "/backtests/" + scope, cfg.getInt("tp.forecast.backtest.rerun-every-months")));
    if (saved == null && out.model() == null) {
      version = "fc-" + VERSION_TIME.format(run.startedAt()) + "-baselines";
    } else if (saved == null) {
      version = "fc-" + VERSION_TIME.format(run.startedAt()) + "-" + out.choice().model();
      ForecastModel.save(out.model(), modelsDir, version);
      LOG.info("saved model {} under {}", version, modelsDir);
    }

    String scopeOnly = "scope = '" + scope + "'";
    Lake.Lineage lineage = Lake.Lineage.of(run).withInputs(versionsRead).withModel(version);
    Map<String, Long> versionsWritten = new LinkedHashMap<>();
    Lake.Written wf = lake.write(Table.DEMAND_FORECAST, out.forecast().withColumn("scope", lit(scope)), lineage, scopeOnly);
    versionsWritten.put(wf.sqlName(), wf.version());
    long rows = wf.rows();

    Column published = lit(out.published(Levels.UNIT));
    Column fallback = lit(out.choice().fallback().containsKey(Levels.UNIT));
    for (String level : List.of(Levels.TERRITORY, Levels.STATE)) {
      published = when(col("level").equalTo(level), lit(out.published(level))).otherwise(published);
      fallback = when(col("level").equalTo(level), lit(out.choice().fallback().containsKey(level))).otherwise(fallback);
    }
    Dataset<Row> metrics = withTrainWindows(spark, out.metrics(), out.windows())
        .withColumn("published_method", published)
        .withColumn("is_held_out_fallback", fallback)
        .withColumn("published_reconciliation", lit(out.choice().reconciliation()))
        .withColumn("feature_list", lit(String.join(",", out.features())))
        .withColumn("scope", lit(scope));
    Lake.Written wm = lake.write(Table.MODEL_METRICS, metrics, lineage, scopeOnly);
    versionsWritten.put(wm.sqlName(), wm.version());
    return new Result(run.runId(), scope, version, saved != null, out, historyAsOf, rows, versionsRead, versionsWritten,
        (System.nanoTime() - t0) / 1_000_000_000L);
  }

  /**
   * Backtest predictions kept under {@code <lakehouse>/models/forecast/backtests/<scope>/<key>/<last month>}
   * (Parquet): a run reuses the newest one of its key (settings, features, series count, first
   * month) made less than {@code rerunEveryMonths} months before its own last month, so a
   * monthly run fits once (0 = always backtest).
   */
  static final class StoredBacktests implements Forecaster.Store {
    private final SparkSession spark;
    private final String dir;
    private final int rerunEveryMonths;

    StoredBacktests(SparkSession spark, String dir, int rerunEveryMonths) {
      this.spark = spark;
      this.dir = dir;
      this.rerunEveryMonths = rerunEveryMonths;
    }

    @Override
    public Optional<Dataset<Row>> load(String key, LocalDate last) {
      if (rerunEveryMonths <= 0) {
        return Optional.empty();
      }
      try {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir + "/" + key);
        org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(p)) {
          return Optional.empty();
        }
        Optional<LocalDate> best = java.util.Arrays.stream(fs.listStatus(p))
            .filter(st -> st.isDirectory() && hasSuccess(fs, st.getPath()))
            .map(st -> LocalDate.parse(st.getPath().getName()))
            .filter(m -> !m.isAfter(last) && java.time.temporal.ChronoUnit.MONTHS.between(m, last) < rerunEveryMonths)
            .max(LocalDate::compareTo);
        if (best.isEmpty()) {
          return Optional.empty();
        }
        LOG.info("reusing the backtest of {} ({}/{}; tp.forecast.backtest.rerun-every-months = {})", best.get(), p, best.get(),
            rerunEveryMonths);
        return Optional.of(spark.read().schema(Forecaster.PREDICTIONS).parquet(dir + "/" + key + "/" + best.get()));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot list " + dir, e);
      }
    }

    private static boolean hasSuccess(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path dir) {
      try {
        return fs.exists(new org.apache.hadoop.fs.Path(dir, "_SUCCESS"));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot read " + dir, e);
      }
    }

    @Override
    public boolean save(String key, LocalDate last, Dataset<Row> predictions) {
      if (rerunEveryMonths <= 0) {
        return false;
      }
      predictions.coalesce(1).write().mode("overwrite").parquet(dir + "/" + key + "/" + last);
      return true;
    }
  }

  /**
   * The input partition a run reads: the run date's own partition when it exists, else the
   * newest one (only months up to the run date are then used).
   */
  static LocalDate inputPartition(Lake lake, Table t, LocalDate asOf) {
    Row newest = lake.read(t).agg(org.apache.spark.sql.functions.max(
        org.apache.spark.sql.functions.when(col("as_of").equalTo(lit(java.sql.Date.valueOf(asOf))), 1)), max("as_of")).first();
    if (!newest.isNullAt(0)) {
      return asOf;
    }
    if (newest.isNullAt(1)) {
      throw org.territorypotential.lake.MissingInput.of("forecast", "a partition of " + lake.sqlName(t) + " (the table is empty)",
          t == Table.MONTHLY_REGISTRATIONS ? "market" : "ingest");
    }
    LocalDate d = newest.getDate(1).toLocalDate();
    LOG.info("{} has no partition for {}: reading the newest one ({}), months up to {} only", lake.sqlName(t), asOf, d, asOf);
    return d;
  }

  /**
   * "industry" when {@code tp.forecast.brand} is empty, else the brand in upper case; validated,
   * since it reaches a SQL predicate.
   */
  static String scope(AppConfig cfg) {
    String brand = cfg.getString("tp.forecast.brand").trim();
    if (brand.isEmpty()) {
      return SCOPE_INDUSTRY;
    }
    if (!brand.matches("[A-Za-z0-9][A-Za-z0-9 &._-]{0,63}")) {
      throw new ConfigError("configuration key 'tp.forecast.brand' must be a brand name (letters, digits, space, & . _ -), got '"
          + brand + "'");
    }
    return brand.toUpperCase(java.util.Locale.ROOT);
  }

  /**
   * The last complete month at a run date: its own month when the run date is the month's last
   * day, else the month before (a partial month would read as a collapse in demand).
   */
  public static LocalDate lastCompleteMonth(LocalDate asOf) {
    LocalDate first = asOf.withDayOfMonth(1);
    return asOf.getDayOfMonth() == asOf.lengthOfMonth() ? first : first.minusMonths(1);
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
