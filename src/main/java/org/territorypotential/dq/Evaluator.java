package org.territorypotential.dq;

import static org.apache.spark.sql.functions.col;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.territorypotential.config.ConfigError;

/**
 * Turns one check and the rows it is about into a result. Pure: the caller passes the rows of
 * the run date ({@code current}), the table's previous run date ({@code previous}, null when
 * there is none) and the referenced table's rows ({@code reference}, for references checks).
 */
public final class Evaluator {
  private Evaluator() {}

  /** One check's outcome. status: pass, warn or fail; observed and threshold as stored in dq_results. */
  public record Result(Check check, double observed, String threshold, String status, String detail) {}

  public static Result evaluate(Check c, Dataset<Row> current, Dataset<Row> previous, Dataset<Row> reference, LocalDate asOf) {
    List<String> have = List.of(current.columns());
    for (String col : c.columns()) {
      if (!have.contains(col)) {
        throw new ConfigError("tp.dq.checks: '" + c.spec() + "': " + c.table() + " has no column '" + col + "' (has " + have + ")");
      }
    }
    switch (c.kind()) {
      case "not_null": {
        Column anyNull = c.columns().stream().map(x -> col(x).isNull()).reduce(Column::or).orElseThrow();
        long n = current.where(anyNull).count();
        return result(c, n, "0", n == 0, n + " rows with a null in " + c.columns());
      }
      case "unique": {
        Column[] cols = c.columns().stream().map(functions::col).toArray(Column[]::new);
        long n = current.groupBy(cols).count().where(col("count").gt(1)).count();
        return result(c, n, "0", n == 0, n + " key values occur more than once");
      }
      case "references": {
        if (!List.of(reference.columns()).contains(c.refColumn())) {
          throw new ConfigError("tp.dq.checks: '" + c.spec() + "': " + c.refTable() + " has no column '" + c.refColumn() + "'");
        }
        Dataset<Row> keys = reference.select(col(c.refColumn()).as("__ref")).distinct();
        String k = c.columns().get(0);
        long n = current.where(col(k).isNotNull()).join(keys, col(k).equalTo(col("__ref")), "left_anti").count();
        return result(c, n, "0", n == 0, n + " rows whose " + k + " is not in " + c.refTable() + "." + c.refColumn());
      }
      case "range": {
        String k = c.columns().get(0);
        long n = current.where(col(k).isNotNull().and(col(k).lt(c.min()).or(col(k).gt(c.max())))).count();
        return result(c, n, c.min() + ".." + c.max(), n == 0, n + " rows with " + k + " outside [" + c.min() + ", " + c.max() + "]");
      }
      case "row_count_change": {
        long now = current.count();
        if (previous == null) {
          return result(c, 0, "<= " + c.max(), true, now + " rows; no previous run date to compare with");
        }
        long before = previous.count();
        double change = before == 0 ? (now == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.abs(now - before) / (double) before;
        return result(c, change, "<= " + c.max(), change <= c.max(), now + " rows vs " + before + " on the previous run date");
      }
      case "freshness": {
        String k = c.columns().get(0);
        Row r = current.agg(functions.max(col(k).cast("date"))).first();
        if (r.isNullAt(0)) {
          return result(c, Double.POSITIVE_INFINITY, "<= " + c.max() + " months", false, "no " + k + " value at all");
        }
        LocalDate newest = r.getDate(0).toLocalDate();
        long months = ChronoUnit.MONTHS.between(YearMonth.from(newest), YearMonth.from(asOf));
        return result(c, months, "<= " + c.max() + " months", months <= c.max(),
            "newest " + k + " is " + newest + ", " + months + " months before " + asOf);
      }
      default:
        throw new IllegalStateException("unknown kind " + c.kind());
    }
  }

  private static Result result(Check c, double observed, String threshold, boolean ok, String detail) {
    return new Result(c, observed, threshold, ok ? "pass" : c.severity(), detail);
  }
}
