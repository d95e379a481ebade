package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.covar_pop;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.var_pop;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * Direct multi-horizon examples: one row per unit series x forecast origin x horizon (1..H),
 * with features computed only from the series' values at or before the origin, the three
 * baseline forecasts, and the actual value of the target month (null when it is not known yet).
 *
 * <p>No leakage, by construction: every window ends at the origin row ({@code rowsBetween(.., 0)}
 * or {@code lag}), and the only value joined from another month is the same month one year
 * before the target ({@code target - 12 x ceil(h / 12)}), which is at or before the origin for
 * every horizon. The actual is the label, never a feature.
 *
 * <p>Scale: series differ by orders of magnitude (King County vs Garfield), so one global model
 * sees each series relative to its own trailing mean over {@code anchorMonths} months (the
 * anchor, {@code scale}): level features are {@code log1p(x) - log1p(scale)} and the label is
 * {@code log1p(actual) - log1p(scale)} (a count-friendly log1p target); {@code log1p(scale)}
 * itself is a feature too. A short anchor (3 months) makes the label the model's correction to
 * the moving average; the segment's state-wide trend ({@link #stateTrends}) is a feature.
 */
public final class Features {
  /** The model's features (static covariates, when given, are appended). */
  public static final List<String> BASE = List.of(
      "horizon", "target_month_of_year", "target_month_of_quarter", "months_since_start", "log_scale",
      "rel_lag_1", "rel_lag_2", "rel_lag_3", "rel_lag_12", "rel_same_month_last_year",
      "rel_rolling_mean_3", "trend_12", "yoy_growth", "rel_rolling_mean_6", "rel_rolling_mean_12",
      "state_growth_3_12", "state_yoy_growth");

  /** Columns of the examples frame besides the features and static covariates. */
  public static final List<String> KEYS = List.of("series_id", "segment", "origin", "horizon", "target_month");

  private Features() {}

  /**
   * The examples frame of unit-level series ({@code series_id, segment, month, value}; every
   * month present). {@code statics} (may be null): one row per series_id with numeric columns
   * (e.g. demographics), joined as they are (they describe the unit, not a month; nulls -> 0).
   * Output columns: {@link #KEYS}, {@code months_of_history}, the features
   * ({@link #featureNames}), {@code log_scale}, {@code weight} (1 + scale), {@code actual} and {@code label}
   * (the baselines are computed on the driver, {@link Panel#baselines}).
   */
  public static Dataset<Row> examples(Dataset<Row> units, int horizon, int movingAverageMonths, int anchorMonths,
      Dataset<Row> statics) {
    return examples(units, stateTrends(units), null, horizon, movingAverageMonths, anchorMonths, statics);
  }

