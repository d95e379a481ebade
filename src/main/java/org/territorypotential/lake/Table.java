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

  // silver: conformed, located (package geo, docs/spatial.md)
  GEO_UNITS_SILVER(Layer.SILVER, "geo_units",
      "Geo unit polygons (WKB), repaired when invalid, with area, centroid, bounding box and hierarchy", Contracts.GEO_UNITS),
  DEALERS_LOCATED(Layer.SILVER, "dealers_located",
      "Dealers with the geo unit (at tp.locate.level) their location falls in", Contracts.DEALERS),
  REGISTRATIONS_LOCATED(Layer.SILVER, "registrations_located",
      "Registrations with the geo unit (at tp.locate.level) of the owner, by point-in-polygon or by code", Contracts.REGISTRATIONS),
  SALES_LOCATED(Layer.SILVER, "sales_located",
      "Our dealers' sales with the geo unit (at tp.locate.level) of the customer, by point-in-polygon or by code", Contracts.SALES),
  TERRITORY_ASSIGNMENT(Layer.SILVER, "territory_assignment",
      "Geo unit -> territory: configured territories and derived dealer Primary Market Areas (PMAs) per brand", Contracts.TERRITORIES),

  // gold: market share, expected registrations, effectiveness, cross-sell (package market, docs/market.md)
  MARKET_SHARE(Layer.GOLD, "market_share",
      "Registrations and brand share per area (geo unit, county, state, region, nation, configured territory, dealer PMA)"
          + " x period (the window and each month) x segment x brand; only brands with registrations in the cell", null),
  MONTHLY_REGISTRATIONS(Layer.GOLD, "monthly_registrations",
      "Counted registrations per geo unit x segment x brand x month over the whole history up to the run date"
          + " (months without registrations have no row), for forecasting", null),
  DEALER_EXPECTED_BY_SEGMENT(Layer.GOLD, "dealer_expected_by_segment",
      "Per open dealer and segment: industry registrations in its PMA, the benchmark share used and the expected"
          + " registrations (standard and locally adjusted): every term of expected = sum of share x industry", null),
  DEALER_PERFORMANCE(Layer.GOLD, "dealer_performance",
      "Per open dealer: actual vs expected registrations and sales, effectiveness (standard and local), band, rank"
          + " and percentile in its benchmark area, throughput, pump-in / pump-out and retention", null),
  CROSS_SELL(Layer.GOLD, "cross_sell",
      "Sales of the window per selling dealer x customer territory (the brand's PMA the customer lives in);"
          + " sales without a selling dealer or customer location are flagged", null),
  MARKET_DATA_QUALITY(Layer.GOLD, "market_data_quality",
      "Data-quality checks of the market run: unclassified segments and their share of volume, unlocated and fleet"
          + " registrations, sales without a selling dealer or customer location", null),
  DEMAND_FORECAST(Layer.GOLD, "demand_forecast",
      "Monthly demand forecast per series (unit, territory, state) x segment x target month, with 80% and 95% intervals;"
          + " territory and state rows are the sums of their units (bottom-up)", null),

  // ops
  QUARANTINE(Layer.OPS, "quarantine", "Input rows rejected by validation, with the raw record and the reason", null),
  INGEST_RECONCILIATION(Layer.OPS, "ingest_reconciliation",
      "Per ingest run and input: rows read = accepted + quarantined (+ excluded by the adapter)", null),
  PLANTED_TRUTHS(Layer.OPS, "planted_truths", "Facts the synthetic generator planted, for tests to find", null),
  JOB_RUNS(Layer.OPS, "job_runs",
      "Run log, append-only: one row when a job starts (running) and one when it ends (succeeded or failed);"
          + " a run whose latest row is running was killed or is still going", null),
  MODEL_METRICS(Layer.OPS, "model_metrics",
      "Forecast backtest accuracy per origin, horizon, level and method (the model and each baseline)", null),
  DQ_RESULTS(Layer.OPS, "dq_results",
      "Data-quality check results (tp.dq.checks), append-only: one row per check, table and stage run", null);

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
      Map.entry("error", "One-line error of a failed run"),
      // silver geo units
      Map.entry("county_id", "County the unit lies in (itself for a county; the parent of a tract); null when not derivable"),
      Map.entry("state_id", "State the unit lies in (the parent of its county, or the 2-digit FIPS prefix); null when not derivable"),
      Map.entry("area_km2", "Area on the WGS84 spheroid, square kilometres (ST_AreaSpheroid)"),
      Map.entry("centroid_lon", "Longitude of the polygon's centroid, WGS84 degrees"),
      Map.entry("centroid_lat", "Latitude of the polygon's centroid, WGS84 degrees"),
      Map.entry("min_lon", "Bounding box: westmost longitude"),
      Map.entry("max_lon", "Bounding box: eastmost longitude"),
      Map.entry("min_lat", "Bounding box: southmost latitude"),
      Map.entry("max_lat", "Bounding box: northmost latitude"),
      Map.entry("is_repaired", "True when the ingested polygon was invalid and was repaired with ST_MakeValid"),
      // located records
      Map.entry("locate_level", "Geo unit level the record was located at (tp.locate.level)"),
      Map.entry("locate_method", "How geo_unit_id was found: point_in_polygon, geo_unit_id, zip or county; null when unlocated"),
      Map.entry("unlocated_reason", "Why geo_unit_id is null (docs/spatial.md); null when located"),
      Map.entry("matched_units", "Units whose polygon contains or touches the point (>1 on a shared edge: the smallest id wins)"),
      Map.entry("distance_to_unit_km", "For a point in no unit: km to the nearest unit edge (among the 3 units with the nearest centroids; local flat-earth approximation)"),
      Map.entry("source_geo_unit_id", "Geo unit id given by the source (the input's geo_unit_id), before locating"),
      // territory assignment
      Map.entry("territory_id", "Territory: configured id, or PMA-<dealer_id> for a derived Primary Market Area"),
      Map.entry("method", "territory_assignment: configured or pma (nearest open dealer of the brand); forecast tables: model, seasonal_naive, last_value or moving_average"),
      Map.entry("distance_km", "PMA: great-circle km from the unit centroid to the dealer"),
      Map.entry("runner_up_dealer_id", "PMA: second-nearest open dealer of the same brand"),
      Map.entry("runner_up_distance_km", "PMA: great-circle km from the unit centroid to the runner-up dealer"),
      Map.entry("is_multiple_dealer_area", "PMA: true when the runner-up dealer is within tp.locate.mda-radius-km of the unit centroid"),
      Map.entry("district", "Configured territory: district above the territory"),
      Map.entry("region", "Configured territory: region above the district"),
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
      Map.entry("n_series", "Number of series scored"),
      Map.entry("scope", "What was forecast: industry (all brands) or one brand's registrations (tp.forecast.brand)"));

  private static final String LOCATED_UNIT = "Geo unit (at locate_level) the record was located in; null when unlocated";

  /** Column comments of the market (gold) tables; docs/market.md has the formulas. */
  private static final Map<String, String> MARKET_COMMENTS = Map.ofEntries(
      Map.entry("geo_unit_id", "Geo unit (at tp.locate.level) the registrations were located in"),
      Map.entry("input_versions", "Delta versions of the inputs read (database.table@version, comma separated)"),
      Map.entry("period_type", "window (the tp.market.window-months months ending at the run date) or month"),
      Map.entry("period_start", "First day of the period (window: first day of its first month)"),
      Map.entry("period_end", "Last day of the period (the run date for the window and the run month)"),
      Map.entry("area_type", "geo_unit, county, state, region (configured), nation, configured (territory) or pma"),
      Map.entry("area_id", "Id of the area (for pma: PMA-<dealer_id>; nation: NATION)"),
      Map.entry("segment", "Segment: the record's own, else the segment reference's for its make + model, else UNCLASSIFIED"),
      Map.entry("brand", "Brand (make, upper case)"),
      Map.entry("industry_registrations", "Counted registrations of all brands (in the area / the dealer's PMA) in the segment (all segments for dealer_performance)"),
      Map.entry("brand_registrations", "Counted registrations of the brand (the dealer's brand for dealer tables)"),
      Map.entry("share", "brand_registrations / industry_registrations"),
      Map.entry("registrations", "Counted registrations (located; retail only when tp.market.retail-only)"),
      Map.entry("month", "First day of the registration month"),
      Map.entry("is_partial_month", "True for the run month when the run date is not its last day"),
      Map.entry("pma_territory_id", "PMA of the row's brand the unit belongs to (PMA-<dealer_id>); null when the brand has no open dealer"),
      Map.entry("dealer_id", "Dealer (open at the run date)"),
      Map.entry("dealer_name", "Dealer name (a business, not a person)"),
      Map.entry("pma_units", "Geo units in the dealer's PMA; 0 when no unit has the dealer as its nearest"),
      Map.entry("benchmark_area", "Benchmark area type (tp.market.benchmark-area): state, region or nation"),
      Map.entry("benchmark_area_id", "The dealer's benchmark area: the one of the unit it stands in (see benchmark_area_source)"),
      Map.entry("benchmark_area_source", "How benchmark_area_id was found: dealer location, or its PMA units when the dealer is in no unit"),
      Map.entry("benchmark_industry_registrations", "Counted registrations of all brands in the segment in the benchmark area"),
      Map.entry("benchmark_brand_registrations", "Counted registrations of the dealer's brand in the segment in the benchmark area"),
      Map.entry("benchmark_share", "benchmark_brand_registrations / benchmark_industry_registrations; null when the area has none of the segment"),
      Map.entry("expected_registrations", "Standard expected: sum over segments of benchmark_share x industry_registrations in the PMA"),
      Map.entry("local_area", "Local area type of the adjustment (tp.market.local-area): county or territory"),
      Map.entry("local_area_ids", "Local areas of the PMA's units with registrations of the segment, comma separated"),
      Map.entry("local_fallback_units", "PMA units whose local area had fewer than tp.market.local-min-industry registrations of the segment: they use benchmark_share"),
      Map.entry("local_benchmark_share", "expected_registrations_local / industry_registrations: the PMA's weighted local share"),
      Map.entry("expected_registrations_local", "Locally adjusted expected: sum over PMA units and segments of the unit's local-area share x the unit's industry registrations"),
      Map.entry("note", "Why a segment contributes 0 expected, when it does"),
      Map.entry("actual_registrations", "Registration effectiveness' actual: counted registrations of the dealer's brand in its PMA"),
      Map.entry("actual_sales", "Sales effectiveness' actual: the dealer's own sales in the window (sales input); null without one"),
      Map.entry("registration_effectiveness", "100 x actual_registrations / expected_registrations; null when expected is 0"),
      Map.entry("registration_effectiveness_local", "100 x actual_registrations / expected_registrations_local; null when expected is 0"),
      Map.entry("sales_effectiveness", "100 x actual_sales / expected_registrations; null when expected is 0 or no sales"),
      Map.entry("sales_effectiveness_local", "100 x actual_sales / expected_registrations_local"),
      Map.entry("effectiveness_null_reason", "Why registration_effectiveness is null (no PMA, no registrations in it, brand share 0)"),
      Map.entry("effectiveness_local_null_reason", "Why registration_effectiveness_local is null"),
      Map.entry("sales_effectiveness_null_reason", "Why sales_effectiveness is null (no sales input for the brand, or expected 0)"),
      Map.entry("band", "Band of registration_effectiveness: superior, satisfactory, needs_improvement, needs_significant_improvement, unsatisfactory (tp.market.bands)"),
      Map.entry("sales_band", "Band of sales_effectiveness (same rules)"),
      Map.entry("rank_in_area", "Rank by registration_effectiveness (1 = highest) among the brand's dealers in the benchmark area"),
      Map.entry("percentile_in_area", "percent_rank x 100 of registration_effectiveness among the brand's dealers in the benchmark area (0 lowest, 100 highest)"),
      Map.entry("dealers_in_area", "The brand's dealers in the benchmark area with a registration effectiveness"),
      Map.entry("sales_rank_in_area", "Rank by sales_effectiveness (1 = highest) among the brand's dealers in the benchmark area"),
      Map.entry("sales_percentile_in_area", "percent_rank x 100 of sales_effectiveness in the benchmark area"),
      Map.entry("throughput", "Sales per dealer: the dealer's own sales in the window (actual_sales)"),
      Map.entry("area_throughput", "Sales per dealer of the brand in the benchmark area: their actual_sales summed / the brand's dealers there"),
      Map.entry("cross_sell_source", "Where the brand's sales come from: sales (the sales input) or registrations (selling_dealer_id)"),
      Map.entry("own_sales", "Sales made by the dealer in the window (from cross_sell_source)"),
      Map.entry("retained_sales", "The dealer's sales to customers in its own PMA"),
      Map.entry("pump_in", "The brand's sales to customers in the dealer's PMA made by other dealers"),
      Map.entry("pump_out", "The dealer's sales to located customers outside its PMA"),
      Map.entry("own_sales_customer_unlocated", "The dealer's sales whose customer has no geo unit (neither retained nor pump-out)"),
      Map.entry("unattributed_sales_in_pma", "The brand's sales to customers in the PMA without a selling dealer (not in pump_in)"),
      Map.entry("retention", "retained_sales / (retained_sales + pump_in): share of the PMA's attributed brand sales the dealer made"),
      Map.entry("selling_dealer_id", "Dealer that made the sale; null when unknown"),
      Map.entry("customer_territory_id", "PMA of the brand the customer's geo unit belongs to; null when unlocated or outside every PMA"),
      Map.entry("customer_dealer_id", "Dealer owning customer_territory_id"),
      Map.entry("sales", "Sales in the cell"),
      Map.entry("is_without_selling_dealer", "True when the sales have no selling dealer (flagged, counted in market_data_quality)"),
      Map.entry("is_customer_unlocated", "True when the customer has no geo unit"),
      Map.entry("is_retained", "True when the selling dealer owns the customer's PMA"),
      Map.entry("is_selling_dealer_open", "False when the selling dealer is not open at the run date (closed or unknown)"),
      Map.entry("check_name", "Data-quality check"),
      Map.entry("affected", "Rows the check found"),
      Map.entry("base", "Rows the share is taken of"),
      Map.entry("description", "What the check counts"),
      Map.entry("source", "Input the sales come from: sales or registrations (selling_dealer_id)"),
      Map.entry("territory_id", "Configured territory of the unit (market_share / monthly) or the dealer's PMA (PMA-<dealer_id>)"));

  /** Comments that differ from the contract's for this table (a column whose meaning the stage changes). */
  private Map<String, String> tableComments() {
    switch (this) {
      case DEALERS_LOCATED:
      case REGISTRATIONS_LOCATED:
      case SALES_LOCATED:
        return Map.of("geo_unit_id", LOCATED_UNIT);
      case GEO_UNITS_SILVER:
        return Map.of("geometry", "Polygon, WGS84, stored as WKB; the repaired polygon when is_repaired");
      case TERRITORY_ASSIGNMENT:
        return Map.of(
            "territory_id", "Territory: configured id, or PMA-<dealer_id> for a derived Primary Market Area",
            "brand", "Brand the PMA is for; null for a configured territory (it applies to every brand)",
            "dealer_id", "PMA: the nearest open dealer of the brand (ties: the smallest dealer_id)",
            "level", "Level of the geo unit (tp.locate.level for PMAs)");
      case MARKET_SHARE:
      case MONTHLY_REGISTRATIONS:
      case DEALER_EXPECTED_BY_SEGMENT:
      case DEALER_PERFORMANCE:
      case CROSS_SELL:
      case MARKET_DATA_QUALITY:
        return MARKET_COMMENTS;
      case DEMAND_FORECAST:
      case MODEL_METRICS:
        return Map.of("input_versions", MARKET_COMMENTS.get("input_versions"));
      default:
        return Map.of();
    }
  }

  /** Column comments: the common ones, then the contract's fields, then this table's own. */
  public Map<String, String> columnComments() {
    Map<String, String> out = new HashMap<>(COMMON_COMMENTS);
    if (contract != null) {
      for (Field f : contract.fields()) {
        out.put(f.name(), f.comment());
      }
    }
    out.putAll(tableComments());
    return out;
  }
}
