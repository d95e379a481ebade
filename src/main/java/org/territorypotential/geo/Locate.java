package org.territorypotential.geo;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Locating records in geo units (docs/spatial.md): coordinates are checked against the region's
 * envelope (else quarantined), then located by a Sedona point-in-polygon join (inner, indexed,
 * joined back on the record id so nothing is lost); records without coordinates are located by
 * code (geo_unit_id, zip -> ZCTA, county). Pure transforms; {@link LocateJob} reads and writes.
 */
public final class Locate {
  private Locate() {}

  public static final String POINT_IN_POLYGON = "point_in_polygon";
  public static final String BY_GEO_UNIT_ID = "geo_unit_id";
  public static final String BY_ZIP = "zip";
  public static final String BY_COUNTY = "county";
  public static final String BY_NEAREST = "nearest_unit";

  /** located_by: the placement rule that placed the record, in the order they are tried. */
  public static final String LOCATED_BY_POINT = "point";
  public static final String LOCATED_BY_CODE = "code";
  public static final String LOCATED_BY_NEAREST = "nearest";

  public static final String SWAPPED = "coordinates look swapped";
  public static final String OUTSIDE_ENVELOPE = "outside the region envelope";
  public static final String IN_NO_UNIT = "point in no geo unit, no code for the level, no unit within the tolerance";
  public static final String CODE_NOT_FOUND = "no coordinates; geo_unit_id / zip / county matches no unit at the locate level";
  public static final String NO_LOCATION = "no coordinates and no geo_unit_id, zip or county";

  /** Internal columns carried between the steps (dropped by {@link #located}); {@link #pointInPolygon} reads them. */
  public static final String ID = "_id";
  public static final String LON = "_lon";
  public static final String LAT = "_lat";
  static final String QUARANTINE_REASON = "_quarantine_reason";
  private static final Set<String> BRONZE_RUN_COLUMNS = Set.of("run_id", "ingested_at", "as_of");

  /** The columns located records gain. */
  public static final List<String> LOCATE_COLUMNS = List.of("geo_unit_id", "county_id", "locate_level", "located_by",
      "locate_method", "unlocated_reason", "matched_units", "distance_to_unit_km", "has_code_mismatch");

  /**
   * How one bronze input maps onto the locate keys; a null column means the input has none.
   * The input's own {@code geo_unit_id} (registrations) is renamed {@code source_geo_unit_id}.
   */
  public record Input(String name, String table, String idColumn, String lonColumn, String latColumn,
      String geoUnitColumn, String zipColumn, String countyColumn) {
    public static final Input DEALERS = new Input("dealers", "dealers", "dealer_id", "longitude", "latitude", null, null, null);
    public static final Input REGISTRATIONS = new Input("registrations", "registrations", "registration_id", "longitude",
        "latitude", "geo_unit_id", "zip", "county");
    public static final Input SALES = new Input("sales", "sales", "sale_id", "customer_longitude", "customer_latitude",
        null, "customer_zip", null);

    /** The quarantine source name of this input's locate rejections. */
    public String quarantineSource() {
      return "locate:" + name;
    }
  }

  /** The region's envelope: the union bounding box of the geo units, widened by a margin in degrees. */
  public record Envelope(double minLon, double minLat, double maxLon, double maxLat) {
    public static Envelope of(Dataset<Row> silverUnits, double marginDeg) {
      Row r = silverUnits.agg(min("min_lon"), min("min_lat"), max("max_lon"), max("max_lat")).first();
      if (r.isNullAt(0)) {
        throw new IllegalArgumentException("no geo units: the region envelope is undefined");
      }
      return new Envelope(r.getDouble(0) - marginDeg, r.getDouble(1) - marginDeg, r.getDouble(2) + marginDeg,
          r.getDouble(3) + marginDeg);
    }

    Column contains(Column lon, Column lat) {
      return lon.between(minLon, maxLon).and(lat.between(minLat, maxLat));
    }
  }

