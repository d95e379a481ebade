package org.territorypotential.design;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Square-grid instances (1 km cells, rook adjacency) for tests and the design benchmark: unit
 * {@code r * cols + c} is the cell in row r, column c.
 */
public final class Grid {
  private Grid() {}

  /** A rows x cols grid with the given load per cell and current assignment (null = none), no locks. */
  public static Problem of(int rows, int cols, double[] load, int[] current, int k) {
    int n = rows * cols;
    List<UnitGraph.Edge> edges = new ArrayList<>();
    double[] x = new double[n];
    double[] y = new double[n];
    double[] area = new double[n];
    double[] perim = new double[n];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int u = r * cols + c;
        x[u] = c + 0.5;
        y[u] = r + 0.5;
        area[u] = 1;
        perim[u] = 4;
        if (c + 1 < cols) {
          edges.add(new UnitGraph.Edge(u, u + 1, 1));
        }
        if (r + 1 < rows) {
          edges.add(new UnitGraph.Edge(u, u + cols, 1));
        }
      }
    }
    int[] cur = current != null ? current : filled(n, -1);
    return Problem.unlocked(UnitGraph.of(n, edges), x, y, load, area, perim, cur, k);
  }

  /** Loads drawn log-normally (sigma 1) for a seed: skewed like potential across units. */
  public static double[] skewedLoad(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] l = new double[n];
    for (int i = 0; i < n; i++) {
      double z = gaussian(rnd);
      l[i] = Math.exp(z);
    }
    return l;
  }

  /**
   * Loads concentrated in a few places, as potential is in a region's towns: each cell carries a
   * load (log-normal, sigma) with a probability that follows six Gaussian blobs (random centres,
   * widths 2-10% of the grid's side) over a thin uniform floor, {@code share} of the cells on
   * average; the rest carry none. The shape of the generator's largest region (89,999 tracts, 93%
   * without potential), where the allocation's Voronoi cells do not balance (docs/design-territories.md).
   */
  public static double[] clusteredLoad(int rows, int cols, double share, double sigma, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int blobs = 6;
    int side = Math.max(rows, cols);
    double[][] c = new double[blobs][3];
    for (double[] b : c) {
      b[0] = rnd.nextDouble() * cols;
      b[1] = rnd.nextDouble() * rows;
      b[2] = side * (0.02 + 0.08 * rnd.nextDouble());
    }
    int n = rows * cols;
    double[] dens = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double x = i % cols;
      double y = i / cols;
      double d = 0.02;
      for (double[] b : c) {
        d += Math.exp(-(sq(x - b[0]) + sq(y - b[1])) / (2 * sq(b[2])));
      }
      dens[i] = d;
      sum += d;
    }
    double[] l = new double[n];
    for (int i = 0; i < n; i++) {
      double pr = Math.min(1, share * n * dens[i] / sum);
      l[i] = rnd.nextDouble() < pr ? Math.exp(sigma * gaussian(rnd)) : 0;
    }
    return l;
  }

  private static double sq(double v) {
    return v * v;
  }

  /**
   * A "current" assignment like territories drawn long ago: vertical strips of equal width, so
   * contiguous but elongated and unbalanced under a skewed load.
   */
  public static int[] strips(int rows, int cols, int k) {
    int[] a = new int[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        a[r * cols + c] = Math.min(k - 1, (int) ((long) c * k / cols));
      }
    }
    return a;
  }

  /**
   * A "current" assignment like dealer PMAs: every cell to the nearest of k points drawn uniformly
   * (seeded), ties to the lower index; an empty cell's territory gets its nearest cell.
   */
  public static int[] voronoi(int rows, int cols, int k, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] px = new double[k];
    double[] py = new double[k];
    for (int t = 0; t < k; t++) {
      px[t] = rnd.nextDouble() * cols;
      py[t] = rnd.nextDouble() * rows;
    }
    int[] a = new int[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double best = Double.POSITIVE_INFINITY;
        for (int t = 0; t < k; t++) {
          double d = (c + 0.5 - px[t]) * (c + 0.5 - px[t]) + (r + 0.5 - py[t]) * (r + 0.5 - py[t]);
          if (d < best) {
            best = d;
            a[r * cols + c] = t;
          }
        }
      }
    }
    return a;
  }

  static double gaussian(SplittableRandom rnd) {
    double u1 = rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  static int[] filled(int n, int v) {
    int[] a = new int[n];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
