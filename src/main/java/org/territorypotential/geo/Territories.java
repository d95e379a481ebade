package org.territorypotential.geo;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Geo unit -> territory (docs/spatial.md): configured territories from the territories input,
 * and derived dealer Primary Market Areas: per brand, each unit belongs to its nearest open
 * dealer of that brand (Sedona KNN join, great-circle distance from the unit centroid).
 */
public final class Territories {
  private Territories() {}

  public static final String CONFIGURED = "configured";
  public static final String PMA = "pma";

  /** The columns of territory_assignment (before run_id and as_of), in order. */
  public static final String[] COLUMNS = {"geo_unit_id", "level", "territory_id", "brand", "method", "dealer_id",
      "distance_km", "runner_up_dealer_id", "runner_up_distance_km", "is_multiple_dealer_area", "district", "region"};

  /**
   * Dealers open on {@code asOf} (open_date null or <= asOf; close_date null or > asOf), with
   * coordinates, of the given brands (upper case; empty = every brand).
   */
  public static Dataset<Row> filterOpenDealers(Dataset<Row> dealers, LocalDate asOf, List<String> brands) {
    Column day = lit(java.sql.Date.valueOf(asOf));
    Dataset<Row> open = dealers.where(col("open_date").isNull().or(col("open_date").leq(day))
        .and(col("close_date").isNull().or(col("close_date").gt(day)))
        .and(col("longitude").isNotNull()).and(col("latitude").isNotNull()));
    if (!brands.isEmpty()) {
      open = open.where(upper(col("brand")).isin(brands.stream().map(String::toUpperCase).toArray()));
    }
    return open;
  }

  /**
   * Derived PMAs for {@code brands}: per unit (silver units at the locate level) and brand, the
   * nearest and runner-up dealer among {@code openDealers} by a Sedona KNN join
   * {@code ST_KNN(unit centroid, dealer, 2, true)} (ties at the k-th distance included, see
   * spark.sedona.join.knn.includeTieBreakers), distances by ST_DistanceSphere in km, ranked by
   * distance rounded to 1 mm and then dealer_id, so equidistant dealers go to the smallest id.
   * A unit is a Multiple Dealer Area when the runner-up is within {@code mdaRadiusKm}.
   */
  public static Dataset<Row> pmas(Dataset<Row> units, Dataset<Row> openDealers, List<String> brands, double mdaRadiusKm) {
    // A unit whose polygon is empty (a source polygon that repairs to nothing) has no centroid:
    // it can belong to no PMA, and Sedona's spheroid KNN fails on an empty point.
    Dataset<Row> q = units.where(expr("centroid_lon IS NOT NULL AND NOT isnan(centroid_lon)"))
        .select(col("geo_unit_id").as("_u"), col("level").as("_level"),
        expr("ST_Point(centroid_lon, centroid_lat)").as("_c"));
    List<Dataset<Row>> perBrand = new ArrayList<>();
    for (String brand : brands) {
      Dataset<Row> o = openDealers.where(col("brand").equalTo(brand))
          .select(col("dealer_id").as("_d"), expr("ST_Point(longitude, latitude)").as("_dg"));
      perBrand.add(q.join(o, expr("ST_KNN(_c, _dg, 2, true)"), "inner")
          .select(col("_u"), col("_level"), lit(brand).as("_brand"), col("_d"),
              expr("ST_DistanceSphere(_c, _dg) / 1000").as("_km")));
    }
    if (perBrand.isEmpty()) {
      return units.sparkSession().emptyDataFrame().selectExpr(
          "CAST(NULL AS STRING) AS geo_unit_id", "CAST(NULL AS STRING) AS level", "CAST(NULL AS STRING) AS territory_id",
          "CAST(NULL AS STRING) AS brand", "CAST(NULL AS STRING) AS method", "CAST(NULL AS STRING) AS dealer_id",
          "CAST(NULL AS DOUBLE) AS distance_km", "CAST(NULL AS STRING) AS runner_up_dealer_id",
          "CAST(NULL AS DOUBLE) AS runner_up_distance_km", "CAST(NULL AS BOOLEAN) AS is_multiple_dealer_area",
          "CAST(NULL AS STRING) AS district", "CAST(NULL AS STRING) AS region");
    }
    Dataset<Row> nearest = perBrand.stream().reduce(Dataset::unionByName).orElseThrow();
    Column rank = row_number().over(Window.partitionBy("_u", "_brand").orderBy(round(col("_km"), 6), col("_d")));
    Column first = col("_rank").equalTo(1);
    Column second = col("_rank").equalTo(2);
    return nearest.withColumn("_rank", rank)
        .groupBy("_u", "_level", "_brand")
        .agg(max(when(first, col("_d"))).as("dealer_id"), max(when(first, col("_km"))).as("distance_km"),
            max(when(second, col("_d"))).as("runner_up_dealer_id"), max(when(second, col("_km"))).as("runner_up_distance_km"))
        .select(col("_u").as("geo_unit_id"), col("_level").as("level"), concat(lit("PMA-"), col("dealer_id")).as("territory_id"),
            col("_brand").as("brand"), lit(PMA).as("method"), col("dealer_id"), col("distance_km"),
            col("runner_up_dealer_id"), col("runner_up_distance_km"),
            col("runner_up_distance_km").isNotNull().and(col("runner_up_distance_km").leq(mdaRadiusKm))
                .as("is_multiple_dealer_area"),
            lit(null).cast("string").as("district"), lit(null).cast("string").as("region"));
  }

  /** Configured territories (the territories input): brand null = every brand; level from the silver units. */
  public static Dataset<Row> configured(Dataset<Row> territories, Dataset<Row> silverUnits) {
    Dataset<Row> levels = silverUnits.select(col("geo_unit_id").as("_lu"), col("level"));
    return territories.join(broadcast(levels), territories.col("geo_unit_id").equalTo(levels.col("_lu")), "left")
        .select(col("geo_unit_id"), col("level"), col("territory_id"), lit(null).cast("string").as("brand"),
            lit(CONFIGURED).as("method"), lit(null).cast("string").as("dealer_id"), lit(null).cast("double").as("distance_km"),
            lit(null).cast("string").as("runner_up_dealer_id"), lit(null).cast("double").as("runner_up_distance_km"),
            lit(null).cast("boolean").as("is_multiple_dealer_area"), col("district"), col("region"));
  }
}
