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

  // gold
  DEMAND_FORECAST(Layer.GOLD, "demand_forecast",
      "Monthly demand forecast per series (unit, territory, state) x segment x target month, with 80% and 95% intervals;"
          + " territory and state rows are the sums of their units (bottom-up)", null),

  // ops
  QUARANTINE(Layer.OPS, "quarantine", "Input rows rejected by validation, with the raw record and the reason", null),
  INGEST_RECONCILIATION(Layer.OPS, "ingest_reconciliation",
      "Per ingest run and input: rows read = accepted + quarantined (+ excluded by the adapter)", null),
  PLANTED_TRUTHS(Layer.OPS, "planted_truths", "Facts the synthetic generator planted, for tests to find", null),
  MODEL_METRICS(Layer.OPS, "model_metrics",
      "Forecast backtest accuracy per origin, horizon, level and method (the model and each baseline)", null);

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
      Map.entry("rows_read", "Rows read from the source"),
      Map.entry("rows_accepted", "Rows written to the bronze table"),
      Map.entry("rows_quarantined", "Rows written to quarantine"),
      Map.entry("rows_excluded", "Rows the adapter left out on purpose (e.g. non-dealer charging stations), with the reason"),
      Map.entry("excluded_reason", "Why excluded rows were left out"),
      Map.entry("truth", "Name of the planted fact"),
      Map.entry("subject_id", "What the fact is about (e.g. a dealer id)"),
      Map.entry("value", "Planted value"),
      Map.entry("description", "What was planted, in words"),
      // forecast (demand_forecast, model_metrics)
      Map.entry("series_id", "Series key: geo unit id, territory id or state id, depending on level"),
      Map.entry("level", "Hierarchy level of the series: unit, territory or state"),
      Map.entry("segment", "Vehicle segment of the series (for the WA history: the EV type, BEV or PHEV)"),
      Map.entry("target_month", "Month forecast (first day of the month)"),
      Map.entry("horizon", "Months from the forecast origin (the last month of history) to the target month, 1..H"),
      Map.entry("forecast", "Forecast registrations in the target month (units = the history's counts)"),
      Map.entry("lower_80", "Lower bound of the 80% interval (10% quantile), >= 0"),
      Map.entry("upper_80", "Upper bound of the 80% interval (90% quantile)"),
      Map.entry("lower_95", "Lower bound of the 95% interval (2.5% quantile), >= 0"),
      Map.entry("upper_95", "Upper bound of the 95% interval (97.5% quantile)"),
      Map.entry("method", "Forecast method: model (the MLlib pipeline) or a baseline: seasonal_naive, last_value, moving_average"),
      Map.entry("published_method", "Method the run published to demand_forecast (model, or the best baseline when the model lost)"),
      Map.entry("model_version", "Version id of the MLlib pipeline (folder under <lakehouse>/models/forecast)"),
      Map.entry("origin", "Backtest origin: the last month of data the forecast could see"),
      Map.entry("train_start", "First example origin in the training window"),
      Map.entry("train_end", "Last month whose value the training window saw (labels included)"),
      Map.entry("feature_list", "Model features, comma-separated"),
      Map.entry("wape", "Weighted absolute percentage error: sum |actual - forecast| / sum actual"),
      Map.entry("mape", "Mean absolute percentage error over series with actual > 0 (null when none)"),
      Map.entry("bias", "(sum forecast - sum actual) / sum actual; > 0 = over-forecast"),
      Map.entry("abs_error_sum", "Sum of |actual - forecast| over the series (for recomputing WAPE over any grouping)"),
      Map.entry("actual_sum", "Sum of actual values over the series"),
      Map.entry("forecast_sum", "Sum of forecasts over the series"),
      Map.entry("n_series", "Number of series scored"));

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
