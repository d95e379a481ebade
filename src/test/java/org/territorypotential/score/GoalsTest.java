package org.territorypotential.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.territorypotential.config.ConfigError;

/** The whole-unit split of a target: exact sums, floors, caps, infeasible targets (no Spark). */
class GoalsTest {
  static final long NONE = Long.MAX_VALUE;

  @Test
  void splitsInProportionAndRoundsByLargestRemainder() {
    // 101 x (45.857 / 102) = 45.41, 101 x (56.143 / 102) = 55.59: floors 45 + 55, the 1 left goes to .59
    Goals.Allocation a = Goals.allocate(new double[] {45.857142857, 56.142857143}, 101, new long[] {0, 0}, new long[] {NONE, NONE});
    assertArrayEquals(new long[] {45, 56}, a.goals());
    assertEquals(45.41, a.continuous()[0], 0.01);
    // three equal weights, 10 units: 3.33 each, the extra unit goes to the lowest index
    assertArrayEquals(new long[] {4, 3, 3}, Goals.allocate(new double[] {1, 1, 1}, 10, new long[3], new long[] {NONE, NONE, NONE})
        .goals());
    // all weights 0: equal split
    assertArrayEquals(new long[] {2, 2}, Goals.allocate(new double[] {0, 0}, 4, new long[2], new long[] {NONE, NONE}).goals());
    // zero target
    assertArrayEquals(new long[] {0, 0}, Goals.allocate(new double[] {3, 1}, 0, new long[2], new long[] {NONE, NONE}).goals());
  }

  @Test
  void floorsAndCapsBindAndTheRestIsSharedInProportion() {
    // potential 10 / 30 / 60, target 100, floor 20: A is lifted to 20, B and C share 80 as 30:60
    Goals.Allocation f = Goals.allocate(new double[] {10, 30, 60}, 100, new long[] {20, 20, 20}, new long[] {NONE, NONE, NONE});
    assertArrayEquals(new long[] {20, 27, 53}, f.goals());
    // cap C at 50: A and B share the other 50 as 10:30
    Goals.Allocation c = Goals.allocate(new double[] {10, 30, 60}, 100, new long[3], new long[] {NONE, NONE, 50});
    assertArrayEquals(new long[] {13, 37, 50}, c.goals());
    // only the weight-0 territory has room left: it takes the rest
    assertArrayEquals(new long[] {5, 5}, Goals.allocate(new double[] {1, 0}, 10, new long[2], new long[] {5, NONE}).goals());
  }

  @Test
  void infeasibleTargetsSaySo() {
    IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
        () -> Goals.allocate(new double[] {1, 1}, 5, new long[] {3, 3}, new long[] {NONE, NONE}));
    assertTrue(below.getMessage().contains("below the sum of the floors (6)"), below.getMessage());
    IllegalArgumentException above = assertThrows(IllegalArgumentException.class,
        () -> Goals.allocate(new double[] {1, 1}, 50, new long[2], new long[] {10, 20}));
    assertTrue(above.getMessage().contains("above the sum of the caps (30)"), above.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Goals.allocate(new double[] {1}, 5, new long[] {4}, new long[] {3}));
    assertThrows(IllegalArgumentException.class, () -> Goals.allocate(new double[] {Double.NaN}, 5, new long[1], new long[] {NONE}));
    assertThrows(IllegalArgumentException.class, () -> Goals.allocate(new double[0], 5, new long[0], new long[0]));
  }

  @Test
  void randomCasesSumExactlyAndRespectBounds() {
    Random rnd = new Random(3);
    for (int k = 0; k < 2000; k++) {
      int n = 1 + rnd.nextInt(40);
      double[] w = new double[n];
      long[] floors = new long[n];
      long[] caps = new long[n];
      long minT = 0;
      long maxT = 0;
      for (int i = 0; i < n; i++) {
        w[i] = rnd.nextInt(5) == 0 ? 0 : rnd.nextDouble() * 1000;
        floors[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(20) : 0;
        caps[i] = rnd.nextInt(3) == 0 ? floors[i] + rnd.nextInt(200) : NONE;
        minT += floors[i];
        maxT = maxT == NONE || caps[i] == NONE ? NONE : maxT + caps[i];
      }
      long target = minT + (long) (rnd.nextDouble() * Math.min(5000, maxT == NONE ? 5000 : maxT - minT));
      long[] g = Goals.allocate(w, target, floors, caps).goals();
      assertEquals(target, Arrays.stream(g).sum(), "case " + k);
      for (int i = 0; i < n; i++) {
        assertTrue(g[i] >= floors[i] && g[i] <= caps[i], "case " + k + " territory " + i);
      }
    }
  }

  @Test
  void targetsParseAndBadOnesAreRejected() {
    List<ScoreParams.Target> t = ScoreParams.targets(List.of("FY2025=12000", "H2=110.5%"));
    assertEquals(12000, t.get(0).units());
    assertEquals(110.5, t.get(1).percentOfPotential());
    for (String bad : List.of("FY2025", "=5", "FY=-5", "FY=abc", "F Y=5", "x'--=5")) {
      assertThrows(ConfigError.class, () -> ScoreParams.targets(List.of(bad)), bad);
    }
    assertThrows(ConfigError.class, () -> ScoreParams.targets(List.of("A=1", "A=2")));
  }
}
