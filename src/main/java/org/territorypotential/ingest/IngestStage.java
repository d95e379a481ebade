package org.territorypotential.ingest;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Layer;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.ops.BaseStage;

/** {@code ingest}: the inputs, validated, into bronze tables and quarantine ({@link IngestJob}). */
public final class IngestStage extends BaseStage {
  public IngestStage() {
    super("ingest", "read the inputs, validate them, write bronze tables and quarantine",
        List.of(),
        java.util.stream.Stream.concat(java.util.Arrays.stream(Table.values()).filter(t -> t.layer == Layer.BRONZE),
        java.util.stream.Stream.of(Table.INGEST_RECONCILIATION)).toList());
  }

  @Override
  public void validate(AppConfig cfg, java.time.LocalDate asOf) {
    IngestJob.adapter(cfg);
    InputGuard.Settings.from(cfg);
    InputRules.Settings.from(cfg);
    CanonicalAdapter.encodings(cfg);
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    IngestJob.Result r = IngestJob.run(spark, cfg, run);
    RunStats stats = new RunStats();
    r.inputs().forEach(i -> stats.read(i.input(), i.read(), null));
    r.inputs().forEach(i -> stats.rowsWritten.put(i.input(), i.accepted()));
    stats.versionsWritten.putAll(r.versionsWritten());
    return new Summary(stats, out -> print(out, r));
  }

  static void print(PrintStream out, IngestJob.Result r) {
    out.printf("ingest run %s%n", r.runId());
    out.printf("  %-16s %12s %12s %12s %12s  %s%n", "input", "read", "accepted", "quarantined", "excluded", "commonest reasons");
    for (IngestJob.InputCounts c : r.inputs()) {
      out.printf("  %-16s %,12d %,12d %,12d %,12d  %s%n", c.input(), c.read(), c.accepted(), c.quarantined(), c.excluded(),
          c.topReasons().isEmpty() ? "" : c.topReasons());
    }
    for (IngestJob.InputCounts c : r.inputs()) {
      if (!c.ignoredColumns().isEmpty()) {
        out.printf("  input '%s': ignored columns not in its contract: %s%n", c.input(), String.join(", ", c.ignoredColumns()));
      }
    }
    if (r.registrations() > 0) {
      out.printf("  segment coverage: %,d of %,d registrations (%.2f%%) have a make + model in the segment reference%s%n",
          r.registrations() - r.unmappedRegistrations(), r.registrations(),
          100.0 * (r.registrations() - r.unmappedRegistrations()) / r.registrations(),
          r.unmappedRegistrations() == 0 ? "" : "; unmapped (kept, unclassified): " + r.topUnmapped());
    }
  }
}
