package org.territorypotential.geo;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Silver geo units: the bronze polygons, repaired with {@code ST_MakeValid} when invalid, with
 * their area on the spheroid, centroid, bounding box and the county / state they lie in.
 */
public final class GeoUnits {
  private GeoUnits() {}

  /** The columns of silver geo units (before run_id and as_of), in order. */
  public static final String[] COLUMNS = {"geo_unit_id", "level", "name", "parent_id", "county_id", "state_id", "geometry",
      "area_km2", "centroid_lon", "centroid_lat", "min_lon", "max_lon", "min_lat", "max_lat", "is_repaired"};

  /**
   * Bronze geo units (geo_unit_id, level, name, parent_id, geometry as WKB) to silver.
   * {@code county_id}: the unit itself for a county; its parent when the parent is a county; the
   * first 5 digits of an 11-digit tract GEOID; else, for any unit below county level (a ZCTA, a
   * tract without a GEOID), the county polygon it overlaps most ({@link #withLargestOverlapCounty}).
   * {@code state_id}: the unit itself for a state, its parent when that is a state, its county's
   * parent, else the 2-digit FIPS prefix of a numeric county id. Area: {@code ST_AreaSpheroid}
   * (WGS84) in km², on the polygon with its rings oriented by {@code ST_ForcePolygonCCW}
   * (unoriented holes are otherwise added, not subtracted).
   */
  public static Dataset<Row> toSilver(Dataset<Row> bronze) {
    Dataset<Row> g = bronze
        .select(col("geo_unit_id"), col("level"), col("name"), col("parent_id"), expr("ST_GeomFromWKB(geometry)").as("_raw"))
        .withColumn("is_repaired", expr("NOT ST_IsValid(_raw)"))
        .withColumn("_geom", expr("CASE WHEN is_repaired THEN ST_MakeValid(_raw) ELSE _raw END"));
    Dataset<Row> parents = bronze.select(col("geo_unit_id").as("_p_id"), col("level").as("_p_level"),
        col("parent_id").as("_p_parent"));
    Dataset<Row> h = g.join(parents, g.col("parent_id").equalTo(parents.col("_p_id")), "left")
        .withColumn("_code_county", expr("CASE WHEN level = 'county' THEN geo_unit_id"
            + " WHEN _p_level = 'county' THEN parent_id"
            + " WHEN level = 'tract' AND geo_unit_id RLIKE '^[0-9]{11}$' THEN substr(geo_unit_id, 1, 5) END"));
    h = withLargestOverlapCounty(h);
    // the county's own parent (a state, or whatever the source gives): the state of a unit placed by overlap
    Dataset<Row> counties = bronze.where(col("level").equalTo("county"))
        .select(col("geo_unit_id").as("_c_id"), col("parent_id").as("_c_parent"));
    return h.join(broadcast(counties), h.col("county_id").equalTo(counties.col("_c_id")), "left")
        .withColumn("state_id", expr("CASE WHEN level = 'state' THEN geo_unit_id"
            + " WHEN _p_level = 'state' THEN parent_id"
            + " WHEN _p_level = 'county' AND _p_parent IS NOT NULL THEN _p_parent"
            + " WHEN level <> 'county' AND _c_parent IS NOT NULL THEN _c_parent"
            + " WHEN county_id RLIKE '^[0-9]{5}$' THEN substr(county_id, 1, 2) END"))
        .withColumn("geometry", expr("ST_AsBinary(_geom)"))
        // ST_AreaSpheroid adds a hole whose ring runs the same way as the shell: orient rings first
        .withColumn("area_km2", expr("ST_AreaSpheroid(ST_ForcePolygonCCW(_geom)) / 1e6"))
        .withColumn("centroid_lon", expr("ST_X(ST_Centroid(_geom))"))
        .withColumn("centroid_lat", expr("ST_Y(ST_Centroid(_geom))"))
        .withColumn("min_lon", expr("ST_XMin(_geom)"))
        .withColumn("max_lon", expr("ST_XMax(_geom)"))
        .withColumn("min_lat", expr("ST_YMin(_geom)"))
        .withColumn("max_lat", expr("ST_YMax(_geom)"))
        .selectExpr(COLUMNS);
  }

  /**
   * {@code county_id} = {@code _code_county} when set; else, for a unit below county level (not a
   * county or state), the county whose polygon overlaps it most: a Sedona join
   * {@code ST_Intersects(county, unit)} with the county polygons broadcast (BroadcastIndexJoin),
   * only over the units without a county by code, then the largest planar intersection area
   * (degrees², fine for comparing the counties of one unit), ties to the smallest county id.
   * A unit that overlaps no county (or is empty) keeps a null county.
   */
  static Dataset<Row> withLargestOverlapCounty(Dataset<Row> units) {
    Dataset<Row> need = units.where(col("_code_county").isNull().and(col("level").isin("county", "state").unary_$bang()))
        .select(col("geo_unit_id").as("_o_unit"), col("_geom").as("_o_geom"));
    Dataset<Row> counties = units.where(col("level").equalTo("county"))
        .select(col("geo_unit_id").as("_o_county"), col("_geom").as("_o_cgeom"));
    Dataset<Row> overlap = need.join(broadcast(counties), expr("ST_Intersects(_o_cgeom, _o_geom)"), "inner")
        .withColumn("_o_area", expr("ST_Area(ST_Intersection(_o_cgeom, _o_geom))"))
        // min of (-area, id): the largest overlap, ties to the smallest county id
        .groupBy("_o_unit").agg(expr("min(struct(-_o_area AS a, _o_county AS c))").as("_o_best"));
    return units.join(overlap, units.col("geo_unit_id").equalTo(overlap.col("_o_unit")), "left")
        .withColumn("county_id", coalesce(col("_code_county"), col("_o_best.c")))
        .drop("_o_unit", "_o_best", "_code_county");
  }
}
