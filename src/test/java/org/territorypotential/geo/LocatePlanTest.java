package org.territorypotential.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;

/**
 * The physical plans are Sedona's indexed joins (never a cartesian product or a nested loop),
 * and locating by code at coarser levels, on the pure transforms (no Delta).
 */
class LocatePlanTest {
  static SparkSession spark;
  static Dataset<Row> units;

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    Dataset<Row> bronze = spark.sql("SELECT geo_unit_id, level, name, parent_id, ST_AsBinary(ST_GeomFromWKT(wkt)) AS geometry"
        + " FROM VALUES " + LocateTest.GEO_UNITS + " AS t(geo_unit_id, level, name, parent_id, wkt)");
    units = GeoUnits.toSilver(bronze).localCheckpoint();
  }

  static Dataset<Row> registrations() {
    return spark.sql("SELECT * FROM VALUES " + LocateTest.REGISTRATIONS
        + " AS t(registration_id, longitude, latitude, geo_unit_id, zip, county)");
  }

  static final String SEDONA_BROADCAST_THRESHOLD = "spark.sedona.join.autoBroadcastJoinThreshold";

  /** The physical plan; unless {@code autoBroadcast}, with Sedona's size-based automatic broadcast off. */
  static String plan(Dataset<Row> df, boolean autoBroadcast) {
    String before = spark.conf().get(SEDONA_BROADCAST_THRESHOLD, null);
    try {
      if (!autoBroadcast) {
        spark.conf().set(SEDONA_BROADCAST_THRESHOLD, "-1");
      }
      return df.queryExecution().executedPlan().toString();
    } finally {
      if (before == null) {
        spark.conf().unset(SEDONA_BROADCAST_THRESHOLD);
      } else {
        spark.conf().set(SEDONA_BROADCAST_THRESHOLD, before);
      }
    }
  }

  static void assertNoNestedLoop(String plan) {
    assertFalse(plan.contains("CartesianProduct"), plan);
    assertFalse(plan.contains("BroadcastNestedLoopJoin"), plan);
  }

  @Test
  void pointInPolygonIsAnIndexedSpatialJoin() {
    Dataset<Row> points = spark.sql("SELECT registration_id AS _id, longitude AS _lon, latitude AS _lat FROM VALUES "
        + LocateTest.REGISTRATIONS + " AS t(registration_id, longitude, latitude, geo_unit_id, zip, county)"
        + " WHERE longitude IS NOT NULL");
    Dataset<Row> tracts = units.where("level = 'tract'");

    // without the hint Sedona broadcasts small sides by itself; with that off, it partitions both
    String auto = plan(Locate.pointInPolygon(points, tracts, false), true);
    assertTrue(auto.contains("BroadcastIndexJoin"), auto);
    assertNoNestedLoop(auto);

    String partitioned = plan(Locate.pointInPolygon(points, tracts, false), false);
    assertTrue(partitioned.contains("RangeJoin"), partitioned);
    assertNoNestedLoop(partitioned);

    String broadcast = plan(Locate.pointInPolygon(points, tracts, true), false);
    assertTrue(broadcast.contains("BroadcastIndexJoin"), broadcast);
    assertTrue(broadcast.contains("SpatialIndex _poly"), "the hinted side (polygons) is the indexed one: " + broadcast);
    assertNoNestedLoop(broadcast);
  }

  @Test
  void theWholeLocateAndPmaPlansHaveNoNestedLoop() {
    Locate.Envelope env = Locate.Envelope.of(units, 0.5);
    for (boolean b : List.of(true, false)) {
      Dataset<Row> frame = Locate.locateRecords(registrations(), Locate.Input.REGISTRATIONS, units, "tract", env, b, 0.2);
      String p = plan(Locate.located(frame, units, "tract"), false);
      assertTrue(p.contains(b ? "BroadcastIndexJoin" : "RangeJoin"), p);
      assertNoNestedLoop(p);
    }
    Dataset<Row> dealers = spark.sql("SELECT * FROM VALUES " + LocateTest.DEALERS
        + " AS t(dealer_id, name, brand, longitude, latitude, open_date, close_date)");
    String pma = plan(Territories.pmas(units.where("level = 'tract'"), dealers, List.of("AURORA", "ZEPHYR"), 20), true);
    assertTrue(pma.contains("KNNJoin") || pma.contains("KNN"), pma);
    assertNoNestedLoop(pma);
  }

  @Test
  void codesMapUpTheHierarchyAtCoarserLevels() {
    Dataset<Row> regs = spark.sql("SELECT * FROM VALUES"
        + " ('K1', NULL, NULL, 'T3', NULL, NULL),"          // a tract id -> its county C2
        + " ('K2', NULL, NULL, NULL, NULL, 'alpha county')," // a county name, any case, with or without "County"
        + " ('K3', NULL, NULL, NULL, '98001', NULL),"       // zip -> ZCTA 98001, whose centroid is in C2
        + " ('K4', NULL, NULL, NULL, NULL, 'Gamma'),"       // no such county
        + " ('K5', -99.5D, 40.5D, NULL, NULL, NULL)"        // a point in C1
        + " AS t(registration_id, longitude, latitude, geo_unit_id, zip, county)");
    Locate.Envelope env = Locate.Envelope.of(units, 0.5);
    assertEquals(Map.of("K1", "C2|geo_unit_id", "K2", "C1|county", "K3", "C2|zip", "K4", "null|null", "K5", "C1|point_in_polygon"),
        outcome(Locate.locateRecords(regs, Locate.Input.REGISTRATIONS, units, "county", env, true, 0.2)));
    assertEquals(Map.of("K1", "null|null", "K2", "null|null", "K3", "98001|zip", "K4", "null|null", "K5", "null|null"),
        outcome(Locate.locateRecords(regs, Locate.Input.REGISTRATIONS, units, "zcta", env, false, 0.2)));
  }

  static Map<String, String> outcome(Dataset<Row> frame) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : frame.select("registration_id", "geo_unit_id", "locate_method").collectAsList()) {
      out.put(r.getString(0), r.getString(1) + "|" + r.getString(2));
    }
    return out;
  }
}
