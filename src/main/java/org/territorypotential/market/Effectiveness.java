package org.territorypotential.market;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percent_rank;
import static org.apache.spark.sql.functions.rank;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Dealer performance (docs/market.md): registration effectiveness
 * {@code 100 x brand registrations in the PMA / expected}, sales effectiveness
 * {@code 100 x own sales / expected}, each also against the locally adjusted expected; bands,
 * rank and percentile among the brand's dealers in the same benchmark area, throughput, and
 * pump-in / pump-out. Expected 0 gives a null effectiveness and a reason. Pure transform.
 */
public final class Effectiveness {
  private Effectiveness() {}

  public static final String SUPERIOR = "superior";
  public static final String SATISFACTORY = "satisfactory";
  public static final String NEEDS_IMPROVEMENT = "needs_improvement";
  public static final String NEEDS_SIGNIFICANT_IMPROVEMENT = "needs_significant_improvement";
  public static final String UNSATISFACTORY = "unsatisfactory";

  public static final String NO_PMA = "no PMA: no geo unit has this dealer as its nearest dealer of the brand";
  public static final String NO_INDUSTRY = "expected is 0: no counted registrations in the PMA in the window";
  public static final String ZERO_SHARE = "expected is 0: the brand has no registrations in the benchmark area"
      + " in the segments registered in the PMA";
  public static final String NO_SALES_INPUT = "no sales input for the brand (dealer sales unknown)";

  /**
   * @param bySegment {@link Expected#bySegment} rows
   * @param dealers {@link Expected#dealers} rows
   * @param perDealer {@link CrossSell#perDealer} rows
   */
  public static Dataset<Row> performance(Dataset<Row> bySegment, Dataset<Row> dealers, Dataset<Row> perDealer,
      MarketParams p) {
    Dataset<Row> agg = bySegment.groupBy("dealer_id").agg(
        sum("industry_registrations").as("industry_registrations"),
        sum("brand_registrations").as("actual_registrations"),
        sum("expected_registrations").as("expected_registrations"),
        sum("expected_registrations_local").as("expected_registrations_local"));
    Dataset<Row> j = dealers.join(agg, new String[] {"dealer_id"}, "left")
        .join(perDealer, new String[] {"dealer_id"}, "left");
    for (String c : new String[] {"industry_registrations", "actual_registrations"}) {
      j = j.withColumn(c, coalesce(col(c), lit(0L)));
    }
    for (String c : new String[] {"expected_registrations", "expected_registrations_local"}) {
      j = j.withColumn(c, coalesce(col(c), lit(0.0)));
    }
    Column hasSales = coalesce(col("cross_sell_source").equalTo(CrossSell.FROM_SALES), lit(false));
    Column sales = when(hasSales, col("own_sales"));
    j = j.withColumn("actual_sales", sales)
        .withColumn("registration_effectiveness", effectiveness(col("actual_registrations"), col("expected_registrations")))
        .withColumn("registration_effectiveness_local",
            effectiveness(col("actual_registrations"), col("expected_registrations_local")))
        .withColumn("sales_effectiveness", effectiveness(col("actual_sales"), col("expected_registrations")))
        .withColumn("sales_effectiveness_local", effectiveness(col("actual_sales"), col("expected_registrations_local")))
        .withColumn("effectiveness_null_reason", when(col("expected_registrations").leq(0), zeroReason()))
        .withColumn("effectiveness_local_null_reason", when(col("expected_registrations_local").leq(0), zeroReason()))
        .withColumn("sales_effectiveness_null_reason",
            when(hasSales.equalTo(false), lit(NO_SALES_INPUT)).when(col("expected_registrations").leq(0), zeroReason()));

    // rank and percentile among the brand's measured dealers in the same benchmark area
    j = ranked(j, "registration_effectiveness", "rank_in_area", "percentile_in_area", "dealers_in_area");
    j = ranked(j, "sales_effectiveness", "sales_rank_in_area", "sales_percentile_in_area", "sales_dealers_in_area");
    j = j.withColumn("band", band(col("registration_effectiveness"), col("percentile_in_area"), p.bands()))
        .withColumn("sales_band", band(col("sales_effectiveness"), col("sales_percentile_in_area"), p.bands()));

    WindowSpec area = Window.partitionBy("brand", "benchmark_area_id");
    j = j.withColumn("area_throughput", sum("actual_sales").over(area).divide(count(lit(1)).over(area)));
    return j.select(col("dealer_id"), col("dealer_name"), col("brand"), col("territory_id"), col("pma_units"),
        lit(p.benchmarkArea()).as("benchmark_area"), col("benchmark_area_id"), col("benchmark_area_source"),
        col("industry_registrations"), col("actual_registrations"), col("actual_sales"), col("expected_registrations"),
        col("expected_registrations_local"), col("registration_effectiveness"), col("registration_effectiveness_local"),
        col("sales_effectiveness"), col("sales_effectiveness_local"), col("effectiveness_null_reason"),
        col("effectiveness_local_null_reason"), col("sales_effectiveness_null_reason"), col("band"), col("sales_band"),
        col("rank_in_area"), col("percentile_in_area"), col("dealers_in_area"), col("sales_rank_in_area"),
        col("sales_percentile_in_area"), col("actual_sales").as("throughput"), col("area_throughput"),
        col("cross_sell_source"), col("own_sales"), col("retained_sales"), col("pump_in"), col("pump_out"),
        col("own_sales_customer_unlocated"), col("unattributed_sales_in_pma"), col("retention"));
  }

  /** 100 x actual / expected; null when expected is not positive or actual is null (never infinite). */
  static Column effectiveness(Column actual, Column expected) {
    return when(expected.gt(0).and(actual.isNotNull()), actual.multiply(100.0).divide(expected));
  }

  private static Column zeroReason() {
    return when(col("pma_units").equalTo(0), lit(NO_PMA))
        .when(col("industry_registrations").equalTo(0), lit(NO_INDUSTRY))
        .otherwise(lit(ZERO_SHARE));
  }

  /**
   * Rank (1 = highest) and percentile (percent_rank x 100: 0 = lowest, 100 = highest; a lone
   * dealer is 0) of {@code value} among dealers of the same brand and benchmark area with a
   * non-null value; null where the value is null.
   */
  private static Dataset<Row> ranked(Dataset<Row> j, String value, String rankCol, String pctCol, String nCol) {
    WindowSpec w = Window.partitionBy(col("brand"), col("benchmark_area_id"), col(value).isNull());
    Column v = col(value);
    return j.withColumn(rankCol, when(v.isNotNull(), rank().over(w.orderBy(v.desc()))))
        .withColumn(pctCol, when(v.isNotNull(), percent_rank().over(w.orderBy(v.asc())).multiply(100.0)))
        .withColumn(nCol, when(v.isNotNull(), count(lit(1)).over(w)));
  }

  /** The band of an effectiveness and its percentile (thresholds from configuration). */
  static Column band(Column eff, Column percentile, MarketParams.Bands b) {
    return when(eff.isNull(), lit(null).cast("string"))
        .when(eff.geq(b.satisfactoryAt()),
            when(percentile.geq(b.superiorPercentile()), lit(SUPERIOR)).otherwise(lit(SATISFACTORY)))
        .when(eff.geq(b.needsImprovementAt()), lit(NEEDS_IMPROVEMENT))
        .when(percentile.leq(b.unsatisfactoryPercentile()), lit(UNSATISFACTORY))
        .otherwise(lit(NEEDS_SIGNIFICANT_IMPROVEMENT));
  }
}
