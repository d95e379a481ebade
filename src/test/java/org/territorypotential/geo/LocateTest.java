package org.territorypotential.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The locate job on a hand-drawn region (docs/spatial.md): four tracts in two counties, one tract
 * with a hole, one invalid bow-tie repaired into two lobes, a ZCTA; registrations, sales and
 * dealers whose units, methods, reasons, PMAs and MDAs are known by hand.
 *
 * <pre>
 *  lat 42  +---------+---------+---------+---------+
 *          | T4 bow- |         |         |         |   counties: C1 = lon -100..-98,
 *          |  tie    |         |         |         |             C2 = lon -98..-96 (lat 40..42)
 *  lat 41  +----+----+---------+---------+---------+
 *          | T1 |    T2        | T3 [hole]|  (no   |   hole of T3: -97.75..-97.25 x 40.25..40.75
 *          |    |              |  Z 98001 |  tract)|   ZCTA 98001: -97.9..-97.8 x 40.1..40.2
 *  lat 40  +----+--------------+----------+--------+
 *        -100  -99            -98        -97      -96
 * </pre>
 */
class LocateTest {
  static final LocalDate AS_OF = LocalDate.parse("2024-06-30");
  static SparkSession spark;
  static AppConfig cfg;
  static Lake lake;
  static LocateJob.Result result;

  static final String GEO_UNITS = String.join(",",
      "('T1', 'tract', 'Tract one', 'C1', 'POLYGON ((-100 40, -99 40, -99 41, -100 41, -100 40))')",
      "('T2', 'tract', 'Tract two', 'C1', 'POLYGON ((-99 40, -98 40, -98 41, -99 41, -99 40))')",
      "('T3', 'tract', 'Tract three', 'C2', 'POLYGON ((-98 40, -97 40, -97 41, -98 41, -98 40),"
          + " (-97.75 40.25, -97.25 40.25, -97.25 40.75, -97.75 40.75, -97.75 40.25))')",
      "('T4', 'tract', 'Bow tie', 'C1', 'POLYGON ((-100 41, -99 42, -99 41, -100 42, -100 41))')",
      "('C1', 'county', 'Alpha County', NULL, 'POLYGON ((-100 40, -98 40, -98 42, -100 42, -100 40))')",
      "('C2', 'county', 'Beta County', NULL, 'POLYGON ((-98 40, -96 40, -96 42, -98 42, -98 40))')",
      "('98001', 'zcta', '98001', NULL, 'POLYGON ((-97.9 40.1, -97.8 40.1, -97.8 40.2, -97.9 40.2, -97.9 40.1))')");

  // id, longitude, latitude, geo_unit_id, zip, county
  static final String REGISTRATIONS = String.join(",",
      "('R01', -99.5D, 40.5D, NULL, '98001', NULL)",   // inside T1 (its zip says T3: coordinates win)
      "('R02', -99.0D, 40.5D, NULL, NULL, NULL)",      // on the T1 | T2 edge -> T1 (smallest id)
      "('R03', -97.5D, 40.5D, NULL, NULL, NULL)",      // in T3's hole -> unlocated, ~21 km from the hole's edge
      "('R04', -100.2D, 40.5D, NULL, NULL, NULL)",     // west of T1, inside the envelope margin -> unlocated
      "('R05', -99.9D, 41.5D, NULL, NULL, NULL)",      // left lobe of the repaired bow tie -> T4
      "('R06', 40.5D, -99.5D, NULL, NULL, NULL)",      // swapped -> quarantine (ingest's -90..90 check would catch
                                                       // this one first; locate's rule matters where |lon| <= 90)
      "('R07', -80.0D, 30.0D, NULL, NULL, NULL)",      // far away -> quarantine
      "('R08', NULL, NULL, NULL, '98001-1234', NULL)", // zip only -> ZCTA 98001 -> its centroid is in T3
      "('R09', NULL, NULL, 'T2', NULL, NULL)",         // geo_unit_id only -> T2
      "('R10', NULL, NULL, NULL, NULL, 'Alpha')",      // county only: a county is coarser than a tract -> unlocated
      "('R11', -99.1D, 41.5D, NULL, NULL, NULL)");     // right lobe of the bow tie -> T4

