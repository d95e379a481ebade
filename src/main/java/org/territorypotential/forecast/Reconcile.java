package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Bottom-up reconciliation: territory and state rows are the sums of their unit rows, so the
 * three levels agree exactly (up to floating-point rounding). Only units are forecast; the
 * upper levels are never forecast on their own, which is what makes them coherent.
 */
public final class Reconcile {
  private Reconcile() {}

  /**
   * Adds territory and state rows to a unit-level frame. {@code frame} has {@code series_id},
   * {@code level} (all 'unit'), the grouping columns {@code keys} (e.g. segment, month) and the
   * additive columns {@code sums}; {@code hierarchy} maps series_id -> territory_id -> state_id.
   * A unit missing from the hierarchy fails the call rather than vanishing from the sums.
   */
  public static Dataset<Row> rollUp(Dataset<Row> frame, Dataset<Row> hierarchy, List<String> keys, List<String> sums) {
    return rollUp(frame, hierarchy, keys, sums, true);
  }

  /**
   * {@link #rollUp(Dataset, Dataset, List, List)}; {@code check} = false skips the orphan check
   * (a Spark job over the whole frame, which also computes it once more), for frames whose
   * series all come from a history that was rolled up, and so checked, against the same hierarchy.
   */
  static Dataset<Row> rollUp(Dataset<Row> frame, Dataset<Row> hierarchy, List<String> keys, List<String> sums, boolean check) {
    Dataset<Row> units = frame.where(col("level").equalTo(Levels.UNIT));
    Dataset<Row> joined = units.join(hierarchy.withColumnRenamed("series_id", "_unit"),
        units.col("series_id").equalTo(col("_unit")), "left_outer");
    long orphans = check ? joined.where(col("_unit").isNull()).select("series_id").distinct().count() : 0;
    if (orphans > 0) {
      throw new IllegalArgumentException(orphans + " unit series are missing from the hierarchy, e.g. "
          + joined.where(col("_unit").isNull()).select("series_id").first().getString(0));
    }
    List<Column> out = new ArrayList<>();
    out.add(col("series_id"));
    out.add(col("level"));
    keys.forEach(k -> out.add(col(k)));
    sums.forEach(s -> out.add(col(s)));
    Column[] select = out.toArray(new Column[0]);
    Dataset<Row> result = units.select(select);
    for (String[] level : new String[][] {{Levels.TERRITORY, "territory_id"}, {Levels.STATE, "state_id"}}) {
      List<Column> groups = new ArrayList<>();
      groups.add(col(level[1]).as("series_id"));
      keys.forEach(k -> groups.add(col(k)));
      List<Column> aggs = new ArrayList<>();
      sums.forEach(s -> aggs.add(sum(col(s)).as(s)));
      Dataset<Row> up = joined.groupBy(groups.toArray(new Column[0]))
          .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
          .withColumn("level", lit(level[0]));
      result = result.unionByName(up.select(select));
    }
    return result;
  }

  /** {@link #rollUp(Dataset, Dataset, List, List)} for the series frame (segment, month; value). */
  public static Dataset<Row> rollUp(Dataset<Row> units, Dataset<Row> hierarchy) {
    return rollUp(units, hierarchy, List.of("segment", "month"), List.of("value"));
  }
}
