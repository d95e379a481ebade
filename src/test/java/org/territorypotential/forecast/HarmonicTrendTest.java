package org.territorypotential.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The state's seasonal regression on planted series (no Spark). */
class HarmonicTrendTest {
  /** log y = 3 + 0.2 t/12 + 0.3 cos(2 pi m/12) - 0.1 sin(2 pi m/12) + 0.05 cos(4 pi m/12): a planted trend and season. */
  private static double planted(int t, int firstMonthOfYear) {
    int m = Math.floorMod(firstMonthOfYear - 1 + t, 12);
    double a = 2 * Math.PI * m / 12;
    return Math.exp(3 + 0.2 * t / 12 + 0.3 * Math.cos(a) - 0.1 * Math.sin(a) + 0.05 * Math.cos(2 * a));
  }

  @Test
  void aPlantedTrendAndSeasonAreRecoveredAndNothingAfterTheOriginIsRead() {
    int first = 4; // the series starts in April
    double[] y = new double[60];
    for (int t = 0; t < y.length; t++) {
      y[t] = planted(t, first);
    }
    for (int o = 20; o < 47; o += 3) {
      double[] f = HarmonicTrend.forecast(y, 0, o, 12, 36, 2, first);
      for (int h = 1; h <= 12; h++) {
        assertEquals(y[o + h], f[h - 1], 1e-9 * y[o + h], "origin " + o + " h " + h);
      }
      double[] z = y.clone();
      for (int t = o + 1; t < z.length; t++) {
        z[t] = 1e6 * (t % 3);
      }
      assertArrayEquals(f, HarmonicTrend.forecast(z, 0, o, 12, 36, 2, first), 0.0, "origin " + o + ": leakage");
    }
    // the terms: 0.2 a year in logs, and the season's factors over their geometric mean
    HarmonicTrend.Fit fit = HarmonicTrend.fit(y, 0, 40, 36, 2, first);
    assertEquals(Math.exp(0.2) - 1, fit.growthPerYear(), 1e-9);
    assertEquals(36, fit.months());
    double[] season = fit.seasonalFactors();
    for (int moy = 0; moy < 12; moy++) {
      double a = 2 * Math.PI * moy / 12;
      assertEquals(Math.exp(0.3 * Math.cos(a) - 0.1 * Math.sin(a) + 0.05 * Math.cos(2 * a)), season[moy], 1e-9, "month " + (moy + 1));
    }
    // one harmonic cannot fit the second: no longer exact
    double[] one = HarmonicTrend.forecast(y, 0, 40, 12, 36, 1, first);
    assertEquals(true, Math.abs(one[0] - y[41]) > 1e-3 * y[41], "one harmonic misses the planted second one");
  }

  @Test
  void monthsWithoutValueAreLeftOutAndTooShortAWindowHasNoFit() {
    double[] y = new double[40];
    for (int t = 0; t < y.length; t++) {
      y[t] = planted(t, 1);
    }
    double[] gaps = y.clone();
    gaps[25] = 0;
    gaps[28] = 0;
    double[] f = HarmonicTrend.forecast(gaps, 0, 30, 6, 36, 2, 1);
    for (int h = 1; h <= 6; h++) {
      assertEquals(y[30 + h], f[h - 1], 1e-9 * y[30 + h]);
    }
    // 2 harmonics = 6 parameters: 10 months with a value are needed
    assertNull(HarmonicTrend.forecast(y, 21, 29, 3, 36, 2, 1), "9 months");
    assertEquals(3, HarmonicTrend.forecast(y, 20, 29, 3, 36, 2, 1).length, "10 months");
    assertNull(HarmonicTrend.forecast(y, 0, 29, 3, 9, 2, 1), "a window of 9 months");
    // values only every third month (12 of 36): the second harmonic's sine is 0 there but for
    // rounding (sin(pi) = 1.2e-16), so its normal equation is singular in all but the last bits
    double[] quarterly = new double[40];
    for (int t = 0; t < quarterly.length; t += 3) {
      quarterly[t] = planted(t, 1);
    }
    assertNull(HarmonicTrend.fit(quarterly, 0, 36, 36, 2, 1), "a numerically singular fit is no fit");
    assertEquals(3, HarmonicTrend.forecast(quarterly, 0, 36, 3, 36, 1, 1).length, "one harmonic is identified there");
  }

  /** With multiplicative noise the forecast estimates the mean (smearing), not the median: unbiased over many draws. */
  @Test
  void smearingKeepsTheForecastUnbiasedUnderLogNoise() {
    Random rnd = new Random(3);
    double sumF = 0;
    double sumTrue = 0;
    for (int rep = 0; rep < 400; rep++) {
      double[] y = new double[37];
      for (int t = 0; t < y.length; t++) {
        y[t] = planted(t, 1) * Math.exp(0.3 * rnd.nextGaussian() - 0.045);
      }
      sumF += HarmonicTrend.forecast(y, 0, 35, 1, 36, 2, 1)[0];
      sumTrue += planted(36, 1);
    }
    assertEquals(1.0, sumF / sumTrue, 0.03, "mean forecast over the mean truth");
  }
}
