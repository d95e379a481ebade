package org.territorypotential.lake;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

  // gold: territory potential scores and sales goals (package score, docs/scores.md)
  POTENTIAL_SCORES(Layer.GOLD, "potential_scores",
      "Territory potential per territory (configured, the scored brand's dealer PMAs, optionally geo units) x segment"
          + " (+ ALL): forecast demand, attainable share, potential, pace, opportunity gap, growth, demographics, the"
          + " composite score 0-100 with every component, rank, percentile and band", null),
  SALES_GOALS(Layer.GOLD, "sales_goals",
      "Top-down sales targets (tp.goals.targets) split across territories in proportion to potential, with floors and"
          + " caps; goal_units sum exactly to target_units per brand and period", null),

  // gold: territory design and what-if (package design, docs/design-territories.md)
  TERRITORY_DESIGN(Layer.GOLD, "territory_design",
      "Per design scenario (tp.design.scenarios) and geo unit: the designed territory and the territory before", null),
  TERRITORY_DESIGN_METRICS(Layer.GOLD, "territory_design_metrics",
      "Per design scenario, assignment (design, current, kmeans baseline) and territory: load and its deviation from target,"
          + " Polsby-Popper compactness, connected pieces, cut edges, and the units, potential and dealers moved", null),
  WHATIF_RESULTS(Layer.GOLD, "whatif_results",
      "Per what-if scenario (tp.whatif.scenarios: add, close or move a dealer) and affected dealer of its brand: PMA units and"
          + " potential before and after (nearest-dealer rule), expected registrations, attributed actuals and effectiveness"
          + " before and after (the market stage's code), Huff-captured demand before and after, cannibalisation of"
          + " same-brand dealers and the brand's net gain", null),

  // gold: market segments of geo units, campaign targets, CRM export (package segment, docs/segments.md)
  UNIT_SEGMENTS(Layer.GOLD, "unit_segments",
      "Per geo unit (at tp.locate.level): its market segment (MLlib k-means on tp.segment.features, ids stable across runs),"
          + " its distance to the segment centroid, its territory, potential and opportunity; no personal data", null),
  SEGMENT_PROFILES(Layer.GOLD, "segment_profiles",
      "Per segment and feature: the segment's mean against the region's, its size, generated name and share of the"
          + " opportunity, with the k chosen by silhouette and the silhouette curve", null),
  CAMPAIGN_TARGETS(Layer.GOLD, "campaign_targets",
      "Per territory and segment: the units ranked by opportunity gap (tp.segment.campaign: list size, minimum potential),"
          + " each with the feature that drives it", null),
  CRM_ASSIGNMENTS(Layer.GOLD, "crm_assignments",
      "CRM export: per geo unit (and ZIP) its territory, owner (a team code, tp.segment.crm.owners), dealer and segment,"
          + " with the change against the previous run (added, moved, unchanged; removed units too); no personal data", null),

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
      Map.entry("county_id", "County the unit lies in (itself for a county; the parent county, or a tract GEOID's 5-digit prefix; else the county polygon it overlaps most); null when not derivable"),
      Map.entry("state_id", "State the unit lies in (the parent of its county, or the county's 2-digit FIPS prefix); null when not derivable"),
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
      Map.entry("located_by", "Placement rule that found geo_unit_id, tried in this order: point (in a unit), code (the record's"
          + " geo_unit_id, zip or county, when the point is in no unit or absent), nearest (the nearest unit within"
          + " tp.locate.nearest-tolerance-m); null when unlocated"),
      Map.entry("locate_method", "How geo_unit_id was found: point_in_polygon, geo_unit_id, zip, county or nearest_unit; null when unlocated"),
      Map.entry("has_code_mismatch", "Located by point, and the record's code resolves to another unit at the level (the point"
          + " wins); false when they agree; null when not located by point or no code resolves"),
      Map.entry("unlocated_reason", "Why geo_unit_id is null (docs/spatial.md); null when located"),
      Map.entry("matched_units", "Units whose polygon contains or touches the point (>1 on a shared edge: the smallest id wins)"),
      Map.entry("distance_to_unit_km", "For a point in no unit (located by code, by nearest, or unlocated): km to the nearest unit edge (exact within the tolerance; beyond it among the 3 units with the nearest centroids; local flat-earth approximation)"),
      Map.entry("source_geo_unit_id", "Geo unit id given by the source (the input's geo_unit_id), before locating"),
      // territory assignment
      Map.entry("territory_id", "Territory: configured id, or PMA-<dealer_id> for a derived Primary Market Area"),
      Map.entry("method", "territory_assignment: configured or pma (nearest open dealer of the brand); forecasts: gbt, random-forest, glr or a baseline (seasonal_naive[_drift], last_value, moving_average, tsb); metrics also published"),
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
      Map.entry("published_method", "Method the run published at this row's level (chosen on the tuning origins, or the held-out guard's baseline)"),
      Map.entry("is_held_out_fallback", "True when this level publishes the best baseline of the held-out origins because the method chosen on the tuning origins lost to it there"),
      Map.entry("published_reconciliation", "How the run's published levels were made to add up: top_down, mint, or mint_shares (a held-out fallback's or the state regression's total split by MinT's values); the same on every row of a run"),
      Map.entry("split", "Backtest origin's role: tuning (chose the model and the method per level) or held_out (reported, and the guard's veto)"),
      Map.entry("mase", "Mean absolute scaled error: mean over series of |actual - forecast| / the series' mean absolute one-month change up to the origin (series without change left out)"),
      Map.entry("coverage_80", "Published method, held-out origins: share of series whose actual is inside the 80% interval calibrated on the tuning origins; null elsewhere"),
      Map.entry("coverage_95", "As coverage_80, for the 95% interval"),
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

  /** Column comments of the score tables; docs/scores.md has the formulas. */
  private static final Map<String, String> SCORE_COMMENTS = Map.ofEntries(
      Map.entry("territory_type", "configured (bronze territories), pma (PMA-<dealer_id> of the scored brand) or unit (a geo unit, tp.score.unit-territories)"),
      Map.entry("territory_id", "Territory: configured id, PMA-<dealer_id>, or the geo unit id"),
      Map.entry("region", "Configured region of the territory; ALL for PMAs and units. Ranks are within type x region x segment"),
      Map.entry("segment", "Segment, or ALL for the all-segment row (the only row when the forecast's segments are not the market's)"),
      Map.entry("geo_units", "Geo units in the territory"),
      Map.entry("demand_next_12", "Forecast industry registrations over the next 12 months: sum of the units' demand_forecast (scaled to 12 when the horizon is shorter)"),
      Map.entry("forecast_months", "Forecast months summed into demand_next_12 (<= 12)"),
      Map.entry("industry_trailing_12", "Industry registrations in the 12 complete months up to the run date"),
      Map.entry("brand_trailing_12", "The scored brand's registrations in the same 12 months (trailing 12-month actual)"),
      Map.entry("actual_share", "brand_trailing_12 / industry_trailing_12"),
      Map.entry("benchmark_share", "The brand's share of the segment over every unit of the run, trailing 12 months; null on ALL rows"),
      Map.entry("target_share", "tp.score.target-share when set (> 0), else null"),
      Map.entry("attainable_share", "target_share when set, else benchmark_share; ALL rows: potential_units / demand_next_12"),
      Map.entry("attainable_share_source", "target, benchmark, or benchmark (segment mix) for ALL rows"),
      Map.entry("potential_units", "demand_next_12 x attainable_share (ALL: the sum over segments)"),
      Map.entry("brand_last_3_months", "The brand's registrations in the last 3 complete months"),
      Map.entry("current_pace", "brand_last_3_months x 4: the brand's annualised current pace"),
      Map.entry("opportunity_gap", "potential_units - current_pace"),
      Map.entry("growth", "demand_next_12 / industry_trailing_12 - 1; null without trailing registrations"),
      Map.entry("demographic_index", "100 x households-weighted median household income of the territory / of the whole run area"),
      Map.entry("pr_opportunity_gap", "Percentile rank (0..1) of opportunity_gap within territory type x region x segment"),
      Map.entry("pr_potential", "Percentile rank (0..1) of potential_units within territory type x region x segment"),
      Map.entry("pr_growth", "Percentile rank (0..1) of growth within territory type x region x segment; null when growth is"),
      Map.entry("pr_demographics", "Percentile rank (0..1) of demographic_index within territory type x region x segment"),
      Map.entry("weight_opportunity_gap", "tp.score.weights.opportunity-gap"),
      Map.entry("weight_potential", "tp.score.weights.potential"),
      Map.entry("weight_growth", "tp.score.weights.growth"),
      Map.entry("weight_demographics", "tp.score.weights.demographics"),
      Map.entry("score", "100 x sum(weight x pr) / sum(weight) over the components that are not null: 0-100"),
      Map.entry("rank_in_region", "1 = highest score within territory type x region x segment (ties: territory_id)"),
      Map.entry("territories_in_region", "Territories ranked in the same type x region x segment"),
      Map.entry("percentile_in_region", "Percentile rank of the score, 0-100"),
      Map.entry("band", "high (score >= tp.score.bands.high-at), medium (>= medium-at) or low"),
      Map.entry("brand", "The scored brand (tp.score.brand), upper case"),
      Map.entry("forecast_method", "Method of the published demand forecast (model or a baseline; see tp_ops.model_metrics)"),
      Map.entry("model_version", "Forecast model version the demand came from"),
      Map.entry("input_versions", "Delta versions of the inputs read (database.table@version, comma separated)"),
      Map.entry("period", "Goal period label (tp.goals.targets)"),
      Map.entry("target_units", "The brand's target for the period, whole units"),
      Map.entry("target_basis", "units as configured, or a percentage of the summed potential"),
      Map.entry("potential_share", "The territory's share of the summed potential"),
      Map.entry("proportional_units", "target_units x potential_share, before floors and caps"),
      Map.entry("continuous_units", "The proportional split after floors and caps, before rounding"),
      Map.entry("floor_units", "tp.goals.floor-units"),
      Map.entry("cap_units", "max(floor, ceil(tp.goals.cap-multiple-of-potential x potential_units)); null = no cap"),
      Map.entry("goal_units", "Whole-unit goal (largest remainder): sums exactly to target_units"));

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

  /** Column comments of the design tables; docs/design-territories.md has the method. */
  private static final Map<String, String> DESIGN_COMMENTS = Map.ofEntries(
      Map.entry("scenario_id", "Scenario id (tp.design.scenarios or tp.whatif.scenarios)"),
      Map.entry("balance", "Balanced measure: potential (the score stage's potential units, apportioned to units by demand),"
          + " demand (industry demand, next tp.design.demand-months), registrations (all brands, market window), units or dealers"),
      Map.entry("geo_unit_id", "Geo unit (at tp.locate.level)"),
      Map.entry("territory_id", "Territory: a current territory id (PMA-<dealer_id> or configured) when the scenario keeps their"
          + " number, else T001..; KMEANS-T001.. for the k-means baseline"),
      Map.entry("territory_before", "The unit's current territory (tp.design.current); null when it has none"),
      Map.entry("is_moved", "True when territory_id differs from territory_before"),
      Map.entry("is_locked", "True when the unit could not move (a locked unit, or a unit of a locked territory)"),
      Map.entry("load", "The unit's (territory's) balanced measure"),
      Map.entry("potential", "The unit's potential units: its industry demand x its current territory's attainable rate"),
      Map.entry("bridged_to_geo_unit_id", "For an island (no neighbour sharing a boundary): the nearest unit it was joined to"),
      Map.entry("assignment", "design (this scenario's result), current (the territories before) or kmeans (plain k-means on"
          + " unit centroids, the baseline)"),
      Map.entry("units", "Geo units in the territory"),
      Map.entry("target_load", "The territory's target: an equal share of the load (locked territories: their own load)"),
      Map.entry("load_deviation", "(load - target_load) / mean target: -0.05..0.05 is within a 5% tolerance"),
      Map.entry("area_km2", "Area of the dissolved territory, km2 (sum of its units')"),
      Map.entry("perimeter_km", "Perimeter of the dissolved territory, km: its units' perimeters minus twice their shared boundary"),
      Map.entry("polsby_popper", "Compactness 4 pi area / perimeter^2: 1 for a disc, 0.785 for a square"),
      Map.entry("components", "Connected pieces of the territory on the adjacency graph (1 = contiguous)"),
      Map.entry("cut_edges", "Adjacency edges from the territory to another"),
      Map.entry("units_moved_in", "Units that came from another current territory; null for kmeans"),
      Map.entry("units_moved_out", "Units that left for another territory; null for kmeans"),
      Map.entry("potential_moved_in", "Potential of units_moved_in"),
      Map.entry("potential_moved_out", "Potential of units_moved_out"),
      Map.entry("dealers_moved_in", "Open dealers of tp.score.brand located in units_moved_in"),
      Map.entry("dealers_moved_out", "Open dealers of tp.score.brand located in units_moved_out"),
      Map.entry("is_contiguous", "True when components = 1"),
      Map.entry("is_feasible", "design rows: contiguous and every free territory within tp.design.tolerance; null otherwise"),
      Map.entry("notes", "What the design could not meet and why (locks, units heavier than the band); null when all met"),
      Map.entry("action", "add, close or move"),
      Map.entry("brand", "Brand of the scenario's dealer (upper case)"),
      Map.entry("dealer_id", "A dealer of the brand whose PMA or captured demand changed, or the scenario's dealer"),
      Map.entry("is_scenario_dealer", "True for the dealer the scenario adds, closes or moves"),
      Map.entry("pma_units_before", "Units in the dealer's PMA before (territory_assignment: the locate stage's nearest same-brand dealer)"),
      Map.entry("pma_units_after", "Units in the dealer's PMA after the scenario (the same rule, Territories.pmas, over the scenario's dealers)"),
      Map.entry("pma_potential_before", "Potential units of the PMA before"),
      Map.entry("pma_potential_after", "Potential units of the PMA after"),
      Map.entry("captured_before", "Huff-captured industry demand before: sum over units of demand x P(unit -> dealer)"),
      Map.entry("captured_after", "Huff-captured industry demand after the scenario"),
      Map.entry("captured_change", "captured_after - captured_before"),
      Map.entry("units_reassigned", "Units whose PMA dealer of the brand changed"),
      Map.entry("brand_captured_before", "Demand captured by all the brand's dealers before"),
      Map.entry("brand_captured_after", "Demand captured by all the brand's dealers after"),
      Map.entry("cannibalisation", "Captured demand the brand's other dealers lose (negative: they gain)"),
      Map.entry("net_brand_gain", "brand_captured_after - brand_captured_before"),
      Map.entry("huff_alpha", "Attractiveness exponent alpha of P ~ A^alpha d^-beta"),
      Map.entry("huff_beta", "Distance-decay exponent beta"),
      Map.entry("huff_source", "How alpha and beta were found: calibrated (maximum likelihood on unit -> selling-dealer flows) or the defaults and why"),
      Map.entry("industry_registrations_before", "Counted registrations of every brand in the dealer's PMA in the market window, before (dealer_performance's term)"),
      Map.entry("industry_registrations_after", "The same after the scenario's PMAs"),
      Map.entry("expected_registrations_before", "Expected registrations before: sum over segments of the benchmark share x the PMA's industry (the market stage's code)"),
      Map.entry("expected_registrations_after", "Expected registrations after, by the same code over the scenario's dealers and PMAs; 0 for a closed dealer"),
      Map.entry("expected_registrations_change", "expected_registrations_after - expected_registrations_before"),
      Map.entry("actual_registrations_before", "Registrations of the brand in the dealer's PMA in the window, before (attributed by PMA)"),
      Map.entry("actual_registrations_after", "Registrations of the brand in the dealer's PMA after the scenario"),
      Map.entry("actual_registrations_change", "actual_registrations_after - actual_registrations_before"),
      Map.entry("actual_sales_before", "The dealer's own sales in the window (sales input); null without a sales input for the brand"),
      Map.entry("actual_sales_after", "The same after the scenario (unchanged for an existing dealer; null for a closed or added one)"),
      Map.entry("actual_sales_change", "actual_sales_after - actual_sales_before; null when either is null"),
      Map.entry("registration_effectiveness_before", "100 x actual_registrations_before / expected_registrations_before; null when expected is 0"),
      Map.entry("registration_effectiveness_after", "100 x actual_registrations_after / expected_registrations_after; null when expected is 0"),
      Map.entry("registration_effectiveness_change", "registration_effectiveness_after - registration_effectiveness_before; null when either is null"),
      Map.entry("sales_effectiveness_before", "100 x actual_sales_before / expected_registrations_before; null when either is null or expected 0"),
      Map.entry("sales_effectiveness_after", "100 x actual_sales_after / expected_registrations_after; null when either is null or expected 0"),
      Map.entry("sales_effectiveness_change", "sales_effectiveness_after - sales_effectiveness_before; null when either is null"),
      Map.entry("brand_expected_before", "Expected registrations summed over the brand's open dealers before"),
      Map.entry("brand_expected_after", "Expected registrations summed over the brand's open dealers after (equal when the PMAs cover the same units and share one benchmark area)"));

  /** Column comments of the segment tables; docs/segments.md has the method. */
  private static final Map<String, String> SEGMENT_COMMENTS = Map.ofEntries(
      Map.entry("geo_unit_id", "Geo unit (at tp.locate.level)"),
      Map.entry("zip", "ZIP code of the unit when the level is zcta (the ZCTA id); null at other levels"),
      Map.entry("segment_id", "Market segment id S01..; matched to the previous run's nearest centroid, so ids are stable"),
      Map.entry("segment_name", "Generated name: the segment's most distinctive features against the region"),
      Map.entry("distance_to_centroid", "Euclidean distance of the unit to its segment's centroid in the scaled feature space"),
      Map.entry("territory_id", "The unit's current territory (tp.segment.territory-type: the brand's PMA or configured)"),
      Map.entry("dealer_id", "The scored brand's dealer whose PMA holds the unit; null when none"),
      Map.entry("potential", "Potential units of the unit: its industry demand (next 12 months) x its territory's attainable rate"),
      Map.entry("opportunity_gap", "potential - current pace (the brand's last 3 complete months x 4)"),
      Map.entry("growth", "Unit demand next 12 months / industry registrations of the trailing 12 complete months - 1; null without"),
      Map.entry("features", "The unit's raw feature values used for clustering (feature -> value; missing features absent)"),
      Map.entry("units", "Geo units in the segment"),
      Map.entry("unit_share", "units / all units clustered"),
      Map.entry("opportunity_share", "The segment's sum of positive opportunity gaps / the region's; null when the region has none"),
      Map.entry("feature", "Feature (tp.segment.features)"),
      Map.entry("weight", "Weight of the feature's standardised value in the clustering"),
      Map.entry("segment_mean", "Mean of the feature over the segment's units with a value"),
      Map.entry("region_mean", "Mean of the feature over all units with a value"),
      Map.entry("index_vs_region", "100 x segment_mean / region_mean; null when region_mean is 0"),
      Map.entry("z_vs_region", "(segment_mean - region_mean) / the region's standard deviation"),
      Map.entry("is_previous_match", "True when the segment id was taken from the previous run's nearest segment"),
      Map.entry("k", "Segments chosen: the k of tp.segment.k-min..k-max with the highest silhouette"),
      Map.entry("silhouette", "Silhouette of the chosen k (squared Euclidean, -1..1)"),
      Map.entry("silhouette_curve", "Silhouette per k tried, 'k:silhouette' comma separated"),
      Map.entry("algorithm", "kmeans or bisecting-kmeans (tp.segment.algorithm)"),
      Map.entry("rank", "1 = the largest opportunity gap among the territory x segment's units with potential >= the minimum"),
      Map.entry("reason", "The feature that drives the unit: the largest weight x z above the region mean"),
      Map.entry("owner", "Owner of the territory: a team or role code from tp.segment.crm.owners (else the default), never a person"),
      Map.entry("change_type", "Against the previous run: added, moved (territory, owner, dealer or segment changed), unchanged, removed"),
      Map.entry("changed_fields", "For moved rows: which of territory, owner, dealer, segment changed (comma separated)"),
      Map.entry("previous_territory_id", "The unit's territory in the previous run; null when added"),
      Map.entry("previous_owner", "The unit's owner in the previous run"),
      Map.entry("previous_dealer_id", "The unit's dealer in the previous run"),
      Map.entry("previous_segment_id", "The unit's segment in the previous run"),
      Map.entry("previous_as_of", "Run date of the previous run compared against; null on the first run"),
      Map.entry("model_version", "Segmentation version: algorithm, k, seed and a hash of the features and weights"),
      Map.entry("input_versions", "Delta versions of the inputs read (database.table@version, comma separated)"));

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
      case POTENTIAL_SCORES:
      case SALES_GOALS:
        return SCORE_COMMENTS;
      case TERRITORY_DESIGN:
      case TERRITORY_DESIGN_METRICS:
      case WHATIF_RESULTS:
        return DESIGN_COMMENTS;
      case UNIT_SEGMENTS:
      case SEGMENT_PROFILES:
      case CAMPAIGN_TARGETS:
      case CRM_ASSIGNMENTS:
        return SEGMENT_COMMENTS;
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

  /**
   * The lineage columns every write to this table carries, last and in this order (added by
   * {@link Lake#write}): model_version, run_id, ingested_at, input_versions, as_of. job_runs and
   * dq_results rows carry their own.
   */
  public List<String> lineageColumns() {
    switch (this) {
      case JOB_RUNS:
      case DQ_RESULTS:
        return List.of();
      case DEMAND_FORECAST:
      case MODEL_METRICS:
      case POTENTIAL_SCORES:
      case SALES_GOALS:
      case UNIT_SEGMENTS:
      case SEGMENT_PROFILES:
      case CAMPAIGN_TARGETS:
      case CRM_ASSIGNMENTS:
        return List.of("model_version", "run_id", "input_versions", "as_of");
      case PLANTED_TRUTHS:
        return List.of("run_id", "as_of");
      default:
        return switch (layer) {
          case BRONZE, OPS -> List.of("run_id", "ingested_at", "as_of");
          case SILVER -> List.of("run_id", "as_of");
          case GOLD -> List.of("run_id", "input_versions", "as_of");
        };
    }
  }

  /** Demographics keep the adapter's extra numeric columns (docs/data-contracts.md); every other table has exactly its schema. */
  public boolean allowsExtraColumns() {
    return this == DEMOGRAPHICS_BRONZE;
  }

  /**
   * The declared schema (names and types, in order) every write is checked against; bronze tables:
   * their contract's fields, the source position, then the lineage columns.
   */
  public org.apache.spark.sql.types.StructType schema() {
    if (layer == Layer.BRONZE) {
      org.apache.spark.sql.types.StructType s = new org.apache.spark.sql.types.StructType();
      for (Field f : contract.fields()) {
        s = s.add(f.name(), f.type().sqlType);
      }
      return s.add("source_file", "string").add("source_row", "bigint").add("run_id", "string")
          .add("ingested_at", "timestamp").add("as_of", "date");
    }
    return org.apache.spark.sql.types.StructType.fromDDL(TableSchemas.ddl(this));
  }

  /**
   * True when {@code <table>_current} shows the table's published run (write-audit-publish, issue 23):
   * every table a stage writes (bronze, silver, gold, ingest_reconciliation, model_metrics). The view
   * is pinned to one Delta version ({@link #currentViewSql(String, long)}) and moved only by
   * {@link Lake#publish} after the stage's blocking checks passed. The append-only logs (job_runs,
   * dq_results), the quarantine (written by ingest and locate, each its own sources) and the
   * generator's planted truths have no pinned view.
   */
  public boolean hasPublishedView() {
    return switch (this) {
      case JOB_RUNS, DQ_RESULTS, QUARANTINE, PLANTED_TRUTHS -> false;
      default -> true;
    };
  }

  /** The SELECT behind job_runs_current (the latest row of each run), or null for every other table. */
  public String currentViewSql(String sqlName) {
    if (this == JOB_RUNS) {
      String cols = String.join(", ", schema().fieldNames());
      return "SELECT " + cols + " FROM (SELECT *, row_number() OVER (PARTITION BY run_id ORDER BY event_time DESC,"
          + " CASE status WHEN 'running' THEN 1 ELSE 0 END) AS rn FROM " + sqlName + ") WHERE rn = 1";
    }
    return null;
  }

  /**
   * The SELECT behind {@code <table>_current} of a table with a published view: the latest as_of of
   * the table at Delta version {@code version} (the published one), whatever was committed since.
   * The latest as_of is found with ORDER BY ... LIMIT 1, not max(): Delta answers a bare max() from
   * its log (OptimizeMetadataOnlyDeltaQuery), and that path fails on a DATE in Thrift Server sessions
   * (ClassCastException LocalDate -> java.sql.Date, seen through JDBC in ServeSqlTest).
   */
  public String currentViewSql(String sqlName, long version) {
    return currentViewSql(sqlName, version, null);
  }

  /**
   * As {@link #currentViewSql(String, long)}, with the latest as_of at that version when known
   * ({@link Lake#publish} records it): the view then filters on it, a partition filter, instead of
   * finding it on every read. Measured through serve-sql: see docs/serving.md.
   */
  public String currentViewSql(String sqlName, long version, java.time.LocalDate latestAsOf) {
    String pinned = sqlName + " VERSION AS OF " + version;
    if (latestAsOf != null) {
      return "SELECT * FROM " + pinned + " WHERE as_of = DATE'" + latestAsOf + "'";
    }
    return "SELECT * FROM " + pinned + " WHERE as_of = (" + latestAsOfSql(sqlName, version) + ")";
  }

  /**
   * The query for the table's latest as_of at Delta version {@code version}: one row, or none when the
   * table has no row then. ORDER BY ... LIMIT 1, not max(), for the reason in
   * {@link #currentViewSql(String, long)}.
   */
  public static String latestAsOfSql(String sqlName, long version) {
    return "SELECT as_of FROM " + sqlName + " VERSION AS OF " + version + " ORDER BY as_of DESC LIMIT 1";
  }

  /** The comment of {@code <table>_current}. */
  public String currentViewComment(String sqlName) {
    return this == JOB_RUNS ? "Latest status of every run"
        : "Latest published run (latest as_of) of " + sqlName + ": " + comment;
  }

  /**
   * A short hash of everything registration puts in the metastore and the table properties
   * (comment, CHECK constraints, view): a table whose stored fingerprint equals it is not
   * registered again.
   */
  public String fingerprint() {
    StringBuilder sb = new StringBuilder(tableName).append('|').append(comment);
    for (Check c : checks()) {
      sb.append('|').append(c.name()).append('=').append(c.expression());
    }
    sb.append('|').append(hasPublishedView() ? currentViewSql("t", 0) : currentViewSql("t")).append('|')
        .append(currentViewComment("t"));
    new java.util.TreeMap<>(deltaProperties()).forEach((k, v) -> sb.append('|').append(k).append('=').append(v));
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Delta table properties beside the constraints, set when the table is created or registered.
   * The append-only logs (job_runs, dq_results) take a commit from every stage run and are read
   * only by people (their views): a checkpoint every 100 commits instead of Delta's 10, since a
   * checkpoint is written by the committing run, synchronously (40 one-row appends: 18.2 s with
   * Delta's 10, 9.4 s with 100; a count afterwards 0.72 s and 0.61 s; docs/BENCHMARKS.md). A reader
   * replays at most 99 small commits. Tables the stages read keep Delta's default.
   */
  public Map<String, String> deltaProperties() {
    return switch (this) {
      case JOB_RUNS, DQ_RESULTS -> Map.of("delta.checkpointInterval", "100");
      default -> Map.of();
    };
  }

  /** A Delta CHECK constraint: a row whose expression is not true is rejected with the whole write. */
  public record Check(String name, String expression) {}

  /** Null passes (a null share means "not defined", documented per column); otherwise lo <= c <= hi. */
  static Check between(String c, double lo, double hi) {
    return new Check(c + "_range", c + " IS NULL OR (" + c + " >= " + lo + " AND " + c + " <= " + hi + ")");
  }

  static Check nonNegative(String c) {
    return new Check(c + "_non_negative", c + " IS NULL OR " + c + " >= 0");
  }

  /** lower <= value <= upper wherever the bounds are present. */
  static Check ordered(String name, String lower, String value, String upper) {
    return new Check(name, "(" + lower + " IS NULL OR " + lower + " <= " + value + ") AND (" + upper + " IS NULL OR "
        + value + " <= " + upper + ")");
  }

  /**
   * CHECK constraints of the table (added at registration when missing, see Lake.register). A new
   * gold table with a ranged value adds its case here (score 0-100: between("score", 0, 100)).
   */
  public List<Check> checks() {
    switch (this) {
      case MARKET_SHARE:
        return List.of(between("share", 0, 1), nonNegative("industry_registrations"),
            new Check("brand_within_industry", "brand_registrations IS NULL OR brand_registrations BETWEEN 0 AND industry_registrations"));
      case MONTHLY_REGISTRATIONS:
        return List.of(nonNegative("registrations"));
      case DEALER_EXPECTED_BY_SEGMENT:
        return List.of(between("benchmark_share", 0, 1), nonNegative("industry_registrations"),
            nonNegative("expected_registrations"), nonNegative("expected_registrations_local"));
      case DEALER_PERFORMANCE:
        return List.of(nonNegative("expected_registrations"), nonNegative("actual_registrations"),
            nonNegative("registration_effectiveness"), between("percentile_in_area", 0, 100), between("retention", 0, 1),
            new Check("rank_in_area_positive", "rank_in_area IS NULL OR rank_in_area >= 1"));
      case CROSS_SELL:
        return List.of(nonNegative("sales"));
      case MARKET_DATA_QUALITY:
        return List.of(nonNegative("affected"), nonNegative("base"), between("share", 0, 1));
      case DEMAND_FORECAST:
        return List.of(ordered("interval_80_ordered", "lower_80", "forecast", "upper_80"),
            ordered("interval_95_ordered", "lower_95", "forecast", "upper_95"),
            new Check("interval_95_contains_80", "lower_95 IS NULL OR lower_80 IS NULL OR lower_95 <= lower_80"));
      case POTENTIAL_SCORES:
        return List.of(between("score", 0, 100), between("percentile_in_region", 0, 100),
            between("benchmark_share", 0, 1), between("target_share", 0, 1), between("attainable_share", 0, 1),
            nonNegative("potential_units"), nonNegative("demand_next_12"),
            new Check("rank_in_region_positive", "rank_in_region IS NULL OR rank_in_region >= 1"));
      case TERRITORY_DESIGN_METRICS:
        return List.of(between("polsby_popper", 0, 1), nonNegative("units"), nonNegative("load"),
            new Check("components_at_least_one", "units = 0 OR components >= 1"));
      case WHATIF_RESULTS:
        return List.of(nonNegative("pma_units_before"), nonNegative("pma_units_after"), nonNegative("captured_before"),
            nonNegative("captured_after"));
      case SEGMENT_PROFILES:
        return List.of(between("unit_share", 0, 1), between("opportunity_share", 0, 1), between("silhouette", -1, 1),
            new Check("units_positive", "units >= 1"));
      case CAMPAIGN_TARGETS:
        return List.of(new Check("rank_positive", "rank >= 1"));
      case CRM_ASSIGNMENTS:
        return List.of(new Check("change_type_known", "change_type IN ('added', 'moved', 'unchanged', 'removed')"));
      case SALES_GOALS:
        return List.of(nonNegative("goal_units"), between("potential_share", 0, 1),
            new Check("goal_within_bounds", "goal_units >= floor_units AND (cap_units IS NULL OR goal_units <= cap_units)"));
      default:
        return List.of();
    }
  }
}
