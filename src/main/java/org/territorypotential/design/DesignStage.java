package org.territorypotential.design;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.BaseStage;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.score.ScoreParams;

/** {@code design}: territory design scenarios and dealer what-ifs ({@link DesignJob}). */
public final class DesignStage extends BaseStage {
  public DesignStage() {
    super("design", "territory design (territory_design, territory_design_metrics: balanced, contiguous, compact territories"
        + " per tp.design.scenarios) and dealer what-ifs (whatif_results, tp.whatif.scenarios); docs/design-territories.md",
        List.of(Table.GEO_UNITS_SILVER, Table.DEMAND_FORECAST, Table.POTENTIAL_SCORES, Table.TERRITORY_ASSIGNMENT,
            Table.DEALERS_LOCATED, Table.REGISTRATIONS_LOCATED),
        List.of(Table.TERRITORY_DESIGN, Table.TERRITORY_DESIGN_METRICS, Table.WHATIF_RESULTS));
  }

  @Override
  public void validate(AppConfig cfg, java.time.LocalDate asOf) {
    DesignParams.from(cfg);
    ScoreParams.from(cfg, asOf);
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    DesignJob.Result r = DesignJob.run(spark, cfg, run);
    RunStats stats = new RunStats();
    stats.versionsRead.putAll(r.versionsRead());
    r.rowsWritten().forEach((k, v) -> stats.wrote(k, v, r.versionsWritten().get(k)));
    return new Summary(stats, out -> print(out, r));
  }

  private static String pct(Double v) {
    return v == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f", v);
  }

  static void print(PrintStream out, DesignJob.Result r) {
    out.printf("design run %s: %,d units, %,d adjacency edges, %d island(s) bridged%s%n", r.runId(), r.units(), r.edges(),
        r.bridgeIds().size(), r.bridgeIds().isEmpty() ? "" : " " + r.bridgeIds());
    r.rowsWritten().forEach((k, v) -> out.printf("  %-40s %,12d rows%n", k, v));
    for (DesignJob.DesignLine l : r.designs()) {
      out.printf("  scenario %s: %d territories balanced on %s in %.1f s; %s%n", l.id(), l.territories(), l.balance(),
          l.seconds(), l.feasible() ? String.join("; ", java.util.stream.Stream.concat(
              java.util.stream.Stream.of("every territory contiguous and within tolerance"), l.notes().stream()).toList())
              : String.join("; ", l.notes()));
      String outside = String.format(java.util.Locale.ROOT, "outside +-%.0f%%", 100 * l.tolerance());
      out.printf("    %-22s %14s %14s %16s%n", "", "max |deviation|", "Polsby-Popper", outside);
      if (l.devBefore() != null) {
        out.printf("    %-22s %13.1f%% %14.3f %10d of %d%n", "before (current)", 100 * l.devBefore(), l.ppBefore(),
            l.outsideBefore(), l.territories());
      }
      out.printf("    %-22s %13.1f%% %14.3f %10d of %d%n", "after (design)", 100 * l.devAfter(), l.ppAfter(), l.outsideAfter(),
          l.territories());
      out.printf("    %-22s %13.1f%% %14.3f %10d of %d%n", "k-means baseline", 100 * l.devKmeans(), l.ppKmeans(),
          l.outsideKmeans(), l.territories());
      out.printf("    units moved: %,d (potential %.1f)%n", l.unitsMoved(), l.potentialMoved());
    }
    for (DesignJob.WhatIfLine w : r.whatIfs()) {
      out.printf("  what-if %s: %s %s (%s): %d units change PMA; net brand gain %.1f, cannibalisation %.1f%n", w.id(),
          w.action(), w.dealerId(), w.brand(), w.unitsReassigned(), w.netBrandGain(), w.cannibalisation());
      out.printf("    largest gain: %s (+%.1f captured demand); Huff alpha %.2f, beta %.2f, %s%n", w.topGainDealer(),
          w.topGain(), w.alpha(), w.beta(), w.huffSource());
      out.printf("    market code: brand expected registrations %.1f -> %.1f; largest expected gain: %s (%.1f -> %.1f,"
          + " registration effectiveness %s -> %s)%n", w.brandExpectedBefore(), w.brandExpectedAfter(), w.topExpectedDealer(),
          w.topExpectedBefore(), w.topExpectedAfter(), pct(w.topEffectivenessBefore()), pct(w.topEffectivenessAfter()));
    }
  }
}
