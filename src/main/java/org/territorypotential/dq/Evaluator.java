package org.territorypotential.dq;

import static org.apache.spark.sql.functions.col;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.territorypotential.config.ConfigError;

/**
 * Turns checks and the rows they are about into results. Pure: the caller passes the rows of
 * the run date ({@code current}), the table's previous run date ({@code previous}, null when
 * there is none) and the referenced table's rows ({@code reference}, for references checks).
 */
public final class Evaluator {
  private Evaluator() {}

  /** One check's outcome. status: pass, warn or fail; observed and threshold as stored in dq_results. */
  public record Result(Check check, double observed, String threshold, String status, String detail) {}

  /** One check on its own: {@link #evaluateAll} of that check. */
  public static Result evaluate(Check c, Dataset<Row> current, Dataset<Row> previous, Dataset<Row> reference, LocalDate asOf) {
    return evaluateAll(List.of(c), current, () -> previous, x -> reference, asOf).get(0);
  }

  /**
   * The checks of one table, in their order, with as few queries as their kinds allow: every
   * not_null, range and freshness check and the row count of row_count_change are <b>one</b>
   * aggregate over {@code current}; each unique and references check is one query of its own;
   * {@code previous} (the previous run date's rows, null when there is none) is asked for only by a
   * row_count_change check, and {@code reference} only by a references check.
   */
  public static List<Result> evaluateAll(List<Check> checks, Dataset<Row> current, Supplier<Dataset<Row>> previous,
      Function<Check, Dataset<Row>> reference, LocalDate asOf) {
    List<String> have = List.of(current.columns());
    for (Check c : checks) {
      for (String col : c.columns()) {
        if (!have.contains(col)) {
          throw new ConfigError("tp.dq.checks: '" + c.spec() + "': " + c.table() + " has no column '" + col + "' (has " + have + ")");
        }
      }
    }
    // one aggregate: position of each check's column in it (-1: the check runs its own query)
    List<Column> aggs = new ArrayList<>();
    int[] at = new int[checks.size()];
    int rowsAt = -1;
    for (int i = 0; i < checks.size(); i++) {
      Check c = checks.get(i);
      at[i] = -1;
      switch (c.kind()) {
        case "not_null" -> {
          at[i] = aggs.size();
          aggs.add(functions.count(functions.when(
              c.columns().stream().map(x -> col(x).isNull()).reduce(Column::or).orElseThrow(), functions.lit(1))));
        }
        case "range" -> {
          at[i] = aggs.size();
          String k = c.columns().get(0);
          aggs.add(functions.count(functions.when(col(k).isNotNull().and(col(k).lt(c.min()).or(col(k).gt(c.max()))),
              functions.lit(1))));
        }
        case "freshness" -> {
          at[i] = aggs.size();
          aggs.add(functions.max(col(c.columns().get(0)).cast("date")));
        }
        case "row_count_change" -> {
          if (rowsAt < 0) {
            rowsAt = aggs.size();
            aggs.add(functions.count(functions.lit(1)));
          }
          at[i] = rowsAt;
        }
        default -> { }
      }
    }
    Row a = aggs.isEmpty() ? null : current.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    Dataset<Row> prev = null;
    boolean prevAsked = false;
    List<Result> out = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      Check c = checks.get(i);
      switch (c.kind()) {
        case "not_null" -> {
          long n = a.getLong(at[i]);
          out.add(result(c, n, "0", n == 0, n + " rows with a null in " + c.columns()));
        }
        case "unique" -> {
          Column[] cols = c.columns().stream().map(functions::col).toArray(Column[]::new);
          long n = current.groupBy(cols).count().where(col("count").gt(1)).count();
          out.add(result(c, n, "0", n == 0, n + " key values occur more than once"));
        }
        case "references" -> {
          Dataset<Row> ref = reference.apply(c);
          if (!List.of(ref.columns()).contains(c.refColumn())) {
            throw new ConfigError("tp.dq.checks: '" + c.spec() + "': " + c.refTable() + " has no column '" + c.refColumn() + "'");
          }
          Dataset<Row> keys = ref.select(col(c.refColumn()).as("__ref")).distinct();
          String k = c.columns().get(0);
          long n = current.where(col(k).isNotNull()).join(keys, col(k).equalTo(col("__ref")), "left_anti").count();
          out.add(result(c, n, "0", n == 0, n + " rows whose " + k + " is not in " + c.refTable() + "." + c.refColumn()));
        }
        case "range" -> {
          long n = a.getLong(at[i]);
          String k = c.columns().get(0);
          out.add(result(c, n, c.min() + ".." + c.max(), n == 0, n + " rows with " + k + " outside [" + c.min() + ", " + c.max() + "]"));
        }
        case "row_count_change" -> {
          long now = a.getLong(at[i]);
          if (!prevAsked) {
            prev = previous.get();
            prevAsked = true;
          }
          if (prev == null) {
            out.add(result(c, 0, "<= " + c.max(), true, now + " rows; no previous run date to compare with"));
          } else {
            long before = prev.count();
            double change = before == 0 ? (now == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.abs(now - before) / (double) before;
            out.add(result(c, change, "<= " + c.max(), change <= c.max(), now + " rows vs " + before + " on the previous run date"));
          }
        }
        case "freshness" -> {
          String k = c.columns().get(0);
          if (a.isNullAt(at[i])) {
            out.add(result(c, Double.POSITIVE_INFINITY, "<= " + c.max() + " months", false, "no " + k + " value at all"));
          } else {
            LocalDate newest = a.getDate(at[i]).toLocalDate();
            long months = ChronoUnit.MONTHS.between(YearMonth.from(newest), YearMonth.from(asOf));
            out.add(result(c, months, "<= " + c.max() + " months", months <= c.max(),
                "newest " + k + " is " + newest + ", " + months + " months before " + asOf));
          }
        }
        default -> throw new IllegalStateException("unknown kind " + c.kind());
      }
    }
    return out;
  }

  private static Result result(Check c, double observed, String threshold, boolean ok, String detail) {
    return new Result(c, observed, threshold, ok ? "pass" : c.severity(), detail);
  }
}
