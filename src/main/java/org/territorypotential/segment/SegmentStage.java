package org.territorypotential.segment;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.BaseStage;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.score.ScoreParams;

/** {@code segment}: market segments of geo units, campaign targets and the CRM export ({@link SegmentJob}). */
public final class SegmentStage extends BaseStage {
  public SegmentStage() {
    super("segment", "market segments of geo units (unit_segments, segment_profiles: MLlib k-means on tp.segment.features,"
        + " k by silhouette, ids stable across runs), campaign_targets and the CRM export (crm_assignments + CSV/Parquet"
        + " files with a change list); docs/segments.md",
        List.of(Table.GEO_UNITS_SILVER, Table.DEMAND_FORECAST, Table.POTENTIAL_SCORES, Table.TERRITORY_ASSIGNMENT,
            Table.DEALERS_LOCATED, Table.REGISTRATIONS_LOCATED, Table.MONTHLY_REGISTRATIONS),
        List.of(Table.UNIT_SEGMENTS, Table.SEGMENT_PROFILES, Table.CAMPAIGN_TARGETS, Table.CRM_ASSIGNMENTS));
  }

  @Override
  public void validate(AppConfig cfg, java.time.LocalDate asOf) {
    SegmentParams.from(cfg);
    ScoreParams.from(cfg, asOf);
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    SegmentJob.Result r = SegmentJob.run(spark, cfg, run);
    RunStats stats = new RunStats();
    stats.versionsRead.putAll(r.versionsRead());
    r.rowsWritten().forEach((k, v) -> stats.wrote(k, v, r.versionsWritten().get(k)));
    return new Summary(stats, out -> print(out, r));
  }

  static void print(PrintStream out, SegmentJob.Result r) {
    out.printf("segment run %s: %,d units, %s on %s%s%n", r.runId(), r.units(), r.algorithm(), String.join(", ",
        r.featuresUsed()), r.featuresDropped().isEmpty() ? "" : " (left out, no values or no spread: "
        + String.join(", ", r.featuresDropped()) + ")");
    r.rowsWritten().forEach((k, v) -> out.printf("  %-40s %,12d rows%n", k, v));
    StringBuilder curve = new StringBuilder();
    for (Segmenter.Point p : r.curve()) {
      curve.append(String.format(java.util.Locale.ROOT, "  k=%d %.3f%s", p.k(), p.silhouette(), p.k() == r.k() ? "*" : ""));
    }
    out.printf("  silhouette curve:%s%n", curve);
    out.printf("  segment profiles (k = %d; ids matched to the run of %s):%n", r.k(),
        r.previousAsOf() == null ? "none, first run" : r.previousAsOf());
    out.printf("    %-4s %7s %7s %12s  %s%n", "id", "units", "share", "opportunity", "name");
    for (SegmentJob.SegmentLine l : r.segments()) {
      out.printf("    %-4s %,7d %6.1f%% %11s  %s%n", l.id(), l.units(), 100 * l.unitShare(),
          l.opportunityShare() == null ? "-" : String.format("%.1f%%", 100 * l.opportunityShare()), l.name());
      out.printf("    %-4s sd vs region: %s%n", "", l.profile());
    }
    out.println("  top campaign targets (the first of each territory x segment list, largest opportunity gap first):");
    out.printf("    %-16s %-4s %-16s %10s %10s  %s%n", "territory", "seg", "geo unit", "gap", "potential", "reason");
    for (SegmentJob.TargetLine t : r.topTargets()) {
      out.printf("    %-16s %-4s %-16s %10.1f %10.1f  %s%n", t.territoryId(), t.segmentId(), t.geoUnitId(), t.opportunityGap(),
          t.potential(), t.reason());
    }
    out.printf("  CRM export %s: %s%n", r.exportPath(), r.changes());
  }
}
