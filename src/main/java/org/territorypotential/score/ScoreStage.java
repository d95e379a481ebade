package org.territorypotential.score;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.ops.BaseStage;

/** {@code score}: territory potential scores and sales goals ({@link ScoreJob}). */
public final class ScoreStage extends BaseStage {
  public ScoreStage() {
    super("score", "territory potential scores (potential_scores) and sales goals (sales_goals) from the forecast, the market"
        + " tables and demographics; prints the top territories (docs/scores.md)",
        List.of(Table.DEMAND_FORECAST, Table.MONTHLY_REGISTRATIONS, Table.TERRITORY_ASSIGNMENT),
        List.of(Table.POTENTIAL_SCORES, Table.SALES_GOALS));
  }

  @Override
  public void validate(AppConfig cfg, java.time.LocalDate asOf) {
    ScoreParams.from(cfg, asOf);
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    ScoreJob.Result r = ScoreJob.run(spark, cfg, run, cfg.getInt("tp.score.print-territories"));
    RunStats stats = new RunStats();
    stats.versionsRead.putAll(r.versionsRead());
    r.rowsWritten().forEach((k, v) -> stats.wrote(k, v, r.versionsWritten().get(k)));
    return new Summary(stats, out -> print(out, r));
  }

  static void print(PrintStream out, ScoreJob.Result r) {
    out.printf("score run %s for %s (forecast model %s)%n", r.runId(), r.brand(), r.modelVersion());
    r.rowsWritten().forEach((k, v) -> out.printf("  %-40s %,12d rows%n", k, v));
    out.println("  top " + r.top().size() + " territories by opportunity (all segments; opportunity = potential - current pace):");
    out.printf("    %-11s %-16s %10s %10s %12s %6s  %s%n", "type", "territory", "potential", "pace", "opportunity", "score",
        "band");
    for (ScoreJob.Line l : r.top()) {
      out.printf("    %-11s %-16s %10.1f %10.1f %12.1f %6s  %s%n", l.type(), l.territoryId(), l.potential(), l.pace(), l.gap(),
          l.score() == null ? "-" : String.format("%.1f", l.score()), l.band());
    }
  }
}
