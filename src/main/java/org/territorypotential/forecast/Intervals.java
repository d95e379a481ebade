package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Prediction intervals from backtest residuals: per level and horizon, the empirical 2.5%, 10%,
 * 90% and 97.5% quantiles of {@code r = log1p(actual) - log1p(forecast)} of the published
 * method, applied to a forecast f as {@code max(0, expm1(log1p(f) + q))}. Working on the log
 * scale makes the interval proportional to the size of the series and keeps the lower bound at
 * or above 0; per horizon, because errors grow with the horizon. Lower quantiles are capped at 0
 * and upper ones floored at 0, so an interval always contains its forecast: with few residuals
 * (the state level has one per series and origin) all of them can fall on one side.
 */
public final class Intervals {
  private Intervals() {}

  /** {@code level, horizon, q025, q10, q90, q975, n_residuals} from {@link Backtest#residuals}. */
  public static Dataset<Row> quantiles(Dataset<Row> residuals) {
    return residuals.groupBy("level", "horizon")
        .agg(expr("percentile(residual, array(0.025, 0.1, 0.9, 0.975))").as("q"), count("residual").as("n_residuals"))
        .select(col("level"), col("horizon"), least(col("q").getItem(0), lit(0.0)).as("q025"),
            least(col("q").getItem(1), lit(0.0)).as("q10"), greatest(col("q").getItem(2), lit(0.0)).as("q90"),
            greatest(col("q").getItem(3), lit(0.0)).as("q975"), col("n_residuals"));
  }

  /**
   * Adds {@code lower_80, upper_80, lower_95, upper_95} to forecasts ({@code level, horizon,
   * forecast}). A level x horizon without residuals gets null bounds, never made-up ones.
   */
  public static Dataset<Row> withIntervals(Dataset<Row> forecasts, Dataset<Row> quantiles) {
    Dataset<Row> q = quantiles.withColumnRenamed("level", "q_level").withColumnRenamed("horizon", "q_horizon");
    Dataset<Row> j = forecasts.join(q, col("level").equalTo(col("q_level")).and(col("horizon").equalTo(col("q_horizon"))),
        "left_outer");
    return j.withColumn("lower_80", lower("q10")).withColumn("upper_80", upper("q90"))
        .withColumn("lower_95", lower("q025")).withColumn("upper_95", upper("q975"))
        .drop("q_level", "q_horizon", "q025", "q10", "q90", "q975", "n_residuals");
  }

  /** The bound, never above the forecast (rounding of expm1(log1p(f)) could put it a hair above). */
  private static Column lower(String q) {
    return when(col(q).isNotNull(), least(bound(q), col("forecast")));
  }

  private static Column upper(String q) {
    return when(col(q).isNotNull(), greatest(bound(q), col("forecast")));
  }

  private static Column bound(String q) {
    return when(col(q).isNotNull(), greatest(expr("expm1(log1p(forecast) + " + q + ")"), lit(0.0)));
  }
}