  /**
   * {@link #examples(Dataset, int, int, int, Dataset)} with the state-wide trends given (so a
   * sample of the series still sees the trend of all of them) and, when {@code origins} is not
   * null, only the examples of those origins (the features still come from each series' whole
   * history): scoring needs a few origins of every series, training every origin of some.
   */
  public static Dataset<Row> examples(Dataset<Row> units, Dataset<Row> trends, java.util.Collection<java.time.LocalDate> origins,
      int horizon, int movingAverageMonths, int anchorMonths, Dataset<Row> statics) {
    if (horizon < 1) {
      throw new IllegalArgumentException("horizon must be >= 1, got " + horizon);
    }
    if (anchorMonths < 1) {
      throw new IllegalArgumentException("anchor months must be >= 1, got " + anchorMonths);
    }
    WindowSpec w = Window.partitionBy("series_id", "segment").orderBy("month");
    WindowSpec upTo = w.rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    Column t = months_between(col("month"), min("month").over(upTo)).cast("int");
    Dataset<Row> s = units.select("series_id", "segment", "month", "value")
        .withColumn("months_since_start", t)
        .withColumn("lag_1", col("value"))
        .withColumn("lag_2", lag("value", 1).over(w))
        .withColumn("lag_3", lag("value", 2).over(w))
        .withColumn("lag_12", lag("value", 11).over(w))
        .withColumn("rolling_mean_3", avg("value").over(w.rowsBetween(-2, 0)))
        .withColumn("rolling_mean_6", avg("value").over(w.rowsBetween(-5, 0)))
        .withColumn("rolling_mean_12", avg("value").over(w.rowsBetween(-11, 0)))
        .withColumn("anchor", avg("value").over(w.rowsBetween(-(anchorMonths - 1), 0)))
        .withColumn("slope_12", covar_pop(col("months_since_start").cast("double"), col("value")).over(w.rowsBetween(-11, 0))
            .divide(var_pop(col("months_since_start").cast("double")).over(w.rowsBetween(-11, 0))));
    s = s.withColumn("rolling_mean_12_prev", lag("rolling_mean_12", 12).over(w));
    if (origins != null) {
      s = s.where(col("month").isin(origins.stream().map(java.sql.Date::valueOf).toArray()));
    }
    s = s.join(trends, new String[] {"segment", "month"}, "left_outer")
        .withColumnRenamed("month", "origin");

    Dataset<Row> ex = s.withColumn("horizon", expr("explode(sequence(1, " + horizon + "))"))
        .withColumn("target_month", add_months(col("origin"), col("horizon")))
        .withColumn("seasonal_month", add_months(col("target_month"),
            expr("-12 * cast(ceil(horizon / 12.0) as int)")));
    Dataset<Row> past = units.select(col("series_id").as("p_id"), col("segment").as("p_seg"), col("month").as("p_month"),
        col("value").as("p_value"));
    ex = ex.join(past, col("series_id").equalTo(col("p_id")).and(col("segment").equalTo(col("p_seg")))
        .and(col("seasonal_month").equalTo(col("p_month"))), "left_outer")
        .withColumn("same_month_last_year", col("p_value")).drop("p_id", "p_seg", "p_month", "p_value");
    Dataset<Row> future = units.select(col("series_id").as("f_id"), col("segment").as("f_seg"), col("month").as("f_month"),
        col("value").as("actual"));
    ex = ex.join(future, col("series_id").equalTo(col("f_id")).and(col("segment").equalTo(col("f_seg")))
        .and(col("target_month").equalTo(col("f_month"))), "left_outer").drop("f_id", "f_seg", "f_month");

    Column ls = log1p(col("anchor"));
    ex = ex.withColumn("log_scale", ls)
        .withColumn("target_month_of_year", month(col("target_month")))
        .withColumn("target_month_of_quarter", month(col("target_month")).minus(1).mod(3).plus(1))
        .withColumn("weight", col("anchor").plus(1.0))
        .withColumn("rel_lag_1", rel("lag_1", ls))
        .withColumn("rel_lag_2", rel("lag_2", ls))
        .withColumn("rel_lag_3", rel("lag_3", ls))
        .withColumn("rel_lag_12", rel("lag_12", ls))
        .withColumn("rel_same_month_last_year", rel("same_month_last_year", ls))
        .withColumn("rel_rolling_mean_3", rel("rolling_mean_3", ls))
        .withColumn("rel_rolling_mean_6", rel("rolling_mean_6", ls))
        .withColumn("rel_rolling_mean_12", rel("rolling_mean_12", ls))
        .withColumn("state_growth_3_12", coalesce(col("state_growth_3_12"), lit(0.0)))
        .withColumn("state_yoy_growth", coalesce(col("state_yoy_growth"), lit(0.0)))
        .withColumn("trend_12", coalesce(col("slope_12").divide(col("rolling_mean_12").plus(1.0)), lit(0.0)))
        .withColumn("yoy_growth", coalesce(ls.minus(log1p(col("rolling_mean_12_prev"))), lit(0.0)))
        .withColumn("months_of_history", col("months_since_start").plus(1))
        .withColumn("label", log1p(col("actual")).minus(ls));

    List<String> statCols = staticColumns(statics);
    if (statics != null) {
      Dataset<Row> st = statics.withColumnRenamed("series_id", "s_id");
      ex = ex.join(st, col("series_id").equalTo(col("s_id")), "left_outer").drop("s_id");
      for (String c : statCols) {
        ex = ex.withColumn(c, coalesce(col(c).cast("double"), lit(0.0)));
      }
    }
    List<Column> out = new ArrayList<>();
    KEYS.forEach(k -> out.add(col(k)));
    out.add(col("months_of_history"));
    for (String f : featureNames(statics)) {
      if (!f.equals("horizon")) {
        out.add(col(f).cast("double").as(f));
      }
    }
    for (String c : List.of("weight", "actual", "label")) {
      out.add(col(c).cast("double").as(c));
    }
    return ex.select(out.toArray(new Column[0]));
  }

  /**
   * The segment's state-wide trend at each month (all unit series summed), from months at or
   * before it only: {@code state_growth_3_12 = log1p(mean of the last 3) - log1p(mean of the last
   * 12)} and {@code state_yoy_growth = log1p(mean of the last 12) - log1p(the same 12 months
   * before)}. Small counties are noisy; the state total carries their common trend.
   */
  public static Dataset<Row> stateTrends(Dataset<Row> units) {
    WindowSpec w = Window.partitionBy("segment").orderBy("month");
    Dataset<Row> st = units.groupBy("segment", "month").agg(org.apache.spark.sql.functions.sum("value").as("state_value"))
        .withColumn("st_3", avg("state_value").over(w.rowsBetween(-2, 0)))
        .withColumn("st_12", avg("state_value").over(w.rowsBetween(-11, 0)));
    return st.withColumn("state_growth_3_12", log1p(col("st_3")).minus(log1p(col("st_12"))))
        .withColumn("state_yoy_growth", log1p(col("st_12")).minus(log1p(lag("st_12", 12).over(w))))
        .select("segment", "month", "state_growth_3_12", "state_yoy_growth");
  }

  /** Feature list: {@link #BASE} then the static covariates' numeric columns (sorted). */
  public static List<String> featureNames(Dataset<Row> statics) {
    List<String> f = new ArrayList<>(BASE);
    f.addAll(staticColumns(statics));
    return f;
  }

  private static List<String> staticColumns(Dataset<Row> statics) {
    List<String> out = new ArrayList<>();
    if (statics == null) {
      return out;
    }
    for (StructField f : statics.schema().fields()) {
      if (!f.name().equals("series_id") && f.dataType() instanceof NumericType) {
        out.add(f.name());
      }
    }
    out.sort(String::compareTo);
    return out;
  }

  /** log1p(x) - log1p(scale); a missing x (short history) counts as the scale itself (0). */
  private static Column rel(String c, Column logScale) {
    return when(col(c).isNull(), lit(0.0)).otherwise(log1p(col(c)).minus(logScale));
  }
}
