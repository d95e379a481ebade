package org.territorypotential.synth;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.ops.BaseStage;

/** {@code generate}: a synthetic region's inputs (not a pipeline stage: the demo and tests run it first). */
public final class GenerateStage extends BaseStage {
  public GenerateStage() {
    super("generate", "write a synthetic region (inputs in canonical form) to tp.generate.output",
        List.of(),
        List.of(Table.PLANTED_TRUTHS));
  }

  @Override
  public void validate(AppConfig cfg, java.time.LocalDate asOf) {
    SynthParams.from(cfg);
  }

  @Override
  public Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    GenerateJob.Summary s = GenerateJob.run(spark, cfg, run);
    RunStats stats = new RunStats();
    stats.rowsWritten.putAll(s.rowsPerInput());
    return new Summary(stats, out -> {
      out.println("generated into " + s.outputDir() + ":");
      s.rowsPerInput().forEach((k, v) -> out.printf("  %-14s %,12d rows%n", k, v));
    });
  }
}
