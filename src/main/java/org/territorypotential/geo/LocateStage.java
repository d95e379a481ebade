package org.territorypotential.geo;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.ops.BaseStage;

/** {@code locate}: every record in a geo unit with Sedona, dealer PMAs and territories ({@link LocateJob}). */
public final class LocateStage extends BaseStage {
  public LocateStage() {
    super("locate", "locate dealers, registrations and sales in geo units (tp.locate.level) with Sedona, quarantine impossible"
        + " coordinates, derive dealer PMAs and territories",
        List.of(Table.GEO_UNITS_BRONZE, Table.DEALERS_BRONZE, Table.REGISTRATIONS_BRONZE),
        List.of(Table.GEO_UNITS_SILVER, Table.DEALERS_LOCATED, Table.REGISTRATIONS_LOCATED, Table.SALES_LOCATED,
        Table.TERRITORY_ASSIGNMENT));
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    LocateJob.Result r = LocateJob.run(spark, cfg, run);
    RunStats stats = new RunStats();
    r.inputs().forEach(i -> stats.read(i.input(), i.in(), null));
    r.inputs().forEach(i -> stats.rowsWritten.put(i.input() + "_located", i.located() + i.unlocated()));
    // incremental runs: how many of those kept the previous run's result (not located again)
    r.inputs().forEach(i -> stats.rowsRead.put(i.input() + "_reused", i.reused()));
    return new Summary(stats, out -> print(out, r));
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  static void print(PrintStream out, LocateJob.Result r) {
    out.printf("locate run %s at level '%s': %,d geo units (%,d at that level, %,d repaired)%n", r.runId(), r.level(),
        r.geoUnits(), r.unitsAtLevel(), r.repairedUnits());
    out.println("  " + r.incremental());
    out.printf("  %-16s %12s %12s %12s %12s %12s%n", "input", "in", "located", "unlocated", "quarantined", "reused");
    for (LocateJob.InputCounts c : r.inputs()) {
      out.printf("  %-16s %,12d %,12d %,12d %,12d %,12d%n", c.input(), c.in(), c.located(), c.unlocated(), c.quarantined(),
          c.reused());
    }
    out.printf("  %-16s %12s %12s %12s   code mismatch: point in one unit, code names another (the point wins);"
        + " nearest = within tp.locate.nearest-tolerance-m = %s m%n", "located_by", "point", "code", "nearest",
        fmt(r.nearestToleranceM()));
    for (LocateJob.Placement p : r.placements()) {
      out.printf("  %-16s %,12d %,12d %,12d   code mismatch %,d of %,d points with a code (%.2f%%)%n", p.input(), p.byPoint(),
          p.byCode(), p.byNearest(), p.codeMismatches(), p.pointsWithCode(), 100 * p.mismatchShare());
    }
    out.printf("  territories: %,d PMA rows (%,d multiple dealer areas), %,d configured rows%n", r.pmaRows(),
        r.multipleDealerAreas(), r.configuredRows());
  }
}
