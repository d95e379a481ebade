package org.territorypotential.market;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;

/**
 * The market formulas on a hand fixture, every expected figure worked out below.
 *
 * <pre>
 * Run date 2024-06-30, window 2023-07-01 .. 2024-06-30 (12 months). One state S; counties
 * C1 = {U1, U2}, C2 = {U3, U4, U5}; configured territories T1 = {U1, U2}, T2 = {U3, U4, U5}.
 * Brands A (ours: sales input) and B (registrations carry selling_dealer_id). Segments X, Y, Z
 * (from the reference by make + model; r07 brings its own "x "), r18's model is in no reference
 * -> UNCLASSIFIED (U).
 *
 * Dealers: D1 (A, stands in U1), D2 (A, U3), D3 (B, U4), D4 (A, closed 2023-12-31: not measured),
 * D5 (A, PMA = U5 which has no registrations), D6 (A, open, in no PMA).
 * PMAs: A: U1,U2 -> D1; U3,U4 -> D2; U5 -> D5.   B: U1..U5 -> D3.
 *
 * Counted registrations of the window (located, retail; null sale_type = retail), unit x segment:
 *        X        Y        Z      U
 *   U1  A2 B1    A1 B1
 *   U2  A1 B1             B1
 *   U3  A1 B2       B2
 *   U4           A1 B1    A1 B1   A1
 * Not counted: r19 fleet, r20 unlocated, r21 the day before the window. 18 counted of 20 in the window.
 *
 * State benchmark shares (industry X 8, Y 6, Z 3, U 1):
 *   A: X 4/8 = 1/2, Y 2/6 = 1/3, Z 1/3, U 1/1 = 1      B: X 1/2, Y 4/6 = 2/3, Z 2/3, U 0
 *
 * Expected = sum_s share x industry_s(PMA):
 *   D1 (U1,U2: X 5, Y 2, Z 1, U 0): 1/2*5 + 1/3*2 + 1/3*1 + 1*0 = 3.5;   actual A = 4 -> RE 400/3.5  = 114.2857
 *   D2 (U3,U4: X 3, Y 4, Z 2, U 1): 1/2*3 + 1/3*4 + 1/3*2 + 1*1 = 4.5;   actual A = 4 -> RE 400/4.5  =  88.8889
 *   D3 (all:   X 8, Y 6, Z 3, U 1): 1/2*8 + 2/3*6 + 2/3*3 + 0*1 = 10;   actual B = 10 -> RE 100
 *   (A's expected sums to A's total 8, as it must when the brand's PMAs cover the state.)
 *   D5: PMA without registrations -> expected 0 -> RE null, reason NO_INDUSTRY. D6: no PMA -> null, NO_PMA.
 *
 * Bands (default: >= 100 satisfactory, superior if percentile >= 85; 85..100 needs improvement;
 * < 85 needs significant improvement, unsatisfactory if percentile <= 15), percentile =
 * percent_rank among the brand's measured dealers in the state:
 *   D1 114.3, percentile 100 -> superior;  D2 88.9, percentile 0 -> needs_improvement;
 *   D3 100, the only B dealer: percentile 0 -> satisfactory.
 *   With bands 120 / 100: D1 needs_improvement, D2 unsatisfactory (< 100, percentile 0), D3 needs_improvement.
 *
 * Local adjustment (county shares where the county has >= 2 registrations of the segment, else the state's):
 *   C1: X A3 B2 (5), Y A1 B1 (2), Z B1 (1 < 2: fallback)     C2: X A1 B2 (3), Y A1 B3 (4), Z A1 B1 (2), U A1 (1 < 2: fallback)
 *   D1: 3/5*5 + 1/2*2 + (state 1/3)*1 = 13/3 = 4.3333 -> RE_local 400/(13/3) = 1200/13 = 92.3077
 *   D2: 1/3*3 + 1/4*4 + 1/2*2 + (state 1)*1 = 4 -> RE_local 100
 *   D3: X 2/5*5 + 2/3*3 = 4; Y 1/2*2 + 3/4*4 = 4; Z (state 2/3)*1 + 1/2*2 = 5/3; U (state 0)*1 = 0
 *       -> 29/3 = 9.6667 -> RE_local 1000/(29/3) = 3000/29 = 103.4483
 *
 * Sales of A (sales input), window only (S9 is before it):
 *   S1 D1->U1, S2 D1->U2, S3 D1->U3, S4 D2->U4, S5 D2->U1, S6 D2->U2, S7 D4 (closed)->U4, S8 D1->unlocated
 *   D1: own 4 = retained 2 (S1,S2) + pump-out 1 (S3) + unlocated 1 (S8); pump-in 2 (S5,S6);
 *       retention 2/(2+2) = 0.5; SE = 400/3.5 = 114.2857, SE_local = 1200/13
 *   D2: own 3 = retained 1 (S4) + pump-out 2 (S5,S6); pump-in 2 (S3 by D1, S7 by the closed D4);
 *       retention 1/3; SE = 300/4.5 = 66.6667 -> sales band unsatisfactory (percentile 0); D1 superior
 *   Throughput: D1 4, D2 3; A's area throughput (4 + 3 + 0 + 0) / 4 dealers (D1, D2, D5, D6) = 1.75
 * B has no sales input: its retail window registrations are its sales (11: the 10 counted + r20
 *   unlocated): D3 sold 7 (6 located in its PMA = retained, r20 unlocated), 4 without a seller
 *   (unattributed, in nobody's pump-in); D3 retention 6/6 = 1; sales effectiveness null (NO_SALES_INPUT).
 *
 * Data quality: of 20 window registrations 1 unclassified (0.05), 1 unlocated, 1 fleet; of 19 sales
 * (8 + 11) 4 without a seller, 2 with the customer unlocated (S8, r20), 1 by a dealer not open (S7).
 * </pre>
 */
