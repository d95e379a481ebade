package org.territorypotential.synth;

import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.ops.RunContext;

/** The {@code generate} job: writes a synthetic region's inputs to tp.generate.output. */
public final class GenerateJob {
  private GenerateJob() {}

  /** Summary of what was generated: counts per file, for the launcher to print. */
  public record Summary(java.util.Map<String, Long> rowsPerInput, String outputDir) {}

  public static Summary run(SparkSession spark, AppConfig cfg, RunContext run) {
    throw new UnsupportedOperationException("generator is being written");
  }
}
