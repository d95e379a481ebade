package org.territorypotential.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.geo.GeoUnits;
import org.territorypotential.ingest.IngestError;

/**
 * The local benchmark adjustment at ZCTA level: ZCTAs carry no parent, so their county comes from
 * the largest overlap with the county polygons (GeoUnits.toSilver), and the local adjustment
 * works. Every figure by hand:
 *
 * <pre>
 * Counties 53001 (lon -123..-122) and 53003 (-122..-121), lat 47..48, parent '53' (state 53).
 * ZCTAs Z1, Z2 in 53001; Z3, Z4 in 53003 (no parent). One segment X, window 2023-07-01 .. 2024-06-30.
 * Counted registrations (brand A / B):  Z1 4/2, Z2 2/2  -> 53001: A 6 of 10 (share 0.6)
 *                                       Z3 1/4, Z4 1/4  -> 53003: A 2 of 10 (share 0.2)
 * State 53: A 8 of 20 = 0.4.  Dealer DA (brand A) stands in Z1, PMA = Z1, Z2, Z3 (industry 15).
 *   standard: E = 0.4 x 15 = 6;  actual A in the PMA = 4 + 2 + 1 = 7  -> RE = 700 / 6 = 116.667
 *   local (county, min industry 5): Z1, Z2: 0.6 x 10 = 6; Z3: 0.2 x 5 = 1 -> E_local = 7 -> RE_local = 100
 * Before counties were derived for ZCTAs every unit's local area was UNKNOWN (one pool = the state):
 * E_local = E and RE_local = RE. Now a unit without county is an error naming it.
 * </pre>
 */
class MarketZctaTest {
  static final LocalDate AS_OF = LocalDate.of(2024, 6, 30);
  static SparkSession spark;
  static Dataset<Row> units;

  static Dataset<Row> frame(String ddl, Object[]... rows) {
    List<Row> rs = new ArrayList<>();
    for (Object[] r : rows) {
      rs.add(RowFactory.create(r));
    }
    return spark.createDataFrame(rs, StructType.fromDDL(ddl));
  }

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    units = GeoUnits.toSilver(spark.sql("SELECT geo_unit_id, level, name, parent_id, ST_AsBinary(ST_GeomFromWKT(wkt)) AS geometry"
        + " FROM VALUES"
        + " ('53001', 'county', 'West', '53', 'POLYGON ((-123 47, -122 47, -122 48, -123 48, -123 47))'),"
        + " ('53003', 'county', 'East', '53', 'POLYGON ((-122 47, -121 47, -121 48, -122 48, -122 47))'),"
        + " ('Z1', 'zcta', 'Z1', NULL, 'POLYGON ((-122.5 47.5, -122.4 47.5, -122.4 47.6, -122.5 47.6, -122.5 47.5))'),"
        + " ('Z2', 'zcta', 'Z2', NULL, 'POLYGON ((-122.4 47.5, -122.3 47.5, -122.3 47.6, -122.4 47.6, -122.4 47.5))'),"
        + " ('Z3', 'zcta', 'Z3', NULL, 'POLYGON ((-121.8 47.5, -121.7 47.5, -121.7 47.6, -121.8 47.6, -121.8 47.5))'),"
        + " ('Z4', 'zcta', 'Z4', NULL, 'POLYGON ((-121.7 47.5, -121.6 47.5, -121.6 47.6, -121.7 47.6, -121.7 47.5))')"
        + " AS t(geo_unit_id, level, name, parent_id, wkt)")).localCheckpoint();
  }

  static Market.Inputs inputs(Dataset<Row> geoUnits) {
    List<Object[]> regs = new ArrayList<>();
    int[][] counts = {{4, 2}, {2, 2}, {1, 4}, {1, 4}};
    for (int u = 0; u < 4; u++) {
      for (int b = 0; b < 2; b++) {
        for (int k = 0; k < counts[u][b]; k++) {
          regs.add(new Object[] {"r" + u + b + k, Date.valueOf("2024-01-15"), b == 0 ? "A" : "B", "M", "X", "retail",
              "Z" + (u + 1), null});
        }
      }
    }
    Dataset<Row> r = frame("registration_id string, registration_date date, make string, model string, segment string,"
        + " sale_type string, geo_unit_id string, selling_dealer_id string", regs.toArray(new Object[0][]));
    Dataset<Row> segments = frame("make string, model string, segment string");
    Dataset<Row> assignment = frame("geo_unit_id string, territory_id string, brand string, method string, dealer_id string,"
        + " region string",
        new Object[] {"Z1", "PMA-DA", "A", "pma", "DA", null}, new Object[] {"Z2", "PMA-DA", "A", "pma", "DA", null},
        new Object[] {"Z3", "PMA-DA", "A", "pma", "DA", null});
    Dataset<Row> dealers = frame("dealer_id string, name string, brand string, longitude double, latitude double,"
        + " open_date date, close_date date, geo_unit_id string",
        new Object[] {"DA", "Dealer A", "A", -122.45, 47.55, null, null, "Z1"});
    return new Market.Inputs(r, segments, geoUnits, "zcta", assignment, dealers, null, List.of());
  }

  static MarketParams params() {
    return new MarketParams(AS_OF, 12, "state", "county", 5, true, MarketParams.Bands.DEFAULT);
  }

  @Test
  void localAdjustedEffectivenessDiffersFromStandardWhenTheCountiesShareDiffers() {
    Market.Outputs out = Market.compute(inputs(units), params());
    try {
      Row p = out.performance().where("dealer_id = 'DA'").first();
      assertEquals(6.0, p.<Double>getAs("expected_registrations"), 1e-9);
      assertEquals(7.0, p.<Double>getAs("expected_registrations_local"), 1e-9);
      assertEquals(7L, p.<Long>getAs("actual_registrations"));
      assertEquals(700.0 / 6, p.<Double>getAs("registration_effectiveness"), 1e-9);
      assertEquals(100.0, p.<Double>getAs("registration_effectiveness_local"), 1e-9);
      Row x = out.expectedBySegment().where("dealer_id = 'DA' AND segment = 'X'").first();
      assertEquals("53", x.getAs("benchmark_area_id"));
      assertEquals(0.4, x.<Double>getAs("benchmark_share"), 1e-12);
      assertEquals("53001,53003", x.getAs("local_area_ids"));
      assertEquals(0L, x.<Long>getAs("local_fallback_units"));
    } finally {
      out.unpersist();
    }
  }

  @Test
  void aUnitWithoutCountyIsAnErrorNamingIt() {
    Dataset<Row> noCounty = units.withColumn("county_id", functions.when(functions.col("geo_unit_id").equalTo("Z3"),
        functions.lit(null).cast("string")).otherwise(functions.col("county_id")));
    IngestError e = assertThrows(IngestError.class, () -> Market.compute(inputs(noCounty), params()));
    assertTrue(e.getMessage().contains("[Z3]") && e.getMessage().contains("local area (tp.market.local-area = county: 1)"),
        e.getMessage());
  }
}
