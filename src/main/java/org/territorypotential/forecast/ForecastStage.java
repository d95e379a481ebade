package org.territorypotential.forecast;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.ops.BaseStage;

/** {@code forecast}: backtests against baselines, the published demand forecast and its metrics ({@link ForecastJob}). */
public final class ForecastStage extends BaseStage {
  public ForecastStage() {
    super("forecast", "backtest the demand model against baselines, write demand_forecast and model_metrics, print WAPE by horizon"
        + " (tp.forecast.history: the market stage's monthly registrations; conf/wa-ev.conf = the WA county history)",
        List.of(),
        List.of(Table.DEMAND_FORECAST, Table.MODEL_METRICS));
  }

  @Override
  public List<Table> reads(AppConfig cfg) {
    return cfg.getString("tp.forecast.history").equals("county_history") ? List.of(Table.COUNTY_HISTORY_BRONZE)
        : List.of(Table.MONTHLY_REGISTRATIONS);
  }

  @Override
  public void validate(AppConfig cfg, java.time.LocalDate asOf) {
    Forecaster.Settings.from(cfg);
    ForecastJob.scope(cfg);
    ForecastJob.countyTerritories(cfg);
    String history = cfg.getString("tp.forecast.history");
    if (!history.equals("registrations") && !history.equals("county_history")) {
      throw new org.territorypotential.config.ConfigError(
          "configuration key 'tp.forecast.history' must be registrations or county_history, got '" + history + "'");
    }
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    ForecastJob.Result r = ForecastJob.run(spark, cfg, run);
    RunStats stats = new RunStats();
    stats.versionsRead.putAll(r.versionsRead());
    stats.versionsWritten.putAll(r.versionsWritten());
    stats.rowsWritten.put("demand_forecast", r.forecastRows());
    return new Summary(stats, out -> print(out, r));
  }

