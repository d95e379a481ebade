package org.territorypotential.market;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.ops.BaseStage;

/** {@code market}: market share, expected registrations, effectiveness, pump-in / pump-out ({@link MarketJob}). */
public final class MarketStage extends BaseStage {
  public MarketStage() {
    super("market", "market share, segment-adjusted expected registrations, effectiveness, bands, pump-in / pump-out per dealer"
        + " PMA (gold tables; docs/market.md)",
        List.of(Table.REGISTRATIONS_LOCATED, Table.DEALERS_LOCATED, Table.TERRITORY_ASSIGNMENT, Table.GEO_UNITS_SILVER),
        List.of(Table.MARKET_SHARE, Table.MONTHLY_REGISTRATIONS, Table.DEALER_EXPECTED_BY_SEGMENT,
        Table.DEALER_PERFORMANCE, Table.CROSS_SELL, Table.MARKET_DATA_QUALITY));
  }

  @Override
  public void validate(AppConfig cfg, java.time.LocalDate asOf) {
    MarketParams.from(cfg, asOf);
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    MarketJob.Result r = MarketJob.run(spark, cfg, run);
    RunStats stats = new RunStats();
    r.rowsRead().forEach((k, v) -> stats.read(k, v, r.versionsRead().get(k)));
    r.versionsRead().forEach(stats.versionsRead::putIfAbsent);
    r.rowsWritten().forEach((k, v) -> stats.wrote(k, v, r.versionsWritten().get(k)));
    return new Summary(stats, out -> print(out, r));
  }

  static void print(PrintStream out, MarketJob.Result r) {
    out.printf("market run %s, window %s .. %s%n", r.runId(), r.windowStart(), r.windowEnd());
    r.rowsWritten().forEach((k, v) -> out.printf("  %-40s %,12d rows%n", k, v));
    printDealers(out, "weakest dealers (registration effectiveness)", r.weakest());
    printDealers(out, "strongest dealers (registration effectiveness)", r.strongest());
    out.println("  benchmark shares over located registrations only; unlocated left out: " + r.benchmarkEffect());
  }

  private static void printDealers(PrintStream out, String title, List<MarketJob.DealerLine> lines) {
    out.println("  " + title + ":");
    out.printf("    %-14s %-12s %8s %10s %8s %10s %8s  %s%n", "dealer", "brand", "RE", "expected", "actual", "expected_l",
        "RE_local", "band");
    for (MarketJob.DealerLine l : lines) {
      out.printf("    %-14s %-12s %8.1f %10.1f %8d %10.1f %8s  %s%n", l.dealerId(), l.brand(), l.effectiveness(), l.expected(),
          l.actual(), l.expectedLocal(), l.effectivenessLocal() == null ? "null"
              : String.format(java.util.Locale.ROOT, "%.1f", l.effectivenessLocal()), l.band());
    }
  }
}
