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
 * The run log. Append-only: {@link #started} writes a "running" row before the job touches any
 * table, {@link #finished} a "succeeded" or "failed" row after. A run killed in between keeps
 * "running" as its latest status and can never look succeeded. The latest row per run_id is the
 * run's state (view {@code <ops>.job_runs_current}).
 */
public final class JobRuns {
  private JobRuns() {}

  static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("job", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false)
      .add("event_time", DataTypes.TimestampType, false)
      .add("started_at", DataTypes.TimestampType, false)
      .add("ended_at", DataTypes.TimestampType, true)
      .add("parameters", DataTypes.StringType, true)
      .add("rows_read", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
      .add("rows_written", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
      .add("versions_read", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
      .add("versions_written", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
      .add("error", DataTypes.StringType, true)
      .add("as_of", DataTypes.DateType, false);

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
    createCurrentView(lake);
  }

  /** The latest row of each run: what data engineers query to see the state of runs. */
  static void createCurrentView(Lake lake) {
    String view = lake.sqlName(Table.JOB_RUNS) + "_current";
    String cols = String.join(", ", SCHEMA.fieldNames());
    lake.spark().sql("CREATE VIEW IF NOT EXISTS " + view + " COMMENT 'Latest status of every run' AS"
        + " SELECT " + cols + " FROM (SELECT *, row_number() OVER (PARTITION BY run_id ORDER BY event_time DESC,"
        + " CASE status WHEN 'running' THEN 1 ELSE 0 END) AS rn FROM " + lake.sqlName(Table.JOB_RUNS) + ") WHERE rn = 1");
  }

  private static scala.collection.Map<String, Long> scala(Map<String, Long> m) {
    return scala.collection.JavaConverters.mapAsScalaMap(m);
  }
}