  static void print(PrintStream out, ForecastJob.Result r) {
    Forecaster.Outcome o = r.outcome();
    out.printf("forecast run %s (%s): model %s (%s), origin %s, history partition %s, %,d rows in demand_forecast, %d s%n",
        r.runId(), r.scope(), r.modelVersion(), r.modelReused() ? "reused" : "trained", o.origin(), r.historyAsOf(), r.forecastRows(),
        r.seconds());
    Forecaster.Training t = o.training();
    out.printf("backtest: %d origins %s to %s, tuning on the oldest %d, held out: %s%s%n", o.origins().size(), o.origins().get(0),
        o.origins().get(o.origins().size() - 1), o.origins().size() - o.heldOut().size(), o.heldOut(),
        o.reused() ? " (reused from the backtest store: no backtest fit this run)" : "");
    out.printf("model fits (%s):%n", t.sampled() < 0 ? "every unit series trains"
        : String.format("a fixed sample of %,d of the %,d unit series trains", t.sampled(), t.series()));
    for (ForecastModel.Fitted f : t.fits()) {
      out.printf("  %-28s %,10d training rows %6.1f s%n", f.name(), f.rows(), f.seconds());
    }
    Evaluation.Choice c = o.choice();
    out.printf("model chosen on the tuning origins (unit WAPE): %s (%s)%n", c.model(), c.tuningWape().get(Levels.UNIT).entrySet()
        .stream().filter(e -> o.choice().tuningWape() != null && ForecastModel.ALGORITHMS.contains(e.getKey()))
        .map(e -> e.getKey() + " " + Forecaster.pct(e.getValue())).collect(java.util.stream.Collectors.joining(", ")));
    out.printf("reconciliation published: %s (chosen among tp.forecast.reconciliation.methods on the tuning origins after the first, MinT fitted on the earlier ones: %s)%n",
        c.reconciliation(), c.tuningReconciliation());
    out.printf("held-out guard (tp.forecast.held-out-guard): %s%n", c.fallback().isEmpty()
        ? "the tuning choice is no worse than the best baseline at any level"
        : "levels that publish the held-out's best baseline: " + c.fallback().keySet() + ", reconciled " + c.reconciliation()
            + (Evaluation.MINT_SHARES.equals(c.reconciliation())
                ? " (their totals split over the levels below by MinT's reconciled values)" : ""));
    if (c.byLevel().containsValue(Evaluation.HARMONIC)) {
      out.println("state regression (harmonic_trend) from the last month, per state and segment: growth a year, the seasonal"
          + " factors' highest and lowest month, months fitted");
      String[] names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
      o.harmonic().forEach((key, f) -> {
        double[] s = f.seasonalFactors();
        int hi = 0;
        int lo = 0;
        for (int m = 1; m < 12; m++) {
          hi = s[m] > s[hi] ? m : hi;
          lo = s[m] < s[lo] ? m : lo;
        }
        out.printf("  %-28s %+6.1f%% a year, %s x%.2f, %s x%.2f, %d months%n", key, 100 * f.growthPerYear(), names[hi], s[hi],
            names[lo], s[lo], f.months());
      });
    }
    List<String> methods = new java.util.ArrayList<>(List.of(Evaluation.PUBLISHED));
    c.tuningWape().get(Levels.UNIT).keySet().forEach(methods::add);
    for (String level : Levels.ALL) {
      out.println();
      Map<String, Double> tw = c.tuningWape().get(level);
      String bestBaseline = Panel.BASELINES.stream().filter(m -> !tw.get(m).isNaN())
          .min((a, b) -> Double.compare(tw.get(a), tw.get(b))).orElse(Panel.BASELINES.get(0));
      String tuningChoice = c.tuningMethod(level);
      out.printf("level %s: published %s (tuning WAPE: model %s, best baseline %s %s; chosen on the tuning origins: %s)%s%n",
          level, c.byLevel().get(level), Forecaster.pct(tw.get(c.model())), bestBaseline, Forecaster.pct(tw.get(bestBaseline)),
          tuningChoice, tuningChoice.equals(c.model()) || tuningChoice.equals(Evaluation.COMBINATION)
              || tuningChoice.equals(Evaluation.HARMONIC) ? ""
              : "  GUARD: the model loses at this level on the tuning origins, a baseline is chosen");
      if (c.harmonic().containsKey(level)) {
        // the origins the override was decided on: the tuning origins after the first
        java.util.Set<java.time.LocalDate> scored = new java.util.HashSet<>(
            o.origins().subList(Math.min(1, o.origins().size()), o.origins().size() - o.heldOut().size()));
        Map<String, Double> sw = Evaluation.overallWape(o.metricList(), level, Evaluation.TUNING, scored);
        Double rec = sw.get(c.tuningReconciliation());
        out.printf("  MIDDLE-OUT, level %s: %s (WAPE %s on the tuning origins after the first) beats the reconciled forecast%s"
            + " there: this level publishes its total, split below by the reconciled values' shares%n", level, Evaluation.HARMONIC,
            Forecaster.pct(sw.get(Evaluation.HARMONIC)), level.equals(Levels.STATE) && rec != null
                ? " (" + c.tuningReconciliation() + ", " + Forecaster.pct(rec) + ")" : " (the state's total split by it)");
      }
      if (c.fallback().containsKey(level)) {
        out.printf("  HELD-OUT GUARD, level %s: the tuning choice (%s, reconciled %s) has a higher held-out WAPE than %s: this level"
            + " publishes %s (reconciled " + c.reconciliation() + ")%n", level, tuningChoice, c.tuningReconciliation(), c.byLevel().get(level),
            c.byLevel().get(level));
      }
      out.println("held-out WAPE by horizon, level " + level);
      out.print(Backtest.formatTable(Evaluation.wapeByHorizon(o.metricList(), level, Evaluation.HELD_OUT),
          Evaluation.overallWape(o.metricList(), level, Evaluation.HELD_OUT), methods));
      double[] cov = Evaluation.coverage(o.metricList(), level);
      out.printf("held-out interval coverage, level %s: 80%%: %s, 95%%: %s%n", level, Forecaster.pct(cov[0]), Forecaster.pct(cov[1]));
    }
  }
}
