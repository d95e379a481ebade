package org.territorypotential.pipeline;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.dq.Gates;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.MissingInput;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.JobMeter;
import org.territorypotential.ops.JobRuns;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.ops.Stage;

/**
 * Runs stages the same way for every caller: inputs checked (a missing one is {@link MissingInput},
 * exit 3, before anything is written), the run recorded in job_runs ("running", then "succeeded"
 * or "failed" with the one-line error), the summary printed, and write-audit-publish: the stage's
 * commits are staged, the data-quality gates run on exactly those versions, and only then do the
 * tables' {@code _current} views move to them ({@link Lake#publish}); a failure anywhere rolls the
 * run's commits back ({@link Lake#rollBack}) and publishes nothing. Last, one line with the stage's
 * seconds, Spark jobs and driver-only time.
 */
public final class Runner {
  private Runner() {}

  /** Runs the stages in order; the first failure stops the rest. */
  public static void pipeline(SparkSession spark, AppConfig cfg, LocalDate asOf, String parameters, List<Stage> stages,
      PrintStream out) {
    for (Stage s : stages) {
      out.println("== " + s.name());
      tracked(spark, cfg, asOf, parameters, s, out);
    }
  }

  /** Runs one stage with its run recorded in job_runs; returns its summary. */
  public static Stage.Summary tracked(SparkSession spark, AppConfig cfg, LocalDate asOf, String parameters, Stage stage,
      PrintStream out) {
    JobMeter meter = JobMeter.of(spark.sparkContext());
    JobMeter.Snapshot before = meter.snapshot();
    Lake lake = new Lake(spark, cfg);
    RunContext run = RunContext.start(stage.name(), asOf);
    // The "running" row commits on a thread of its own while the stage checks its inputs, reads and
    // plans (a Delta commit costs seconds whatever its rows). The run's first table write waits for
    // it (Lake.openStaging), and so does every later step: the run log still says "running" before
    // any table of the run is written, and "running" is never the latest row of a run that ended.
    org.territorypotential.ops.Parallel.Pending started =
        org.territorypotential.ops.Parallel.start("tp-job-runs", () -> JobRuns.started(lake, run, parameters));
    Stage.Summary summary;
    Lake.openStaging(run.runId(), started::await);
    List<Lake.Staged> staged = null;
    try {
      requireInputs(lake, cfg, stage);
      summary = stage.run(spark, cfg, run);
      started.await();
      staged = Lake.closeStaging(run.runId());
      summary.print(out);
      Gates.run(lake, cfg, run, stage.name(), java.util.Set.copyOf(stage.writes()), Lake.stagedVersions(staged), out);
      JobMeter.Snapshot beforePublish = meter.snapshot();
      List<Table> published = lake.publish(stage.name(), staged.stream().map(Lake.Staged::written).toList(), run.runId());
      if (!published.isEmpty()) {
        JobMeter.Snapshot p = meter.snapshot().minus(beforePublish);
        out.printf("  published: %d _current views show run %s (%.1f s, %d Spark jobs)%n", published.size(), run.runId(),
            p.wallSeconds(), p.jobs());
      }
    } catch (RuntimeException e) {
      try {
        List<String> held = lake.rollBack(staged == null ? Lake.closeStaging(run.runId()) : staged);
        if (!held.isEmpty()) {
          out.println("  nothing published; the staged rows: " + String.join(", ", held));
        }
      } catch (RuntimeException rollBackFailure) {
        e.addSuppressed(rollBackFailure);
      }
      try {
        started.await();
        JobRuns.finished(lake, run, parameters, new RunStats(), oneLine(e));
      } catch (RuntimeException logFailure) {
        if (logFailure != e) { // the start's own failure, when that is what ended the run
          e.addSuppressed(logFailure);
        }
      }
      throw e;
    }
    JobRuns.finished(lake, run, parameters, summary.stats(), null);
    JobMeter.Snapshot cost = meter.snapshot().minus(before);
    out.printf("%s %s succeeded in %.1f s (run %s; %s)%n", stage.name(), asOf, cost.wallSeconds(), run.runId(),
        cost.describe());
    return summary;
  }

  /**
   * Every setting the stages read, and the data-quality checks (tp.dq.checks), checked before Spark
   * starts: a typo stops the run with the key's name before anything is written.
   */
  public static void validate(AppConfig cfg, LocalDate asOf, List<Stage> stages) {
    org.territorypotential.lake.Lake.validate(cfg);
    org.territorypotential.dq.Check.parseAll(cfg.getStringList("tp.dq.checks"));
    for (Stage s : stages) {
      s.validate(cfg, asOf);
    }
  }

  /** Every table the stage needs exists, else {@link MissingInput} naming the stage that writes it. */
  public static void requireInputs(Lake lake, AppConfig cfg, Stage stage) {
    for (Table t : stage.reads(cfg)) {
      if (!lake.exists(t)) {
        throw MissingInput.of(stage.name(), lake.sqlName(t) + " (" + lake.path(t) + ")", Stages.producerOf(t));
      }
    }
  }

  /** The message of {@code e} on one line, with its root cause's. */
  public static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (root != e && root.getMessage() != null) {
      m = m + " (cause: " + root.getMessage() + ")";
    }
    return m.replace('\n', ' ');
  }
}