class MarketTest {
  static final LocalDate AS_OF = LocalDate.of(2024, 6, 30);
  private static SparkSession spark;
  private static Market.Outputs out;
  private static Map<String, Row> perf;

  static Dataset<Row> frame(String ddl, Object[]... rows) {
    List<Row> rs = new ArrayList<>();
    for (Object[] r : rows) {
      rs.add(RowFactory.create(r));
    }
    return spark.createDataFrame(rs, StructType.fromDDL(ddl));
  }

  static Date d(String s) {
    return Date.valueOf(s);
  }

  static Market.Inputs fixture() {
    String regDdl = "registration_id string, registration_date date, make string, model string, segment string,"
        + " sale_type string, geo_unit_id string, selling_dealer_id string";
    Dataset<Row> regs = frame(regDdl,
        new Object[] {"r01", d("2023-07-10"), "A", "AX1", null, "retail", "U1", null},
        new Object[] {"r02", d("2023-09-10"), "A", "AX1", null, "retail", "U1", null},
        new Object[] {"r03", d("2023-10-10"), "B", "BX1", null, "retail", "U1", "D3"},
        new Object[] {"r04", d("2023-11-10"), "A", "AY1", null, "retail", "U1", null},
        new Object[] {"r05", d("2023-12-10"), "B", "BY1", null, "retail", "U1", "D3"},
        new Object[] {"r06", d("2024-01-10"), "A", "AX1", null, null, "U2", null},
        new Object[] {"r07", d("2024-02-10"), "B", "BSPECIAL", "x ", "retail", "U2", null},
        new Object[] {"r08", d("2024-03-10"), "B", "BZ1", null, "retail", "U2", "D3"},
        new Object[] {"r09", d("2024-04-10"), "A", "AX1", null, "retail", "U3", null},
        new Object[] {"r10", d("2024-05-10"), "B", "BX1", null, "retail", "U3", "D3"},
        new Object[] {"r11", d("2024-06-10"), "B", "BX1", null, "retail", "U3", null},
        new Object[] {"r12", d("2024-06-30"), "B", "BY1", null, "retail", "U3", "D3"},
        new Object[] {"r13", d("2023-07-01"), "B", "BY1", null, "retail", "U3", null},
        new Object[] {"r14", d("2023-08-15"), "A", "AY1", null, "retail", "U4", null},
        new Object[] {"r15", d("2023-08-16"), "B", "BY1", null, "retail", "U4", "D3"},
        new Object[] {"r16", d("2023-09-15"), "A", "AZ1", null, "retail", "U4", null},
        new Object[] {"r17", d("2023-09-16"), "B", "BZ1", null, "retail", "U4", null},
        new Object[] {"r18", d("2023-10-15"), "A", "AMYSTERY", null, "retail", "U4", null},
        new Object[] {"r19", d("2023-11-20"), "B", "BX1", null, "Fleet", "U1", "D3"},
        new Object[] {"r20", d("2024-02-20"), "B", "BY1", null, "retail", null, "D3"},
        new Object[] {"r21", d("2023-06-30"), "A", "AX1", null, "retail", "U1", null});
    Dataset<Row> segments = frame("make string, model string, segment string",
        new Object[] {"A", "AX1", "X"}, new Object[] {"A", "AY1", "Y"}, new Object[] {"A", "AZ1", "Z"},
        new Object[] {"B", "BX1", "X"}, new Object[] {"B", "BY1", "Y"}, new Object[] {"B", "BZ1", "Z"});
    Dataset<Row> units = frame("geo_unit_id string, level string, county_id string, state_id string",
        new Object[] {"U1", "tract", "C1", "S"}, new Object[] {"U2", "tract", "C1", "S"},
        new Object[] {"U3", "tract", "C2", "S"}, new Object[] {"U4", "tract", "C2", "S"},
        new Object[] {"U5", "tract", "C2", "S"}, new Object[] {"C1", "county", "C1", "S"});
    String asgDdl = "geo_unit_id string, territory_id string, brand string, method string, dealer_id string, region string";
    Dataset<Row> assignment = frame(asgDdl,
        new Object[] {"U1", "T1", null, "configured", null, "R1"}, new Object[] {"U2", "T1", null, "configured", null, "R1"},
        new Object[] {"U3", "T2", null, "configured", null, "R1"}, new Object[] {"U4", "T2", null, "configured", null, "R1"},
        new Object[] {"U5", "T2", null, "configured", null, "R1"},
        new Object[] {"U1", "PMA-D1", "A", "pma", "D1", null}, new Object[] {"U2", "PMA-D1", "A", "pma", "D1", null},
        new Object[] {"U3", "PMA-D2", "A", "pma", "D2", null}, new Object[] {"U4", "PMA-D2", "A", "pma", "D2", null},
        new Object[] {"U5", "PMA-D5", "A", "pma", "D5", null},
        new Object[] {"U1", "PMA-D3", "B", "pma", "D3", null}, new Object[] {"U2", "PMA-D3", "B", "pma", "D3", null},
        new Object[] {"U3", "PMA-D3", "B", "pma", "D3", null}, new Object[] {"U4", "PMA-D3", "B", "pma", "D3", null},
        new Object[] {"U5", "PMA-D3", "B", "pma", "D3", null});
    String dealerDdl = "dealer_id string, name string, brand string, longitude double, latitude double, open_date date,"
        + " close_date date, geo_unit_id string";
    Dataset<Row> dealers = frame(dealerDdl,
        new Object[] {"D1", "Dealer One", "A", -122.0, 47.0, d("2010-01-01"), null, "U1"},
        new Object[] {"D2", "Dealer Two", "A", -122.1, 47.1, null, null, "U3"},
        new Object[] {"D3", "Dealer Three", "B", -122.2, 47.2, null, null, "U4"},
        new Object[] {"D4", "Dealer Four", "A", -122.3, 47.3, null, d("2023-12-31"), "U2"},
        new Object[] {"D5", "Dealer Five", "A", -122.4, 47.4, null, null, "U5"},
        new Object[] {"D6", "Dealer Six", "A", -122.0, 47.0, null, null, "U1"});
    String salesDdl = "sale_id string, dealer_id string, sale_date date, make string, geo_unit_id string";
    Dataset<Row> sales = frame(salesDdl,
        new Object[] {"S1", "D1", d("2024-01-05"), "A", "U1"}, new Object[] {"S2", "D1", d("2024-02-05"), "A", "U2"},
        new Object[] {"S3", "D1", d("2024-03-05"), "A", "U3"}, new Object[] {"S4", "D2", d("2024-04-05"), "A", "U4"},
        new Object[] {"S5", "D2", d("2024-05-05"), "A", "U1"}, new Object[] {"S6", "D2", d("2023-08-05"), "A", "U2"},
        new Object[] {"S7", "D4", d("2023-09-05"), "A", "U4"}, new Object[] {"S8", "D1", d("2023-10-05"), "A", null},
        new Object[] {"S9", "D1", d("2023-05-05"), "A", "U1"});
    return new Market.Inputs(regs, segments, units, "tract", assignment, dealers, sales, List.of());
  }

