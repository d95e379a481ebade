package org.territorypotential.ops;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Table;

/**
 * One pipeline stage: its name, the tables it needs and writes, and its run. Implemented once in
 * each stage's package and listed once in {@code pipeline.Stages}, the only list of stages: the
 * launcher, the pipeline command, the data-quality gates, the benchmark and the Airflow DAG's test
 * all read it.
 */
public interface Stage {
  /** The command name (ingest, locate, ...). */
  String name();

  /** One line for {@code jobs/tp --help}. */
  String description();

  /**
   * Tables that must exist before the stage runs; a missing one stops the run before it writes,
   * with exit 3 and the stage that writes it ({@link org.territorypotential.lake.MissingInput}).
   */
  List<Table> reads(AppConfig cfg);

  /** Tables the stage writes (job_runs, dq_results and quarantine aside); its data-quality checks run on these. */
  List<Table> writes();

  /**
   * Checks the stage's settings before Spark starts, so that no typo surfaces after a stage has
   * written: throws {@link org.territorypotential.config.ConfigError} naming the key.
   */
  default void validate(AppConfig cfg, java.time.LocalDate asOf) {}

  /** Runs the stage for {@code run.asOf()}. */
  Summary run(SparkSession spark, AppConfig cfg, RunContext run);

  /** What a run did: the figures for job_runs and the lines the launcher prints. */
  record Summary(RunStats stats, Consumer<PrintStream> printer) {
    public void print(PrintStream out) {
      printer.accept(out);
    }
  }
}
