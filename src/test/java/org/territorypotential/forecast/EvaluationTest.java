package org.territorypotential.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The forecast's driver-side logic without Spark: baselines (a planted trend and season, a
 * planted intermittent series), the choice per level on tuning origins (the guard), the
 * coherence of the reconciliation, and the conformal intervals' coverage on held-out origins.
 * Every fixture is generated here with known truths; no test takes a second.
 */
class EvaluationTest {
  static final LocalDate FIRST = LocalDate.parse("2019-01-01");
  static final List<String> CANDIDATES = List.of("gbt");
  static final List<String> METHODS = Evaluation.methods(CANDIDATES);
  /** The state's seasonal regression measured, never published (for tests of the other reconciliations). */
  static final HarmonicTrend.Settings MEASURED_ONLY = new HarmonicTrend.Settings(36, 2, false);

  /** {@code units} unit series of {@code months} months, unit i in territory "t" + (i % territories), all in state S. */
  static Panel panel(int units, int territories, int months, java.util.function.BiFunction<Integer, Integer, Double> value) {
    List<Object[]> rows = new ArrayList<>();
    Map<String, String[]> hier = new HashMap<>();
    for (int u = 0; u < units; u++) {
      hier.put("u" + u, new String[] {"t" + (u % territories), "S"});
      for (int t = 0; t < months; t++) {
        rows.add(new Object[] {"u" + u, "A", FIRST.plusMonths(t), value.apply(u, t)});
      }
    }
    return Panel.of(rows, hier);
  }

  /** Planted: y = 100 + 2t + 30 sin(2 pi t / 12): seasonal naive with drift is exact, seasonal naive misses the trend. */
  @Test
  void seasonalNaiveWithDriftRecoversAPlantedTrendAndSeason() {
    double[] y = new double[48];
    for (int t = 0; t < y.length; t++) {
      y[t] = 100 + 2 * t + 30 * Math.sin(2 * Math.PI * t / 12);
    }
    Panel.Tsb tsb = new Panel.Tsb(0.1, 0.1);
    for (int o = 24; o < 40; o++) {
      for (int h = 1; h <= 8; h++) {
        double[] b = Panel.baselines(y, 0, o, h, 3, tsb);
        assertEquals(y[o + h], b[1], 1e-9, "seasonal_naive_drift at origin " + o + " h " + h);
        assertEquals(y[o + h] - 24, b[0], 1e-9, "seasonal naive lags the trend by one year (24)");
      }
    }
    // no leakage: values after the origin change nothing
    double[] z = y.clone();
    for (int t = 31; t < z.length; t++) {
      z[t] = 1e6;
    }
    for (int h = 1; h <= 12; h++) {
      assertEquals(List.of(box(Panel.baselines(y, 0, 30, h, 3, tsb))), List.of(box(Panel.baselines(z, 0, 30, h, 3, tsb))));
    }
  }

  private static Double[] box(double[] a) {
    return java.util.Arrays.stream(a).boxed().toArray(Double[]::new);
  }

  /**
   * Planted intermittent demand: a month has demand with probability 0.2, then 1 to 9 units
   * (mean 5): the expected demand is 1 a month. TSB (which forecasts about p x z) has a lower
   * squared error than the last value (0 or a spike) and than seasonal naive over 400 origins.
   */
  @Test
  void tsbForecastsAPlantedIntermittentSeriesBetterThanNaive() {
    Random rnd = new Random(5);
    double[] y = new double[460];
    y[0] = 4;
    for (int t = 1; t < y.length; t++) {
      y[t] = rnd.nextDouble() < 0.2 ? 1 + rnd.nextInt(9) : 0;
    }
    double[] sse = new double[Panel.BASELINES.size()];
    Panel.Tsb tsb = new Panel.Tsb(0.1, 0.1);
    for (int o = 48; o < y.length - 1; o++) {
      double[] b = Panel.baselines(y, 0, o, 1, 3, tsb);
      for (int m = 0; m < b.length; m++) {
        sse[m] += (y[o + 1] - b[m]) * (y[o + 1] - b[m]);
      }
    }
    int tsbAt = Panel.BASELINES.indexOf("tsb");
    System.out.println("[intermittent] squared error by baseline " + Panel.BASELINES + ": " + java.util.Arrays.toString(sse));
    assertTrue(sse[tsbAt] < 0.6 * sse[Panel.BASELINES.indexOf("last_value")], java.util.Arrays.toString(sse));
    assertTrue(sse[tsbAt] < 0.6 * sse[Panel.BASELINES.indexOf("seasonal_naive")], java.util.Arrays.toString(sse));
  }

  /**
   * Points with hand-made forecasts at 8 origins (the oldest 5 tuning): units alternate +50%
   * and -50% errors for seasonal naive within each territory, so its territory and state sums
   * are exact while its unit WAPE is 50%; the model is 20% high everywhere. Every other
   * baseline is double the actual.
   */
  static List<Evaluation.Point> planted(Panel p, int[] origins) {
    List<Evaluation.Point> out = new ArrayList<>();
    for (int o : origins) {
      for (int u = 0; u < p.series().size(); u++) {
        for (int h = 1; h <= 3; h++) {
          double a = p.series().get(u).y()[o + h];
          double[] f = new double[METHODS.size()];
          java.util.Arrays.fill(f, 2 * a);
          f[METHODS.indexOf("gbt")] = 1.2 * a;
          int rank = u / 4; // units u, u + 4 share territory u % 4: alternate within it
          f[METHODS.indexOf("seasonal_naive")] = a * (rank % 2 == 0 ? 1.5 : 0.5);
          out.add(new Evaluation.Point(u, o, h, a, f));
        }
      }
    }
    return out;
  }