  static MarketParams params() {
    return new MarketParams(AS_OF, 12, "state", "county", 2, true, MarketParams.Bands.DEFAULT);
  }

  @BeforeAll
  static void compute() {
    spark = TestSpark.session();
    out = Market.compute(fixture(), params());
    perf = byKey(out.performance(), "dealer_id");
  }

  static Map<String, Row> byKey(Dataset<Row> df, String key) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : df.collectAsList()) {
      m.put(r.getAs(key), r);
    }
    return m;
  }

  private static double dbl(Row r, String c) {
    return r.<Double>getAs(c);
  }

  private static long lng(Row r, String c) {
    return r.<Long>getAs(c);
  }

  @Test
  void expectedBySegmentHasEveryTerm() {
    Map<String, Row> d1 = byKey(out.expectedBySegment().where(col("dealer_id").equalTo("D1")), "segment");
    assertEquals(List.of("UNCLASSIFIED", "X", "Y", "Z"), d1.keySet().stream().sorted().toList());
    Row x = d1.get("X");
    assertEquals(5L, lng(x, "industry_registrations"));
    assertEquals(3L, lng(x, "brand_registrations"));
    assertEquals("state", x.getAs("benchmark_area"));
    assertEquals("S", x.getAs("benchmark_area_id"));
    assertEquals(8L, lng(x, "benchmark_industry_registrations"));
    assertEquals(4L, lng(x, "benchmark_brand_registrations"));
    assertEquals(0.5, dbl(x, "benchmark_share"), 1e-12);
    assertEquals(2.5, dbl(x, "expected_registrations"), 1e-12);
    assertEquals(0.6, dbl(x, "local_benchmark_share"), 1e-12);
    assertEquals(3.0, dbl(x, "expected_registrations_local"), 1e-12);
    assertEquals("C1", x.getAs("local_area_ids"));
    Row z = d1.get("Z");
    assertEquals(1.0 / 3, dbl(z, "expected_registrations"), 1e-12);
    assertEquals(1.0 / 3, dbl(z, "expected_registrations_local"), 1e-12, "C1 has 1 Z registration < 2: state share");
    assertEquals(1L, lng(z, "local_fallback_units"));
    Row u = d1.get("UNCLASSIFIED");
    assertEquals(0L, lng(u, "industry_registrations"));
    assertEquals(1.0, dbl(u, "benchmark_share"), 1e-12);
    assertEquals(0.0, dbl(u, "expected_registrations"), 1e-12);
    assertTrue(u.<String>getAs("note").contains("no registrations of the segment in the PMA"));
    // the sum over segments is the dealer's expected
    double sum = d1.values().stream().mapToDouble(r -> dbl(r, "expected_registrations")).sum();
    assertEquals(3.5, sum, 1e-12);
  }

  @Test
  void effectivenessBandsAndRanksMatchTheHandFigures() {
    assertEquals(List.of("D1", "D2", "D3", "D5", "D6"), perf.keySet().stream().sorted().toList(), "D4 is closed");
    Row d1 = perf.get("D1");
    assertEquals(3.5, dbl(d1, "expected_registrations"), 1e-12);
    assertEquals(4L, lng(d1, "actual_registrations"));
    assertEquals(8L, lng(d1, "industry_registrations"));
    assertEquals(400 / 3.5, dbl(d1, "registration_effectiveness"), 1e-9);
    assertEquals(13.0 / 3, dbl(d1, "expected_registrations_local"), 1e-12);
    assertEquals(1200.0 / 13, dbl(d1, "registration_effectiveness_local"), 1e-9);
    assertEquals("superior", d1.getAs("band"));
    assertEquals(1, d1.<Integer>getAs("rank_in_area"));
    assertEquals(100.0, dbl(d1, "percentile_in_area"), 1e-12);
    assertEquals(2L, lng(d1, "dealers_in_area"));

    Row d2 = perf.get("D2");
    assertEquals(4.5, dbl(d2, "expected_registrations"), 1e-12);
    assertEquals(4L, lng(d2, "actual_registrations"));
    assertEquals(400 / 4.5, dbl(d2, "registration_effectiveness"), 1e-9);
    assertEquals(4.0, dbl(d2, "expected_registrations_local"), 1e-12);
    assertEquals(100.0, dbl(d2, "registration_effectiveness_local"), 1e-9);
    assertEquals("needs_improvement", d2.getAs("band"));
    assertEquals(2, d2.<Integer>getAs("rank_in_area"));
    assertEquals(0.0, dbl(d2, "percentile_in_area"), 1e-12);

    Row d3 = perf.get("D3");
    assertEquals(10.0, dbl(d3, "expected_registrations"), 1e-12);
    assertEquals(10L, lng(d3, "actual_registrations"));
    assertEquals(100.0, dbl(d3, "registration_effectiveness"), 1e-9);
    assertEquals(29.0 / 3, dbl(d3, "expected_registrations_local"), 1e-12);
    assertEquals(3000.0 / 29, dbl(d3, "registration_effectiveness_local"), 1e-9);
    assertEquals("satisfactory", d3.getAs("band"));

    // bands come from configuration
    MarketParams strict = new MarketParams(AS_OF, 12, "state", "county", 2, true,
        new MarketParams.Bands(120.0, 100.0, 85.0, 15.0));
    Map<String, Row> s = byKey(Market.compute(fixture(), strict).performance(), "dealer_id");
    assertEquals("needs_improvement", s.get("D1").getAs("band"));
    assertEquals("unsatisfactory", s.get("D2").getAs("band"));
    assertEquals("needs_improvement", s.get("D3").getAs("band"));
  }

  @Test
  void salesEffectivenessPumpInPumpOutAndRetention() {
    Row d1 = perf.get("D1");
    assertEquals(4L, lng(d1, "actual_sales"));
    assertEquals(400 / 3.5, dbl(d1, "sales_effectiveness"), 1e-9);
    assertEquals(1200.0 / 13, dbl(d1, "sales_effectiveness_local"), 1e-9);
    assertEquals("superior", d1.getAs("sales_band"));
    assertEquals(2L, lng(d1, "retained_sales"));
    assertEquals(1L, lng(d1, "pump_out"));
    assertEquals(1L, lng(d1, "own_sales_customer_unlocated"));
    assertEquals(2L, lng(d1, "pump_in"));
    assertEquals(0.5, dbl(d1, "retention"), 1e-12);
    assertEquals(4L, lng(d1, "throughput"));
    assertEquals(1.75, dbl(d1, "area_throughput"), 1e-12);

    Row d2 = perf.get("D2");
    assertEquals(3L, lng(d2, "actual_sales"));
    assertEquals(300 / 4.5, dbl(d2, "sales_effectiveness"), 1e-9);
    assertEquals("unsatisfactory", d2.getAs("sales_band"));
    assertEquals(1L, lng(d2, "retained_sales"));
    assertEquals(2L, lng(d2, "pump_out"));
    assertEquals(2L, lng(d2, "pump_in"));
    assertEquals(1.0 / 3, dbl(d2, "retention"), 1e-12);

    Row d3 = perf.get("D3");
    assertEquals("registrations", d3.getAs("cross_sell_source"));
    assertNull(d3.getAs("actual_sales"));
    assertNull(d3.getAs("sales_effectiveness"));
    assertEquals(Effectiveness.NO_SALES_INPUT, d3.getAs("sales_effectiveness_null_reason"));
    assertEquals(7L, lng(d3, "own_sales"));
    assertEquals(6L, lng(d3, "retained_sales"));
    assertEquals(0L, lng(d3, "pump_out"));
    assertEquals(0L, lng(d3, "pump_in"));
    assertEquals(4L, lng(d3, "unattributed_sales_in_pma"));
    assertEquals(1.0, dbl(d3, "retention"), 1e-12);

    // the matrix: the closed dealer's sale into D2's PMA, flagged; B's sales without a seller
    Row closed = out.crossSell().where(col("selling_dealer_id").equalTo("D4")).first();
    assertEquals("PMA-D2", closed.getAs("customer_territory_id"));
    assertEquals(1L, lng(closed, "sales"));
    assertFalse(closed.<Boolean>getAs("is_selling_dealer_open"));
    Row noSeller = out.crossSell().where(col("is_without_selling_dealer")).first();
    assertEquals("PMA-D3", noSeller.getAs("customer_territory_id"));
    assertEquals(4L, lng(noSeller, "sales"));
    assertEquals(19L, out.crossSell().agg(org.apache.spark.sql.functions.sum("sales")).first().getLong(0));
  }

  @Test
  void expectedZeroGivesNullEffectivenessWithAReason() {
    Row d5 = perf.get("D5");
    assertEquals(0.0, dbl(d5, "expected_registrations"), 0);
    assertNull(d5.getAs("registration_effectiveness"));
    assertNull(d5.getAs("registration_effectiveness_local"));
    assertNull(d5.getAs("sales_effectiveness"));
    assertNull(d5.getAs("band"));
    assertNull(d5.getAs("rank_in_area"));
    assertEquals(Effectiveness.NO_INDUSTRY, d5.getAs("effectiveness_null_reason"));
    assertEquals(Effectiveness.NO_INDUSTRY, d5.getAs("sales_effectiveness_null_reason"));
    Row d6 = perf.get("D6");
    assertEquals(0L, lng(d6, "pma_units"));
    assertNull(d6.getAs("registration_effectiveness"));
    assertEquals(Effectiveness.NO_PMA, d6.getAs("effectiveness_null_reason"));
    assertNull(perf.get("D1").getAs("effectiveness_null_reason"));
    // no NaN or infinity anywhere
    for (String c : List.of("registration_effectiveness", "registration_effectiveness_local", "sales_effectiveness",
        "sales_effectiveness_local", "retention", "area_throughput")) {
      assertEquals(0, out.performance().where("isnan(" + c + ") OR abs(" + c + ") = double('infinity')").count(), c);
    }
  }

  @Test
  void badMarketConfigurationIsRejectedByName() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(org.territorypotential.config.ConfigError.class,
        () -> org.territorypotential.config.AppConfig.load(null, Map.of("tp.market.benchmark-area", "county")));
    assertEquals("configuration key 'tp.market.benchmark-area' must be one of [state, region, nation], got 'county'",
        e.getMessage());
    MarketParams p = MarketParams.from(org.territorypotential.config.AppConfig.defaults(), AS_OF);
    assertEquals(MarketParams.defaults(AS_OF), p, "conf/default.conf and MarketParams.defaults agree");
    assertEquals(LocalDate.of(2023, 7, 1), p.windowStart());
  }

  @Test
  void dataQualityReportsUnclassifiedAndUnattributed() {
    Map<String, Row> dq = byKey(out.dataQuality(), "check_name");
    assertEquals(1L, lng(dq.get(DataQuality.UNCLASSIFIED), "affected"));
    assertEquals(20L, lng(dq.get(DataQuality.UNCLASSIFIED), "base"));
    assertEquals(0.05, dbl(dq.get(DataQuality.UNCLASSIFIED), "share"), 1e-12);
    assertEquals(1.0 / 18, dbl(dq.get(DataQuality.UNCLASSIFIED + "_counted"), "share"), 1e-12);
    assertEquals(1L, lng(dq.get(DataQuality.UNLOCATED), "affected"));
    // benchmark shares over located registrations only: r20 (B, Y, retail) is left out of 19 retail window registrations;
    // with it, Y would be A 2 / B 5 of 7 instead of 2 / 4 of 6: a shift of 1/3 - 2/7 = 1/21 = 4.762 percentage points
    assertEquals(1L, lng(dq.get(DataQuality.BENCHMARK_UNLOCATED), "affected"));
    assertEquals(19L, lng(dq.get(DataQuality.BENCHMARK_UNLOCATED), "base"));
    assertTrue(dq.get(DataQuality.BENCHMARK_UNLOCATED).<String>getAs("description").contains("at most 4.762 percentage points"),
        dq.get(DataQuality.BENCHMARK_UNLOCATED).<String>getAs("description"));
    assertEquals(1L, lng(dq.get(DataQuality.FLEET), "affected"));
    assertEquals(4L, lng(dq.get(DataQuality.NO_SELLER), "affected"));
    assertEquals(19L, lng(dq.get(DataQuality.NO_SELLER), "base"));
    assertEquals(2L, lng(dq.get(DataQuality.CUSTOMER_UNLOCATED), "affected"));
    assertEquals(1L, lng(dq.get(DataQuality.SELLER_NOT_OPEN), "affected"));
  }

  @Test
  void marketShareSumsAndTerritoryTotals() {
    assertMarketShareConsistent(out.marketShare());
    Dataset<Row> w = out.marketShare().where(col("period_type").equalTo("window"));
    Row t1x = w.where("area_type = 'configured' AND area_id = 'T1' AND segment = 'X' AND brand = 'A'").first();
    assertEquals(5L, lng(t1x, "industry_registrations"));
    assertEquals(3L, lng(t1x, "brand_registrations"));
    assertEquals(0.6, dbl(t1x, "share"), 1e-12);
    Row sy = w.where("area_type = 'state' AND area_id = 'S' AND segment = 'Y' AND brand = 'B'").first();
    assertEquals(2.0 / 3, dbl(sy, "share"), 1e-12);
    // monthly rows add up to the window
    long monthly = out.marketShare().where("period_type = 'month' AND area_type = 'nation'")
        .agg(org.apache.spark.sql.functions.sum("brand_registrations")).first().getLong(0);
    assertEquals(18L, monthly);
    // monthly_registrations: the whole history (r21 before the window too), no personal columns
    assertEquals(19L, out.monthlyRegistrations().agg(org.apache.spark.sql.functions.sum("registrations")).first().getLong(0));
    Row pma = out.monthlyRegistrations().where("geo_unit_id = 'U3' AND brand = 'B'").first();
    assertEquals("PMA-D3", pma.getAs("pma_territory_id"));
    assertEquals("T2", pma.getAs("territory_id"));
  }

  /**
   * Shares of each area x period x segment sum to 1, and each area's industry and brand
   * registrations equal the sum over its geo units (every area type, every period).
   */
  static void assertMarketShareConsistent(Dataset<Row> share) {
    assertEquals(0, share.groupBy("area_type", "area_id", "period_type", "period_start", "segment")
        .agg(org.apache.spark.sql.functions.sum("share").as("s")).where("abs(s - 1) > 1e-9").count(), "shares sum to 1");
    Dataset<Row> units = share.where(col("area_type").equalTo("geo_unit"))
        .select(col("area_id").as("geo_unit_id"), col("period_type"), col("period_start"), col("segment"), col("brand"),
            col("brand_registrations").as("unit_brand"));
    // membership from the geo_unit rows of each area type is not in the table; rebuild territory totals
    // from the areas whose membership we know: nation = all units
    Dataset<Row> nation = share.where(col("area_type").equalTo("nation"));
    Dataset<Row> sums = units.groupBy("period_type", "period_start", "segment", "brand")
        .agg(org.apache.spark.sql.functions.sum("unit_brand").as("unit_sum"));
    assertEquals(0, nation.join(sums, new String[] {"period_type", "period_start", "segment", "brand"}, "full_outer")
        .where("brand_registrations IS NULL OR unit_sum IS NULL OR brand_registrations != unit_sum").count(),
        "nation = sum of its units");
    // every area type partitions the units, so each type's total equals the units' total
    Dataset<Row> perType = share.groupBy("area_type", "period_type", "period_start", "segment", "brand")
        .agg(org.apache.spark.sql.functions.sum("brand_registrations").as("type_sum"));
    assertEquals(0, perType.where("area_type NOT IN ('pma')")
        .join(sums, new String[] {"period_type", "period_start", "segment", "brand"}, "left")
        .where("unit_sum IS NULL OR type_sum != unit_sum").count(), "each area type's total = the units' total");
  }
}
