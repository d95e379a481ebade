package org.territorypotential.forecast;

/**
 * A seasonal regression of one aggregate series, fitted on the driver: the log of the monthly
 * value is a straight line in time plus {@code harmonics} annual Fourier pairs (cos and sin of
 * 2 pi k x month-of-year / 12), by ordinary least squares over the last {@code window} months up
 * to the origin (months with a value of 0 are left out: they have no log). The forecast is the
 * line and the harmonics extrapolated, times the mean of the exponentiated residuals (Duan's
 * smearing, so that the forecast estimates the mean, not the median). This is the
 * "trend + Fourier terms" linear model of Hyndman and Athanasopoulos, Forecasting: Principles
 * and Practice (3rd ed.), sections 7.4 and 10.5, without the ARIMA errors.
 *
 * <p>Pure Java, no Spark: an aggregate series is a few dozen numbers.
 */
public final class HarmonicTrend {
  private HarmonicTrend() {}

  /**
   * {@code windowMonths}: the months fitted, up to the origin; {@code harmonics}: annual Fourier
   * pairs (1-5); {@code middleOut}: the state publishes the regression where it beats the
   * reconciled forecast on the tuning origins (false = it is only measured).
   */
  public record Settings(int windowMonths, int harmonics, boolean middleOut) {
    public static final Settings DEFAULT = new Settings(36, 2, true);
  }

  /** Fewer usable months than parameters plus this many: no fit. */
  static final int SPARE_MONTHS = 4;

  /**
   * The forecasts {@code 1..horizon} months after origin {@code o} (an index into {@code y}), or
   * null when the window has too few months with a value to fit (parameters + {@link #SPARE_MONTHS})
   * or the normal equations are singular.
   *
   * @param y the series by month index (index 0 is calendar month {@code firstMonthOfYear})
   * @param start the series' first month index
   * @param firstMonthOfYear the calendar month (1-12) of index 0
   */
  public static double[] forecast(double[] y, int start, int o, int horizon, int window, int harmonics, int firstMonthOfYear) {
    Fit f = fit(y, start, o, window, harmonics, firstMonthOfYear);
    if (f == null) {
      return null;
    }
    double[] out = new double[horizon];
    for (int h = 1; h <= horizon; h++) {
      out[h - 1] = f.at(h);
    }
    return out;
  }

  /**
   * A fitted regression, its terms kept so a published forecast can be explained: {@code beta}
   * (log level at the origin, log growth per year, then cos and sin of each harmonic), the
   * smearing factor, the months fitted and the origin (a month index) and calendar month of
   * index 0.
   */
  public record Fit(double[] beta, double smear, int months, int origin, int firstMonthOfYear) {
    /** The forecast {@code h} months after the origin. */
    public double at(int h) {
      double[] x = new double[beta.length];
      row(x, origin + h, origin, (beta.length - 2) / 2, firstMonthOfYear);
      return Math.exp(dot(x, beta)) * smear;
    }

    /** Growth per year of the trend, e.g. 0.05 = +5% a year. */
    public double growthPerYear() {
      return Math.exp(beta[1]) - 1;
    }

    /**
     * The seasonal factors by calendar month (index 0 = January), each exp(harmonics at that month)
     * over their geometric mean, so 1.10 = 10% above the trend in that month.
     */
    public double[] seasonalFactors() {
      double[] out = new double[12];
      double[] x = new double[beta.length];
      for (int moy = 0; moy < 12; moy++) {
        // the month index whose calendar month is moy + 1
        int t = Math.floorMod(moy - (firstMonthOfYear - 1), 12);
        row(x, t, t, (beta.length - 2) / 2, firstMonthOfYear);
        double s = 0;
        for (int i = 2; i < beta.length; i++) {
          s += x[i] * beta[i];
        }
        out[moy] = Math.exp(s);
      }
      return out;
    }
  }

  /** The fit behind {@link #forecast}, or null (same conditions). */
  public static Fit fit(double[] y, int start, int o, int window, int harmonics, int firstMonthOfYear) {
    int p = 2 + 2 * harmonics;
    int from = Math.max(start, o - window + 1);
    double[][] xtx = new double[p][p];
    double[] xty = new double[p];
    int n = 0;
    double[] x = new double[p];
    for (int t = from; t <= o; t++) {
      if (!(y[t] > 0)) {
        continue;
      }
      row(x, t, o, harmonics, firstMonthOfYear);
      double ly = Math.log(y[t]);
      for (int i = 0; i < p; i++) {
        xty[i] += x[i] * ly;
        for (int j = 0; j < p; j++) {
          xtx[i][j] += x[i] * x[j];
        }
      }
      n++;
    }
    if (n < p + SPARE_MONTHS) {
      return null;
    }
    // the normal equations, p x p (6 for 2 harmonics): MinT's Gauss-Jordan inverse serves
    double[] beta = new double[p];
    try {
      double[][] inv = MinT.invert(xtx, 1e-10);
      for (int i = 0; i < p; i++) {
        beta[i] = dot(inv[i], xty);
      }
    } catch (ArithmeticException singular) {
      return null;
    }
    for (double v : beta) {
      if (!Double.isFinite(v)) {
        return null;
      }
    }
    double smear = 0;
    for (int t = from; t <= o; t++) {
      if (y[t] > 0) {
        row(x, t, o, harmonics, firstMonthOfYear);
        smear += Math.exp(Math.log(y[t]) - dot(x, beta));
      }
    }
    smear /= n;
    return new Fit(beta, smear, n, o, firstMonthOfYear);
  }

  /** The regressors of month index {@code t}: 1, years from the origin, then cos and sin of each harmonic. */
  private static void row(double[] x, int t, int o, int harmonics, int firstMonthOfYear) {
    x[0] = 1;
    x[1] = (t - o) / 12.0;
    int moy = Math.floorMod(firstMonthOfYear - 1 + t, 12);
    for (int k = 1; k <= harmonics; k++) {
      double a = 2 * Math.PI * k * moy / 12.0;
      x[2 * k] = Math.cos(a);
      x[2 * k + 1] = Math.sin(a);
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
