package org.territorypotential.forecast;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The unit series' monthly history held on the driver (one double per series and month of its
 * span), with the unit -> territory -> state hierarchy: what the baselines, the per-level
 * choice, the reconciliation and the scale-free errors are computed from, in plain Java. Its
 * size is the sparse series frame's (series-months), not a dense panel's: months before a
 * series' first value are stored as 0 only inside its own array, which starts at the first
 * month of all series.
 */
public final class Panel {
  /** One unit series: its key, its parents, the index of its first month and its values by month index. */
  public record Series(String id, String segment, String territory, String state, int start, double[] y) {}

  /** The intermittent-demand baseline's smoothing constants (TSB): demand size and demand probability. */
  public record Tsb(double alpha, double beta) {}

  /** The baselines, in the order {@link #baselines} returns them. */
  public static final List<String> BASELINES =
      List.of("seasonal_naive", "seasonal_naive_drift", "last_value", "moving_average", "tsb");

  private final LocalDate first;
  private final int months;
  private final List<Series> series;
  private final Map<String, Integer> index = new HashMap<>();

  private Panel(LocalDate first, int months, List<Series> series) {
    this.first = first;
    this.months = months;
    this.series = series;
    for (int i = 0; i < series.size(); i++) {
      index.put(key(series.get(i).id(), series.get(i).segment()), i);
    }
  }

  /**
   * From the unit rows {@code (series_id, segment, month (first day), value)} and the hierarchy
   * {@code series_id -> {territory_id, state_id}}. A series starts at its first row; a month
   * inside its span without a row counts 0. A unit missing from the hierarchy fails.
   */
  public static Panel of(List<Object[]> rows, Map<String, String[]> hierarchy) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("the history has no unit rows");
    }
    LocalDate first = null;
    LocalDate last = null;
    for (Object[] r : rows) {
      LocalDate m = (LocalDate) r[2];
      first = first == null || m.isBefore(first) ? m : first;
      last = last == null || m.isAfter(last) ? m : last;
    }
    int months = (int) ChronoUnit.MONTHS.between(first, last) + 1;
    Map<String, double[]> values = new LinkedHashMap<>();
    Map<String, Integer> starts = new HashMap<>();
    Map<String, String[]> keys = new HashMap<>();
    for (Object[] r : rows) {
      String k = key((String) r[0], (String) r[1]);
      int t = (int) ChronoUnit.MONTHS.between(first, (LocalDate) r[2]);
      values.computeIfAbsent(k, x -> new double[months])[t] += ((Number) r[3]).doubleValue();
      starts.merge(k, t, Math::min);
      keys.putIfAbsent(k, new String[] {(String) r[0], (String) r[1]});
    }
    List<Series> out = new ArrayList<>();
    for (Map.Entry<String, double[]> e : values.entrySet()) {
      String[] k = keys.get(e.getKey());
      String[] parents = hierarchy.get(k[0]);
      if (parents == null) {
        throw new IllegalArgumentException("unit series " + k[0] + " is missing from the hierarchy");
      }
      out.add(new Series(k[0], k[1], parents[0], parents[1], starts.get(e.getKey()), e.getValue()));
    }
    out.sort((a, b) -> a.id().equals(b.id()) ? a.segment().compareTo(b.segment()) : a.id().compareTo(b.id()));
    return new Panel(first, months, out);
  }

  static String key(String id, String segment) {
    return id + "\u0001" + segment;
  }

  public List<Series> series() {
    return series;
  }

  /** The position of a unit series, or -1. */
  public int find(String id, String segment) {
    return index.getOrDefault(key(id, segment), -1);
  }

  public int months() {
    return months;
  }

  public LocalDate month(int t) {
    return first.plusMonths(t);
  }

  public int index(LocalDate month) {
    return (int) ChronoUnit.MONTHS.between(first, month.withDayOfMonth(1));
  }

  public LocalDate lastMonth() {
    return month(months - 1);
  }

  /**
   * The baselines of a series from origin {@code o} (a month index, the last month seen) for
   * {@code h} months ahead, from values at or before {@code o} only, in {@link #BASELINES} order:
   * <ul>
   *   <li>{@code seasonal_naive}: the value of the target's calendar month in the last year seen
   *       ({@code o + h - 12 ceil(h / 12)}); the last value while the series is under a year old;</li>
   *   <li>{@code seasonal_naive_drift}: seasonal naive plus the change of the 12-month mean over
   *       the last year, once per year ahead ({@code ceil(h / 12)} x (mean of the last 12 months -
   *       mean of the 12 before)), at least 0; seasonal naive while under two years of history;</li>
   *   <li>{@code last_value}: the value at the origin;</li>
   *   <li>{@code moving_average}: the mean of the last {@code ma} months (fewer at the start);</li>
   *   <li>{@code tsb}: Teunter-Syntetos-Babai for intermittent demand: the demand size z is
   *       smoothed (alpha) only in months with demand, the probability p of a month with demand
   *       (beta) every month, and the forecast is p x z for every horizon; it starts at the
   *       series' first month (p = 1 if it had demand, z = its value).</li>
   * </ul>
   */
  public static double[] baselines(double[] y, int start, int o, int h, int ma, Tsb tsb) {
    int years = (h + 11) / 12;
    int sm = o + h - 12 * years;
    double last = y[o];
    double sn = sm >= start ? y[sm] : last;
    double snd = sn;
    if (o - 23 >= start) {
      snd = Math.max(0, sn + years * (mean(y, o - 11, o) - mean(y, o - 23, o - 12)));
    }
    double mav = mean(y, Math.max(start, o - ma + 1), o);
    return new double[] {sn, snd, last, mav, tsb(y, start, o, tsb)};
  }

  /** The TSB forecast (flat over horizons) from origin {@code o}. */
  static double tsb(double[] y, int start, int o, Tsb s) {
    double p = y[start] > 0 ? 1 : 0;
    double z = y[start];
    for (int t = start + 1; t <= o; t++) {
      if (y[t] > 0) {
        z += s.alpha() * (y[t] - z);
        p += s.beta() * (1 - p);
      } else {
        p -= s.beta() * p;
      }
    }
    return p * z;
  }

  private static double mean(double[] y, int from, int to) {
    double s = 0;
    for (int t = from; t <= to; t++) {
      s += y[t];
    }
    return s / (to - from + 1);
  }

  /**
   * The in-sample scale of a scale-free error (MASE): the mean absolute one-month change of the
   * series from its start up to origin {@code o}; NaN when it has no change to measure (a
   * constant or one-month series), so such a series is left out of the MASE mean.
   */
  public static double maseScale(double[] y, int start, int o) {
    double s = 0;
    int n = 0;
    for (int t = start + 1; t <= o; t++) {
      s += Math.abs(y[t] - y[t - 1]);
      n++;
    }
    return n == 0 || s == 0 ? Double.NaN : s / n;
  }
}
