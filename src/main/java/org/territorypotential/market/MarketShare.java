package org.territorypotential.market;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.territorypotential.geo.Territories;

/**
 * Registrations prepared for the market formulas (segment resolved, window, retail filter),
 * counted per geo unit, and market share per area (geo unit, county, state, region, nation,
 * configured territory, dealer PMA) x period x segment x brand. Pure transforms (docs/market.md).
 */
public final class MarketShare {
  private MarketShare() {}

  public static final String UNCLASSIFIED = "UNCLASSIFIED";
  public static final String NATION = "NATION";
  /** Area id used when a unit's area is not known (e.g. no state derivable). */
  public static final String UNKNOWN_AREA = "UNKNOWN";
  public static final String WINDOW = "window";
  public static final String MONTH = "month";

  /**
   * Adds the resolved {@code segment}: the record's own segment (trimmed, upper case), else the
   * reference's for its make + model, else {@value #UNCLASSIFIED}; {@code is_fleet} (sale_type
   * 'fleet', case-insensitive) and {@code reg_month} (first day of the registration month).
   */
  public static Dataset<Row> withSegment(Dataset<Row> regs, Dataset<Row> segments) {
    Dataset<Row> ref = segments.select(col("make").as("_s_make"), col("model").as("_s_model"),
        upper(trim(col("segment"))).as("_s_segment"));
    Column own = upper(trim(col("segment")));
    Dataset<Row> j = regs.join(broadcast(ref),
        regs.col("make").equalTo(ref.col("_s_make")).and(regs.col("model").equalTo(ref.col("_s_model"))), "left");
    return j.withColumn("segment", coalesce(when(own.notEqual(""), own), col("_s_segment"), lit(UNCLASSIFIED)))
        .withColumn("is_fleet", coalesce(upper(trim(col("sale_type"))).equalTo("FLEET"), lit(false)))
        .withColumn("reg_month", to_date(date_trunc("month", col("registration_date"))))
        .drop("_s_make", "_s_model", "_s_segment");
  }

  /** Registration dates within [start, end] (inclusive). */
  public static Dataset<Row> filterWindow(Dataset<Row> regs, java.time.LocalDate start, java.time.LocalDate end) {
    return regs.where(col("registration_date").geq(lit(Date.valueOf(start))).and(col("registration_date").leq(lit(Date.valueOf(end)))));
  }

  /** The registrations the formulas count: located in a geo unit, and retail when {@code retailOnly}. */
  public static Dataset<Row> filterCounted(Dataset<Row> regs, boolean retailOnly) {
    Dataset<Row> r = regs.where(col("geo_unit_id").isNotNull());
    return retailOnly ? r.where(col("is_fleet").equalTo(false)) : r;
  }

  /**
   * Counted registrations per geo unit x period x segment x brand: one window period
   * [start, end] and one period per calendar month in it (the run month ends at the run date).
   * Columns: geo_unit_id, period_type, period_start, period_end, segment, brand, registrations.
   */
  public static Dataset<Row> unitCounts(Dataset<Row> counted, MarketParams p) {
    Dataset<Row> window = counted.select(col("geo_unit_id"), lit(WINDOW).as("period_type"),
        lit(Date.valueOf(p.windowStart())).as("period_start"), lit(Date.valueOf(p.windowEnd())).as("period_end"),
        col("segment"), col("make").as("brand"));
    Dataset<Row> months = counted.select(col("geo_unit_id"), lit(MONTH).as("period_type"),
        col("reg_month").as("period_start"), least(last_day(col("reg_month")), lit(Date.valueOf(p.windowEnd()))).as("period_end"),
        col("segment"), col("make").as("brand"));
    return window.unionByName(months)
        .groupBy("geo_unit_id", "period_type", "period_start", "period_end", "segment", "brand")
        .agg(count(lit(1)).as("registrations"));
  }

  /**
   * Per geo unit at the locate level: its county, state, configured territory and region, and
   * the ids of its benchmark area ({@code benchmark_area_id}) and local area
   * ({@code local_area_id}) for the chosen area types; {@value #UNKNOWN_AREA} when not known.
   */
  public static Dataset<Row> unitAreas(Dataset<Row> silverUnits, String level, Dataset<Row> assignment, MarketParams p) {
    Dataset<Row> conf = assignment.where(col("method").equalTo(Territories.CONFIGURED))
        .select(col("geo_unit_id").as("_t_unit"), col("territory_id"), col("region"));
    Dataset<Row> u = silverUnits.where(col("level").equalTo(level)).select("geo_unit_id", "county_id", "state_id");
    Dataset<Row> j = u.join(conf, u.col("geo_unit_id").equalTo(conf.col("_t_unit")), "left");
    Column bench = switch (p.benchmarkArea()) {
      case "state" -> col("state_id");
      case "region" -> col("region");
      case "nation" -> lit(NATION);
      default -> throw new IllegalArgumentException("benchmark area " + p.benchmarkArea());
    };
    Column local = switch (p.localArea()) {
      case "county" -> col("county_id");
      case "territory" -> col("territory_id");
      default -> throw new IllegalArgumentException("local area " + p.localArea());
    };
    return j.select(col("geo_unit_id"), col("county_id"), col("state_id"), col("territory_id"), col("region"),
        coalesce(bench, lit(UNKNOWN_AREA)).as("benchmark_area_id"), coalesce(local, lit(UNKNOWN_AREA)).as("local_area_id"));
  }

