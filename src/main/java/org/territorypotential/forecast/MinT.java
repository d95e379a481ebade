package org.territorypotential.forecast;

/**
 * MinT reconciliation with shrinkage (Wickramasuriya, Athanasopoulos and Hyndman 2019) of one
 * hierarchy group, a segment in a state: node 0 is the state, nodes 1..t the territories, then
 * the units, each unit in one territory. Plain Java, no Spark.
 *
 * <p>The reconciled forecast is {@code y~ = y^ - W U (U' W U)^-1 U' y^}, where {@code U'} is the
 * aggregation constraint ({@code U' y = 0} for coherent y: each aggregate minus the sum of its
 * units) and {@code W} the covariance of the base forecasts' errors. This form never forms or
 * inverts an n x n matrix of all series: only {@code W U} (n x a, from the residuals directly)
 * and the a x a matrix {@code U' W U}, a = 1 + territories.
 *
 * <p>{@code W} is the Schafer-Strimmer shrinkage of the sample covariance of the residuals toward
 * its diagonal, {@code W = lambda D + (1 - lambda) S}, with the estimated lambda of the hts
 * package's {@code shrink.estim} (uncentred residuals): {@code lambda = sum Var(r_ij) / sum r_ij^2}
 * over the off-diagonal correlations, clamped to [0, 1], computed through the T x T Gram matrix of
 * the standardised residuals (O(n T^2), never n x n). With more than {@code maxAggregates}
 * aggregates the dense a x a solve would be too big: then {@code W} is the diagonal alone
 * (WLS-var, lambda = 1), whose {@code U' W U} is an arrowhead matrix solved in O(n).
 */
final class MinT {
  final int territories;
  final int[] unitTerritory;
  /** The shrinkage intensity used (1 = diagonal). */
  final double lambda;
  /** true when the diagonal fallback is used (too many aggregates). */
  final boolean diagonal;
  /** The error variance of each node (the diagonal of W). */
  private final double[] var;
  /** The unit rows of W U (units x aggregates), dense path only. */
  private final double[][] m;
  /** (U' W U)^-1, dense path only. */
  private final double[][] k;