  /**
   * Every record with its locate result: the record's columns (its own geo_unit_id renamed
   * source_geo_unit_id), plus geo_unit_id, locate_level, located_by, locate_method,
   * unlocated_reason, matched_units, distance_to_unit_km, has_code_mismatch and the internal keys;
   * {@value #QUARANTINE_REASON} is set for coordinates outside the envelope (those rows get no
   * unit). One row per input row. Placement, in order: a point inside a unit (point); a point
   * outside every unit, or no point, with a code that resolves at the level (code); a point
   * within {@code toleranceKm} of a unit (nearest, {@link #nearestUnits}); else unlocated with
   * the reason. A point inside a unit wins over a code that names another unit
   * (has_code_mismatch = true).
   */
  public static Dataset<Row> locateRecords(Dataset<Row> records, Input in, Dataset<Row> silverUnits, String level,
      Envelope env, boolean broadcastUnits, double toleranceKm) {
    Dataset<Row> placed = placeByPointAndCode(records, in, silverUnits, level, env, broadcastUnits);
    return withPlacement(placed, nearestUnits(pointsInNoUnit(placed), silverUnits.where(col("level").equalTo(level)), env,
        broadcastUnits, toleranceKm));
  }

  /**
   * The first pass of {@link #locateRecords}: the locate keys, {@value #QUARANTINE_REASON} for
   * coordinates outside the envelope, point in polygon ({@code _pip_unit}, {@code matched_units})
   * and the code lookups ({@code _gid_unit}, {@code _zip_unit}, {@code _county_unit}). One row per
   * input row. The job persists it and runs the nearest-unit join only when
   * {@link #pointsInNoUnit} has rows (docs/spatial.md).
   */
  public static Dataset<Row> placeByPointAndCode(Dataset<Row> records, Input in, Dataset<Row> silverUnits, String level,
      Envelope env, boolean broadcastUnits) {
    Dataset<Row> r = withLocateKeys(records, in).withColumn("_level", lit(level));
    Column lon = col(LON);
    Column lat = col(LAT);
    Column hasXy = lon.isNotNull().and(lat.isNotNull());
    r = r.withColumn(QUARANTINE_REASON,
        when(hasXy.and(env.contains(lon, lat).unary_$bang()).and(env.contains(lat, lon)), lit(SWAPPED))
            .when(hasXy.and(env.contains(lon, lat).unary_$bang()), lit(OUTSIDE_ENVELOPE)));

    Dataset<Row> units = silverUnits.where(col("level").equalTo(level));
    Dataset<Row> pip = pointInPolygon(r.where(hasXy.and(col(QUARANTINE_REASON).isNull())).select(ID, LON, LAT), units,
        broadcastUnits);
    r = r.join(pip, r.col(ID).equalTo(pip.col("_pip_id")), "left").drop("_pip_id");

    Dataset<Row> atLevel = unitAtLevel(silverUnits, level);
    r = joinCode(r, "_code_gid", codeLookup(atLevel.select(col("geo_unit_id").as("_code"), col("unit_at_level"))), "_gid_unit");
    r = joinCode(r, "_code_zip", codeLookup(zipToUnit(silverUnits, units, level, broadcastUnits)), "_zip_unit");
    return joinCode(r, "_code_county", codeLookup(atLevel.where(col("level").equalTo("county"))
        .select(countyKey(col("name")).as("_code"), col("unit_at_level"))
        .unionByName(atLevel.where(col("level").equalTo("county")).select(col("geo_unit_id").as("_code"), col("unit_at_level")))),
        "_county_unit");
  }

  /** The points of a first pass that lie in no unit (normally few): the nearest-unit join's input (_id, _lon, _lat). */
  public static Dataset<Row> pointsInNoUnit(Dataset<Row> placed) {
    return placed.where(col(QUARANTINE_REASON).isNull().and(col(LON).isNotNull()).and(col(LAT).isNotNull())
        .and(col("_pip_unit").isNull())).select(ID, LON, LAT);
  }

