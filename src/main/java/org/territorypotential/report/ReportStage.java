package org.territorypotential.report;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.BaseStage;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;

/** {@code report}: the offline HTML report, dealer disclosure sheets and GIS exports ({@link ReportJob}, docs/report.md). */
public final class ReportStage extends BaseStage {
  public ReportStage() {
    super("report", "offline HTML report (map, effectiveness and forecast charts, top territories), one disclosure sheet per"
        + " dealer (HTML, PDF with tp.report.pdf) and GIS exports, under <lakehouse>/reports/<as_of>/; prints the report's path"
        + " (docs/report.md)",
        List.of(Table.DEALER_PERFORMANCE, Table.DEALER_EXPECTED_BY_SEGMENT, Table.POTENTIAL_SCORES, Table.DEMAND_FORECAST,
            Table.MONTHLY_REGISTRATIONS, Table.TERRITORY_ASSIGNMENT, Table.GEO_UNITS_SILVER, Table.DEALERS_LOCATED),
        List.of());
  }

  @Override
  public void validate(AppConfig cfg, java.time.LocalDate asOf) {
    ReportParams.from(cfg, asOf);
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    ReportJob.Result r = ReportJob.run(spark, cfg, run);
    RunStats stats = new RunStats();
    stats.versionsRead.putAll(r.versionsRead());
    return new Summary(stats, out -> {
      out.printf("report run %s: %d territories, %d dealer sheets%s, %,d bytes (map simplified at %s degrees)%n", run.runId(),
          r.territories(), r.dealers(), r.pdfs().isEmpty() ? "" : " (+" + r.pdfs().size() + " PDFs)", r.reportBytes(),
          r.mapTolerance());
      r.exported().forEach((k, v) -> out.printf("  GIS export %-12s %,10d features%n", k, v));
      out.println("  report: " + r.report());
      out.println("  index:  " + r.index());
    });
  }
}
