package org.territorypotential.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;

/**
 * Placement in its declared order (docs/spatial.md, "How a record is located") and the unit
 * hierarchy, on hand-drawn ZCTAs, tracts and counties at 47-48 N.
 *
 * <pre>
 *  lat 48 +--------------------------+--------------------------+
 *         | county 53001             | county 53003             |      (both parent '53')
 *         |        +-------+-------+-+----+                     |
 *  47.6   |  coast | 98100 | 98200 |      | tract TX9 (no GEOID) |  98300: -122.3 .. -121.9 x 47.2 .. 47.3
 *  (sea)  |  x=-122.5      |       |  98300 straddles: 0.3 deg in 53001, 0.1 in 53003
 *  47.5   |        +-------+-------+                            |  TX9: -122.1 .. -121.5 x 47.7 .. 47.8
 *         |                          |                          |    (0.1 in 53001, 0.5 in 53003)
 *  lat 47 +--------------------------+--------------------------+  99900: beyond every county (lat 48.5)
 *       -123                       -122                       -121
 *  98100: -122.5 .. -122.4, 98200: -122.4 .. -122.3 (lat 47.5 .. 47.6); the coastline is 98100's west edge.
 *  Tract 53001000100 lies in 53003 (-121.5 .. -121.4 x 47.1 .. 47.2): its GEOID prefix wins over the overlap.
 * </pre>
 *
 * A 50 m step west of -122.5 at 47.55 N is 0.05 / (111.195 x cos 47.55) = 0.000666 degrees of longitude.
 */
class PlacementTest {
  static SparkSession spark;
  static Dataset<Row> units;

  static final double M50 = 0.05 / (Locate.KM_PER_DEGREE * Math.cos(Math.toRadians(47.55)));