  /**
   * The second pass of {@link #locateRecords}: the first pass's rows with their nearest unit
   * ({@code near}, from {@link #nearestUnits} over {@link #pointsInNoUnit}; null when no point
   * missed, which gives the same rows without the join) and the placement columns.
   */
  public static Dataset<Row> withPlacement(Dataset<Row> placed, Dataset<Row> near) {
    Dataset<Row> r = near == null
        ? placed.withColumn("_near_unit", lit(null).cast("string")).withColumn("distance_to_unit_km", lit(null).cast("double"))
        : placed.join(near, placed.col(ID).equalTo(near.col("_near_id")), "left").drop("_near_id");
    Column ok = col(QUARANTINE_REASON).isNull();
    Column hasXy = col(LON).isNotNull().and(col(LAT).isNotNull());
    Column byCode = coalesce(col("_gid_unit"), col("_zip_unit"), col("_county_unit"));
    Column anyCode = col("_code_gid").isNotNull().or(col("_code_zip").isNotNull()).or(col("_code_county").isNotNull());
    Column codeMethod = when(col("_gid_unit").isNotNull(), lit(BY_GEO_UNIT_ID))
        .when(col("_zip_unit").isNotNull(), lit(BY_ZIP))
        .when(col("_county_unit").isNotNull(), lit(BY_COUNTY));
    Column locatedBy = when(ok, when(col("_pip_unit").isNotNull(), lit(LOCATED_BY_POINT))
        .when(byCode.isNotNull(), lit(LOCATED_BY_CODE))
        .when(col("_near_unit").isNotNull(), lit(LOCATED_BY_NEAREST)));
    return r
        .withColumn("located_by", locatedBy)
        .withColumn("geo_unit_id", when(col("located_by").equalTo(LOCATED_BY_POINT), col("_pip_unit"))
            .when(col("located_by").equalTo(LOCATED_BY_CODE), byCode)
            .when(col("located_by").equalTo(LOCATED_BY_NEAREST), col("_near_unit")))
        .withColumn("locate_level", col("_level"))
        .withColumn("locate_method", when(col("located_by").equalTo(LOCATED_BY_POINT), lit(POINT_IN_POLYGON))
            .when(col("located_by").equalTo(LOCATED_BY_CODE), codeMethod)
            .when(col("located_by").equalTo(LOCATED_BY_NEAREST), lit(BY_NEAREST)))
        .withColumn("unlocated_reason", when(ok.and(col("geo_unit_id").isNull()),
            when(hasXy, lit(IN_NO_UNIT)).when(anyCode, lit(CODE_NOT_FOUND)).otherwise(lit(NO_LOCATION))))
        .withColumn("has_code_mismatch", when(col("located_by").equalTo(LOCATED_BY_POINT).and(byCode.isNotNull()),
            col("_pip_unit").notEqual(byCode)))
        .drop("_pip_unit", "_gid_unit", "_zip_unit", "_county_unit", "_code_gid", "_code_zip", "_code_county", "_near_unit",
            "_level");
  }

  /**
   * Sedona point-in-polygon: the matches of {@link #pointMatches}, one row per point. A point on a
   * shared edge or where units overlap matches several: the smallest geo_unit_id wins (min in a hash
   * aggregate by point, so a point is never doubled and the choice does not depend on partitioning)
   * and matched_units counts them. Returns _pip_id, _pip_unit, matched_units.
   */
  public static Dataset<Row> pointInPolygon(Dataset<Row> points, Dataset<Row> units, boolean broadcastUnits) {
    // an aggregate, not a row_number window: no sort of every match (docs/BENCHMARKS.md, "Locating points")
    return pointMatches(points, units, broadcastUnits).groupBy(col("_pip_id"))
        .agg(min(col("_unit")).as("_pip_unit"), count(lit(1)).cast("int").as("matched_units"));
  }

  /**
   * Sedona's INNER join on {@code ST_Intersects(polygon, point)} (planned as RangeJoin, or
   * BroadcastIndexJoin when the polygons are broadcast): one row per point and unit it touches,
   * with _pip_id, _pt, _unit, _poly.
   */
  public static Dataset<Row> pointMatches(Dataset<Row> points, Dataset<Row> units, boolean broadcastUnits) {
    Dataset<Row> p = points.select(col(ID).as("_pip_id"), expr("ST_Point(" + LON + ", " + LAT + ")").as("_pt"));
    Dataset<Row> u = units.select(col("geo_unit_id").as("_unit"), expr("ST_GeomFromWKB(geometry)").as("_poly"));
    return p.join(broadcastUnits ? broadcast(u) : u, expr("ST_Intersects(_poly, _pt)"), "inner");
  }

  /** Kilometres per degree of latitude on the sphere of ST_DistanceSphere (radius 6371.008 km). */
  static final double KM_PER_DEGREE = 6371.008 * Math.PI / 180;