  @Test
  void aLevelWhereTheModelLosesPublishesTheBestBaselineAndTheLevelsStayCoherent() {
    Panel p = panel(16, 4, 40, (u, t) -> 10.0 + u % 4 + (t % 5));
    int[] origins = {20, 21, 22, 23, 24, 25, 26, 27};
    Set<Integer> tuning = Set.of(20, 21, 22, 23, 24);
    List<Evaluation.Point> points = planted(p, origins);
    Evaluation ev = new Evaluation(p, METHODS, CANDIDATES);
    Evaluation.Result r = ev.evaluate(points, tuning, true);
    assertEquals("gbt", r.choice().model());
    assertEquals(Map.of(Levels.UNIT, "gbt", Levels.TERRITORY, "seasonal_naive", Levels.STATE, "seasonal_naive"),
        r.choice().byLevel());
    assertEquals(0.2, r.choice().tuningWape().get(Levels.UNIT).get("gbt"), 1e-12);
    assertEquals(0.5, r.choice().tuningWape().get(Levels.UNIT).get("seasonal_naive"), 1e-12);
    assertEquals(0.0, r.choice().tuningWape().get(Levels.STATE).get("seasonal_naive"), 1e-12);
    // held out: the published forecast is as good as the best method at every level (here exact:
    // the state and territory totals are seasonal naive's, split by the model's unit shares)
    for (String level : Levels.ALL) {
      Map<String, Double> w = Evaluation.overallWape(r.metrics(), level, Evaluation.HELD_OUT);
      double bestOther = METHODS.stream().mapToDouble(w::get).min().orElseThrow();
      assertTrue(w.get(Evaluation.PUBLISHED) <= bestOther + 1e-12, level + " " + w);
    }
    assertEquals(0.0, Evaluation.overallWape(r.metrics(), Levels.UNIT, Evaluation.HELD_OUT).get(Evaluation.PUBLISHED), 1e-12);
    // without the guard the model is published at every level and loses at the state
    Evaluation.Result noGuard = new Evaluation(p, METHODS, CANDIDATES).evaluate(planted(p, origins), tuning, false);
    assertEquals("gbt", noGuard.choice().byLevel().get(Levels.STATE));
    assertEquals(0.2, Evaluation.overallWape(noGuard.metrics(), Levels.STATE, Evaluation.HELD_OUT).get(Evaluation.PUBLISHED), 1e-12);
    // splits recorded: 5 tuning and 3 held-out origins
    Set<LocalDate> held = new HashSet<>();
    r.metrics().stream().filter(m -> m.split().equals(Evaluation.HELD_OUT)).forEach(m -> held.add(m.origin()));
    assertEquals(Set.of(p.month(25), p.month(26), p.month(27)), held);
    // a unit's aggregate is its point: two points of one unit, origin and horizon are refused
    List<Evaluation.Point> twice = planted(p, origins);
    Evaluation.Point first = twice.get(0);
    twice.add(new Evaluation.Point(first.unit, first.origin, first.h, first.actual, first.f.clone()));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Evaluation(p, METHODS, CANDIDATES).evaluate(twice, tuning, true));
    assertTrue(e.getMessage().contains("same unit, origin and horizon"), e.getMessage());
  }

  /**
   * The held-out guard. Tuning origins: the model (gbt) is 5% high everywhere, seasonal naive 50%
   * high, every other baseline double: the tuning choice is gbt at every level. Held-out origins:
   * gbt is 30% high in territories t0, t1 and 30% low in t2, t3 (the state total is off by the
   * units' imbalance), seasonal naive alternates +-50% within each territory (exact territory and
   * state sums, 50% at unit level). The state falls back to seasonal naive (top-down: its total
   * exactly); the territories, split by gbt's wrong shares, still lose and fall back too; units
   * keep gbt (30% against 50%), split by gbt's shares within the now exact territories: 0%. The
   * tuning choice and tuning WAPEs are the same with and without the guard (no held-out leakage).
   */
  @Test
  void aLevelThatLosesOnTheHeldOutOriginsPublishesTheBestBaselineThereAndSaysSo() {
    Panel p = panel(16, 4, 40, (u, t) -> 10.0 + u % 4 + (t % 5));
    int[] origins = {20, 21, 22, 23, 24, 25, 26, 27};
    Set<Integer> tuning = Set.of(20, 21, 22, 23, 24);
    java.util.function.Supplier<List<Evaluation.Point>> points = () -> {
      List<Evaluation.Point> out = new ArrayList<>();
      for (int o : origins) {
        for (int u = 0; u < 16; u++) {
          for (int h = 1; h <= 3; h++) {
            double a = p.series().get(u).y()[o + h];
            double[] f = new double[METHODS.size()];
            java.util.Arrays.fill(f, 2 * a);
            boolean held = !tuning.contains(o);
            int id = Integer.parseInt(p.series().get(u).id().substring(1)); // territory id % 4, rank id / 4 in it
            f[METHODS.indexOf("gbt")] = !held ? 1.05 * a : id % 4 < 2 ? 1.3 * a : 0.7 * a;
            f[METHODS.indexOf("seasonal_naive")] = !held ? 1.5 * a : a * ((id / 4) % 2 == 0 ? 1.5 : 0.5);
            out.add(new Evaluation.Point(u, o, h, a, f));
          }
        }
      }
      return out;
    };
    Evaluation.Result r = new Evaluation(p, METHODS, CANDIDATES, Evaluation.RECONCILIATIONS, 1500)
        .evaluate(points.get(), tuning, true, true);
    Evaluation.Result tuningOnly = new Evaluation(p, METHODS, CANDIDATES, Evaluation.RECONCILIATIONS, 1500)
        .evaluate(points.get(), tuning, true, false);
    assertEquals(Map.of(Levels.UNIT, "gbt", Levels.TERRITORY, "gbt", Levels.STATE, "gbt"), tuningOnly.choice().byLevel());
    assertEquals(Map.of(Levels.UNIT, "gbt", Levels.TERRITORY, "seasonal_naive", Levels.STATE, "seasonal_naive"),
        r.choice().byLevel());
    assertEquals(Map.of(Levels.TERRITORY, "gbt", Levels.STATE, "gbt"), r.choice().fallback());
    // gbt at every level: MinT and top-down agree, and below a fallback MinT's shares are gbt's
    assertEquals(Evaluation.MINT.equals(r.choice().tuningReconciliation()) ? Evaluation.MINT_SHARES : Evaluation.TOP_DOWN,
        r.choice().reconciliation());
    for (String level : Levels.ALL) {
      assertEquals(tuningOnly.choice().byLevel().get(level), r.choice().tuningMethod(level));
      assertEquals(tuningOnly.choice().tuningWape().get(level), r.choice().tuningWape().get(level));
      Map<String, Double> w = Evaluation.overallWape(r.metrics(), level, Evaluation.HELD_OUT);
      double bestBaseline = Panel.BASELINES.stream().mapToDouble(w::get).min().orElseThrow();
      assertTrue(w.get(Evaluation.PUBLISHED) <= bestBaseline + 1e-12, level + " " + w);
      assertEquals(0.0, w.get(Evaluation.PUBLISHED), 1e-12, level);
      // without the held-out guard the tuning choice loses above the units: 30% per territory, 2.2%
      // at state level (the territories' +-30% do not quite cancel), against seasonal naive's 0
      double before = Evaluation.overallWape(tuningOnly.metrics(), level, Evaluation.HELD_OUT).get(Evaluation.PUBLISHED);
      assertTrue(level.equals(Levels.UNIT) ? before > 0.29 : before > bestBaseline + 0.02, level + " " + before);
    }
    // the published forecast from the last month follows the guarded choice and stays coherent
    List<Evaluation.Point> finals = new ArrayList<>();
    for (Evaluation.Point q : points.get()) {
      if (q.origin == 27) {
        finals.add(new Evaluation.Point(q.unit, 36, q.h, Double.NaN, q.f.clone()));
      }
    }
    assertCoherent(new Evaluation(p, METHODS, CANDIDATES).publish(finals, r.choice(), r.quantiles()), 4, r.choice());
  }

  /** Random forecasts, a different method per level: units sum to territories and to the state within 1e-9. */
  @Test
  void publishedUnitsSumToTerritoriesAndStateWithin1e9() {
    Random rnd = new Random(3);
    Panel p = panel(37, 5, 30, (u, t) -> (double) rnd.nextInt(50));
    List<Evaluation.Point> points = new ArrayList<>();
    for (int u = 0; u < 37; u++) {
      for (int h = 1; h <= 4; h++) {
        double[] f = new double[METHODS.size()];
        for (int m = 0; m < f.length; m++) {
          f[m] = u % 7 == 0 ? 0 : rnd.nextDouble() * 1e4; // some all-zero units too
        }
        points.add(new Evaluation.Point(u, 29, h, Double.NaN, f));
      }
    }
    Evaluation.Choice choice = new Evaluation.Choice("gbt",
        Map.of(Levels.UNIT, "gbt", Levels.TERRITORY, "tsb", Levels.STATE, "seasonal_naive_drift"), Map.of());
    List<Evaluation.Forecast> f = new Evaluation(p, METHODS, CANDIDATES).publish(points, choice, Map.of());
    assertCoherent(f, 5, choice);
    // the state total is the state-level method's total
    int sndAt = METHODS.indexOf("seasonal_naive_drift");
    double snd = points.stream().filter(x -> x.h == 1).mapToDouble(x -> x.f[sndAt]).sum();
    assertEquals(snd, f.stream().filter(r -> r.level().equals(Levels.STATE) && r.horizon() == 1).findFirst().orElseThrow()
        .forecast(), 1e-9 * snd);
  }

  /** Units (u + i, territory "t" + (i % territories)) sum to their territory and state rows within 1e-9. */
  static void assertCoherent(List<Evaluation.Forecast> f, int territories, Evaluation.Choice choice) {
    Map<String, Double> sums = new HashMap<>();
    Map<String, Double> given = new HashMap<>();
    for (Evaluation.Forecast r : f) {
      String k = r.targetMonth() + " " + r.segment();
      if (r.level().equals(Levels.UNIT)) {
        String t = "t" + (Integer.parseInt(r.seriesId().substring(1)) % territories);
        sums.merge(Levels.TERRITORY + " " + t + " " + k, r.forecast(), Double::sum);
        sums.merge(Levels.STATE + " S " + k, r.forecast(), Double::sum);
      } else {
        given.put(r.level() + " " + r.seriesId() + " " + k, r.forecast());
      }
      assertEquals(choice.byLevel().get(r.level()), r.method());
    }
    assertEquals(given.keySet(), sums.keySet());
    given.forEach((k, v) -> assertEquals(v, sums.get(k), 1e-9, k));
  }

  /**
   * MinT's structured solve against the textbook formula {@code S (S' W^-1 S)^-1 S' W^-1 y^} with
   * dense matrices, on a small hierarchy (state, 3 territories, 7 units), for the shrunk
   * covariance and for the diagonal fallback; and a coherent input comes back unchanged.
   */
  @Test
  void mintMatchesTheDenseFormulaAndKeepsCoherentForecasts() {
    Random rnd = new Random(11);
    int[] terr = {1, 1, 2, 2, 2, 3, 3};
    int b = terr.length;
    int a = 4;
    int n = a + b;
    double[][] res = new double[24][n];
    for (double[] r : res) {
      double[] shock = {0, rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
      for (int u = 0; u < b; u++) {
        r[a + u] = 2 * shock[terr[u]] + rnd.nextGaussian();
        r[terr[u]] += 0.5 * r[a + u];
        r[0] += 0.3 * r[a + u];
      }
      for (int j = 0; j < a; j++) {
        r[j] += 0.5 * rnd.nextGaussian();
      }
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = 50 + 20 * rnd.nextDouble();
    }
    for (int max : new int[] {100, 0}) {
      MinT m = new MinT(res, 3, terr, max);
      assertEquals(max == 0, m.diagonal);
      assertTrue(m.lambda > 0 && m.lambda <= 1, "lambda " + m.lambda);
      // W = lambda D + (1 - lambda) R'R / T, then the textbook projection
      double[][] w = new double[n][n];
      for (double[] r : res) {
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) {
            w[i][j] += r[i] * r[j] / res.length;
          }
        }
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          w[i][j] = (i == j ? 1 : 1 - m.lambda) * w[i][j];
        }
      }
      double[][] sMat = new double[n][b];
      for (int u = 0; u < b; u++) {
        sMat[0][u] = 1;
        sMat[terr[u]][u] = 1;
        sMat[a + u][u] = 1;
      }
      double[][] wi = MinT.invert(w);
      double[][] stw = new double[b][n];
      for (int u = 0; u < b; u++) {
        for (int j = 0; j < n; j++) {
          for (int i = 0; i < n; i++) {
            stw[u][j] += sMat[i][u] * wi[i][j];
          }
        }
      }
      double[][] g = new double[b][b];
      double[] rhs = new double[b];
      for (int u = 0; u < b; u++) {
        for (int v = 0; v < b; v++) {
          for (int j = 0; j < n; j++) {
            g[u][v] += stw[u][j] * sMat[j][v];
          }
        }
        for (int j = 0; j < n; j++) {
          rhs[u] += stw[u][j] * y[j];
        }
      }
      double[][] gi = MinT.invert(g);
      double[] units = m.reconcile(y[0], y, java.util.Arrays.copyOfRange(y, a, n));
      for (int u = 0; u < b; u++) {
        double expect = 0;
        for (int v = 0; v < b; v++) {
          expect += gi[u][v] * rhs[v];
        }
        assertEquals(expect, units[u], 1e-9 * Math.abs(expect), "unit " + u + " (max aggregates " + max + ")");
      }
      // a coherent forecast is already reconciled
      double[] coherent = y.clone();
      java.util.Arrays.fill(coherent, 0, a, 0);
      for (int u = 0; u < b; u++) {
        coherent[0] += y[a + u];
        coherent[terr[u]] += y[a + u];
      }
      double[] same = m.reconcile(coherent[0], coherent, java.util.Arrays.copyOfRange(coherent, a, n));
      for (int u = 0; u < b; u++) {
        assertEquals(y[a + u], same[u], 1e-9 * y[a + u]);
      }
    }
  }

  /**
   * Planted correlated errors: the model's unit errors share a territory shock (+-30%, so they
   * add up in the territory and state sums) while seasonal naive's are independent (+-40% per
   * unit, which cancel in the sums). 48 units in 6 territories, 8 origins x 6 horizons. Bottom-up
   * (the model's units summed) is the worst at territory and state level; MinT, offered beside
   * top-down, beats bottom-up on the held-out origins at every level, and its published units sum
   * to territories and state within 1e-9. (Which of MinT and top-down is published is printed:
   * scored out of sample on the tuning origins they are within a point of each other here.)
   */
  @Test
  void mintBeatsBottomUpOnPlantedCorrelatedErrorsAndStaysCoherent() {
    Random rnd = new Random(23);
    int territories = 6;
    Panel p = panel(48, territories, 40, (u, t) -> 20.0 + 3 * (u % 7) + (t % 4));
    List<Evaluation.Point> finals = new ArrayList<>();
    List<Evaluation.Point> points = territoryShocks(rnd, p, territories, finals, (f, a, o) -> { });
    Set<Integer> tuning = Set.of(20, 21, 22, 23, 24);
    // the state's seasonal regression is exact on these flat series: measured only, so MinT is what is tested
    Evaluation ev = new Evaluation(p, METHODS, CANDIDATES, Evaluation.RECONCILIATIONS, 1500, MEASURED_ONLY);
    Evaluation.Result r = ev.evaluate(points, tuning, true);
    assertEquals("gbt", r.choice().byLevel().get(Levels.UNIT));
    for (String level : Levels.ALL) {
      Map<String, Double> w = Evaluation.overallWape(r.metrics(), level, Evaluation.HELD_OUT);
      Map<String, Double> t = r.choice().tuningWape().get(level);
      System.out.printf("[mint] level %s: tuning (out of sample) mint %.3f, top-down %.3f; held-out mint %.3f, top-down %.3f, "
          + "bottom-up (gbt) %.3f, seasonal naive %.3f; published %s%n", level, t.get(Evaluation.MINT), t.get(Evaluation.TOP_DOWN),
          w.get(Evaluation.MINT), w.get(Evaluation.TOP_DOWN), w.get("gbt"), w.get("seasonal_naive"), r.choice().reconciliation());
      assertEquals(w.get(r.choice().reconciliation()), w.get(Evaluation.PUBLISHED), 1e-12);
      assertTrue(w.get(Evaluation.MINT) < w.get("gbt"), level + " " + w);
    }
    Evaluation.Choice mint = new Evaluation.Choice(r.choice().model(), r.choice().byLevel(), r.choice().tuningWape(),
        Evaluation.MINT);
    assertCoherent(ev.publish(finals, mint, r.quantiles()), territories, mint);
  }

  /**
   * The held-out guard under MinT keeps MinT's shares below a fallback. The planted errors of
   * {@link #mintBeatsBottomUpOnPlantedCorrelatedErrorsAndStaysCoherent} (MinT, the only offered
   * reconciliation, is the tuning choice), and on the held-out origins every forecast of the
   * chosen methods is 30% high while last_value (double the actual on the tuning origins, never
   * chosen) is unbiased there: the state loses and falls back to last_value. Then, at every
   * held-out origin x horizon, the published state total is last_value's total, and the published
   * territories and units keep MinT's shares (1e-9), the only thing that changed being the total;
   * no level publishes worse than its best baseline held out; and the forecast from the last month
   * does the same with the MinT of every origin.
   */
  @Test
  void aStateFallbackUnderMintKeepsMintsSharesBelowIt() {
    Random rnd = new Random(29);
    int units = 48;
    int territories = 6;
    Panel p = panel(units, territories, 40, (u, t) -> 20.0 + 3 * (u % 7) + (t % 4));
    Set<Integer> tuning = Set.of(20, 21, 22, 23, 24);
    int gbt = METHODS.indexOf("gbt");
    int sn = METHODS.indexOf("seasonal_naive");
    int lv = METHODS.indexOf("last_value");
    List<Evaluation.Point> finals = new ArrayList<>();
    List<Evaluation.Point> points = territoryShocks(rnd, p, territories, finals, (f, a, o) -> {
      if (!tuning.contains(o)) {
        f[gbt] *= 1.3;
        f[sn] *= 1.3;
        f[lv] = Math.max(0, a * (1 + 0.4 * rnd.nextGaussian()));
      }
    });
    Evaluation ev = new Evaluation(p, METHODS, CANDIDATES, List.of(Evaluation.MINT), 1500, MEASURED_ONLY);
    Evaluation.Result r = ev.evaluate(points, tuning, true, true);
    Evaluation.Choice c = r.choice();
    assertEquals(Evaluation.MINT, c.tuningReconciliation());
    assertEquals(Evaluation.MINT_SHARES, c.reconciliation());
    assertEquals("last_value", c.byLevel().get(Levels.STATE), c.toString());
    assertEquals(Set.of(Levels.STATE), c.fallback().keySet(), "only the state falls back: " + c.fallback());
    // per held-out origin x horizon: the state total is last_value's, the levels below not fallen back keep MinT's shares
    Map<String, double[]> state = new HashMap<>(); // published, last_value, MinT
    Map<String, double[]> terr = new HashMap<>();
    for (Evaluation.Point q : points) {
      if (tuning.contains(q.origin)) {
        continue;
      }
      String k = q.origin + "/" + q.h;
      add3(state, k, q.published, q.f[lv], q.rec[0]);
      add3(terr, k + "/" + p.series().get(q.unit).territory(), q.published, 0, q.rec[0]);
    }
    state.forEach((k, v) -> assertEquals(v[1], v[0], 1e-9 * v[1], "state total " + k));
    for (Evaluation.Point q : points) {
      if (tuning.contains(q.origin)) {
        continue;
      }
      String k = q.origin + "/" + q.h;
      double[] st = state.get(k);
      double[] tt = terr.get(k + "/" + p.series().get(q.unit).territory());
      assertEquals(tt[2] / st[2], tt[0] / st[0], 1e-9, "territory share " + k);
      assertEquals(q.rec[0] / tt[2], q.published / tt[0], 1e-9, "unit share in its territory " + k);
    }
    for (String level : Levels.ALL) {
      Map<String, Double> w = Evaluation.overallWape(r.metrics(), level, Evaluation.HELD_OUT);
      double bestBaseline = Panel.BASELINES.stream().mapToDouble(w::get).min().orElseThrow();
      System.out.printf("[mint shares] level %s: held-out published %.3f (%s), best baseline %.3f%n", level,
          w.get(Evaluation.PUBLISHED), c.byLevel().get(level), bestBaseline);
      assertTrue(w.get(Evaluation.PUBLISHED) <= bestBaseline + 1e-12, level + " " + w);
    }
    // the forecast from the last month: last_value's state total, split by MinT's values
    List<Evaluation.Forecast> pub = ev.publish(finals, c, r.quantiles());
    assertCoherent(pub, territories, c);
    List<Evaluation.Point> again = new ArrayList<>();
    finals.forEach(q -> again.add(new Evaluation.Point(q.unit, q.origin, q.h, Double.NaN, q.f.clone())));
    Map<String, String> tuningByLevel = new HashMap<>(c.byLevel());
    tuningByLevel.putAll(c.fallback());
    List<Evaluation.Forecast> mint = ev.publish(again, new Evaluation.Choice(c.model(), tuningByLevel, c.tuningWape(),
        Evaluation.MINT), r.quantiles());
    Map<String, Double> lvTotal = new HashMap<>();
    finals.forEach(q -> lvTotal.merge(p.month(33 + q.h).toString(), q.f[lv], Double::sum));
    Map<String, Double> mintState = new HashMap<>();
    Map<String, Double> pubState = new HashMap<>();
    mint.stream().filter(f -> f.level().equals(Levels.STATE)).forEach(f -> mintState.put(f.targetMonth().toString(), f.forecast()));
    pub.stream().filter(f -> f.level().equals(Levels.STATE)).forEach(f -> pubState.put(f.targetMonth().toString(), f.forecast()));
    assertEquals(lvTotal.keySet(), pubState.keySet());
    lvTotal.forEach((m, v) -> assertEquals(v, pubState.get(m), 1e-9 * v, "published state " + m));
    // only the state fell back: every unit is MinT's scaled to the new total
    Map<String, Double> mintUnit = new HashMap<>();
    mint.stream().filter(f -> f.level().equals(Levels.UNIT))
        .forEach(f -> mintUnit.put(f.seriesId() + " " + f.targetMonth(), f.forecast()));
    int checked = 0;
    for (Evaluation.Forecast f : pub) {
      if (f.level().equals(Levels.UNIT)) {
        String m = f.targetMonth().toString();
        assertEquals(mintUnit.get(f.seriesId() + " " + m) * pubState.get(m) / mintState.get(m), f.forecast(),
            1e-9 * f.forecast(), f.seriesId() + " " + m);
        checked++;
      }
    }
    assertEquals(units * 6, checked);
  }

  /** Changes a point's forecasts (the methods' array) given its actual and origin. */
  interface Adjust {
    void apply(double[] f, double actual, int origin);
  }

  /**
   * Middle-out from the state: every unit is its base x 1.1^(t/12) x exp(0.25 cos(2 pi t / 12)), so
   * the state's seasonal regression is exact at state and territory level, while the model has
   * territory shocks (MinT is the reconciliation). Both levels publish the regression, the units
   * split each territory's total by MinT's values, and everything stays coherent; measured only
   * (middle-out off), no level publishes it.
   */
  @Test
  void aStateRegressionThatBeatsTheReconciledForecastPublishesItsTotalsWithMintsSharesBelow() {
    Random rnd = new Random(13);
    int territories = 6;
    Panel p = panel(48, territories, 40,
        (u, t) -> (20.0 + 3 * (u % 7)) * Math.pow(1.1, t / 12.0) * Math.exp(0.25 * Math.cos(2 * Math.PI * t / 12)));
    List<Evaluation.Point> finals = new ArrayList<>();
    List<Evaluation.Point> points = territoryShocks(rnd, p, territories, finals, (f, a, o) -> { });
    Set<Integer> tuning = Set.of(20, 21, 22, 23, 24);
    Evaluation ev = new Evaluation(p, METHODS, CANDIDATES, List.of(Evaluation.MINT), 1500);
    Evaluation.Result r = ev.evaluate(points, tuning, true, true);
    Evaluation.Choice c = r.choice();
    assertEquals(Map.of(Levels.UNIT, "gbt", Levels.TERRITORY, Evaluation.HARMONIC, Levels.STATE, Evaluation.HARMONIC), c.byLevel(),
        c.toString());
    assertEquals(Set.of(Levels.STATE, Levels.TERRITORY), c.harmonic().keySet());
    assertEquals(Evaluation.MINT_SHARES, c.reconciliation());
    assertEquals(Evaluation.MINT, c.tuningReconciliation());
    assertTrue(c.fallback().isEmpty(), c.fallback().toString());
    for (String level : List.of(Levels.STATE, Levels.TERRITORY)) {
      for (String split : List.of(Evaluation.TUNING, Evaluation.HELD_OUT)) {
        assertEquals(0.0, Evaluation.overallWape(r.metrics(), level, split).get(Evaluation.PUBLISHED), 1e-9, level + " " + split);
      }
    }
    // per origin x horizon x territory: the units' published values are in MinT's proportions
    Map<String, double[]> byTerritory = new HashMap<>();
    for (Evaluation.Point pt : points) {
      String k = pt.origin + " " + pt.h + " " + p.series().get(pt.unit).territory();
      double[] s = byTerritory.computeIfAbsent(k, x -> new double[2]);
      s[0] += pt.published;
      s[1] += pt.rec[0];
    }
    for (Evaluation.Point pt : points) {
      double[] s = byTerritory.get(pt.origin + " " + pt.h + " " + p.series().get(pt.unit).territory());
      assertEquals(pt.rec[0] / s[1], pt.published / s[0], 1e-9);
    }
    double unitWape = Evaluation.overallWape(r.metrics(), Levels.UNIT, Evaluation.HELD_OUT).get(Evaluation.PUBLISHED);
    double[] mintErr = new double[2]; // MinT's own unit WAPE on the held-out origins (one reconciliation: no metrics rows)
    points.stream().filter(pt -> !tuning.contains(pt.origin)).forEach(pt -> {
      mintErr[0] += Math.abs(pt.actual - pt.rec[0]);
      mintErr[1] += pt.actual;
    });
    double mintWape = mintErr[0] / mintErr[1];
    assertTrue(unitWape < mintWape, "units in exact territory totals: " + unitWape + " against MinT's " + mintWape);
    assertCoherent(ev.publish(finals, c, r.quantiles()), territories, c);

    Evaluation.Result off = new Evaluation(p, METHODS, CANDIDATES, List.of(Evaluation.MINT), 1500, MEASURED_ONLY)
        .evaluate(territoryShocks(new Random(13), p, territories, new ArrayList<>(), (f, a, o) -> { }), tuning, true, true);
    assertTrue(off.choice().harmonic().isEmpty(), off.choice().toString());
    assertTrue(!off.choice().byLevel().containsValue(Evaluation.HARMONIC), off.choice().toString());
    assertEquals(0.0, Evaluation.overallWape(off.metrics(), Levels.STATE, Evaluation.HELD_OUT).get(Evaluation.HARMONIC), 1e-9,
        "measured at every level all the same");
  }

  /**
   * The planted correlated errors of {@link #mintBeatsBottomUpOnPlantedCorrelatedErrorsAndStaysCoherent}
   * at origins 20-27 x horizons 1-6: gbt's unit errors share a territory shock (+-30%), seasonal
   * naive's are independent (+-40%), every other method is double the actual; then {@code adjust}.
   * {@code finals} receives origin 27's forecasts again as from month 33, without actuals.
   */
  static List<Evaluation.Point> territoryShocks(Random rnd, Panel p, int territories, List<Evaluation.Point> finals,
      Adjust adjust) {
    int gbt = METHODS.indexOf("gbt");
    int sn = METHODS.indexOf("seasonal_naive");
    List<Evaluation.Point> points = new ArrayList<>();
    for (int o = 20; o <= 27; o++) {
      for (int h = 1; h <= 6; h++) {
        double[] shock = new double[territories];
        for (int t = 0; t < territories; t++) {
          shock[t] = 0.3 * rnd.nextGaussian();
        }
        for (int u = 0; u < p.series().size(); u++) {
          double a = p.series().get(u).y()[o + h];
          double[] f = new double[METHODS.size()];
          java.util.Arrays.fill(f, 2 * a);
          int t = Integer.parseInt(p.series().get(u).territory().substring(1));
          f[gbt] = Math.max(0, a * (1 + shock[t] + 0.05 * rnd.nextGaussian()));
          f[sn] = Math.max(0, a * (1 + 0.4 * rnd.nextGaussian()));
          adjust.apply(f, a, o);
          points.add(new Evaluation.Point(u, o, h, a, f));
          if (o == 27) {
            finals.add(new Evaluation.Point(u, 33, h, Double.NaN, f.clone()));
          }
        }
      }
    }
    return points;
  }

  private static void add3(Map<String, double[]> sums, String k, double a, double b, double c) {
    double[] s = sums.computeIfAbsent(k, x -> new double[3]);
    s[0] += a;
    s[1] += b;
    s[2] += c;
  }

  /**
   * A planted case where MinT's in-sample covariance flatters it. Unit level publishes seasonal
   * naive, territory and state the model (gbt), so the levels disagree and the reconciliation
   * matters. Seasonal naive's units are within 2% except two random units per origin, off by up
   * to 80% at every horizon of that origin; the model's units are off by +-60% in pairs that
   * cancel in every territory. A covariance estimated on an origin's own residuals knows which
   * units are off there, so MinT moves the incoherence onto them and looks near perfect; from
   * other origins it knows the wrong units and moves it onto accurate ones. The choice, scored
   * with MinT's covariance from earlier origins only, keeps top-down, which is also the better
   * one on the held-out origins; scored in sample (MinT fitted on the tuning origins it is
   * scored on) it would pick MinT.
   */
  @Test
  void theReconciliationChoiceIsOutOfSampleWhereAnInSampleCovarianceFlattersMint() {
    Random rnd = new Random(41);
    int units = 24;
    int territories = 4;
    Panel p = panel(units, territories, 40, (u, t) -> 20.0 + 5 * (u % territories) + (t % 4));
    int[] origins = {20, 21, 22, 23, 24, 25, 26, 27};
    int gbt = METHODS.indexOf("gbt");
    int sn = METHODS.indexOf("seasonal_naive");
    List<Evaluation.Point> points = new ArrayList<>();
    for (int o : origins) {
      double[] pattern = new double[units];
      for (int u = 0; u < units; u++) {
        pattern[u] = 0.25 * rnd.nextGaussian();
      }
      for (int h = 1; h <= 6; h++) {
        double g = rnd.nextGaussian();
        for (int u = 0; u < units; u++) {
          double a = p.series().get(u).y()[o + h];
          double[] f = new double[METHODS.size()];
          java.util.Arrays.fill(f, 2 * a);
          int rank = Integer.parseInt(p.series().get(u).id().substring(1)) / territories; // 0..5 in its territory
          f[gbt] = a * (1 + (rank % 2 == 0 ? 0.6 : -0.6) + 0.01 * rnd.nextGaussian());
          f[sn] = Math.max(0, a * (1 + g * pattern[u] + 0.02 * rnd.nextGaussian()));
          points.add(new Evaluation.Point(u, o, h, a, f));
        }
      }
    }
    Set<Integer> tuning = Set.of(20, 21, 22, 23, 24);
    Evaluation ev = new Evaluation(p, METHODS, CANDIDATES, Evaluation.RECONCILIATIONS, 1500);
    Evaluation.Result r = ev.evaluate(points, tuning, true);
    assertEquals(Map.of(Levels.UNIT, "seasonal_naive", Levels.TERRITORY, "gbt", Levels.STATE, "gbt"), r.choice().byLevel(),
        r.choice().tuningWape().toString());
    double heldTopDown = 0;
    double heldMint = 0;
    for (String level : Levels.ALL) {
      Map<String, Double> w = Evaluation.overallWape(r.metrics(), level, Evaluation.HELD_OUT);
      Map<String, Double> t = r.choice().tuningWape().get(level);
      System.out.printf("[mint-choice] level %s: tuning (out of sample) top-down %.4f, mint %.4f; held-out top-down %.4f, "
          + "mint %.4f%n", level, t.get(Evaluation.TOP_DOWN), t.get(Evaluation.MINT), w.get(Evaluation.TOP_DOWN),
          w.get(Evaluation.MINT));
      heldTopDown += w.get(Evaluation.TOP_DOWN);
      heldMint += w.get(Evaluation.MINT);
      assertEquals(w.get(Evaluation.TOP_DOWN), w.get(Evaluation.PUBLISHED), 1e-12);
    }
    assertEquals(Evaluation.TOP_DOWN, r.choice().reconciliation(), r.choice().tuningWape().toString());
    assertTrue(heldTopDown < heldMint, "held out, mean over levels: top-down " + heldTopDown / 3 + ", mint " + heldMint / 3);
  }

  /**
   * Conformal intervals on generated series with known noise: actual = f x exp(0.3 N(0, 1)),
   * independent, 300 units in 30 territories, 8 origins x 6 horizons. Calibrated on the 5
   * tuning origins, checked on the 3 held-out ones: coverage within 5 points of 80% and 95% at
   * unit and territory level (n = 5,400 and 540 per level; the state's 18 held-out values are
   * too few to check to 5 points and are only printed).
   */
  @Test
  void conformalIntervalsCoverTheirNominalShareOnHeldOutOrigins() {
    Random rnd = new Random(17);
    int units = 300;
    Panel p = panel(units, 30, 40, (u, t) -> 0.0);
    List<Evaluation.Point> points = new ArrayList<>();
    int[] origins = {20, 21, 22, 23, 24, 25, 26, 27};
    for (int o : origins) {
      for (int u = 0; u < units; u++) {
        for (int h = 1; h <= 6; h++) {
          double f0 = 20 + u % 40;
          double[] f = new double[METHODS.size()];
          java.util.Arrays.fill(f, f0);
          points.add(new Evaluation.Point(u, o, h, f0 * Math.exp(0.3 * rnd.nextGaussian()), f));
        }
      }
    }
    Evaluation.Result r = new Evaluation(p, METHODS, CANDIDATES).evaluate(points, Set.of(20, 21, 22, 23, 24), true);
    for (String level : Levels.ALL) {
      double[] c = Evaluation.coverage(r.metrics(), level);
      System.out.printf("[conformal] level %s held-out coverage 80%%: %.3f, 95%%: %.3f%n", level, c[0], c[1]);
      if (!level.equals(Levels.STATE)) {
        assertEquals(0.80, c[0], 0.05, level + " 80%");
        assertEquals(0.95, c[1], 0.05, level + " 95%");
      }
    }
  }

  /**
   * Few residuals per horizon (a state level, few origins): 10 per horizon over 12 horizons, all of
   * one standard normal. Alone, each horizon's 95% interval would be its 10 residuals' range and
   * cover about 9/11 = 82% of new values; pooled with the nearest horizons to
   * {@link Evaluation#MIN_RESIDUALS} it covers within 3 points of 95% (and 80% of 80%), averaged
   * over the horizons and 200 draws. A horizon with enough residuals of its own is not pooled.
   */
  @Test
  void fewResidualsBorrowTheNearestHorizons() {
    assertEquals(39, Evaluation.MIN_RESIDUALS);
    Random rnd = new Random(5);
    org.apache.commons.math3.distribution.NormalDistribution z = new org.apache.commons.math3.distribution.NormalDistribution();
    double c80 = 0;
    double c95 = 0;
    int n = 0;
    for (int draw = 0; draw < 200; draw++) {
      Map<Integer, List<Double>> byH = new java.util.TreeMap<>();
      for (int h = 1; h <= 12; h++) {
        for (int i = 0; i < 10; i++) {
          byH.computeIfAbsent(h, k -> new ArrayList<>()).add(rnd.nextGaussian());
        }
      }
      Map<Integer, double[]> q = Evaluation.quantiles(Map.of("state", byH)).get("state");
      for (double[] qh : q.values()) {
        c80 += z.cumulativeProbability(qh[2]) - z.cumulativeProbability(qh[1]);
        c95 += z.cumulativeProbability(qh[3]) - z.cumulativeProbability(qh[0]);
        n++;
      }
      assertEquals(40, Evaluation.pooled(byH, 1).size(), "h=1 borrows h=2..4");
      assertEquals(40, Evaluation.pooled(byH, 6).size(), "h=6 borrows h=5, 7, 4");
    }
    System.out.printf("[conformal] 10 residuals per horizon, pooled: coverage 80%%: %.3f, 95%%: %.3f%n", c80 / n, c95 / n);
    assertEquals(0.80, c80 / n, 0.03);
    assertEquals(0.95, c95 / n, 0.03);
    Map<Integer, List<Double>> enough = new java.util.TreeMap<>();
    enough.put(1, new ArrayList<>(java.util.Collections.nCopies(39, 1.0)));
    enough.put(2, new ArrayList<>(java.util.Collections.nCopies(5, -7.0)));
    assertEquals(39, Evaluation.pooled(enough, 1).size());
    assertEquals(44, Evaluation.pooled(enough, 2).size());
  }

  /**
   * The driver's map key of node x origin x horizon (it replaced string keys): distinct for every
   * combination the demo's size reaches and beyond (3,000 nodes, 100 origin months, horizons
   * 1..36), and out-of-range origins or horizons fail instead of colliding.
   */
  @Test
  void pointKeysAreDistinctAndOutOfRangeFails() {
    Set<Long> keys = new HashSet<>();
    for (int n = 0; n < 3000; n += 7) {
      for (int o = 0; o < 100; o++) {
        for (int h = 1; h <= 36; h++) {
          assertTrue(keys.add(Evaluation.key(n, o, h)), n + " " + o + " " + h);
        }
      }
    }
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Evaluation.key(0, 0, 64));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Evaluation.key(0, 4096, 1));
  }
}
