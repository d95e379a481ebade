package org.territorypotential.design;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.upper;

import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.territorypotential.forecast.ForecastJob;
import org.territorypotential.forecast.Levels;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.score.ScoreParams;
import org.territorypotential.score.Scores;

/** The design stage's transforms: the adjacency self-join and the per-unit frame the driver collects. */
public final class DesignFrames {
  private DesignFrames() {}

  /**
   * The pinned inputs of the per-unit frame ({@link #units}), read once for the design and segment
   * stages: silver geo units, the demand forecast, the potential scores, the territory assignment,
   * the located dealers and registrations.
   */
  public record UnitInputs(Dataset<Row> geo, Dataset<Row> forecast, Dataset<Row> scores, Dataset<Row> assignment,
      Dataset<Row> dealers, Dataset<Row> registrations) {
    public static UnitInputs read(Lake lake, LocalDate asOf, Map<String, Long> versions) {
      return new UnitInputs(lake.readPinned(Table.GEO_UNITS_SILVER, asOf, versions),
          lake.readPinned(Table.DEMAND_FORECAST, asOf, versions), lake.readPinned(Table.POTENTIAL_SCORES, asOf, versions),
          lake.readPinned(Table.TERRITORY_ASSIGNMENT, asOf, versions), lake.readPinned(Table.DEALERS_LOCATED, asOf, versions),
          lake.readPinned(Table.REGISTRATIONS_LOCATED, asOf, versions));
    }

    /** {@link #units} of these inputs, the level's units in the score stage's territories of {@code territoryType}. */
    public Dataset<Row> units(String level, int months, String territoryType, ScoreParams sp, LocalDate windowStart,
        LocalDate asOf) {
      Dataset<Row> membership = Scores.territories(assignment, geo.where(col("level").equalTo(level)).select("geo_unit_id"), sp);
      return DesignFrames.units(geo, level, forecast, months, membership, scores, territoryType, dealers, sp.brand(),
          registrations, windowStart, asOf);
    }
  }

  /**
   * Pairs of units whose polygons share a boundary of positive length, with that length in km
   * (ST_LengthSpheroid of the intersection's lines). One inner Sedona self-join on
   * ST_Intersects, which Sedona plans as a RangeJoin; pairs touching at a point only are left out.
   * In: geo_unit_id, geometry (WKB). Out: a_id, b_id (a_id &lt; b_id), shared_km.
   */
  public static Dataset<Row> adjacency(Dataset<Row> units) {
    return adjacency(units, 0.0);
  }

  /**
   * As {@link #adjacency(Dataset)}; with {@code toleranceM} &gt; 0 (tp.design.adjacency-tolerance-m)
   * for polygons simplified one by one, which leave gaps and overlaps between neighbours: b's
   * polygon is buffered by that many metres on the spheroid (ST_Buffer with useSpheroid), the
   * self-join is ST_Intersects(a, buffered b), and the shared length is a's boundary inside the
   * buffer (ST_LengthSpheroid). Still one self-join on ST_Intersects of two geometry columns. A
   * pair must share more than twice the tolerance: units that touch (or nearly touch) at a corner
   * have up to one tolerance of each of a's two sides there inside b's buffer, and stay no
   * neighbours, as under the exact rule (DesignJobTest).
   */
  public static Dataset<Row> adjacency(Dataset<Row> units, double toleranceM) {
    boolean buffered = toleranceM > 0;
    Dataset<Row> a = units.select(col("geo_unit_id").as("a_id"), expr("ST_GeomFromWKB(geometry)").as("a_geom"));
    Dataset<Row> b = units.select(col("geo_unit_id").as("b_id"), expr(buffered
        ? "ST_Buffer(ST_GeomFromWKB(geometry), " + toleranceM + ", true)" : "ST_GeomFromWKB(geometry)").as("b_geom"));
    String shared = buffered ? "ST_Intersection(ST_Boundary(a_geom), b_geom)" : "ST_Intersection(a_geom, b_geom)";
    return a.join(b, expr("ST_Intersects(a_geom, b_geom)"), "inner")
        .where(col("a_id").lt(col("b_id")))
        .select(col("a_id"), col("b_id"),
            expr("ST_LengthSpheroid(ST_CollectionExtract(" + shared + ", 2)) / 1000.0").as("shared_km"))
        .where(col("shared_km").gt(buffered ? 2 * toleranceM / 1000.0 : 0));
  }