  /**
   * For points in no unit (columns _id, _lon, _lat): the nearest unit within {@code toleranceKm}
   * ({@code _near_unit}, null when none) and the km to the nearest unit edge
   * ({@code distance_to_unit_km}). Candidates, in one plan over only these points: every unit
   * within the tolerance (a Sedona distance join {@code ST_DWithin(polygon, point, degrees)}, the
   * polygons broadcast when {@code broadcastUnits}; the radius in degrees is the tolerance at the
   * envelope's highest latitude, a superset) and the 3 units with the nearest centroids (a KNN
   * join, so a point beyond the tolerance still gets its distance). Distances are planar in a
   * local equirectangular frame around the point (longitudes scaled by the cosine of its latitude,
   * then degrees x {@link #KM_PER_DEGREE}): within 0.1% of the great-circle distance up to some
   * 100 km. Within the tolerance the nearest unit is exact (every unit within it is a candidate;
   * ties go to the smallest geo_unit_id); beyond it the distance is an upper bound (exact unless
   * a unit with a farther centroid reaches closer). Columns _near_id, _near_unit, distance_to_unit_km.
   */
  public static Dataset<Row> nearestUnits(Dataset<Row> points, Dataset<Row> unitsAtLevel, Envelope env,
      boolean broadcastUnits, double toleranceKm) {
    Dataset<Row> pts = points.select(col(ID).as("_near_id"), expr("ST_Point(" + LON + ", " + LAT + ")").as("_pt"));
    Dataset<Row> u = unitsAtLevel.select(col("geo_unit_id").as("_n_unit"), expr("ST_GeomFromWKB(geometry)").as("_poly"))
        .where(expr("NOT ST_IsEmpty(_poly)"));
    // broadcast: the object side (polygons) of a KNN join; a partitioned KNN join fails on an empty query side
    Dataset<Row> cand = pts.join(broadcastUnits ? broadcast(u) : u, expr("ST_KNN(_pt, _poly, 3, false)"), "inner");
    if (toleranceKm > 0) {
      double maxAbsLat = Math.min(89.0, Math.max(Math.abs(env.minLat()), Math.abs(env.maxLat())));
      double radiusDeg = toleranceKm / (KM_PER_DEGREE * Math.cos(Math.toRadians(maxAbsLat)));
      cand = cand.unionByName(pts.join(broadcastUnits ? broadcast(u) : u,
          expr("ST_DWithin(_poly, _pt, " + radiusDeg + "D)"), "inner"));
    }
    Column km = expr("ST_Distance(ST_Affine(_poly, cos(radians(ST_Y(_pt))), 0D, 0D, 1D, 0D, 0D),"
        + " ST_Affine(_pt, cos(radians(ST_Y(_pt))), 0D, 0D, 1D, 0D, 0D)) * " + KM_PER_DEGREE);
    return cand.select(col("_near_id"), struct(km.as("km"), col("_n_unit").as("unit")).as("_c"))
        .groupBy("_near_id").agg(min("_c").as("_best"))
        .select(col("_near_id"), when(col("_best.km").leq(toleranceKm), col("_best.unit")).as("_near_unit"),
            col("_best.km").as("distance_to_unit_km"));
  }

  /**
   * Incremental locate: the records whose result in the previous run still holds, in the located
   * table's shape (the record's current columns, the previous run's {@link #LOCATE_COLUMNS}). A
   * record is reused when the previous located partition has its id with exactly the same
   * locate keys (coordinates, geo_unit_id, zip, county as {@link #withLocateKeys} normalises them)
   * and its coordinates, if any, lie inside the current envelope, and its result does not depend
   * on the nearest-unit tolerance (which may have changed): it was located by point in polygon, or
   * has no coordinates. Points that missed every unit (normally few) are located again. Only valid
   * when the geo units and the level are those of the previous run ({@link #unitsFingerprint}); the
   * caller checks.
   */
  public static Dataset<Row> reusable(Dataset<Row> records, Input in, Dataset<Row> previousLocated, Envelope env) {
    Dataset<Row> cur = withLocateKeys(records, in);
    Column hasXy = col(LON).isNotNull().and(col(LAT).isNotNull());
    cur = cur.where(hasXy.unary_$bang().or(env.contains(col(LON), col(LAT))));
    List<Column> prevCols = new ArrayList<>();
    prevCols.add(col(in.idColumn()));
    prevCols.add(col(in.lonColumn()));
    prevCols.add(col(in.latColumn()));
    if (in.geoUnitColumn() != null) {
      // the located table holds the record's own code as source_geo_unit_id; withLocateKeys expects the input's name
      String stored = "geo_unit_id".equals(in.geoUnitColumn()) ? "source_geo_unit_id" : in.geoUnitColumn();
      prevCols.add(col(stored).as(in.geoUnitColumn()));
    }
    for (String c : new String[] {in.zipColumn(), in.countyColumn()}) {
      if (c != null) {
        prevCols.add(col(c));
      }
    }
    for (String c : LOCATE_COLUMNS) {
      prevCols.add(col(c).as("_prev_" + c));
    }
    Dataset<Row> prev = withLocateKeys(previousLocated.select(prevCols.toArray(new Column[0])), in);
    List<String> keys = List.of(ID, LON, LAT, "_code_gid", "_code_zip", "_code_county");
    Column on = null;
    for (String k : keys) {
      Column eq = cur.col(k).eqNullSafe(prev.col(k));
      on = on == null ? eq : on.and(eq);
    }
    Dataset<Row> j = cur.join(prev, on, "inner")
        .where(prev.col("_prev_locate_method").equalTo(POINT_IN_POLYGON).or(cur.col(LON).isNull()).or(cur.col(LAT).isNull()));
    List<Column> out = new ArrayList<>();
    for (String c : recordColumns(cur)) {
      out.add(cur.col(c));
    }
    for (String c : LOCATE_COLUMNS) {
      out.add(prev.col("_prev_" + c).as(c));
    }
    return j.select(out.toArray(new Column[0]));
  }

