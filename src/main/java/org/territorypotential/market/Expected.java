package org.territorypotential.market;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.territorypotential.geo.Territories;

/**
 * Segment-adjusted expected registrations per dealer PMA (docs/market.md):
 * {@code expected_d = sum over s of share_bs(benchmark area of d) x industry_s(PMA_d)}, and the
 * locally adjusted one, where each PMA unit takes the share of its local area (county by
 * default) when that area has enough registrations of the segment. Pure transforms.
 */
public final class Expected {
  private Expected() {}

  public static final String FROM_DEALER_UNIT = "dealer location";
  public static final String FROM_PMA_UNITS = "smallest area id among its PMA units (dealer not in a geo unit)";

  /**
   * The dealers measured: the given open dealers, with their PMA (territory_id, pma_units, 0
   * and null when no unit has them as nearest dealer) and benchmark area: the area of the unit
   * the dealer stands in, else the smallest area id among its PMA units.
   * Columns: dealer_id, dealer_name, brand, territory_id, pma_units, benchmark_area_id, benchmark_area_source.
   */
  public static Dataset<Row> dealers(Dataset<Row> openDealers, Dataset<Row> assignment, Dataset<Row> unitAreas) {
    Dataset<Row> areas = unitAreas.select(col("geo_unit_id").as("_a_unit"), col("benchmark_area_id").as("_a_area"));
    Dataset<Row> pma = assignment.where(col("method").equalTo(Territories.PMA));
    Dataset<Row> pmaAgg = pma.join(areas, pma.col("geo_unit_id").equalTo(areas.col("_a_unit")), "left")
        .groupBy(col("dealer_id").as("_p_dealer"))
        .agg(min("territory_id").as("territory_id"), count(lit(1)).as("pma_units"), min("_a_area").as("_pma_area"));
    Dataset<Row> d = openDealers.select(col("dealer_id"), col("name").as("dealer_name"), col("brand"), col("geo_unit_id"));
    Dataset<Row> j = d.join(areas, d.col("geo_unit_id").equalTo(areas.col("_a_unit")), "left");
    j = j.join(pmaAgg, j.col("dealer_id").equalTo(pmaAgg.col("_p_dealer")), "left");
    return j.select(col("dealer_id"), col("dealer_name"), col("brand"), col("territory_id"),
        coalesce(col("pma_units"), lit(0L)).as("pma_units"),
        coalesce(col("_a_area"), col("_pma_area")).as("benchmark_area_id"),
        when(col("_a_area").isNotNull(), lit(FROM_DEALER_UNIT)).when(col("_pma_area").isNotNull(), lit(FROM_PMA_UNITS))
            .as("benchmark_area_source"));
  }