  /**
   * @param residuals T samples (tuning origin x horizon) x n nodes: actual - base forecast, in the
   *     node order above
   * @param unitTerritory each unit's territory, 1..t
   */
  MinT(double[][] residuals, int territories, int[] unitTerritory, int maxAggregates) {
    this.territories = territories;
    this.unitTerritory = unitTerritory;
    int a = 1 + territories;
    int b = unitTerritory.length;
    int n = a + b;
    int t = residuals.length;
    var = new double[n];
    double mean = 0;
    for (double[] r : residuals) {
      for (int i = 0; i < n; i++) {
        var[i] += r[i] * r[i] / t;
      }
    }
    for (double v : var) {
      mean += v / n;
    }
    // a node without error (or without samples) still gets a small positive variance, so W is positive definite
    double floor = Math.max(1e-9, 1e-6 * mean);
    for (int i = 0; i < n; i++) {
      var[i] = Math.max(var[i], floor);
    }
    diagonal = a > maxAggregates || t < 2;
    lambda = diagonal ? 1.0 : shrinkage(residuals, var);
    if (diagonal) {
      m = null;
      k = null;
      return;
    }
    // R U: each sample's aggregate residual minus the sum of its units' residuals
    double[][] ru = new double[t][a];
    for (int s = 0; s < t; s++) {
      double[] r = residuals[s];
      for (int j = 0; j < a; j++) {
        ru[s][j] = r[j];
      }
      for (int u = 0; u < b; u++) {
        ru[s][0] -= r[a + u];
        ru[s][unitTerritory[u]] -= r[a + u];
      }
    }
    // W U = lambda D U + (1 - lambda) R' (R U) / T
    double[][] wu = new double[n][a];
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < t; s++) {
        double c = (1 - lambda) * residuals[s][i] / t;
        if (c != 0) {
          for (int j = 0; j < a; j++) {
            wu[i][j] += c * ru[s][j];
          }
        }
      }
      if (i < a) {
        wu[i][i] += lambda * var[i];
      } else {
        wu[i][0] -= lambda * var[i];
        wu[i][unitTerritory[i - a]] -= lambda * var[i];
      }
    }
    // U' W U: aggregate rows of W U minus the sums of their units' rows
    double[][] uwu = new double[a][a];
    for (int j = 0; j < a; j++) {
      System.arraycopy(wu[j], 0, uwu[j], 0, a);
    }
    for (int u = 0; u < b; u++) {
      for (int j = 0; j < a; j++) {
        uwu[0][j] -= wu[a + u][j];
        uwu[unitTerritory[u]][j] -= wu[a + u][j];
      }
    }
    m = new double[b][];
    for (int u = 0; u < b; u++) {
      m[u] = wu[a + u];
    }
    k = invert(uwu);
  }

  /**
   * The reconciled unit forecasts of one instance (origin x horizon) from the base forecasts of
   * the state, the territories (index 1..t; index 0 unused) and the units. The upper levels are
   * the sums of the returned units.
   */
  double[] reconcile(double state, double[] territory, double[] units) {
    int a = 1 + territories;
    int b = units.length;
    double[] d = new double[a];
    d[0] = state;
    for (int j = 1; j < a; j++) {
      d[j] = territory[j];
    }
    for (int u = 0; u < b; u++) {
      d[0] -= units[u];
      d[unitTerritory[u]] -= units[u];
    }
    double[] out = units.clone();
    if (diagonal) {
      // arrowhead solve of (U' D U) z = d: z_j = (d_j - s_j z_0) / c_j, c_j = w_j + s_j
      double[] s = new double[a];
      for (int u = 0; u < b; u++) {
        s[unitTerritory[u]] += var[a + u];
      }
      double alpha = var[0];
      for (int j = 1; j < a; j++) {
        alpha += s[j];
      }
      double num = d[0];
      double den = alpha;
      for (int j = 1; j < a; j++) {
        double c = var[j] + s[j];
        num -= s[j] * d[j] / c;
        den -= s[j] * s[j] / c;
      }
      double z0 = num / den;
      double[] z = new double[a];
      z[0] = z0;
      for (int j = 1; j < a; j++) {
        z[j] = (d[j] - s[j] * z0) / (var[j] + s[j]);
      }
      // (D U z)_u = -w_u (z_0 + z_territory)
      for (int u = 0; u < b; u++) {
        out[u] += var[a + u] * (z0 + z[unitTerritory[u]]);
      }
      return out;
    }
    double[] z = new double[a];
    for (int i = 0; i < a; i++) {
      double v = 0;
      for (int j = 0; j < a; j++) {
        v += k[i][j] * d[j];
      }
      z[i] = v;
    }
    for (int u = 0; u < b; u++) {
      double v = 0;
      for (int j = 0; j < a; j++) {
        v += m[u][j] * z[j];
      }
      out[u] -= v;
    }
    return out;
  }

  /**
   * Schafer-Strimmer's lambda toward the diagonal (hts {@code shrink.estim}), uncentred: with
   * standardised residuals x (each column divided by its root mean square), {@code v_ij =
   * (sum_s x_si^2 x_sj^2 - (sum_s x_si x_sj)^2 / T) / (T (T - 1))} and {@code r_ij = sum_s x_si
   * x_sj / T}; lambda = sum over i != j of v_ij / sum of r_ij^2. Both sums come from the Gram
   * matrix G = X X' (T x T).
   */
  static double shrinkage(double[][] residuals, double[] var) {
    int t = residuals.length;
    int n = var.length;
    double[][] x = new double[t][n];
    double[] colSq = new double[n];
    double fourth = 0;
    for (int s = 0; s < t; s++) {
      for (int i = 0; i < n; i++) {
        double v = residuals[s][i] / Math.sqrt(var[i]);
        x[s][i] = v;
        colSq[i] += v * v;
        fourth += v * v * v * v;
      }
    }
    double[][] g = new double[t][t];
    for (int s = 0; s < t; s++) {
      for (int q = s; q < t; q++) {
        double v = 0;
        for (int i = 0; i < n; i++) {
          v += x[s][i] * x[q][i];
        }
        g[s][q] = v;
        g[q][s] = v;
      }
    }
    double diagSq = 0;
    double allSq = 0;
    for (int s = 0; s < t; s++) {
      diagSq += g[s][s] * g[s][s];
      for (int q = 0; q < t; q++) {
        allSq += g[s][q] * g[s][q];
      }
    }
    double colSqSq = 0;
    for (double c : colSq) {
      colSqSq += c * c;
    }
    double a = diagSq - fourth; // sum over i != j of sum_s x_si^2 x_sj^2
    double bb = allSq - colSqSq; // sum over i != j of (sum_s x_si x_sj)^2
    double sumV = (a - bb / t) / ((double) t * (t - 1));
    double sumD = bb / ((double) t * t);
    if (!(sumD > 0)) {
      return 1.0;
    }
    return Math.max(0, Math.min(1, sumV / sumD));
  }

  /** Gauss-Jordan inverse with partial pivoting (MinT's solves and {@link HarmonicTrend}'s normal equations). */
  static double[][] invert(double[][] in) {
    return invert(in, 0);
  }

  /**
   * The inverse, refusing (ArithmeticException) a pivot no larger than {@code relativePivot} x the
   * largest |diagonal entry| of {@code in}: a matrix singular but for rounding, whose inverse would
   * be rounding noise scaled up (the state regression's normal equations when the months with a
   * value cannot tell a harmonic apart, 1e-10 there as before 0bb3b1f). 0 refuses only an exact 0.
   */
  static double[][] invert(double[][] in, double relativePivot) {
    int n = in.length;
    double scale = 0;
    for (int i = 0; i < n; i++) {
      scale = Math.max(scale, Math.abs(in[i][i]));
    }
    double floor = relativePivot * scale;
    double[][] a = new double[n][2 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(in[i], 0, a[i], 0, n);
      a[i][n + i] = 1;
    }
    for (int c = 0; c < n; c++) {
      int p = c;
      for (int r = c + 1; r < n; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
          p = r;
        }
      }
      double[] tmp = a[c];
      a[c] = a[p];
      a[p] = tmp;
      double piv = a[c][c];
      if (piv == 0 || Math.abs(piv) <= floor) {
        throw new ArithmeticException("singular matrix (MinT's U'WU, or the state regression's normal equations)");
      }
      for (int j = 0; j < 2 * n; j++) {
        a[c][j] /= piv;
      }
      for (int r = 0; r < n; r++) {
        if (r != c && a[r][c] != 0) {
          double f = a[r][c];
          for (int j = c; j < 2 * n; j++) {
            a[r][j] -= f * a[c][j];
          }
        }
      }
    }
    double[][] out = new double[n][n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], n, out[i], 0, n);
    }
    return out;
  }
}
