package org.territorypotential.design;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Huff calibration on planted flows, and what-ifs on a small planar market (no Spark): three NISSAN
 * dealers on a line at x = 0, 10, 20 and one competitor at x = 10, y = 5; units every km from x = 0
 * to 20 with demand 10 and brand potential 1.
 */
class WhatIfTest {
  @Test
  void calibrationRecoversPlantedAlphaAndBetaWithinTenPercent() {
    double alpha = 1.3;
    double beta = 1.8;
    SplittableRandom rnd = new SplittableRandom(2024);
    List<WhatIf.Dealer> dealers = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      dealers.add(new WhatIf.Dealer("D" + d, "B", rnd.nextDouble() * 100, rnd.nextDouble() * 100,
          Math.exp(Grid.gaussian(rnd) * 0.7)));
    }
    List<Huff.Group> groups = new ArrayList<>();
    for (int u = 0; u < 500; u++) {
      WhatIf.Unit un = new WhatIf.Unit("U" + u, rnd.nextDouble() * 100, rnd.nextDouble() * 100, 1, 1);
      int[] idx = WhatIf.nearest(un, dealers, 8);
      double[] logA = new double[8];
      double[] logD = new double[8];
      for (int j = 0; j < 8; j++) {
        WhatIf.Dealer d = dealers.get(idx[j]);
        logA[j] = Math.log(d.attractiveness());
        logD[j] = Math.log(Math.max(0.5, Math.hypot(un.x() - d.x(), un.y() - d.y())));
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
    // N2 had x = 6..15 (ties go to the smaller id: x = 5 to N1, x = 15 to N2); after closing it
    // x = 6..10 go to N1 (x = 10 ties, N1 < N3) and 11..15 to N3
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
}
