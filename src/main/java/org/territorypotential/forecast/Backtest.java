package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Time-ordered backtests: for each origin, fit the model on the examples whose target month is
 * at or before the origin (so nothing after the origin is seen, not even as a label), forecast
 * the next H months from the origin, and put the model beside the baselines. Never a random
 * split (MLlib's CrossValidator / TrainValidationSplit shuffle time).
 */
public final class Backtest {
    public static final String MODEL = "model";
  public static final List<String> BASELINES = List.of("seasonal_naive", "last_value", "moving_average");
  public static final List<String> METHODS = List.of(MODEL, "seasonal_naive", "last_value", "moving_average");

  /** The training window of one backtest origin: example origins from {@code start}, labels up to {@code end}. */
  public record TrainWindow(LocalDate origin, LocalDate start, LocalDate end, long rows) {}

  private Backtest() {}

  /**
   * The backtest origins: the last month whose full horizon is known, then every
   * {@code stepMonths} earlier, {@code count} in all, oldest first.
   */
  public static List<LocalDate> origins(LocalDate lastMonth, int horizon, int count, int stepMonths) {
    List<LocalDate> out = new ArrayList<>();
    LocalDate latest = lastMonth.withDayOfMonth(1).minusMonths(horizon);
    for (int i = count - 1; i >= 0; i--) {
      out.add(latest.minusMonths((long) i * stepMonths));
    }
    return out;
  }

  /** Training rows for a fit at {@code origin}: labels known at the origin, enough history. */
  public static Dataset<Row> trainingRows(Dataset<Row> examples, LocalDate origin, int minHistoryMonths) {
    return examples.where(col("target_month").leq(lit(java.sql.Date.valueOf(origin)))
        .and(col("months_of_history").geq(minHistoryMonths)).and(col("label").isNotNull()));
  }

  /** Rows to forecast from {@code origin}: every unit series and horizon. */
  public static Dataset<Row> scoringRows(Dataset<Row> examples, LocalDate origin) {
    return examples.where(col("origin").equalTo(lit(java.sql.Date.valueOf(origin))));
  }

  /**
   * The training window of each origin, from one aggregate over {@code train}: example origins
   * from the first with {@code minHistoryMonths} of history, labels up to the origin. An origin
   * without training rows fails the run.
   */
  public static List<TrainWindow> windows(Dataset<Row> train, List<LocalDate> origins, int minHistoryMonths) {
    List<Column> aggs = new ArrayList<>();
    for (LocalDate o : origins) {
      Column in = col("target_month").leq(lit(java.sql.Date.valueOf(o)));
      aggs.add(min(when(in, col("origin"))));
      aggs.add(count(when(in, lit(1))));
    }
    Row r = train.where(col("months_of_history").geq(minHistoryMonths).and(col("label").isNotNull()))
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    List<TrainWindow> out = new ArrayList<>();
    for (int i = 0; i < origins.size(); i++) {
      long n = r.getLong(2 * i + 1);
      if (n == 0) {
        throw new IllegalArgumentException("backtest origin " + origins.get(i) + " has no training rows (needs "
            + minHistoryMonths + " months of history plus the horizon before it)");
      }
      out.add(new TrainWindow(origins.get(i), r.getDate(2 * i).toLocalDate(), origins.get(i), n));
    }
    return out;
  }

  /**
   * The backtest forecasts: each origin's model (fitted on its own window, {@link #windows})
   * forecasts every series in {@code score} from that origin, beside the baselines; rolled up to
   * territory and state.
   */
  public static Dataset<Row> run(Map<LocalDate, PipelineModel> models, Dataset<Row> score, Dataset<Row> hierarchy) {
    Dataset<Row> all = null;
    for (Map.Entry<LocalDate, PipelineModel> e : models.entrySet()) {
      Dataset<Row> scored = ForecastModel.predict(e.getValue(), scoringRows(score, e.getKey()));
      Dataset<Row> long_ = byMethod(scored).where(col("actual").isNotNull());
      all = all == null ? long_ : all.unionByName(long_);
    }
    // the series are the history's, checked against this hierarchy when it was rolled up
    return Reconcile.rollUp(all.withColumn("level", lit(Levels.UNIT)), hierarchy,
        List.of("segment", "origin", "horizon", "target_month", "method"), List.of("forecast", "actual"), false);
  }

  /** One row per example and method (model when present, and the baselines): method, forecast. */
  public static Dataset<Row> byMethod(Dataset<Row> scored) {
    List<String> methods = new ArrayList<>(BASELINES);
    if (List.of(scored.columns()).contains(MODEL)) {
      methods.add(0, MODEL);
    }
    StringBuilder stack = new StringBuilder("stack(" + methods.size());
    for (String m : methods) {
      stack.append(", '").append(m).append("', ").append(m);
    }
    stack.append(") as (method, forecast)");
    return scored.selectExpr("series_id", "segment", "origin", "horizon", "target_month", "actual", stack.toString());
  }

  /**
   * Accuracy per origin, horizon, level and method: WAPE = sum|actual - forecast| / sum actual,
   * MAPE = mean |actual - forecast| / actual over rows with actual > 0 (null when there are
   * none), bias = (sum forecast - sum actual) / sum actual, plus the sums that let any coarser
   * WAPE be recomputed exactly.
   */
  public static Dataset<Row> metrics(Dataset<Row> backtest) {
    Column err = abs(col("actual").minus(col("forecast")));
    return backtest.groupBy("origin", "horizon", "level", "method").agg(
            sum(err).as("abs_error_sum"), sum("actual").as("actual_sum"), sum("forecast").as("forecast_sum"),
            avg(when(col("actual").gt(0), err.divide(col("actual")))).as("mape"), count(lit(1)).as("n_series"))
        .withColumn("wape", when(col("actual_sum").gt(0), col("abs_error_sum").divide(col("actual_sum"))))
        .withColumn("bias", when(col("actual_sum").gt(0),
            col("forecast_sum").minus(col("actual_sum")).divide(col("actual_sum"))))
        .select("origin", "horizon", "level", "method", "wape", "mape", "bias", "abs_error_sum", "actual_sum",
            "forecast_sum", "n_series");
  }

  /** WAPE over every origin and horizon of one level, per method (methods sorted), from collected {@link #metrics} rows. */
  public static Map<String, Double> overallWape(List<Row> metrics, String level) {
    Map<String, double[]> sums = new TreeMap<>();
    for (Row r : metrics) {
      if (level.equals(r.getAs("level"))) {
        add(sums.computeIfAbsent(r.getAs("method"), m -> new double[2]), r);
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    sums.forEach((m, s) -> out.put(m, wape(s)));
    return out;
  }

  /** WAPE by horizon (over the origins) for one level: horizon -> method -> WAPE, from collected {@link #metrics} rows. */
  public static Map<Integer, Map<String, Double>> wapeByHorizon(List<Row> metrics, String level) {
    Map<Integer, Map<String, double[]>> sums = new TreeMap<>();
    for (Row r : metrics) {
      if (level.equals(r.getAs("level"))) {
        add(sums.computeIfAbsent(r.<Integer>getAs("horizon"), h -> new LinkedHashMap<>())
            .computeIfAbsent(r.getAs("method"), m -> new double[2]), r);
      }
    }
    Map<Integer, Map<String, Double>> out = new TreeMap<>();
    sums.forEach((h, byMethod) -> byMethod.forEach((m, s) -> out.computeIfAbsent(h, k -> new LinkedHashMap<>()).put(m, wape(s))));
    return out;
  }

  /** Adds a metrics row's absolute error and actual sums (SQL sum semantics: nulls are skipped). */
  private static void add(double[] sums, Row r) {
    int e = r.fieldIndex("abs_error_sum");
    int a = r.fieldIndex("actual_sum");
    if (!r.isNullAt(e)) {
      sums[0] += r.getDouble(e);
    }
    if (!r.isNullAt(a)) {
      sums[1] += r.getDouble(a);
    }
  }

  /** sum |error| / sum actual; NaN when nothing was actual (as a division by zero in SQL gives null). */
  private static double wape(double[] sums) {
    return sums[1] == 0 ? Double.NaN : sums[0] / sums[1];
  }

  /** The baseline with the lowest overall WAPE. */
  public static String bestBaseline(Map<String, Double> overall) {
    return BASELINES.stream().filter(overall::containsKey)
        .min((a, b) -> Double.compare(overall.get(a), overall.get(b))).orElseThrow();
  }

  /** A plain-text table: horizon, then one WAPE column per method, then the overall row. */
  public static String formatTable(Map<Integer, Map<String, Double>> byHorizon, Map<String, Double> overall) {
    StringBuilder sb = new StringBuilder(String.format("%-8s", "horizon"));
    for (String m : METHODS) {
      sb.append(String.format(" %15s", m));
    }
    sb.append('\n');
    byHorizon.forEach((h, row) -> {
      sb.append(String.format("%-8d", h));
      METHODS.forEach(m -> sb.append(String.format(" %15s", pct(row.get(m)))));
      sb.append('\n');
    });
    sb.append(String.format("%-8s", "all"));
    METHODS.forEach(m -> sb.append(String.format(" %15s", pct(overall.get(m)))));
    return sb.append('\n').toString();
  }

  private static String pct(Double d) {
    return d == null || d.isNaN() ? "-" : String.format("%.1f%%", 100 * d);
  }

  /** Log-ratio residuals {@code log1p(actual) - log1p(forecast)} of one method, for intervals. */
  public static Dataset<Row> residuals(Dataset<Row> backtest, String method) {
    return backtest.where(col("method").equalTo(method))
        .select(col("level"), col("horizon"), expr("log1p(actual) - log1p(forecast)").as("residual"));
  }
}