  /**
   * Per dealer x segment (every segment counted anywhere in the window): industry and brand
   * registrations in the PMA, the benchmark area's industry and brand registrations and share,
   * expected registrations, and the local adjustment's share, areas and expected.
   *
   * @param windowCounts unit counts of the window period: geo_unit_id, segment, brand, registrations
   */
  public static Dataset<Row> bySegment(Dataset<Row> windowCounts, Dataset<Row> dealers, Dataset<Row> assignment,
      Dataset<Row> unitAreas, MarketParams p) {
    Dataset<Row> wc = windowCounts.select("geo_unit_id", "segment", "brand", "registrations");
    Dataset<Row> ua = unitAreas.select("geo_unit_id", "benchmark_area_id", "local_area_id");
    Dataset<Row> wca = wc.join(ua, new String[] {"geo_unit_id"}, "inner");

    // standard benchmark: per area and segment, industry and brand registrations
    Dataset<Row> areaInd = wca.groupBy(col("benchmark_area_id"), col("segment"))
        .agg(sum("registrations").as("benchmark_industry_registrations"));
    Dataset<Row> areaBrand = wca.groupBy(col("benchmark_area_id"), col("segment"), col("brand"))
        .agg(sum("registrations").as("benchmark_brand_registrations"));
    Dataset<Row> segments = wc.select("segment").distinct();
    Dataset<Row> grid = dealers.select("dealer_id", "brand", "territory_id", "benchmark_area_id").crossJoin(segments)
        .join(areaInd, new String[] {"benchmark_area_id", "segment"}, "left")
        .join(areaBrand, new String[] {"benchmark_area_id", "segment", "brand"}, "left")
        .withColumn("benchmark_industry_registrations", coalesce(col("benchmark_industry_registrations"), lit(0L)))
        .withColumn("benchmark_brand_registrations", coalesce(col("benchmark_brand_registrations"), lit(0L)));
    grid = grid.withColumn("benchmark_share", when(col("benchmark_industry_registrations").gt(0),
        col("benchmark_brand_registrations").divide(col("benchmark_industry_registrations"))));

    // local areas: per area and segment
    Dataset<Row> localInd = wca.groupBy(col("local_area_id"), col("segment")).agg(sum("registrations").as("_local_industry"));
    Dataset<Row> localBrand = wca.groupBy(col("local_area_id").as("_lb_area"), col("segment").as("_lb_segment"),
        col("brand").as("_lb_brand")).agg(sum("registrations").as("_local_brand"));

    // per dealer x PMA unit x segment: industry and the dealer brand's registrations in the unit
    Dataset<Row> pma = assignment.where(col("method").equalTo(Territories.PMA)).select("geo_unit_id", "dealer_id");
    Dataset<Row> du = pma.join(dealers.select(col("dealer_id"), col("brand").as("dealer_brand")), new String[] {"dealer_id"}, "inner");
    Dataset<Row> perUnit = du.join(wca, new String[] {"geo_unit_id"}, "inner")
        .groupBy("dealer_id", "dealer_brand", "geo_unit_id", "local_area_id", "segment")
        .agg(sum("registrations").as("_industry_u"),
            sum(when(col("brand").equalTo(col("dealer_brand")), col("registrations")).otherwise(0L)).as("_brand_u"));
    perUnit = perUnit.join(localInd, new String[] {"local_area_id", "segment"}, "left");
    // renamed keys: both sides derive from wca, and same-named columns of a self-join are ambiguous
    perUnit = perUnit.join(localBrand, col("local_area_id").equalTo(col("_lb_area"))
        .and(col("segment").equalTo(col("_lb_segment"))).and(col("dealer_brand").equalTo(col("_lb_brand"))), "left");
    perUnit = perUnit.join(grid.select("dealer_id", "segment", "benchmark_share"), new String[] {"dealer_id", "segment"}, "inner");
    Column useLocal = col("_local_industry").geq(p.localMinIndustry());
    Column localShare = when(useLocal, coalesce(col("_local_brand"), lit(0L)).divide(col("_local_industry")))
        .otherwise(coalesce(col("benchmark_share"), lit(0.0)));
    Dataset<Row> agg = perUnit.groupBy("dealer_id", "segment").agg(
        sum("_industry_u").as("industry_registrations"),
        sum("_brand_u").as("brand_registrations"),
        sum(localShare.multiply(col("_industry_u"))).as("_expected_local"),
        concat_ws(",", array_sort(collect_set("local_area_id"))).as("local_area_ids"),
        count(when(useLocal.isNull().or(useLocal.equalTo(false)), lit(1))).as("local_fallback_units"));

    Column industry = coalesce(col("industry_registrations"), lit(0L));
    Dataset<Row> out = grid.join(agg, new String[] {"dealer_id", "segment"}, "left")
        .withColumn("industry_registrations", industry)
        .withColumn("brand_registrations", coalesce(col("brand_registrations"), lit(0L)))
        .withColumn("expected_registrations", coalesce(col("benchmark_share"), lit(0.0)).multiply(industry))
        .withColumn("expected_registrations_local", coalesce(col("_expected_local"), lit(0.0)))
        .withColumn("local_benchmark_share", when(industry.gt(0), col("_expected_local").divide(industry)))
        .withColumn("local_fallback_units", coalesce(col("local_fallback_units"), lit(0L)))
        .withColumn("note", when(col("benchmark_share").isNull().and(industry.gt(0)),
            lit("no registrations of the segment in the benchmark area: expected 0"))
            .when(industry.equalTo(0), lit("no registrations of the segment in the PMA: expected 0")));
    return out.select(col("dealer_id"), col("brand"), col("territory_id"), col("segment"), col("industry_registrations"),
        col("brand_registrations"), lit(p.benchmarkArea()).as("benchmark_area"), col("benchmark_area_id"),
        col("benchmark_industry_registrations"), col("benchmark_brand_registrations"), col("benchmark_share"),
        col("expected_registrations"), lit(p.localArea()).as("local_area"), col("local_area_ids"),
        col("local_fallback_units"), col("local_benchmark_share"), col("expected_registrations_local"), col("note"));
  }
}
