package org.territorypotential.design;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-territory metrics of an assignment: load and deviation from target, Polsby-Popper
 * compactness of the dissolved territory, connected pieces, cut edges, and what moved from the
 * assignment before. The dissolved territory's area is the sum of its units' areas and its
 * perimeter is the sum of its units' perimeters minus twice the boundary they share, so no
 * polygon union is needed.
 */
public final class Metrics {
  private Metrics() {}

  /** One territory's figures; deviation = (load - target) / mean target. */
  public record Territory(int territory, int units, double load, double target, double deviation, double areaKm2,
      double perimeterKm, double polsbyPopper, int components, int cutEdges, int unitsMovedIn, int unitsMovedOut,
      double potentialMovedIn, double potentialMovedOut, double dealersMovedIn, double dealersMovedOut) {}

  /** The whole assignment: the territories and the summary a planner reads first. */
  public record Summary(List<Territory> territories, double maxAbsDeviation, double meanPolsbyPopper,
      double minPolsbyPopper, boolean allContiguous, int unitsMoved, double potentialMoved, int cutEdges) {
    /** Territories whose |deviation| exceeds the tolerance (a fraction of the mean target, as the deviation). */
    public int outside(double tolerance) {
      return (int) territories.stream().filter(t -> Math.abs(t.deviation()) > tolerance + 1e-12).count();
    }
  }

  /** Metrics of {@code assign} against {@code before} (-1 = none) with the given targets (null = equal shares); moved potential = the load's. */
  public static Summary of(Problem p, int[] assign, int[] before, double[] target) {
    return of(p, assign, before, target, p.load());
  }

  /** As {@link #of(Problem, int[], int[], double[])}, counting {@code potential} per unit as what moves. */
  public static Summary of(Problem p, int[] assign, int[] before, double[] target, double[] potential) {
    int n = p.n();
    int k = p.k();
    UnitGraph g = p.graph();
    double total = Arrays.stream(p.load()).sum();
    double mean = total / k > 0 ? total / k : 1.0;
    double[] tgt = target != null ? target : filled(k, total / k);
    int[] units = new int[k];
    double[] load = new double[k];
    double[] area = new double[k];
    double[] perim = new double[k];
    int[] cut = new int[k];
    int[] in = new int[k];
    int[] out = new int[k];
    double[] lin = new double[k];
    double[] lout = new double[k];
    double[] din = new double[k];
    double[] dout = new double[k];
    int moved = 0;
    double loadMoved = 0;
    int cutTotal = 0;
    for (int u = 0; u < n; u++) {
      int t = assign[u];
      units[t]++;
      load[t] += p.load()[u];
      area[t] += p.area()[u];
      perim[t] += p.perimeter()[u];
      for (int e = g.off[u]; e < g.off[u + 1]; e++) {
        int v = g.nbr[e];
        if (assign[v] == t) {
          perim[t] -= g.len[e]; // each shared edge is seen from both sides: minus twice in all
        } else {
          cut[t]++;
          if (u < v) {
            cutTotal++;
          }
        }
      }
      int b = before[u];
      if (b >= 0 && b != t) {
        moved++;
        loadMoved += potential[u];
        in[t]++;
        out[b]++;
        lin[t] += potential[u];
        lout[b] += potential[u];
        din[t] += p.dealers()[u];
        dout[b] += p.dealers()[u];
      }
    }
    int[] pieces = pieces(g, assign, k);
    List<Territory> rows = new ArrayList<>(k);
    double maxDev = 0;
    double sumPp = 0;
    double minPp = Double.POSITIVE_INFINITY;
    int withPp = 0;
    boolean contiguous = true;
    for (int t = 0; t < k; t++) {
      double dev = (load[t] - tgt[t]) / mean;
      double pp = perim[t] > 0 ? 4 * Math.PI * area[t] / (perim[t] * perim[t]) : Double.NaN;
      if (!Double.isNaN(pp)) {
        sumPp += pp;
        minPp = Math.min(minPp, pp);
        withPp++;
      }
      maxDev = Math.max(maxDev, Math.abs(dev));
      contiguous &= pieces[t] == 1;
      rows.add(new Territory(t, units[t], load[t], tgt[t], dev, area[t], perim[t], pp, pieces[t], cut[t], in[t], out[t],
          lin[t], lout[t], din[t], dout[t]));
    }
    return new Summary(rows, maxDev, withPp == 0 ? Double.NaN : sumPp / withPp, withPp == 0 ? Double.NaN : minPp,
        contiguous, moved, loadMoved, cutTotal);
  }

  /** Connected pieces per territory (0 for a territory without units). */
  static int[] pieces(UnitGraph g, int[] assign, int k) {
    int[] labels = g.pieceLabels(assign);
    int[] count = new int[k];
    boolean[] seen = new boolean[g.size()];
    for (int u = 0; u < g.size(); u++) {
      if (!seen[labels[u]]) {
        seen[labels[u]] = true;
        count[assign[u]]++;
      }
    }
    return count;
  }

  private static double[] filled(int k, double v) {
    double[] a = new double[k];
    Arrays.fill(a, v);
    return a;
  }

  /**
   * Plain k-means (Lloyd) on unit centroids, k-means++ seeded: the baseline a planner would try
   * first. Ignores load and contiguity.
   */
  public static int[] kMeans(double[] x, double[] y, int k, long seed, int iterations) {
    int n = x.length;
    int[] seeds = Designer.kMeansPlusPlus(x, y, new double[n], k, seed);
    double[] cx = new double[k];
    double[] cy = new double[k];
    for (int t = 0; t < k; t++) {
      cx[t] = x[seeds[t]];
      cy[t] = y[seeds[t]];
    }
    int[] a = new int[n];
    for (int it = 0; it < iterations; it++) {
      for (int u = 0; u < n; u++) {
        double bd = Double.POSITIVE_INFINITY;
        for (int t = 0; t < k; t++) {
          double d = Designer.sq(x[u] - cx[t]) + Designer.sq(y[u] - cy[t]);
          if (d < bd) {
            bd = d;
            a[u] = t;
          }
        }
      }
      double[] sx = new double[k];
      double[] sy = new double[k];
      int[] c = new int[k];
      for (int u = 0; u < n; u++) {
        sx[a[u]] += x[u];
        sy[a[u]] += y[u];
        c[a[u]]++;
      }
      for (int t = 0; t < k; t++) {
        if (c[t] > 0) {
          cx[t] = sx[t] / c[t];
          cy[t] = sy[t] / c[t];
        }
      }
    }
    return a;
  }
}
