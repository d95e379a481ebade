package org.territorypotential.design;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.geo.Territories;
import org.territorypotential.ops.JobMeter;
import org.territorypotential.market.Market;
import org.territorypotential.market.MarketParams;

/**
 * Huff calibration on planted flows, and what-ifs on a small market (no Spark): three NISSAN
 * dealers on the equator at longitude x = 0, 10, 20 and one competitor at x = 10, latitude 5; units
 * every degree from x = 0 to 20 with demand 10 and brand potential 1. One Spark case runs a what-if through the market
 * stage's code ({@link WhatIfMarket}) on 41 units along the 40 N parallel.
 */
class WhatIfTest {
  @Test
  void calibrationRecoversPlantedAlphaAndBetaWithinTenPercent() {
    double alpha = 1.3;
    double beta = 1.8;
    SplittableRandom rnd = new SplittableRandom(2024);
    List<WhatIf.Dealer> dealers = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      dealers.add(new WhatIf.Dealer("D" + d, "B", lonOfKm(rnd.nextDouble() * 100), latOfKm(rnd.nextDouble() * 100),
          Math.exp(Grid.gaussian(rnd) * 0.7)));
    }
    List<Huff.Group> groups = new ArrayList<>();
    for (int u = 0; u < 500; u++) {
      WhatIf.Unit un = new WhatIf.Unit("U" + u, lonOfKm(rnd.nextDouble() * 100), latOfKm(rnd.nextDouble() * 100), 1, 1);
      int[] idx = WhatIf.nearest(un, dealers, 8);
      double[] logA = new double[8];
      double[] logD = new double[8];
      for (int j = 0; j < 8; j++) {
        WhatIf.Dealer d = dealers.get(idx[j]);
        logA[j] = Math.log(d.attractiveness());
        logD[j] = Math.log(Math.max(0.5, WhatIf.km(un, d)));
      }
      double[] p = Huff.probabilities(alpha, beta, logA, logD);
      double[] counts = new double[8];
      for (int s = 0; s < 40; s++) {
        double r = rnd.nextDouble();
        int j = 0;
        while (j < 7 && (r -= p[j]) > 0) {
          j++;
        }
        counts[j]++;
      }
      groups.add(new Huff.Group(logA, logD, counts));
    }
    Huff.Fit fit = Huff.calibrate(groups, 50);
    assertTrue(fit.converged());
    assertEquals(alpha, fit.alpha(), 0.1 * alpha, "alpha");
    assertEquals(beta, fit.beta(), 0.1 * beta, "beta");
    assertEquals(20_000, fit.flows(), 1e-9);
  }

  /** About 100 km square at 40 N: a km east of -100 degrees, a km north of 40 degrees. */
  private static double lonOfKm(double km) {
    return -100 + km / 85.4;
  }

  private static double latOfKm(double km) {
    return 40 + km / 111.0;
  }

  @Test
  void huffDistanceIsTheGreatCircleOfThePmaRule() {
    // one degree of the equator on ST_DistanceSphere's sphere (radius 6371.008 km): 111.195 km;
    // one degree of longitude at 60 N is half of it, where a planar degree would say 111.195 again
    WhatIf.Dealer d = new WhatIf.Dealer("D", "B", 1, 0, 1);
    assertEquals(6371.008 * Math.PI / 180, WhatIf.km(new WhatIf.Unit("U", 0, 0, 1, 1), d), 1e-6);
    assertEquals(6371.008 * Math.PI / 180 / 2, WhatIf.km(new WhatIf.Unit("U", 0, 60, 1, 1),
        new WhatIf.Dealer("D", "B", 1, 60, 1)), 0.01);
  }

  @Test
  void calibrationSaysWhenAttractivenessDoesNotVary() {
    List<Huff.Group> groups = List.of(new Huff.Group(new double[] {0, 0}, new double[] {0, 1}, new double[] {3, 1}));
    assertThrows(IllegalArgumentException.class, () -> Huff.calibrate(groups, 20));
  }

  private static List<WhatIf.Unit> line() {
    List<WhatIf.Unit> units = new ArrayList<>();
    for (int x = 0; x <= 20; x++) {
      units.add(new WhatIf.Unit("U" + x, x, 0, 10, 1));
    }
    return units;
  }

  private static List<WhatIf.Dealer> dealers() {
    return List.of(new WhatIf.Dealer("N1", "NISSAN", 0, 0, 1), new WhatIf.Dealer("N2", "NISSAN", 10, 0, 1),
        new WhatIf.Dealer("N3", "NISSAN", 20, 0, 1), new WhatIf.Dealer("C1", "TOYOTA", 10, 5, 1));
  }

  @Test
  void closingADealerMovesItsUnitsToTheNearestSameBrandDealersWithTotalsConserved() {
    // (x in degrees of longitude on the equator) N2 had x = 6..15 (ties go to the smaller id: x = 5
    // to N1, x = 15 to N2); after closing it x = 6..10 go to N1 (x = 10 ties, N1 < N3) and 11..15 to N3
    WhatIf.Result r = WhatIf.evaluate(line(), dealers(), WhatIf.Scenario.parse("close-n2:close:N2"), 1, 2, 4, 0.5);
    assertEquals("NISSAN", r.brand());
    String[] after = WhatIf.pma(line(), WhatIf.apply(dealers(), r.scenario()), "NISSAN");
    for (int x = 0; x <= 20; x++) {
      String nearest = x <= 10 ? "N1" : "N3";
      assertEquals(nearest, after[x], "unit at x = " + x);
    }
    double before = 0;
    double afterSum = 0;
    int unitsBefore = 0;
    int unitsAfter = 0;
    for (WhatIf.DealerEffect e : r.dealers()) {
      before += e.pmaPotentialBefore();
      afterSum += e.pmaPotentialAfter();
      unitsBefore += e.pmaUnitsBefore();
      unitsAfter += e.pmaUnitsAfter();
    }
    assertEquals(21, unitsBefore);
    assertEquals(21, unitsAfter);
    assertEquals(before, afterSum, 1e-9);
    assertEquals(10, r.unitsReassigned()); // x = 6..15
    WhatIf.DealerEffect n2 = r.dealers().stream().filter(WhatIf.DealerEffect::isScenarioDealer).findFirst().orElseThrow();
    assertEquals(0, n2.pmaUnitsAfter());
    assertEquals(0, n2.capturedAfter(), 1e-12);
    // the brand loses demand to the competitor, and the other NISSAN dealers gain (negative cannibalisation)
    assertTrue(r.netBrandGain() < 0, "net " + r.netBrandGain());
    assertTrue(r.cannibalisation() < 0, "cannibalisation " + r.cannibalisation());
    assertEquals(r.brandCapturedAfter() - r.brandCapturedBefore(), r.netBrandGain(), 1e-9);
  }

  @Test
  void addingADealerCannibalisesItsSameBrandNeighboursAndTakesFromTheCompetitor() {
    WhatIf.Result r = WhatIf.evaluate(line(), dealers(), WhatIf.Scenario.parse("add-n4:add:N4:nissan:15:0:2"), 1, 2, 4, 0.5);
    assertTrue(r.cannibalisation() > 0);
    assertTrue(r.netBrandGain() > 0, "the competitor loses too");
    WhatIf.DealerEffect n4 = r.dealers().stream().filter(WhatIf.DealerEffect::isScenarioDealer).findFirst().orElseThrow();
    assertEquals(0, n4.pmaUnitsBefore());
    assertEquals(5, n4.pmaUnitsAfter()); // x = 13..17 (x = 15 itself; 12.5 and 17.5 fall on either side)
    assertThrows(IllegalArgumentException.class, () -> WhatIf.Scenario.parse("x:add:N4:NISSAN:15"));
    assertThrows(IllegalArgumentException.class, () -> WhatIf.evaluate(line(), dealers(), WhatIf.Scenario.parse("x:close:N9"), 1, 2, 4, 0.5));
  }

  /**
   * The market code again for a closed dealer, on Spark. Units U00..U40 every 0.01 degree of longitude
   * on 40 N (one county, one state); dealers of brand N at units 0, 10, 20 and 40 (N1..N4) and one of
   * brand T at 10. Unit i registers 1 + i % 3 N and 2 T of segment X, and one each of segment Y when
   * i is even; N has a sales input. Closing N2 (units 6..15) gives its units to N1 and N3, the
   * nearest N dealers; N4 (units 31..40) keeps its PMA. Closing N4 and T1 run in the same pass.
   */
  @Test
  void closingADealerThroughTheMarketCodeConservesExpectedAndLeavesUntouchedDealersAsTheMarketStageHasThem() {
    SparkSession spark = TestSpark.session();
    LocalDate asOf = LocalDate.of(2024, 6, 30);
    List<Row> units = new ArrayList<>();
    List<Row> regs = new ArrayList<>();
    List<Row> sales = new ArrayList<>();
    for (int i = 0; i <= 40; i++) {
      String id = String.format("U%02d", i);
      units.add(RowFactory.create(id, "tract", "C1", "S", lon(i), 40.0));
      for (int r = 0; r < 1 + i % 3; r++) {
        regs.add(reg(id + "n" + r, "N", "NX", id));
      }
      regs.add(reg(id + "t0", "T", "TX", id));
      regs.add(reg(id + "t1", "T", "TX", id));
      if (i % 2 == 0) {
        regs.add(reg(id + "ny", "N", "NY", id));
        regs.add(reg(id + "ty", "T", "TY", id));
      }
    }
    String[] sellers = {"N1", "N1", "N1", "N2", "N2", "N3", "N3", "N3", "N3", "N4", "N4"};
    for (int k = 0; k < sellers.length; k++) {
      sales.add(RowFactory.create("S" + k, Date.valueOf("2024-02-01"), "N", sellers[k], String.format("U%02d", 3 * k)));
    }
    Dataset<Row> unitFrame = spark.createDataFrame(units, StructType.fromDDL(
        "geo_unit_id string, level string, county_id string, state_id string, centroid_lon double, centroid_lat double"));
    // the dealers read from files, as the design stage reads dealers_located: a filter on a table
    // scan on the KNN join's object side makes Sedona print its filter-pushdown warning to stdout
    String dealerFiles = new java.io.File(TestSpark.dir("whatif-dealers"), "dealers").getAbsolutePath();
    spark.createDataFrame(List.of(dealer("N1", "N", 0), dealer("N2", "N", 10), dealer("N3", "N", 20),
        dealer("N4", "N", 40), dealer("T1", "T", 10)), StructType.fromDDL("dealer_id string, name string, brand string,"
            + " longitude double, latitude double, geo_unit_id string, open_date date, close_date date"))
        .write().mode("overwrite").parquet(dealerFiles);
    Dataset<Row> dealers = spark.read().parquet(dealerFiles);
    Dataset<Row> pmas = Territories.pmas(unitFrame, dealers, List.of("N", "T"), 15.0);
    String warning = "filter pushdowns have been detected on the object side of the KNN join";
    List<Row> stored = new ArrayList<>();
    assertTrue(stdout(() -> stored.addAll(pmas.collectAsList())).contains(warning),
        "the warning this test guards against is Sedona's");
    // territory_assignment as the design stage reads it: stored rows, not a KNN join to plan again
    Dataset<Row> assignment = spark.createDataFrame(stored, pmas.schema());
    Market.Inputs in = new Market.Inputs(
        spark.createDataFrame(regs, StructType.fromDDL("registration_id string, registration_date date, make string,"
            + " model string, segment string, sale_type string, geo_unit_id string, selling_dealer_id string")),
        spark.createDataFrame(List.of(RowFactory.create("N", "NX", "X"), RowFactory.create("N", "NY", "Y"),
            RowFactory.create("T", "TX", "X"), RowFactory.create("T", "TY", "Y")), StructType.fromDDL(
                "make string, model string, segment string")),
        unitFrame, "tract", assignment, dealers,
        spark.createDataFrame(sales, StructType.fromDDL("sale_id string, sale_date date, make string, dealer_id string,"
            + " geo_unit_id string")), List.of());
    MarketParams p = MarketParams.defaults(asOf);
    Market.Outputs market = Market.compute(in, p);
    Map<String, Row> stage = new HashMap<>();
    for (Row r : market.performance().collectAsList()) {
      stage.put(r.getAs("dealer_id"), r);
    }
    JobMeter meter = JobMeter.of(spark.sparkContext());
    JobMeter.Snapshot t0 = meter.snapshot();
    WhatIfMarket.Context ctx1 = WhatIfMarket.Context.of(in, p, 15.0);
    WhatIfMarket.evaluate(ctx1, List.of(new WhatIfMarket.Request(WhatIf.Scenario.parse("close-n2:close:N2"), "N")));
    ctx1.unpersist();
    long jobsOne = meter.snapshot().minus(t0).jobs();
    JobMeter.Snapshot t1 = meter.snapshot();
    WhatIfMarket.Context ctx = WhatIfMarket.Context.of(in, p, 15.0);
    // three scenarios of two brands in one pass: each must come out as the market code has it alone
    List<Map<String, WhatIfMarket.Outcome>> outcomes = new ArrayList<>();
    String printed = stdout(() -> outcomes.add(WhatIfMarket.evaluate(ctx, List.of(
        new WhatIfMarket.Request(WhatIf.Scenario.parse("close-n2:close:N2"), "N"),
        new WhatIfMarket.Request(WhatIf.Scenario.parse("close-n4:close:N4"), "N"),
        new WhatIfMarket.Request(WhatIf.Scenario.parse("close-t1:close:T1"), "T")))));
    Map<String, WhatIfMarket.Outcome> all = outcomes.get(0);
    // the scenarios' dealers are a local relation: the KNN joins read no table on their object side
    assertTrue(!printed.contains(warning), "the what-if's KNN joins print Sedona's warning:\n" + printed);
    ctx.unpersist();
    long jobsThree = meter.snapshot().minus(t1).jobs();
    // one pass for all: 77 jobs for one scenario and 94 for three of two brands when measured (a KNN
    // broadcast per scenario); a market pass per brand and scenario would be five passes here
    assertTrue(jobsThree <= jobsOne * 3 / 2, "Spark jobs: one scenario " + jobsOne + ", three of two brands " + jobsThree);
    market.unpersist();
    WhatIfMarket.Outcome o = all.get("close-n2");
    // closing N4 leaves N1 and N2 as they were; closing T1, the only T dealer, leaves T no PMA
    for (String d : List.of("N1", "N2")) {
      assertFigures(stage.get(d), all.get("close-n4").after(d), d + " after closing N4");
    }
    assertEquals(WhatIfMarket.Figures.NONE, all.get("close-n4").after("N4"));
    assertFigures(stage.get("T1"), all.get("close-t1").before("T1"), "T1 before");
    assertEquals(41, all.get("close-t1").pmaBefore().size());
    assertTrue(all.get("close-t1").pmaAfter().isEmpty(), "no T dealer is left");

    // the baseline is the market stage's, for every N dealer
    for (String d : List.of("N1", "N2", "N3", "N4")) {
      assertFigures(stage.get(d), o.before(d), d + " before");
    }
    // the closed dealer's units go to the nearest remaining N dealers; the others keep theirs
    int[] at = {0, 10, 20, 40};
    int moved = 0;
    for (int i = 0; i <= 40; i++) {
      String id = String.format("U%02d", i);
      if (o.pmaBefore().get(id).equals("N2")) {
        moved++;
        int best = Math.min(Math.abs(i - at[0]), Math.min(Math.abs(i - at[2]), Math.abs(i - at[3])));
        int got = at[Integer.parseInt(o.pmaAfter().get(id).substring(1)) - 1];
        assertEquals(best, Math.abs(i - got), id + " went to " + o.pmaAfter().get(id));
      } else {
        assertEquals(o.pmaBefore().get(id), o.pmaAfter().get(id), id);
      }
    }
    assertEquals(10, moved, "N2 held units 6..15");
    // expected registrations are conserved: one benchmark area, and the brand's PMAs cover every unit before and after
    double before = o.before().values().stream().mapToDouble(WhatIfMarket.Figures::expectedRegistrations).sum();
    double after = o.after().values().stream().mapToDouble(WhatIfMarket.Figures::expectedRegistrations).sum();
    assertTrue(before > 0);
    assertEquals(before, after, 1e-9 * before);
    assertEquals(WhatIfMarket.Figures.NONE, o.after("N2"), "a closed dealer has no row");
    assertTrue(o.after("N1").expectedRegistrations() > o.before("N1").expectedRegistrations());
    assertTrue(o.after("N3").actualRegistrations() > o.before("N3").actualRegistrations());
    // N4's PMA did not change: its expected, actuals and effectiveness are the market stage's
    assertFigures(stage.get("N4"), o.after("N4"), "N4 after");
    assertTrue(o.after("N4").salesEffectiveness() != null, "N has a sales input");
  }

  /** What {@code r} prints to stdout through Scala's Console (where Sedona's println goes). */
  private static String stdout(Runnable r) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    scala.Console$.MODULE$.withOut(out, () -> {
      r.run();
      return null;
    });
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void assertFigures(Row stage, WhatIfMarket.Figures f, String what) {
    assertEquals((Long) stage.getAs("pma_units"), f.pmaUnits(), what);
    assertEquals((Long) stage.getAs("industry_registrations"), f.industryRegistrations(), what);
    assertEquals((Double) stage.getAs("expected_registrations"), f.expectedRegistrations(), 1e-12, what);
    assertEquals((Long) stage.getAs("actual_registrations"), f.actualRegistrations(), what);
    assertEquals((Long) stage.getAs("actual_sales"), f.actualSales(), what);
    assertEquals((Double) stage.getAs("registration_effectiveness"), f.registrationEffectiveness(), what);
    assertEquals((Double) stage.getAs("sales_effectiveness"), f.salesEffectiveness(), what);
  }

  private static double lon(int i) {
    return -100.0 + 0.01 * i;
  }

  private static Row reg(String id, String make, String model, String unit) {
    return RowFactory.create(id, Date.valueOf("2024-03-15"), make, model, null, "retail", unit, null);
  }

  private static Row dealer(String id, String brand, int unit) {
    return RowFactory.create(id, id, brand, lon(unit), 40.0, String.format("U%02d", unit), null, null);
  }
}
