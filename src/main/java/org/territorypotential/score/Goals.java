package org.territorypotential.score;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Splits a whole-unit target across territories in proportion to weights (their potential),
 * honouring per-territory floors and caps, so that the goals sum exactly to the target.
 *
 * <p>Continuous step: {@code x_i = clamp(lambda * w_i, floor_i, cap_i)} with the one lambda that
 * makes {@code sum x_i = target} (bisection; the sum is monotone in lambda). When every weight is
 * 0 the weights are taken as equal. Rounding step (largest remainder): every goal starts at
 * {@code floor(x_i)} and the units still missing go one each to the largest fractional parts
 * (ties: the lower index), never above a cap; the result sums to the target exactly.
 */
public final class Goals {
  private Goals() {}

  /** The allocation, with the continuous shares it was rounded from. */
  public record Allocation(long[] goals, double[] continuous) {}

  /**
   * @param caps per territory, {@code Long.MAX_VALUE} = no cap
   * @throws IllegalArgumentException when the target cannot be met: below the sum of the floors,
   *     above the sum of the caps, or a floor above its cap
   */
  public static Allocation allocate(double[] weights, long target, long[] floors, long[] caps) {
    int n = weights.length;
    if (floors.length != n || caps.length != n) {
      throw new IllegalArgumentException("weights, floors and caps must have the same length");
    }
    if (n == 0) {
      if (target != 0) {
        throw new IllegalArgumentException("a target of " + target + " units cannot be split over no territories");
      }
      return new Allocation(new long[0], new double[0]);
    }
    if (target < 0) {
      throw new IllegalArgumentException("the target must not be negative, got " + target);
    }
    double sumFloors = 0;
    double sumCaps = 0;
    for (int i = 0; i < n; i++) {
      if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
        throw new IllegalArgumentException("weight " + i + " must be a finite number >= 0, got " + weights[i]);
      }
      if (floors[i] < 0 || floors[i] > caps[i]) {
        throw new IllegalArgumentException("territory " + i + ": floor " + floors[i] + " must be between 0 and its cap " + caps[i]);
      }
      sumFloors += floors[i];
      sumCaps += caps[i] == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : caps[i];
    }
    if (target < sumFloors) {
      throw new IllegalArgumentException("the target " + target + " is below the sum of the floors (" + (long) sumFloors
          + "): lower tp.goals.floor-units or raise the target");
    }
    if (target > sumCaps) {
      throw new IllegalArgumentException("the target " + target + " is above the sum of the caps (" + (long) sumCaps
          + "): raise tp.goals.cap-multiple-of-potential or lower the target");
    }
    double[] w = weights.clone();
    boolean allZero = Arrays.stream(w).allMatch(x -> x == 0);
    if (allZero) {
      Arrays.fill(w, 1.0);
    }
    // Units for weight-0 territories stay at their floor; if only they have room left, the
    // target is unreachable in proportion to potential: fill them equally instead.
    double reachable = 0;
    for (int i = 0; i < n; i++) {
      reachable += w[i] > 0 ? (caps[i] == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : caps[i]) : floors[i];
    }
    if (target > reachable) {
      Arrays.fill(w, 1.0);
    }
    double lo = 0;
    double hi = 1;
    while (sum(w, floors, caps, hi) < target) {
      hi *= 2;
    }
    for (int it = 0; it < 200; it++) {
      double mid = (lo + hi) / 2;
      if (sum(w, floors, caps, mid) < target) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double[] x = new double[n];
    long[] g = new long[n];
    long assigned = 0;
    for (int i = 0; i < n; i++) {
      x[i] = clamp(hi * w[i], floors[i], caps[i]);
      g[i] = Math.max(floors[i], Math.min(caps[i], (long) Math.floor(x[i])));
      assigned += g[i];
    }
    // Largest remainder up, or (bisection overshoot) smallest remainder down, to the exact target.
    Integer[] byRemainder = IntStream.range(0, n).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> -(x[i] - g[i])).thenComparingInt(i -> i)).toArray(Integer[]::new);
    while (assigned < target) {
      boolean moved = false;
      for (int i : byRemainder) {
        if (assigned < target && g[i] < caps[i]) {
          g[i]++;
          assigned++;
          moved = true;
        }
      }
      if (!moved) {
        throw new IllegalStateException("cannot reach the target " + target + " within the caps");
      }
    }
    for (int k = n - 1; assigned > target; k = k == 0 ? n - 1 : k - 1) {
      int i = byRemainder[k];
      if (g[i] > floors[i]) {
        g[i]--;
        assigned--;
      }
    }
    return new Allocation(g, x);
  }

  private static double sum(double[] w, long[] floors, long[] caps, double lambda) {
    double s = 0;
    for (int i = 0; i < w.length; i++) {
      s += clamp(lambda * w[i], floors[i], caps[i]);
    }
    return s;
  }

  private static double clamp(double v, long lo, long hi) {
    return Math.max(lo, Math.min(hi == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : hi, v));
  }
}