  /**
   * One row per unit of the level that has a centroid (a unit without one, an empty or unrepairable
   * polygon, cannot be placed and is left out): centroid, area, perimeter (km, on the spheroid), industry demand
   * over the next {@code months} forecast months (unit level), the current territory and its
   * attainable rate (potential_units / demand_next_12 of that territory, segment ALL; the brand's
   * overall rate for a unit in none), the open dealers of the brand located in it, and the
   * registrations (all brands) located in it from {@code windowStart} to the run date.
   */
  public static Dataset<Row> units(Dataset<Row> geoUnits, String level, Dataset<Row> forecast, int months,
      Dataset<Row> membership, Dataset<Row> scores, String territoryType, Dataset<Row> dealers, String brand,
      Dataset<Row> registrations, LocalDate windowStart, LocalDate asOf) {
    Dataset<Row> u = geoUnits.where(col("level").equalTo(level).and(col("centroid_lon").isNotNull())
            .and(col("centroid_lat").isNotNull())).select(col("geo_unit_id"), col("centroid_lon"),
        col("centroid_lat"), col("area_km2"), expr("ST_LengthSpheroid(ST_Boundary(ST_GeomFromWKB(geometry))) / 1000.0")
            .as("perimeter_km"));
    Dataset<Row> demand = forecast.where(col("scope").equalTo(ForecastJob.SCOPE_INDUSTRY)
        .and(col("level").equalTo(Levels.UNIT)).and(col("horizon").leq(months)))
        .groupBy(col("series_id").as("geo_unit_id")).agg(sum("forecast").as("demand"));
    Dataset<Row> rate = scores.where(col("segment").equalTo(Scores.ALL).and(col("territory_type").equalTo(territoryType)))
        .select(col("territory_id"), expr("CASE WHEN demand_next_12 > 0 THEN potential_units / demand_next_12 ELSE 0 END")
            .as("rate"), col("potential_units"), col("demand_next_12"));
    Row overall = rate.agg(sum("potential_units"), sum("demand_next_12")).first();
    double overallRate = overall.isNullAt(1) || overall.getDouble(1) <= 0 ? 0 : overall.getDouble(0) / overall.getDouble(1);
    Dataset<Row> current = membership.where(col("territory_type").equalTo(territoryType))
        .select(col("geo_unit_id"), col("territory_id"));
    java.sql.Date d = java.sql.Date.valueOf(asOf);
    Dataset<Row> dealerCount = dealers.where(upper(col("brand")).equalTo(brand)
            .and(col("open_date").isNull().or(col("open_date").leq(lit(d))))
            .and(col("close_date").isNull().or(col("close_date").gt(lit(d)))).and(col("geo_unit_id").isNotNull()))
        .groupBy("geo_unit_id").agg(count(lit(1)).as("dealers"));
    Dataset<Row> regs = registrations.where(col("geo_unit_id").isNotNull()
            .and(col("registration_date").between(lit(java.sql.Date.valueOf(windowStart)), lit(d))))
        .groupBy("geo_unit_id").agg(count(lit(1)).as("registrations"));
    return u.join(demand, new String[] {"geo_unit_id"}, "left")
        .join(regs, new String[] {"geo_unit_id"}, "left")
        .join(current, new String[] {"geo_unit_id"}, "left")
        .join(rate.select("territory_id", "rate"), new String[] {"territory_id"}, "left")
        .join(dealerCount, new String[] {"geo_unit_id"}, "left")
        .select(col("geo_unit_id"), col("centroid_lon"), col("centroid_lat"), col("area_km2"), col("perimeter_km"),
            coalesce(col("demand"), lit(0.0)).as("demand"), col("territory_id"),
            coalesce(col("rate"), lit(overallRate)).as("rate"), coalesce(col("dealers"), lit(0L)).as("dealers"),
            coalesce(col("registrations"), lit(0L)).as("registrations"))
        .orderBy("geo_unit_id");
  }
}