  // id, name, brand, longitude, latitude, open_date, close_date
  static final String DEALERS = String.join(",",
      "('A1', 'Aurora Closed', 'AURORA', -99.45D, 40.5D, DATE'2010-01-01', DATE'2020-01-01')", // closed: no PMA
      "('A2', 'Aurora East', 'AURORA', -99.3D, 40.5D, DATE'2010-01-01', NULL)",
      "('A3', 'Aurora West', 'AURORA', -99.7D, 40.5D, NULL, NULL)",                          // A2, A3 equidistant from T1
      "('A4', 'Aurora Future', 'AURORA', -98.5D, 40.5D, DATE'2025-01-01', NULL)",             // not open yet: no PMA
      "('Z1', 'Zephyr One', 'ZEPHYR', -97.5D, 40.9D, NULL, NULL)",
      "('Z9', 'Zephyr Swapped', 'ZEPHYR', 40.5D, -97.5D, NULL, NULL)");                       // quarantined

  // sale_id, dealer_id, customer_longitude, customer_latitude, customer_zip
  static final String SALES = String.join(",",
      "('S1', 'A2', -98.5D, 40.5D, NULL)",
      "('S2', 'A2', NULL, NULL, '98001')",
      "('S3', 'Z1', NULL, NULL, NULL)");

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    Map<String, String> m = new HashMap<>();
    m.put("tp.locate.level", "tract");
    m.put("tp.locate.mda-radius-km", "20");
    cfg = TestSpark.config("geo_locate", m);
    lake = new Lake(spark, cfg);
    String lineage = ", 'fixture' AS source_file, CAST(0 AS BIGINT) AS source_row,"
        + " TIMESTAMP'2024-06-30 06:00:00' AS ingested_at, DATE'" + AS_OF + "' AS as_of";
    org.territorypotential.TestTables.write(lake, Table.GEO_UNITS_BRONZE, spark.sql("SELECT geo_unit_id, level, name, parent_id,"
        + " ST_AsBinary(ST_GeomFromWKT(wkt)) AS geometry" + lineage
        + " FROM VALUES " + GEO_UNITS + " AS t(geo_unit_id, level, name, parent_id, wkt)"), AS_OF, null);
    org.territorypotential.TestTables.write(lake, Table.REGISTRATIONS_BRONZE, spark.sql("SELECT registration_id, DATE'2024-01-15' AS registration_date,"
        + " 'AURORA' AS make, 'ALPHA' AS model, longitude, latitude, geo_unit_id, zip, county" + lineage
        + " FROM VALUES " + REGISTRATIONS + " AS t(registration_id, longitude, latitude, geo_unit_id, zip, county)"), AS_OF, null);
    org.territorypotential.TestTables.write(lake, Table.DEALERS_BRONZE, spark.sql("SELECT *" + lineage
        + " FROM VALUES " + DEALERS + " AS t(dealer_id, name, brand, longitude, latitude, open_date, close_date)"), AS_OF, null);
    org.territorypotential.TestTables.write(lake, Table.SALES_BRONZE, spark.sql("SELECT sale_id, dealer_id, DATE'2024-02-01' AS sale_date, 'AURORA' AS make,"
        + " 'ALPHA' AS model, CAST(customer_longitude AS DOUBLE) AS customer_longitude,"
        + " CAST(customer_latitude AS DOUBLE) AS customer_latitude, customer_zip" + lineage
        + " FROM VALUES " + SALES + " AS t(sale_id, dealer_id, customer_longitude, customer_latitude, customer_zip)"), AS_OF, null);
    org.territorypotential.TestTables.write(lake, Table.TERRITORIES_BRONZE, spark.sql("SELECT 'T1' AS geo_unit_id, 'TERR-1' AS territory_id,"
        + " 'D1' AS district, 'R1' AS region, CAST(NULL AS STRING) AS owner" + lineage), AS_OF, null);
    // a row that ingest quarantined: locate must leave it in place
    org.territorypotential.TestTables.write(lake, Table.QUARANTINE, spark.sql("SELECT 'registrations' AS source, 'fixture' AS source_file,"
        + " CAST(7 AS BIGINT) AS source_row, '{}' AS raw_record, 'missing make' AS reason, 'ingest-run' AS run_id,"
        + " CAST(NULL AS TIMESTAMP) AS ingested_at, DATE'" + AS_OF + "' AS as_of"), AS_OF, "source IN ('registrations')");

