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

  /** A plain-text table: horizon, then one WAPE column per method, then the overall row. */
  public static String formatTable(Map<Integer, Map<String, Double>> byHorizon, Map<String, Double> overall, List<String> methods) {
    StringBuilder sb = new StringBuilder(String.format("%-8s", "horizon"));
    for (String m : methods) {
      sb.append(String.format(" %20s", m));
    }
    sb.append('\n');
    byHorizon.forEach((h, row) -> {
      sb.append(String.format("%-8d", h));
      methods.forEach(m -> sb.append(String.format(" %20s", pct(row.get(m)))));
      sb.append('\n');
    });
    sb.append(String.format("%-8s", "all"));
    methods.forEach(m -> sb.append(String.format(" %20s", pct(overall.get(m)))));
    return sb.append('\n').toString();
  }

  private static String pct(Double d) {
    return d == null || d.isNaN() ? "-" : String.format("%.1f%%", 100 * d);
  }
}