  /**
   * Order-independent fingerprint of a set of silver geo units (count, and the XOR of a 64-bit
   * hash of each unit's id, level, parent, name and geometry): equal fingerprints mean every
   * point and code locates the same way, so a previous run's results can be reused.
   */
  public static String unitsFingerprint(Dataset<Row> silverUnits) {
    Row r = silverUnits.agg(count(lit(1)),
        expr("bit_xor(xxhash64(geo_unit_id, level, coalesce(parent_id, ''), coalesce(name, ''), geometry))")).first();
    return r.getLong(0) + ":" + (r.isNullAt(1) ? 0 : r.getLong(1));
  }

  /** The located rows (not quarantined) in their table's shape: the record's columns, then {@link #LOCATE_COLUMNS}. */
  public static Dataset<Row> located(Dataset<Row> frame, Dataset<Row> silverUnits, String level) {
    Dataset<Row> counties = silverUnits.where(col("level").equalTo(level))
        .select(col("geo_unit_id").as("_c_unit"), col("county_id"));
    Dataset<Row> f = frame.where(col(QUARANTINE_REASON).isNull());
    f = f.join(broadcast(counties), f.col("geo_unit_id").equalTo(counties.col("_c_unit")), "left");
    List<Column> cols = new ArrayList<>();
    for (String c : recordColumns(frame)) {
      cols.add(col(c));
    }
    for (String c : LOCATE_COLUMNS) {
      cols.add(col(c));
    }
    return f.select(cols.toArray(new Column[0]));
  }

  /**
   * Rows whose coordinates fall outside the envelope, in the quarantine table's shape (before
   * run_id and as_of): the bronze record as JSON (with its own column names), its lineage, and
   * when it was ingested.
   */
  public static Dataset<Row> quarantined(Dataset<Row> frame, Input in) {
    Column[] raw = recordColumns(frame).stream().filter(c -> !c.equals("source_file") && !c.equals("source_row"))
        .map(c -> c.equals("source_geo_unit_id") ? col(c).as("geo_unit_id") : col(c)).toArray(Column[]::new);
    List<String> cols = List.of(frame.columns());
    return frame.where(col(QUARANTINE_REASON).isNotNull())
        .select(lit(in.quarantineSource()).as("source"),
            (cols.contains("source_file") ? col("source_file") : lit(null)).cast("string").as("source_file"),
            (cols.contains("source_row") ? col("source_row") : lit(null)).cast("bigint").as("source_row"),
            to_json(struct(raw)).as("raw_record"),
            col(QUARANTINE_REASON).as("reason"),
            (cols.contains("ingested_at") ? col("ingested_at") : lit(null)).cast("timestamp").as("ingested_at"));
  }