  /**
   * Fails, naming the units, when a unit the formulas use (it has counted registrations in the
   * window or is in a dealer's PMA) has no benchmark area or no local area ({@value #UNKNOWN_AREA}):
   * an unknown area would silently pool unrelated units (docs/market.md). One small aggregate.
   *
   * @param windowCounts unit counts of the window period (geo_unit_id)
   */
  public static void requireKnownAreas(Dataset<Row> unitAreas, Dataset<Row> windowCounts, Dataset<Row> assignment,
      MarketParams p) {
    Dataset<Row> used = windowCounts.select("geo_unit_id")
        .union(assignment.where(col("method").equalTo(Territories.PMA)).select("geo_unit_id")).distinct();
    Column unknownBench = col("benchmark_area_id").equalTo(UNKNOWN_AREA);
    Column unknownLocal = col("local_area_id").equalTo(UNKNOWN_AREA);
    Row r = unitAreas.where(unknownBench.or(unknownLocal)).join(used, new String[] {"geo_unit_id"}, "left_semi")
        .agg(count(lit(1)), count(when(unknownBench, lit(1))), count(when(unknownLocal, lit(1))),
            org.apache.spark.sql.functions.expr("slice(array_sort(collect_list(geo_unit_id)), 1, 10)")).first();
    if (r.getLong(0) > 0) {
      throw new org.territorypotential.ingest.IngestError(r.getLong(0) + " geo unit(s) with registrations or in a PMA have no "
          + (r.getLong(1) > 0 ? "benchmark area (tp.market.benchmark-area = " + p.benchmarkArea() + ": " + r.getLong(1) + ")" : "")
          + (r.getLong(1) > 0 && r.getLong(2) > 0 ? " and no " : "")
          + (r.getLong(2) > 0 ? "local area (tp.market.local-area = " + p.localArea() + ": " + r.getLong(2) + ")" : "")
          + ", e.g. " + r.getList(3) + ": give them a county / state (parent_id, a county polygon they overlap) or a"
          + " configured territory; nothing was written");
    }
  }

  /**
   * Which units make up each area: (area_type, area_id, geo_unit_id) for geo_unit, county,
   * state, region, nation, configured territory and pma (every brand's PMAs). A unit belongs to
   * exactly one area of each type (one PMA per brand), so area totals are sums of unit totals.
   */
  public static Dataset<Row> areaMembership(Dataset<Row> unitAreas, Dataset<Row> assignment) {
    Dataset<Row> out = null;
    String[][] types = {{"geo_unit", "geo_unit_id"}, {"county", "county_id"}, {"state", "state_id"}, {"region", "region"},
        {"configured", "territory_id"}};
    for (String[] t : types) {
      Dataset<Row> m = unitAreas.where(col(t[1]).isNotNull())
          .select(lit(t[0]).as("area_type"), col(t[1]).as("area_id"), col("geo_unit_id"));
      out = out == null ? m : out.unionByName(m);
    }
    out = out.unionByName(unitAreas.select(lit("nation").as("area_type"), lit(NATION).as("area_id"), col("geo_unit_id")));
    return out.unionByName(assignment.where(col("method").equalTo(Territories.PMA))
        .select(lit("pma").as("area_type"), col("territory_id").as("area_id"), col("geo_unit_id")));
  }

  /**
   * Market share per area x period x segment x brand: brand_registrations (the brand's counted
   * registrations), industry_registrations (all brands') and share = brand / industry. Only
   * brands with at least one registration in the cell have a row; shares of a cell sum to 1.
   */
  public static Dataset<Row> marketShare(Dataset<Row> unitCounts, Dataset<Row> membership) {
    Dataset<Row> j = unitCounts.join(membership, new String[] {"geo_unit_id"}, "inner")
        .groupBy("area_type", "area_id", "period_type", "period_start", "period_end", "segment", "brand")
        .agg(sum("registrations").as("brand_registrations"));
    Column industry = sum("brand_registrations").over(
        Window.partitionBy("area_type", "area_id", "period_type", "period_start", "period_end", "segment"));
    return j.withColumn("industry_registrations", industry)
        .select(col("area_type"), col("area_id"), col("period_type"), col("period_start"), col("period_end"), col("segment"),
            col("brand"), col("industry_registrations"), col("brand_registrations"),
            col("brand_registrations").divide(col("industry_registrations")).as("share"));
  }

  /**
   * Counted registrations per geo unit x segment x brand x calendar month over the whole history
   * given (for forecasting), with the unit's county, configured territory and the PMA of the
   * row's brand (null when the brand has no PMA). Months without registrations have no row.
   */
  public static Dataset<Row> monthlyRegistrations(Dataset<Row> counted, Dataset<Row> unitAreas, Dataset<Row> assignment,
      java.time.LocalDate asOf) {
    Dataset<Row> m = counted.groupBy(col("geo_unit_id"), col("segment"), col("make").as("brand"), col("reg_month").as("month"))
        .agg(count(lit(1)).as("registrations"));
    Dataset<Row> areas = unitAreas.select(col("geo_unit_id").as("_a_unit"), col("county_id"), col("territory_id"));
    Dataset<Row> pma = assignment.where(col("method").equalTo(Territories.PMA))
        .select(col("geo_unit_id").as("_p_unit"), col("brand").as("_p_brand"), col("territory_id").as("pma_territory_id"));
    Dataset<Row> j = m.join(areas, m.col("geo_unit_id").equalTo(areas.col("_a_unit")), "left");
    j = j.join(pma, j.col("geo_unit_id").equalTo(pma.col("_p_unit")).and(j.col("brand").equalTo(pma.col("_p_brand"))), "left");
    Column partial = col("month").equalTo(lit(Date.valueOf(asOf.withDayOfMonth(1))))
        .and(lit(asOf.getDayOfMonth() < asOf.lengthOfMonth()));
    return j.select(col("geo_unit_id"), col("county_id"), col("territory_id"), col("pma_territory_id"), col("segment"),
        col("brand"), col("month"), col("registrations"), partial.as("is_partial_month"));
  }
}
