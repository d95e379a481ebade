package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * Turns inputs into the generic monthly series frame the forecaster works on:
 * {@code series_id, level ('unit', 'territory', 'state'), segment, month (first day), value}
 * (a count, >= 0; every month of a series' span is present: a month without events is 0, not
 * absent; a series starts at its first month with events), plus the
 * hierarchy {@code series_id (unit) -> territory_id -> state_id}. Territory and state rows are
 * the sums of their units (see {@link Reconcile#rollUp}).
 */
public final class History {
  /** Column names of the series frame. */
  public static final String[] SERIES_COLUMNS = {"series_id", "level", "segment", "month", "value"};
  /** Column names of the hierarchy frame. */
  public static final String[] HIERARCHY_COLUMNS = {"series_id", "territory_id", "state_id"};

  /** The series frame (all levels) and the unit -> territory -> state hierarchy. */
  public record Result(Dataset<Row> series, Dataset<Row> hierarchy) {
    /** Unit-level rows only: what the model is trained on. */
    public Dataset<Row> units() {
      return series.where(col("level").equalTo(Levels.UNIT));
    }
  }

  private History() {}

  /**
   * The series frame from the unit rows, without the orphan check: both histories build their
   * hierarchy from the same rows as their units (every unit key is grouped into it), so a unit
   * cannot be missing, and the check was a query over the whole uncached history (6 Spark jobs
   * in ForecastJobTest) at every run.
   */
  private static Dataset<Row> rollUp(Dataset<Row> units, Dataset<Row> hierarchy) {
    return Reconcile.rollUp(units, hierarchy, List.of("segment", "month"), List.of("value"), false);
  }

  /**
   * Washington county history (bronze {@code county_history}) to monthly net new registrations
   * per county and EV type (BEV, PHEV). WA rows only; Passenger and Truck summed. Net new =
   * stock(month) - stock(previous month), with negative differences clipped at 0: the file has
   * stock, not registrations, and a fall in stock means more vehicles left (scrapped, moved
   * out) than came in; we cannot see the gross inflow, so that month counts 0. This slightly
   * overstates net new in small counties where churn dominates. The first month has no
   * difference and is dropped. Months after {@code lastMonth} (a month-end or any day of it)
   * are ignored; null = all.
   *
   * @param countyToTerritory county name -> territory id; a county not in the map is its own
   *     territory (the default: territory = county)
   * @param countyUnits {@code name, geo_unit_id} of the county geo units (bronze geo_units at
   *     level county), or null: a county whose name (case-insensitive) is there is keyed by its
   *     geo_unit_id (FIPS), so the forecast joins the spatial tables; otherwise by its name
   */
  public static Result fromCountyHistory(Dataset<Row> countyHistory, Map<String, String> countyToTerritory,
      Dataset<Row> countyUnits, LocalDate lastMonth) {
    Dataset<Row> wa = countyHistory.where(col("state").equalTo("WA"));
    if (countyUnits != null) {
      Dataset<Row> ids = countyUnits.select(functions.lower(functions.trim(col("name"))).as("_name"),
          col("geo_unit_id").as("_unit")).dropDuplicates("_name");
      wa = wa.join(ids, functions.lower(functions.trim(col("county"))).equalTo(col("_name")), "left_outer")
          .withColumn("county_key", coalesce(col("_unit"), col("county"))).drop("_name", "_unit");
    } else {
      wa = wa.withColumn("county_key", col("county"));
    }
    if (lastMonth != null) {
      wa = wa.where(trunc(col("month_end"), "MM").leq(lit(java.sql.Date.valueOf(lastMonth.withDayOfMonth(1)))));
    }
    Dataset<Row> stock = wa.groupBy(col("county_key").as("county"), trunc(col("month_end"), "MM").as("month"))
        .agg(sum("bev").as("BEV"), sum("phev").as("PHEV"));
    Dataset<Row> long_ = stock.selectExpr("county", "month", "stack(2, 'BEV', BEV, 'PHEV', PHEV) as (segment, stock)");
    var w = Window.partitionBy("county", "segment").orderBy("month");
    Dataset<Row> units = long_
        .withColumn("prev_month", lag(col("month"), 1).over(w))
        .withColumn("prev_stock", lag(col("stock"), 1).over(w))
        .where(col("prev_stock").isNotNull())
        // A gap in the monthly file would make the difference span two months: refuse it.
        .withColumn("is_consecutive", col("prev_month").equalTo(add_months(col("month"), -1)))
        .withColumn("value", greatest(col("stock").minus(col("prev_stock")), lit(0)).cast("double"))
        .select(col("county").as("series_id"), lit(Levels.UNIT).as("level"), col("segment"), col("month"),
            col("value"), col("is_consecutive"));
    long gaps = units.where(functions.not(col("is_consecutive"))).count();
    if (gaps > 0) {
      throw new IllegalArgumentException("county_history: " + gaps + " county x EV type rows follow a missing month; "
          + "the month-over-month difference needs every month");
    }
    units = units.select(SERIES_COLUMNS[0], SERIES_COLUMNS[1], SERIES_COLUMNS[2], SERIES_COLUMNS[3], SERIES_COLUMNS[4]);

    Column territory = lit(null).cast("string");
    for (Map.Entry<String, String> e : countyToTerritory.entrySet()) {
      territory = functions.when(col("county").equalTo(e.getKey()), lit(e.getValue())).otherwise(territory);
    }
    Dataset<Row> hierarchy = wa.select(col("county"), col("county_key")).distinct()
        .select(col("county_key").as("series_id"), coalesce(territory, col("county_key")).as("territory_id"),
            lit("WA").as("state_id"));
    return new Result(rollUp(units, hierarchy), hierarchy);
  }

  /** {@link #fromCountyHistory(Dataset, Map, Dataset, LocalDate)} keyed by county name. */
  public static Result fromCountyHistory(Dataset<Row> countyHistory, Map<String, String> countyToTerritory,
      LocalDate lastMonth) {
    return fromCountyHistory(countyHistory, countyToTerritory, null, lastMonth);
  }

  /**
   * Registrations (one row each, with {@code geo_unit_id, segment, registration_date,
   * territory_id}) to counts per unit x segment x month, from the first month with any
   * registration to {@code lastMonth} (inclusive; later registrations are ignored), sparse as
   * {@link #fromUnitCounts}. Rows without a geo_unit_id cannot be placed and are left out (the
   * spatial layer reports them as unlocated); a null segment counts as {@code UNCLASSIFIED}.
   */
  public static Result fromRegistrations(Dataset<Row> registrations, LocalDate lastMonth, String stateId) {
    Dataset<Row> counts = registrations.where(col("geo_unit_id").isNotNull())
        .withColumn("month", trunc(col("registration_date"), "MM"))
        .withColumn("segment", coalesce(col("segment"), lit("UNCLASSIFIED")))
        .groupBy("geo_unit_id", "territory_id", "segment", "month").agg(count(lit(1)).cast("double").as("n"));
    return fromUnitCounts(counts, lastMonth, stateId);
  }

  /**
   * Gold {@code monthly_registrations} (counted registrations per geo unit x segment x brand x
   * month, with the unit's configured territory_id) to the series frame: all brands summed
   * (industry), or only {@code brand} (case-insensitive) when it is not null/blank. Months after
   * {@code lastMonth} are ignored; sparse as {@link #fromUnitCounts}.
   */
  public static Result fromMonthlyRegistrations(Dataset<Row> monthly, String brand, LocalDate lastMonth, String stateId) {
    Dataset<Row> m = monthly.where(col("geo_unit_id").isNotNull());
    if (brand != null && !brand.isBlank()) {
      m = m.where(functions.upper(col("brand")).equalTo(brand.trim().toUpperCase(java.util.Locale.ROOT)));
    }
    Dataset<Row> counts = m.withColumn("segment", coalesce(col("segment"), lit("UNCLASSIFIED")))
        .groupBy("geo_unit_id", "territory_id", "segment", "month").agg(sum("registrations").cast("double").as("n"));
    return fromUnitCounts(counts, lastMonth, stateId);
  }

  /**
   * Counts ({@code geo_unit_id, territory_id, segment, month} (first day), {@code n}) to the
   * series frame, up to {@code lastMonth} (inclusive; later months are ignored). Sparse, never a
   * dense panel: a series is a unit x segment with at least one count, and it runs from its own
   * first month with a count to {@code lastMonth}; inside that span a month without
   * registrations is 0. A unit x segment that never sold has no series (and no forecast row),
   * and no month before a series' first sale is filled in, so the frame grows with the series
   * that exist and their months, not with units x segments x months. Hierarchy: a unit's
   * territory is its configured territory_id (the smallest when it has several), else the unit
   * itself; every unit is in {@code stateId}.
   */
  static Result fromUnitCounts(Dataset<Row> counts, LocalDate lastMonth, String stateId) {
    java.sql.Date last = java.sql.Date.valueOf(lastMonth.withDayOfMonth(1));
    Dataset<Row> c = counts.where(col("month").leq(lit(last)));
    Dataset<Row> n = c.groupBy("geo_unit_id", "segment", "month").agg(sum("n").as("n"));
    Dataset<Row> spans = n.where(col("n").gt(0)).groupBy("geo_unit_id", "segment").agg(min("month").as("first"))
        .select(col("geo_unit_id"), col("segment"),
            explode(expr("sequence(first, DATE'" + last + "', interval 1 month)")).as("month"));
    Dataset<Row> units = spans.join(n, new String[] {"geo_unit_id", "segment", "month"}, "left_outer")
        .select(col("geo_unit_id").as("series_id"), lit(Levels.UNIT).as("level"), col("segment"),
            col("month"), coalesce(col("n"), lit(0.0)).as("value"));
    Dataset<Row> hierarchy = c.groupBy("geo_unit_id").agg(min("territory_id").as("territory_id"))
        .select(col("geo_unit_id").as("series_id"), coalesce(col("territory_id"), col("geo_unit_id")).as("territory_id"),
            lit(stateId).as("state_id"));
    return new Result(rollUp(units, hierarchy), hierarchy);
  }

  /** The last month present in a series frame (first day of month). */
  public static LocalDate lastMonth(Dataset<Row> series) {
    Row r = series.agg(max("month")).first();
    if (r.isNullAt(0)) {
      throw new IllegalArgumentException("the series frame is empty");
    }
    return r.getDate(0).toLocalDate();
  }
}