  /** The record's own columns in a locate frame (everything but internal, locate and bronze run columns). */
  static List<String> recordColumns(Dataset<Row> frame) {
    List<String> out = new ArrayList<>();
    for (String c : frame.columns()) {
      if (!c.startsWith("_") && !LOCATE_COLUMNS.contains(c) && !c.equals("locate_level") && !BRONZE_RUN_COLUMNS.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /** Adds the internal keys: record id, coordinates and the codes (trimmed; zip cut to 5 characters; county normalised). */
  static Dataset<Row> withLocateKeys(Dataset<Row> records, Input in) {
    Dataset<Row> r = records;
    String gid = in.geoUnitColumn();
    if ("geo_unit_id".equals(gid)) {
      r = r.withColumnRenamed("geo_unit_id", "source_geo_unit_id");
      gid = "source_geo_unit_id";
    }
    return r
        .withColumn(ID, col(in.idColumn()))
        .withColumn(LON, col(in.lonColumn()).cast("double"))
        .withColumn(LAT, col(in.latColumn()).cast("double"))
        .withColumn("_code_gid", gid == null ? lit(null).cast("string") : nullIfBlank(col(gid)))
        .withColumn("_code_zip", in.zipColumn() == null ? lit(null).cast("string")
            : substring(nullIfBlank(col(in.zipColumn())), 1, 5))
        .withColumn("_code_county", in.countyColumn() == null ? lit(null).cast("string")
            : countyKey(nullIfBlank(col(in.countyColumn()))));
  }

  private static Column nullIfBlank(Column c) {
    Column t = trim(c.cast("string"));
    return when(t.notEqual(lit("")), t);
  }

  /** County names compare upper case, without a trailing " County". */
  static Column countyKey(Column name) {
    return upper(trim(regexp_replace(name, "(?i)\\s+county$", "")));
  }

  /**
   * Every unit with its ancestor at {@code level} (itself, its parent or its grandparent), so a
   * code given at a finer level (a tract id when locating at county) maps up the hierarchy.
   */
  public static Dataset<Row> unitAtLevel(Dataset<Row> silverUnits, String level) {
    Dataset<Row> u = silverUnits.select("geo_unit_id", "level", "name", "parent_id");
    Dataset<Row> p1 = silverUnits.select(col("geo_unit_id").as("_p1_id"), col("level").as("_p1_level"),
        col("parent_id").as("_p1_parent"));
    Dataset<Row> p2 = silverUnits.select(col("geo_unit_id").as("_p2_id"), col("level").as("_p2_level"));
    return u.join(p1, u.col("parent_id").equalTo(p1.col("_p1_id")), "left")
        .join(p2, col("_p1_parent").equalTo(p2.col("_p2_id")), "left")
        .withColumn("unit_at_level", when(col("level").equalTo(level), col("geo_unit_id"))
            .when(col("_p1_level").equalTo(level), col("_p1_id"))
            .when(col("_p2_level").equalTo(level), col("_p2_id")))
        .select("geo_unit_id", "level", "name", "unit_at_level");
  }

  /**
   * zip -> unit at {@code level}: the ZCTA of that zip itself when locating at zcta level, else
   * the unit containing the ZCTA's centroid (the same point-in-polygon join). Columns _code, unit_at_level.
   */
  static Dataset<Row> zipToUnit(Dataset<Row> silverUnits, Dataset<Row> unitsAtLevel, String level, boolean broadcastUnits) {
    Dataset<Row> zcta = silverUnits.where(col("level").equalTo("zcta"));
    if (level.equals("zcta")) {
      return zcta.select(col("geo_unit_id").as("_code"), col("geo_unit_id").as("unit_at_level"));
    }
    Dataset<Row> centroids = zcta.select(col("geo_unit_id").as(ID), col("centroid_lon").as(LON), col("centroid_lat").as(LAT));
    return pointInPolygon(centroids, unitsAtLevel, broadcastUnits)
        .select(col("_pip_id").as("_code"), col("_pip_unit").as("unit_at_level"));
  }

  /** code -> unit, keeping only codes that name exactly one unit (an ambiguous county name locates nothing). */
  private static Dataset<Row> codeLookup(Dataset<Row> codeToUnit) {
    return codeToUnit.where(col("_code").isNotNull().and(col("unit_at_level").isNotNull()))
        .groupBy("_code").agg(min("unit_at_level").as("_unit"), countDistinct("unit_at_level").as("_n"))
        .where(col("_n").equalTo(1)).drop("_n");
  }

  private static Dataset<Row> joinCode(Dataset<Row> r, String codeColumn, Dataset<Row> lookup, String unitColumn) {
    Dataset<Row> l = lookup.select(col("_code").as("_lk_" + unitColumn), col("_unit").as(unitColumn));
    return r.join(broadcast(l), r.col(codeColumn).equalTo(l.col("_lk_" + unitColumn)), "left").drop("_lk_" + unitColumn);
  }
}
