package org.territorypotential.lake;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.territorypotential.ingest.Contract;
import org.territorypotential.ingest.Contracts;
import org.territorypotential.ingest.Field;

/**
 * The catalog of tables: every table the pipeline writes, with its layer, name, comment,
 * partitioning and column comments. Jobs refer to these constants, never to name literals.
 */
public enum Table {
  // bronze: inputs as ingested, in contract form, plus lineage
  REGISTRATIONS_BRONZE(Layer.BRONZE, "registrations", "New-vehicle registrations as ingested", Contracts.REGISTRATIONS),
  SALES_BRONZE(Layer.BRONZE, "sales", "Our dealers' retail sales as ingested", Contracts.SALES),
  DEALERS_BRONZE(Layer.BRONZE, "dealers", "Dealers (sales points) as ingested", Contracts.DEALERS),
  DEMOGRAPHICS_BRONZE(Layer.BRONZE, "demographics", "Demographics per geo unit and year as ingested", Contracts.DEMOGRAPHICS),
  GEO_UNITS_BRONZE(Layer.BRONZE, "geo_units", "Geo unit polygons (WKB) as ingested", Contracts.GEO_UNITS),
  SEGMENTS_BRONZE(Layer.BRONZE, "segments", "Make + model -> segment reference as ingested", Contracts.SEGMENTS),
  TERRITORIES_BRONZE(Layer.BRONZE, "territories", "Configured geo unit -> territory assignments as ingested", Contracts.TERRITORIES),
  COUNTY_HISTORY_BRONZE(Layer.BRONZE, "county_history", "Vehicle stock per county and month (WA history) as ingested", Contracts.COUNTY_HISTORY),

  // ops
  QUARANTINE(Layer.OPS, "quarantine", "Input rows rejected by validation, with the raw record and the reason", null),
  INGEST_RECONCILIATION(Layer.OPS, "ingest_reconciliation",
      "Per ingest run and input: rows read = accepted + quarantined (+ excluded by the adapter)", null),
  PLANTED_TRUTHS(Layer.OPS, "planted_truths", "Facts the synthetic generator planted, for tests to find", null),
  JOB_RUNS(Layer.OPS, "job_runs",
      "Run log, append-only: one row when a job starts (running) and one when it ends (succeeded or failed);"
          + " a run whose latest row is running was killed or is still going", null);

  public final Layer layer;
  public final String tableName;
  public final String comment;
  public final List<String> partitionColumns;
  private final Contract contract;

  Table(Layer layer, String tableName, String comment, Contract contract) {
    this.layer = layer;
    this.tableName = tableName;
    this.comment = comment;
    this.partitionColumns = List.of("as_of");
    this.contract = contract;
  }

  private static final Map<String, String> COMMON_COMMENTS = Map.ofEntries(
      Map.entry("as_of", "Run date (as-of date) this row belongs to; the table's partition column"),
      Map.entry("run_id", "Identifier of the run that wrote this row (see tp_ops.job_runs)"),
      Map.entry("source_file", "File the row was read from"),
      Map.entry("source_row", "Position of the row within its source read, for tracing"),
      Map.entry("ingested_at", "When the run that ingested the row started (UTC)"),
      Map.entry("source", "Input the row came from (registrations, sales, ...)"),
      Map.entry("raw_record", "The rejected row as read, JSON of its raw string fields or the raw line"),
      Map.entry("reason", "Why the row was rejected; several reasons are joined with '; '"),
      Map.entry("rows_read", "Rows read from the source (job_runs: per input or table)"),
      Map.entry("rows_accepted", "Rows written to the bronze table"),
      Map.entry("rows_quarantined", "Rows written to quarantine"),
      Map.entry("rows_excluded", "Rows the adapter left out on purpose (e.g. non-dealer charging stations), with the reason"),
      Map.entry("excluded_reason", "Why excluded rows were left out"),
      Map.entry("truth", "Name of the planted fact"),
      Map.entry("subject_id", "What the fact is about (e.g. a dealer id)"),
      Map.entry("value", "Planted value"),
      Map.entry("description", "What was planted, in words"),
      Map.entry("job", "Job name (generate, ingest, locate, ...)"),
      Map.entry("status", "running, succeeded or failed"),
      Map.entry("event_time", "When this row was written (UTC)"),
      Map.entry("started_at", "When the run started (UTC)"),
      Map.entry("ended_at", "When the run ended (UTC); null while running"),
      Map.entry("parameters", "Command line and the effective tp configuration, JSON"),
      Map.entry("rows_written", "Rows written per table"),
      Map.entry("versions_read", "Delta version read per input table"),
      Map.entry("versions_written", "Delta version written per table"),
      Map.entry("error", "One-line error of a failed run"));

  /** Column comments: contract fields first, then the lineage and ops columns. */
  public Map<String, String> columnComments() {
    Map<String, String> out = new HashMap<>(COMMON_COMMENTS);
    if (contract != null) {
      for (Field f : contract.fields()) {
        out.put(f.name(), f.comment());
      }
    }
    return out;
  }
}
