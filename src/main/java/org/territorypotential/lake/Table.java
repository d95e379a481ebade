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
      Map.entry("method", "configured (from the territories input) or pma (nearest open dealer of the brand)"),
      Map.entry("distance_km", "PMA: great-circle km from the unit centroid to the dealer"),
      Map.entry("runner_up_dealer_id", "PMA: second-nearest open dealer of the same brand"),
      Map.entry("runner_up_distance_km", "PMA: great-circle km from the unit centroid to the runner-up dealer"),
      Map.entry("is_multiple_dealer_area", "PMA: true when the runner-up dealer is within tp.locate.mda-radius-km of the unit centroid"),
      Map.entry("district", "Configured territory: district above the territory"),
      Map.entry("region", "Configured territory: region above the district"));

  private static final String LOCATED_UNIT = "Geo unit (at locate_level) the record was located in; null when unlocated";

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
