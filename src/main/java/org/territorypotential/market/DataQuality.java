package org.territorypotential.market;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The market job's data-quality rows (table market_data_quality): for each check, the rows
 * affected, the base they are a share of, and the share. Pure transform.
 */
public final class DataQuality {
  private DataQuality() {}

  public static final String UNCLASSIFIED = "unclassified_segment";
  public static final String UNLOCATED = "unlocated_registrations";
  public static final String FLEET = "fleet_registrations_excluded";
  public static final String NO_SELLER = "sales_without_selling_dealer";
  public static final String CUSTOMER_UNLOCATED = "sales_customer_unlocated";
  public static final String SELLER_NOT_OPEN = "sales_by_dealer_not_open";
  public static final String BENCHMARK_UNLOCATED = "benchmark_share_unlocated_left_out";

  /**
   * @param windowRegs every registration of the window (after {@link MarketShare#withSegment},
   *     before the located / retail filters)
   * @param matrix {@link CrossSell#matrix}
   */
  public static Dataset<Row> checks(Dataset<Row> windowRegs, Dataset<Row> matrix, boolean retailOnly) {
    Column located = col("geo_unit_id").isNotNull();
    Column counted = retailOnly ? located.and(col("is_fleet").equalTo(false)) : located;
    Dataset<Row> r = windowRegs.agg(count(lit(1)).as("n"),
        count(when(col("segment").equalTo(MarketShare.UNCLASSIFIED), lit(1))).as("unclassified"),
        count(when(counted, lit(1))).as("counted"),
        count(when(counted.and(col("segment").equalTo(MarketShare.UNCLASSIFIED)), lit(1))).as("unclassified_counted"),
        count(when(located.equalTo(false), lit(1))).as("unlocated"),
        count(when(col("is_fleet"), lit(1))).as("fleet"));
    Dataset<Row> s = matrix.agg(sum("sales").as("sales"),
        sum(when(col("is_without_selling_dealer"), col("sales"))).as("no_seller"),
        sum(when(col("is_customer_unlocated"), col("sales"))).as("customer_unlocated"),
        sum(when(col("is_without_selling_dealer").equalTo(false).and(col("is_selling_dealer_open").equalTo(false)), col("sales")))
            .as("not_open"));
    String fleetDesc = retailOnly ? "fleet registrations of the window, left out (tp.market.retail-only)"
        : "fleet registrations of the window (counted: tp.market.retail-only = false)";
    String stack = "stack(7,"
        + row(UNCLASSIFIED, "unclassified", "n", "registrations of the window whose segment is neither given nor in the"
            + " segment reference (counted as segment UNCLASSIFIED), share of all registrations of the window")
        + "," + row(UNCLASSIFIED + "_counted", "unclassified_counted", "counted",
            "counted registrations (located, retail) in segment UNCLASSIFIED, share of the counted volume")
        + "," + row(UNLOCATED, "unlocated", "n", "registrations of the window with no geo unit: not counted")
        + "," + row(FLEET, "fleet", "n", fleetDesc)
        + "," + row(NO_SELLER, "no_seller", "sales", "sales of the window without a selling dealer (flagged in cross_sell;"
            + " they count as unattributed_sales_in_pma, in nobody's pump-in)")
        + "," + row(CUSTOMER_UNLOCATED, "customer_unlocated", "sales", "sales of the window whose customer has no geo unit")
        + "," + row(SELLER_NOT_OPEN, "not_open", "sales", "sales of the window by a dealer not open at the run date"
            + " (closed, or not a known dealer); they count as pump-in where the customer lies in a PMA")
        + ") AS (check_name, affected, base, description)";
    return r.crossJoin(s).select(expr(stack)).unionByName(benchmarkEffect(windowRegs, retailOnly))
        .select(col("check_name"), expr("coalesce(affected, 0)").as("affected"), expr("coalesce(base, 0)").as("base"),
            expr("CASE WHEN coalesce(base, 0) > 0 THEN coalesce(affected, 0) / base END").as("share"), col("description"));
  }

  /**
   * The effect of taking benchmark shares over located registrations only (docs/market.md, "What is
   * counted"): affected = the window's registrations that would be counted but are unlocated, base =
   * those plus the counted ones (every counted registration, located or not), and in the
   * description the largest change of a brand's share of a segment (over the whole run area) had
   * the unlocated ones been included, in percentage points, with its brand and segment.
   * One row: check_name, affected, base, description.
   */
  static Dataset<Row> benchmarkEffect(Dataset<Row> windowRegs, boolean retailOnly) {
    Dataset<Row> eligible = retailOnly ? windowRegs.where(col("is_fleet").equalTo(false)) : windowRegs;
    Dataset<Row> cells = eligible.groupBy(col("segment"), col("make"))
        .agg(count(lit(1)).as("_n_all"), count(col("geo_unit_id")).as("_n_loc"));
    org.apache.spark.sql.expressions.WindowSpec seg = org.apache.spark.sql.expressions.Window.partitionBy("segment");
    Dataset<Row> shifts = cells.withColumn("_i_all", sum("_n_all").over(seg)).withColumn("_i_loc", sum("_n_loc").over(seg))
        .withColumn("_shift", expr("abs(_n_all / _i_all - CASE WHEN _i_loc > 0 THEN _n_loc / _i_loc ELSE 0 END)"));
    return shifts.agg(sum("_n_all").minus(sum("_n_loc")).as("affected"), sum("_n_all").as("base"),
            expr("max(struct(_shift, make, segment))").as("_max"))
        .select(lit(BENCHMARK_UNLOCATED).as("check_name"), col("affected").cast("bigint").as("affected"),
            col("base").cast("bigint").as("base"),
            expr("concat('registrations of the window that would be counted but are unlocated: left out of every"
                + " benchmark share, which is over located registrations only (docs/market.md); had they been included, a"
                + " brand share of a segment over the whole run area would move by at most ', coalesce(format_number(_max._shift"
                + " * 100, 3), '0'), ' percentage points', coalesce(concat(' (', _max.make, ', ', _max.segment, ')'), ''))")
                .as("description"));
  }

  private static String row(String check, String affected, String base, String description) {
    return "'" + check + "', CAST(" + affected + " AS BIGINT), CAST(" + base + " AS BIGINT), '" + description.replace("'", "\\'") + "'";
  }
}