    result = LocateJob.run(spark, cfg, RunContext.start("locate", AS_OF));
  }

  /** column values per record id, as "geo_unit_id|locate_method|unlocated_reason" */
  static Map<String, String> outcome(Table t, String id) {
    return outcome(t, id, AS_OF);
  }

  static Map<String, String> outcome(Table t, String id, LocalDate asOf) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : lake.read(t, asOf).select(id, "geo_unit_id", "locate_method", "unlocated_reason").collectAsList()) {
      out.put(r.getString(0), r.getString(1) + "|" + r.getString(2) + "|" + r.getString(3));
    }
    return out;
  }

  @Test
  void everyRegistrationGetsTheUnitKnownByHand() {
    Map<String, String> want = new TreeMap<>();
    want.put("R01", "T1|point_in_polygon|null");
    want.put("R02", "T1|point_in_polygon|null");
    want.put("R03", "null|null|" + Locate.IN_NO_UNIT);
    want.put("R04", "null|null|" + Locate.IN_NO_UNIT);
    want.put("R05", "T4|point_in_polygon|null");
    want.put("R08", "T3|zip|null");
    want.put("R09", "T2|geo_unit_id|null");
    want.put("R10", "null|null|" + Locate.CODE_NOT_FOUND);
    want.put("R11", "T4|point_in_polygon|null");
    assertEquals(want, outcome(Table.REGISTRATIONS_LOCATED, "registration_id"));

    Map<String, Row> byId = new TreeMap<>();
    lake.read(Table.REGISTRATIONS_LOCATED, AS_OF).collectAsList().forEach(r -> byId.put(r.getAs("registration_id"), r));
    assertEquals(2, (int) byId.get("R02").<Integer>getAs("matched_units"), "the edge point touches T1 and T2");
    assertEquals(1, (int) byId.get("R01").<Integer>getAs("matched_units"));
    assertEquals(Boolean.TRUE, byId.get("R01").getAs("has_code_mismatch"), "R01's zip says T3; its point in T1 wins");
    assertNull(byId.get("R02").getAs("has_code_mismatch"), "no code");
    assertEquals("point", byId.get("R01").getAs("located_by"));
    assertEquals("code", byId.get("R08").getAs("located_by"));
    assertNull(byId.get("R03").getAs("located_by"));
    assertEquals("C1", byId.get("R01").getAs("county_id"));
    assertEquals("T2", byId.get("R09").getAs("source_geo_unit_id"));
    // R03: nearest edge is the hole's east or west side, 0.25 degrees of longitude at 40.5 N
    assertEquals(haversineKm(-97.5, 40.5, -97.75, 40.5), byId.get("R03").<Double>getAs("distance_to_unit_km"), 0.01);
    assertEquals(haversineKm(-100.2, 40.5, -100.0, 40.5), byId.get("R04").<Double>getAs("distance_to_unit_km"), 0.01);
    assertNull(byId.get("R01").getAs("distance_to_unit_km"));
    assertEquals(Arrays.asList("R01", "R02", "R03", "R04", "R05", "R08", "R09", "R10", "R11"), List.copyOf(byId.keySet()));
  }

  @Test
  void outOfEnvelopeAndSwappedCoordinatesAreQuarantinedBesideIngestRows() {
    Map<String, String> q = new TreeMap<>();
    for (Row r : lake.read(Table.QUARANTINE, AS_OF)
        .selectExpr("source", "coalesce(get_json_object(raw_record, '$.registration_id'),"
            + " get_json_object(raw_record, '$.dealer_id'), get_json_object(raw_record, '$.sale_id'), raw_record)", "reason")
        .collectAsList()) {
      q.put(r.getString(0) + ":" + r.getString(1), r.getString(2));
    }
    assertEquals(Map.of(
        "locate:registrations:R06", Locate.SWAPPED,
        "locate:registrations:R07", Locate.OUTSIDE_ENVELOPE,
        "locate:dealers:Z9", Locate.SWAPPED,
        "registrations:{}", "missing make"), q);
  }

  @Test
  void nothingIsLost() {
    assertEquals(new LocateJob.InputCounts("registrations", 11, 6, 3, 2), result.input("registrations"));
    assertEquals(new LocateJob.InputCounts("dealers", 6, 5, 0, 1), result.input("dealers"));
    assertEquals(new LocateJob.InputCounts("sales", 3, 2, 1, 0), result.input("sales"));
    for (LocateJob.InputCounts c : result.inputs()) {
      assertEquals(c.in(), c.located() + c.unlocated() + c.quarantined(), c.toString());
    }
    // located_by: R01, R02, R05, R11 by point; R08 (zip), R09 (geo_unit_id) by code; R03, R04 are 21 and 17 km from a
    // unit, beyond the 200 m tolerance. R01's zip names ZCTA 98001, whose centroid is in T3: the point (T1) wins, 1 mismatch.
    assertEquals(new LocateJob.Placement("registrations", 4, 2, 0, 1, 1), result.placement("registrations"));
    assertEquals(new LocateJob.Placement("dealers", 5, 0, 0, 0, 0), result.placement("dealers"));
    assertEquals(new LocateJob.Placement("sales", 1, 1, 0, 0, 0), result.placement("sales"));
    assertEquals(1.0, result.placement("registrations").mismatchShare());
    assertEquals(7, result.geoUnits());
    assertEquals(4, result.unitsAtLevel());
    assertEquals(1, result.repairedUnits());
    assertEquals(9, lake.read(Table.REGISTRATIONS_LOCATED, AS_OF).count());
  }

  @Test
  void salesAndDealersAreLocatedToo() {
    assertEquals(Map.of("S1", "T2|point_in_polygon|null", "S2", "T3|zip|null", "S3", "null|null|" + Locate.NO_LOCATION),
        outcome(Table.SALES_LOCATED, "sale_id"));
    assertEquals(Map.of("A1", "T1|point_in_polygon|null", "A2", "T1|point_in_polygon|null", "A3", "T1|point_in_polygon|null",
        "A4", "T2|point_in_polygon|null", "Z1", "T3|point_in_polygon|null"), outcome(Table.DEALERS_LOCATED, "dealer_id"));
  }

  @Test
  void silverGeoUnitsAreRepairedMeasuredAndKeepTheirHierarchy() {
    Map<String, Row> u = new TreeMap<>();
    lake.read(Table.GEO_UNITS_SILVER, AS_OF).collectAsList().forEach(r -> u.put(r.getAs("geo_unit_id"), r));
    assertTrue(u.get("T4").<Boolean>getAs("is_repaired"));
    assertFalse(u.get("T1").<Boolean>getAs("is_repaired"));
    assertEquals("C1", u.get("T1").getAs("county_id"));
    assertEquals("C2", u.get("T3").getAs("county_id"));
    assertEquals("C1", u.get("C1").getAs("county_id"));
    assertEquals("C2", u.get("98001").getAs("county_id"), "the ZCTA lies in Beta County: by overlap");
    assertEquals("C1", u.get("T4").getAs("parent_id"));
    // 1 x 1 degree at 40..41 N: about 111.2 km x 84.4 km; T3 loses a quarter for its hole
    double t1 = u.get("T1").getAs("area_km2");
    assertEquals(9413, t1, 5);
    assertEquals(0.75 * t1, u.get("T3").<Double>getAs("area_km2"), 0.01 * t1);
    // the bow tie keeps both lobes: half of its 1 x 1 degree bounding box
    assertEquals(0.5 * t1 * Math.cos(Math.toRadians(41.5)) / Math.cos(Math.toRadians(40.5)),
        u.get("T4").<Double>getAs("area_km2"), 0.01 * t1);
    assertEquals(-99.5, u.get("T1").<Double>getAs("centroid_lon"), 1e-9);
    assertEquals(40.5, u.get("T1").<Double>getAs("centroid_lat"), 1e-9);
    assertEquals(-100.0, u.get("T4").<Double>getAs("min_lon"), 1e-9);
    assertEquals(42.0, u.get("T4").<Double>getAs("max_lat"), 1e-9);
  }

  @Test
  void pmasGoToTheNearestOpenDealerWithTiesToTheSmallestId() {
    Map<String, String> got = new TreeMap<>();
    Map<String, Row> rows = new TreeMap<>();
    for (Row r : lake.read(Table.TERRITORY_ASSIGNMENT, AS_OF).where("method = 'pma'").collectAsList()) {
      String key = r.getAs("brand") + "/" + r.getAs("geo_unit_id");
      got.put(key, r.getAs("territory_id") + " " + r.getAs("dealer_id") + " " + r.getAs("runner_up_dealer_id") + " "
          + r.getAs("is_multiple_dealer_area"));
      rows.put(key, r);
    }
    Map<String, String> want = new TreeMap<>();
    // A1 (closed) and A4 (not open yet) never win; A2 and A3 are equidistant from T1 and T4: A2 (smaller id)
    want.put("AURORA/T1", "PMA-A2 A2 A3 true");   // runner-up A3 16.9 km away <= 20 km: MDA
    want.put("AURORA/T2", "PMA-A2 A2 A3 false");
    want.put("AURORA/T3", "PMA-A2 A2 A3 false");
    want.put("AURORA/T4", "PMA-A2 A2 A3 false");
    want.put("ZEPHYR/T1", "PMA-Z1 Z1 null false"); // Z9 is quarantined: Z1 is Zephyr's only dealer
    want.put("ZEPHYR/T2", "PMA-Z1 Z1 null false");
    want.put("ZEPHYR/T3", "PMA-Z1 Z1 null false");
    want.put("ZEPHYR/T4", "PMA-Z1 Z1 null false");
    assertEquals(want, got);

    Row t1 = rows.get("AURORA/T1");
    assertEquals(haversineKm(-99.5, 40.5, -99.3, 40.5), t1.<Double>getAs("distance_km"), 1e-3);
    assertEquals(haversineKm(-99.5, 40.5, -99.7, 40.5), t1.<Double>getAs("runner_up_distance_km"), 1e-3);
    assertEquals(haversineKm(-98.5, 40.5, -99.3, 40.5), rows.get("AURORA/T2").<Double>getAs("distance_km"), 1e-3);
    assertEquals(haversineKm(-97.5, 40.5, -97.5, 40.9), rows.get("ZEPHYR/T3").<Double>getAs("distance_km"), 1e-3);
    assertEquals(8, result.pmaRows());
    assertEquals(1, result.multipleDealerAreas());
  }

  @Test
  void configuredTerritoriesAreKeptBesideThePmas() {
    Row c = lake.read(Table.TERRITORY_ASSIGNMENT, AS_OF).where("method = 'configured'").first();
    assertEquals("T1", c.getAs("geo_unit_id"));
    assertEquals("tract", c.getAs("level"));
    assertEquals("TERR-1", c.getAs("territory_id"));
    assertNull(c.getAs("brand"));
    assertEquals("R1", c.getAs("region"));
    assertEquals("D1", c.getAs("district"));
    assertEquals(1, result.configuredRows());
  }

  @Test
  void newColumnsCarryComments() {
    Dataset<Row> d = spark.sql("DESCRIBE " + lake.sqlName(Table.REGISTRATIONS_LOCATED));
    for (String col : List.of("geo_unit_id", "located_by", "locate_method", "unlocated_reason", "distance_to_unit_km",
        "has_code_mismatch", "registration_id")) {
      Row r = d.where("col_name = '" + col + "'").first();
      assertNotNull(r.getAs("comment"), col);
    }
    Row terr = spark.sql("DESCRIBE " + lake.sqlName(Table.TERRITORY_ASSIGNMENT)).where("col_name = 'is_multiple_dealer_area'").first();
    assertNotNull(terr.getAs("comment"));
  }

  /**
   * Incremental monthly run: the next month's bronze holds the same units, the same records, one
   * record moved (R01), one with a new code (R09) and one new (R12). Locate reuses the 7
   * unchanged located records, locates the rest, and writes exactly what a full run
   * (tp.incremental = false, the CLI's --full) writes. That full run is also a rerun of the same
   * as_of: it replaces the partition, so no row is doubled; and the first month's partitions are
   * left exactly as they were. Changed units fingerprint differently.
   */
  @Test
  void aNextMonthReusesUnchangedRecordsAndARerunWritesTheSameTables() {
    LocalDate next = LocalDate.parse("2024-07-31");
    List<Table> all = List.of(Table.GEO_UNITS_SILVER, Table.DEALERS_LOCATED, Table.REGISTRATIONS_LOCATED,
        Table.SALES_LOCATED, Table.TERRITORY_ASSIGNMENT, Table.QUARANTINE);
    Map<Table, Dataset<Row>> firstMonth = new HashMap<>();
    for (Table t : all) {
      firstMonth.put(t, lake.read(t, AS_OF).localCheckpoint());
    }
    String lineage = ", 'fixture' AS source_file, CAST(0 AS BIGINT) AS source_row,"
        + " TIMESTAMP'2024-07-31 06:00:00' AS ingested_at, DATE'" + next + "' AS as_of";
    for (Table t : List.of(Table.GEO_UNITS_BRONZE, Table.DEALERS_BRONZE, Table.SALES_BRONZE, Table.TERRITORIES_BRONZE)) {
      org.territorypotential.TestTables.write(lake, t, lake.read(t, AS_OF).drop("ingested_at", "as_of")
          .withColumn("ingested_at", org.apache.spark.sql.functions.lit(java.sql.Timestamp.valueOf("2024-07-31 06:00:00")))
          .withColumn("as_of", org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(next))), next, null);
    }
    String changed = REGISTRATIONS.replace("('R01', -99.5D, 40.5D,", "('R01', -98.5D, 40.5D,")
        .replace("('R09', NULL, NULL, 'T2',", "('R09', NULL, NULL, 'T1',")
        + ", ('R12', -99.5D, 40.6D, NULL, NULL, NULL)";
    org.territorypotential.TestTables.write(lake, Table.REGISTRATIONS_BRONZE, spark.sql("SELECT registration_id, DATE'2024-07-15' AS registration_date,"
        + " 'AURORA' AS make, 'ALPHA' AS model, longitude, latitude, geo_unit_id, zip, county" + lineage
        + " FROM VALUES " + changed + " AS t(registration_id, longitude, latitude, geo_unit_id, zip, county)"), next, null);

    LocateJob.Result inc = LocateJob.run(spark, cfg, RunContext.start("locate", next));
    assertTrue(inc.incremental().startsWith("incremental"), inc.incremental());
    LocateJob.InputCounts regs = inc.input("registrations");
    // R03 and R04 (points in no unit) are located again too: their result depends on tp.locate.nearest-tolerance-m
    assertEquals(new LocateJob.InputCounts("registrations", 12, 7, 3, 2, 5), regs,
        "R01, R09, R12, R03, R04 and the quarantined two located again");
    assertEquals(new LocateJob.Placement("registrations", 5, 2, 0, 1, 1), inc.placement("registrations"),
        "reused rows count in located_by too; R01 moved to T2, its zip still names T3");
    assertEquals(3, inc.input("sales").reused(), "every sale unchanged, S3 (no location) reused as unlocated too");
    Map<String, String> byId = outcome(Table.REGISTRATIONS_LOCATED, "registration_id", next);
    assertEquals("T2|point_in_polygon|null", byId.get("R01"), "moved: located again");
    assertEquals("T1|geo_unit_id|null", byId.get("R09"), "new code: located again");
    assertEquals("T1|point_in_polygon|null", byId.get("R12"));
    List<Table> tables = List.of(Table.DEALERS_LOCATED, Table.REGISTRATIONS_LOCATED, Table.SALES_LOCATED,
        Table.TERRITORY_ASSIGNMENT, Table.QUARANTINE);
    Map<Table, Dataset<Row>> incremental = new HashMap<>();
    for (Table t : tables) {
      incremental.put(t, lake.read(t, next).drop("run_id").localCheckpoint());
    }

    Map<String, String> full = new HashMap<>(Map.of("tp.locate.level", "tract", "tp.locate.mda-radius-km", "20",
        "tp.incremental", "false"));
    LocateJob.Result rebuilt = LocateJob.run(spark, TestSpark.config("geo_locate", full), RunContext.start("locate", next));
    assertTrue(rebuilt.incremental().startsWith("full"), rebuilt.incremental());
    assertEquals(0, rebuilt.input("registrations").reused());
    for (LocateJob.InputCounts c : inc.inputs()) {
      LocateJob.InputCounts f = rebuilt.input(c.input());
      assertEquals(List.of(c.in(), c.located(), c.unlocated(), c.quarantined()),
          List.of(f.in(), f.located(), f.unlocated(), f.quarantined()), c.input());
    }
    for (Table t : tables) {
      Dataset<Row> after = lake.read(t, next).drop("run_id");
      assertEquals(incremental.get(t).count(), after.count(), t.tableName);
      assertEquals(0, incremental.get(t).exceptAll(after).count(), "incremental = full: " + t.tableName);
    }
    for (Table t : all) {
      Dataset<Row> now = lake.read(t, AS_OF);
      assertEquals(firstMonth.get(t).count(), now.count(), "first month untouched: " + t.tableName);
      assertEquals(0, firstMonth.get(t).exceptAll(now).count(), "first month untouched: " + t.tableName);
    }

    Dataset<Row> units = lake.read(Table.GEO_UNITS_SILVER, next).drop("run_id", "as_of");
    assertEquals(Locate.unitsFingerprint(units), Locate.unitsFingerprint(units.orderBy(org.apache.spark.sql.functions.desc("geo_unit_id"))));
    assertNotEquals(Locate.unitsFingerprint(units), Locate.unitsFingerprint(units.withColumn("name",
        org.apache.spark.sql.functions.when(org.apache.spark.sql.functions.col("geo_unit_id").equalTo("T2"),
            org.apache.spark.sql.functions.lit("renamed")).otherwise(org.apache.spark.sql.functions.col("name")))),
        "a changed unit changes the fingerprint, so the next run is full");
  }

  /** Great-circle distance on the sphere Sedona's ST_DistanceSphere uses (mean radius 6371.008 km). */
  static double haversineKm(double lon1, double lat1, double lon2, double lat2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dp = p2 - p1;
    double dl = Math.toRadians(lon2 - lon1);
    double a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * 6371.008 * Math.asin(Math.sqrt(a));
  }
}