  static final String GEO_UNITS = String.join(",",
      "('53001', 'county', 'West', '53', 'POLYGON ((-123 47, -122 47, -122 48, -123 48, -123 47))')",
      "('53003', 'county', 'East', '53', 'POLYGON ((-122 47, -121 47, -121 48, -122 48, -122 47))')",
      "('98100', 'zcta', '98100', NULL, 'POLYGON ((-122.5 47.5, -122.4 47.5, -122.4 47.6, -122.5 47.6, -122.5 47.5))')",
      "('98200', 'zcta', '98200', NULL, 'POLYGON ((-122.4 47.5, -122.3 47.5, -122.3 47.6, -122.4 47.6, -122.4 47.5))')",
      "('98300', 'zcta', '98300', NULL, 'POLYGON ((-122.3 47.2, -121.9 47.2, -121.9 47.3, -122.3 47.3, -122.3 47.2))')",
      "('99900', 'zcta', '99900', NULL, 'POLYGON ((-122.3 48.5, -122.2 48.5, -122.2 48.6, -122.3 48.6, -122.3 48.5))')",
      "('TX9', 'tract', 'No GEOID', NULL, 'POLYGON ((-122.1 47.7, -121.5 47.7, -121.5 47.8, -122.1 47.8, -122.1 47.7))')",
      "('53001000100', 'tract', 'Coded', NULL, 'POLYGON ((-121.5 47.1, -121.4 47.1, -121.4 47.2, -121.5 47.2, -121.5 47.1))')");

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    units = GeoUnits.toSilver(spark.sql("SELECT geo_unit_id, level, name, parent_id, ST_AsBinary(ST_GeomFromWKT(wkt)) AS geometry"
        + " FROM VALUES " + GEO_UNITS + " AS t(geo_unit_id, level, name, parent_id, wkt)")).localCheckpoint();
  }

  static Dataset<Row> located(double toleranceKm) {
    double off = -122.5 - M50;
    Dataset<Row> regs = spark.sql("SELECT * FROM VALUES"
        + " ('P1', " + off + "D, 47.55D, NULL, '98200', NULL),"        // 50 m off the coast, valid code -> code (98200)
        + " ('P2', " + off + "D, 47.55D, NULL, NULL, NULL),"           // 50 m off, no code -> nearest 98100, 0.05 km
        + " ('P3', " + off + "D, 47.55D, NULL, '99999', NULL),"        // 50 m off, a zip with no ZCTA -> nearest
        + " ('P4', " + (-122.5 - 10 * M50) + "D, 47.55D, NULL, NULL, NULL)," // 500 m off, no code -> unlocated
        + " ('P5', -122.45D, 47.55D, NULL, '98200', NULL),"            // in 98100, code says 98200: the point wins
        + " ('P6', -122.45D, 47.55D, NULL, '98100', NULL),"            // in 98100, code agrees
        + " ('P7', NULL, NULL, NULL, '98200', NULL)"                   // no point: the code
        + " AS t(registration_id, longitude, latitude, geo_unit_id, zip, county)");
    Locate.Envelope env = Locate.Envelope.of(units, 0.5);
    return Locate.locateRecords(regs, Locate.Input.REGISTRATIONS, units, "zcta", env, true, toleranceKm);
  }

  /** registration_id -> geo_unit_id|located_by|locate_method|has_code_mismatch|distance km (3 decimals). */
  static Map<String, String> outcome(Dataset<Row> frame) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : frame.select("registration_id", "geo_unit_id", "located_by", "locate_method", "has_code_mismatch",
        "distance_to_unit_km", "unlocated_reason").collectAsList()) {
      out.put(r.getString(0), r.getString(1) + "|" + r.getString(2) + "|" + r.getString(3) + "|" + r.get(4) + "|"
          + (r.isNullAt(5) ? "null" : String.format(java.util.Locale.ROOT, "%.3f", r.getDouble(5)))
          + (r.isNullAt(6) ? "" : "|" + r.getString(6)));
    }
    return out;
  }

  @Test
  void aPointOffTheCoastIsPlacedByCodeThenByNearestWithinTheTolerance() {
    Map<String, String> want = new TreeMap<>();
    want.put("P1", "98200|code|zip|null|0.050");
    want.put("P2", "98100|nearest|nearest_unit|null|0.050");
    want.put("P3", "98100|nearest|nearest_unit|null|0.050");
    want.put("P4", "null|null|null|null|0.500|" + Locate.IN_NO_UNIT);
    want.put("P5", "98100|point|point_in_polygon|true|null");
    want.put("P6", "98100|point|point_in_polygon|false|null");
    want.put("P7", "98200|code|zip|null|null");
    assertEquals(want, outcome(located(0.2)));
  }

  @Test
  void withoutATolerancePointsWithoutACodeStayUnlocated() {
    Map<String, String> got = outcome(located(0.0));
    assertEquals("null|null|null|null|0.050|" + Locate.IN_NO_UNIT, got.get("P2"));
    assertEquals("98200|code|zip|null|0.050", got.get("P1"), "the code does not need the tolerance");
  }

  @Test
  void zctasAndTractsGetTheirCountyByCodeElseByLargestOverlap() {
    Map<String, String> got = new TreeMap<>();
    for (Row r : units.select("geo_unit_id", "county_id", "state_id").collectAsList()) {
      got.put(r.getString(0), r.getString(1) + "/" + r.getString(2));
    }
    Map<String, String> want = new TreeMap<>();
    want.put("53001", "53001/53");
    want.put("53003", "53003/53");
    want.put("98100", "53001/53");
    want.put("98200", "53001/53");
    want.put("98300", "53001/53");      // straddles: 0.3 degrees in 53001 against 0.1 in 53003
    want.put("TX9", "53003/53");        // straddles: 0.5 degrees in 53003 against 0.1 in 53001
    want.put("53001000100", "53001/53"); // GEOID prefix, though its polygon lies in 53003
    want.put("99900", "null/null");      // overlaps no county: stays unknown (market refuses to use it)
    assertEquals(want, got);
    assertNull(units.where("geo_unit_id = '99900'").first().getAs("county_id"));
  }
}
