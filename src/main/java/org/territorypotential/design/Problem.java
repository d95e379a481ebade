package org.territorypotential.design;

/**
 * A territory-design instance on the driver: the unit graph, per-unit centroid (km on a plane: DesignJob projects azimuthal equidistant),
 * load (the balanced measure), area (km2), perimeter (km), dealers, the current territory (-1 =
 * none), locks, and the number of territories. Territories are 0..k-1; the job maps them to ids.
 */
public record Problem(UnitGraph graph, double[] x, double[] y, double[] load, double[] area, double[] perimeter,
    double[] dealers, int[] current, int k, boolean[] lockedUnit, boolean[] lockedTerritory) {

  public Problem {
    int n = graph.size();
    for (double[] a : new double[][] {x, y, load, area, perimeter, dealers}) {
      if (a.length != n) {
        throw new IllegalArgumentException("per-unit arrays must have " + n + " entries, one has " + a.length);
      }
    }
    if (current.length != n || lockedUnit.length != n || lockedTerritory.length != k) {
      throw new IllegalArgumentException("current / lockedUnit need " + n + " entries and lockedTerritory " + k);
    }
    if (k < 1 || k > n) {
      throw new IllegalArgumentException("territories must be 1.." + n + ", not " + k);
    }
  }

  public int n() {
    return graph.size();
  }

  /** True when the unit may not change territory: locked itself, or in a locked territory. */
  public boolean isFixed(int u) {
    return lockedUnit[u] || (current[u] >= 0 && lockedTerritory[current[u]]);
  }

  /** A problem without locks, dealers or a current assignment (tests and benchmarks). */
  public static Problem unlocked(UnitGraph g, double[] x, double[] y, double[] load, double[] area, double[] perimeter,
      int[] current, int k) {
    int n = g.size();
    return new Problem(g, x, y, load, area, perimeter, new double[n], current, k, new boolean[n], new boolean[k]);
  }
}
