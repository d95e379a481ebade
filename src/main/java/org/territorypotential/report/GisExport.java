package org.territorypotential.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.locationtech.jts.geom.Geometry;
import org.territorypotential.score.ScoreParams;

/**
 * GIS exports of the report's territories and units with their scores, at full resolution (the
 * map's simplification is for the browser only): GeoParquet (Sedona {@code format("geoparquet")}),
 * line-delimited GeoJSON (Sedona {@code format("geojson")}) and one GeoJSON FeatureCollection file.
 * Gold data only: scores, effectiveness and the dealer of a PMA; no customer or personal fields.
 */
public final class GisExport {
  private GisExport() {}

  /** Territory columns taken from potential_scores (the ALL segment row). */
  static final List<String> SCORE_COLUMNS = List.of("region", "geo_units", "demand_next_12", "potential_units", "current_pace",
      "opportunity_gap", "growth", "score", "rank_in_region", "band");

  /** Writes gis/{territories,units}.{parquet,geojsonl,geojson}; returns rows written per export. */
  public static Map<String, Long> write(SparkSession spark, ReportBuilder.Built built, Dataset<Row> scores, Dataset<Row> perf,
      ReportParams p, Path dir, LocalDate asOf) {
    List<Row> tRows = new ArrayList<>();
    built.territoryShapes().forEach((id, g) -> tRows.add(ReportJob.row(id, ReportJob.wkb(g))));
    List<Row> uRows = new ArrayList<>();
    built.unitShapes().forEach((id, g) -> uRows.add(ReportJob.row(id, built.unitTerritory().get(id), ReportJob.wkb(g))));

    Dataset<Row> typeScores = scores.where(col("territory_type").equalTo(p.territoryType()));
    List<String> scoreCols = new ArrayList<>(SCORE_COLUMNS);
    Dataset<Row> territories = spark.createDataFrame(tRows, ReportJob.wkbSchema("territory_id"))
        .join(typeScores.select(cols("territory_id", scoreCols)), new String[] {"territory_id"}, "left")
        .join(perf.select(col("territory_id"), col("dealer_id"), col("dealer_name"), col("registration_effectiveness"),
            col("registration_effectiveness_local"), col("band").as("effectiveness_band")), new String[] {"territory_id"}, "left")
        .withColumn("territory_type", lit(p.territoryType()))
        .withColumn("as_of", lit(Date.valueOf(asOf)))
        .withColumn("geometry", expr("ST_GeomFromWKB(geometry_wkb)")).drop("geometry_wkb");
    Dataset<Row> unitScores = scores.where(col("territory_type").equalTo(ScoreParams.UNIT))
        .select(col("territory_id").as("geo_unit_id"), col("score").as("unit_score"), col("opportunity_gap").as("unit_opportunity_gap"),
            col("potential_units").as("unit_potential_units"));
    Dataset<Row> units = spark.createDataFrame(uRows, ReportJob.wkbSchema("geo_unit_id", "territory_id"))
        .join(unitScores, new String[] {"geo_unit_id"}, "left")
        .join(typeScores.select(col("territory_id"), col("score").as("territory_score"),
            col("opportunity_gap").as("territory_opportunity_gap")), new String[] {"territory_id"}, "left")
        .withColumn("as_of", lit(Date.valueOf(asOf)))
        .withColumn("geometry", expr("ST_GeomFromWKB(geometry_wkb)")).drop("geometry_wkb");
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("territories", export(territories, dir, "territories"));
    out.put("units", export(units, dir, "units"));
    return out;
  }

  private static org.apache.spark.sql.Column[] cols(String first, List<String> rest) {
    List<org.apache.spark.sql.Column> c = new ArrayList<>();
    c.add(col(first));
    rest.forEach(r -> c.add(col(r)));
    return c.toArray(new org.apache.spark.sql.Column[0]);
  }

  private static long export(Dataset<Row> frame, Path dir, String name) {
    Dataset<Row> f = frame.coalesce(1).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      f.write().mode("overwrite").format("geoparquet").option("geoparquet.version", "1.0.0").save(dir.resolve(name + ".parquet").toString());
      f.write().mode("overwrite").format("geojson").save(dir.resolve(name + ".geojsonl").toString());
      List<Row> rows = f.collectAsList();
      Files.writeString(dir.resolve(name + ".geojson"), Json.write(featureCollection(rows, f.schema().fields())));
      return rows.size();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(name + ".geojson"), e);
    } finally {
      f.unpersist();
    }
  }

  /** The rows as a GeoJSON FeatureCollection (the geometry column as geometry, the rest as properties). */
  static Map<String, Object> featureCollection(List<Row> rows, StructField[] fields) {
    List<Object> features = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> props = new LinkedHashMap<>();
      Geometry g = null;
      for (int i = 0; i < fields.length; i++) {
        Object v = r.get(i);
        if ("geometry".equals(fields[i].name())) {
          g = v instanceof Geometry geom ? geom : null;
        } else {
          props.put(fields[i].name(), v instanceof Date d ? d.toString() : v);
        }
      }
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("type", "Feature");
      f.put("properties", props);
      f.put("geometry", g == null ? null : Json.geometry(g));
      features.add(f);
    }
    return Map.of("type", "FeatureCollection", "features", features);
  }
}
