package org.territorypotential.ops;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;

/**
 * The run log. Append-only: {@link #started} writes a "running" row before the job writes any
 * table, {@link #finished} a "succeeded" or "failed" row after. A run killed in between keeps
 * "running" as its latest status and can never look succeeded. The latest row per run_id is the
 * run's state (view {@code <ops>.job_runs_current}).
 */
public final class JobRuns {
  private JobRuns() {}

  static final StructType SCHEMA = Table.JOB_RUNS.schema();

  public static void started(Lake lake, RunContext run, String parameters) {
    append(lake, run, "running", null, parameters, new RunStats(), null);
  }

  public static void finished(Lake lake, RunContext run, String parameters, RunStats stats, String error) {
    append(lake, run, error == null ? "succeeded" : "failed", Instant.now(), parameters, stats, error);
  }

  private static void append(Lake lake, RunContext run, String status, Instant ended, String parameters, RunStats s,
      String error) {
    Row row = RowFactory.create(run.runId(), run.job(), status, Timestamp.from(Instant.now()),
        Timestamp.from(run.startedAt()), ended == null ? null : Timestamp.from(ended), parameters,
        scala(s.rowsRead), scala(s.rowsWritten), scala(s.versionsRead), scala(s.versionsWritten), error,
        Date.valueOf(run.asOf()));
    Dataset<Row> df = lake.spark().createDataFrame(List.of(row), SCHEMA);
    lake.append(Table.JOB_RUNS, df);
  }

  private static scala.collection.Map<String, Long> scala(Map<String, Long> m) {
    return scala.collection.JavaConverters.mapAsScalaMap(m);
  }
}
