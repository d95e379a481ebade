package org.territorypotential.geo;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.ingest.IngestError;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The {@code locate} job, for one run date: bronze geo units -> silver geo units; dealers,
 * registrations and (when present) sales located in geo units at {@code tp.locate.level};
 * coordinates outside the region envelope -> quarantine; configured territories and derived
 * dealer PMAs -> territory_assignment. Checks in = located + unlocated + quarantined per input.
 */
public final class LocateJob {
  private static final Logger LOG = LoggerFactory.getLogger(LocateJob.class);

  /**
   * Per input: rows in, located (have a geo unit), unlocated (kept, with a reason), quarantined;
   * reused = how many of the located + unlocated kept the previous run's result (incremental).
   */
  public record InputCounts(String input, long in, long located, long unlocated, long quarantined, long reused) {
    public InputCounts(String input, long in, long located, long unlocated, long quarantined) {
      this(input, in, located, unlocated, quarantined, 0);
    }
  }

  /**
   * Per input, how the located rows were placed ({@code located_by}: point, code, nearest; they sum
   * to located) and how often a point located in a unit carries a code naming another unit:
   * {@code pointsWithCode} located by point whose code resolves at the level, {@code codeMismatches}
   * of them in another unit than the code's (the point won).
   */
  public record Placement(String input, long byPoint, long byCode, long byNearest, long pointsWithCode, long codeMismatches) {
    /** codeMismatches / pointsWithCode; 0 when no point carries a code. */
    public double mismatchShare() {
      return pointsWithCode == 0 ? 0 : (double) codeMismatches / pointsWithCode;
    }
  }

  /** What a run did. */
  public record Result(String runId, String level, long geoUnits, long unitsAtLevel, long repairedUnits,
      List<InputCounts> inputs, List<Placement> placements, long pmaRows, long multipleDealerAreas, long configuredRows,
      String incremental, double nearestToleranceM) {
    public InputCounts input(String name) {
      return inputs.stream().filter(i -> i.input().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no input " + name));
    }

    public Placement placement(String name) {
      return placements.stream().filter(i -> i.input().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no input " + name));
    }
  }

  /**
   * One aggregate over located rows: rows, located, unlocated, quarantined ({@code ok} false), then
   * located by point, code, nearest, points with a resolving code, code mismatches.
   */
  static Row counts(Dataset<Row> df, org.apache.spark.sql.Column ok) {
    org.apache.spark.sql.Column by = col("located_by");
    return df.agg(count(lit(1)),
        count(when(ok.and(col("geo_unit_id").isNotNull()), lit(1))),
        count(when(ok.and(col("geo_unit_id").isNull()), lit(1))),
        count(when(ok.unary_$bang(), lit(1))),
        count(when(ok.and(by.equalTo(Locate.LOCATED_BY_POINT)), lit(1))),
        count(when(ok.and(by.equalTo(Locate.LOCATED_BY_CODE)), lit(1))),
        count(when(ok.and(by.equalTo(Locate.LOCATED_BY_NEAREST)), lit(1))),
        count(when(ok.and(col("has_code_mismatch").isNotNull()), lit(1))),
        count(when(ok.and(col("has_code_mismatch")), lit(1)))).first();
  }

  public static Result run(SparkSession spark, AppConfig cfg, RunContext run) {
    Lake lake = new Lake(spark, cfg);
    LocalDate asOf = run.asOf();
    String level = cfg.getString("tp.locate.level");
    boolean broadcastUnits = cfg.getBoolean("tp.locate.broadcast-units");
    double toleranceM = cfg.getDouble("tp.locate.nearest-tolerance-m");

    // the bronze polygons are read once: toSilver refers to them five times, and each reference of a
    // Delta table in a plan is a file-listing job of its own (10 of them on the demo before this cache)
    Dataset<Row> bronzeUnits = lake.read(Table.GEO_UNITS_BRONZE, asOf).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> units = GeoUnits.toSilver(bronzeUnits).persist(StorageLevel.MEMORY_AND_DISK());
    String noCounty = "level IN ('tract', 'zcta') AND county_id IS NULL AND NOT (centroid_lon IS NULL OR isnan(centroid_lon))";
    Row uc = units.agg(count(lit(1)), count(when(col("level").equalTo(level), lit(1))),
        count(when(col("is_repaired"), lit(1))), count(when(expr("centroid_lon IS NULL OR isnan(centroid_lon)"), lit(1))),
        count(when(expr(noCounty), lit(1))), expr("slice(array_sort(collect_list(CASE WHEN " + noCounty
            + " THEN geo_unit_id END)), 1, 10)")).first();
    if (uc.getLong(3) > 0) {
      LOG.warn("{} geo unit polygons are empty (no centroid, area 0): kept in silver, but they contain no point and"
          + " belong to no PMA", uc.getLong(3));
    }
    if (uc.getLong(4) > 0) {
      // the market stage fails on these when it needs their county (benchmark or local area): say so early
      LOG.warn("{} tract / ZCTA units have no county (no code prefix, no parent, overlap no county polygon), e.g. {}",
          uc.getLong(4), uc.getList(5));
    }
    long nUnits = uc.getLong(0);
    long nAtLevel = uc.getLong(1);
    long repaired = uc.getLong(2);
    if (nAtLevel == 0) {
      units.unpersist();
      bronzeUnits.unpersist();
      throw new IngestError("no geo units at level '" + level + "' (tp.locate.level) in " + lake.sqlName(Table.GEO_UNITS_BRONZE)
          + " for " + asOf + " (" + nUnits + " units at other levels); nothing was written");
    }
    if (repaired > 0) {
      LOG.warn("{} of {} geo unit polygons were invalid and repaired with ST_MakeValid (is_repaired = true)", repaired, nUnits);
    }
    Dataset<Row> unitsAtLevel = units.where(col("level").equalTo(level));
    Locate.Envelope env = Locate.Envelope.of(units, cfg.getDouble("tp.locate.envelope-margin-deg"));
    LOG.info("locating at level '{}' ({} of {} units); region envelope {}", level, nAtLevel, nUnits, env);
    Incremental inc = Incremental.decide(lake, cfg, units, level, asOf);
    LOG.info("locate {}: {}", asOf, inc.description());
    Lake.Lineage lineage = Lake.Lineage.of(run);
    // every table is written in one batch at the end (tp.lake.parallel-writes): the commits overlap
    List<Lake.Request> writes = new ArrayList<>();
    List<Long> expected = new ArrayList<>();
    writes.add(new Lake.Request(Table.GEO_UNITS_SILVER, units, lineage));
    expected.add(nUnits);

    List<InputCounts> counts = new ArrayList<>();
    List<Placement> placements = new ArrayList<>();
    List<Dataset<Row>> quarantined = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    List<Dataset<Row>> persisted = new ArrayList<>();
    Dataset<Row> dealersLocated = null;
    List<Locate.Input> inputs = List.of(Locate.Input.DEALERS, Locate.Input.REGISTRATIONS, Locate.Input.SALES);
    List<Table> bronze = List.of(Table.DEALERS_BRONZE, Table.REGISTRATIONS_BRONZE, Table.SALES_BRONZE);
    List<Table> silver = List.of(Table.DEALERS_LOCATED, Table.REGISTRATIONS_LOCATED, Table.SALES_LOCATED);
    List<Integer> present = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      sources.add("'" + inputs.get(i).quarantineSource() + "'");
      if (lake.exists(bronze.get(i))) {
        present.add(i);
      } else {
        LOG.info("input {}: {} does not exist (optional input); not located", inputs.get(i).name(), lake.sqlName(bronze.get(i)));
      }
    }
    // the inputs are independent until the PMAs: located at once (tp.lake.parallel-writes threads), so
    // one input's driver-side planning overlaps another's Spark jobs
    List<Located> done = org.territorypotential.ops.Parallel.map(present, cfg.getInt("tp.lake.parallel-writes"), "tp-locate",
        i -> locateInput(lake, inputs.get(i), bronze.get(i), silver.get(i), units, unitsAtLevel, level, env, inc, asOf,
            broadcastUnits, toleranceM));
    for (Located d : done) {
      persisted.addAll(d.persisted());
      placements.add(d.placement());
      counts.add(d.counts());
      writes.add(new Lake.Request(d.silver(), d.located(), lineage));
      expected.add(d.counts().located() + d.counts().unlocated());
      quarantined.add(d.quarantined());
      if (d.input() == Locate.Input.DEALERS) {
        dealersLocated = d.located();
      }
    }
    Dataset<Row> q = quarantined.stream().reduce(Dataset::unionByName).orElseThrow();
    // ingested_at: when the record was ingested (bronze), else when this run started
    writes.add(new Lake.Request(Table.QUARANTINE, q.select("source", "source_file", "source_row", "raw_record", "reason",
        "ingested_at"), lineage, "source IN (" + String.join(", ", sources) + ")"));
    expected.add(counts.stream().mapToLong(InputCounts::quarantined).sum());

    // territories: derived PMAs per brand, plus configured territories when that input exists
    List<String> wanted = cfg.getStringList("tp.locate.pma-brands");
    Dataset<Row> open = Territories.filterOpenDealers(dealersLocated, asOf, wanted).persist(StorageLevel.MEMORY_AND_DISK());
    persisted.add(open);
    List<String> brands = open.select("brand").distinct().orderBy("brand").collectAsList().stream()
        .map(r -> r.getString(0)).toList();
    LOG.info("deriving PMAs at level '{}' for {} brand(s) with open dealers: {}", level, brands.size(), brands);
    Dataset<Row> assignment = Territories.pmas(unitsAtLevel, open, brands,
        cfg.getDouble("tp.locate.mda-radius-km"));
    if (lake.exists(Table.TERRITORIES_BRONZE)) {
      assignment = assignment.unionByName(Territories.configured(lake.read(Table.TERRITORIES_BRONZE, asOf), units));
    }
    assignment = assignment.persist(StorageLevel.MEMORY_AND_DISK());
    persisted.add(assignment);
    Row tc = assignment.agg(count(when(col("method").equalTo(Territories.PMA), lit(1))),
        count(when(col("is_multiple_dealer_area"), lit(1))),
        count(when(col("method").equalTo(Territories.CONFIGURED), lit(1)))).first();
    writes.add(new Lake.Request(Table.TERRITORY_ASSIGNMENT, assignment, lineage));
    expected.add(null);
    List<Lake.Written> written = lake.writeAll(writes);
    for (int i = 0; i < written.size(); i++) {
      Lake.Written w = written.get(i);
      if (expected.get(i) != null && w.rows() != expected.get(i)) {
        throw new IllegalStateException(w.sqlName() + " version " + w.version() + ": the commit wrote " + w.rows()
            + " rows, but " + expected.get(i) + " were counted (located + unlocated, or quarantined)");
      }
    }
    LOG.info("territory assignment: {} PMA rows ({} multiple dealer areas), {} configured rows", tc.getLong(0), tc.getLong(1),
        tc.getLong(2));

    persisted.forEach(Dataset::unpersist);
    units.unpersist();
    bronzeUnits.unpersist();
    return new Result(run.runId(), level, nUnits, nAtLevel, repaired, counts, placements, tc.getLong(0), tc.getLong(1),
        tc.getLong(2), inc.description(), toleranceM);
  }

  /** One input located: its counts, placement, located rows (for silver) and quarantined rows; persisted frames to free. */
  private record Located(Locate.Input input, Table silver, InputCounts counts, Placement placement, Dataset<Row> located,
      Dataset<Row> quarantined, List<Dataset<Row>> persisted) {}

  private static Located locateInput(Lake lake, Locate.Input in, Table bronzeTable, Table silverTable, Dataset<Row> units,
      Dataset<Row> unitsAtLevel, String level, Locate.Envelope env, Incremental inc, LocalDate asOf, boolean broadcastUnits,
      double toleranceM) {
    List<Dataset<Row>> persisted = new ArrayList<>();
    Dataset<Row> records = lake.read(bronzeTable, asOf);
    long read = records.count();
    Dataset<Row> reused = null;
    long nReused = 0;
    if (inc.previous() != null && in != Locate.Input.DEALERS && lake.exists(silverTable)) {
      // only what changed since the previous run goes through the spatial join
      reused = Locate.reusable(records, in, lake.read(silverTable, inc.previous()), env)
          .persist(StorageLevel.MEMORY_AND_DISK());
      persisted.add(reused);
      nReused = reused.count();
      Dataset<Row> done = reused.select(col(in.idColumn()).as("_reused_id"));
      records = records.join(done, records.col(in.idColumn()).equalTo(done.col("_reused_id")), "left_anti");
      LOG.info("input {}: {} of {} rows keep their location from {}; locating the other {}", in.name(), nReused, read,
          inc.previous(), read - nReused);
    }
    // two passes: the nearest-unit joins (KNN and tolerance) are planned and run only when some point missed every unit
    Dataset<Row> placed = Locate.placeByPointAndCode(records, in, units, level, env, broadcastUnits)
        .persist(StorageLevel.MEMORY_AND_DISK());
    persisted.add(placed);
    Dataset<Row> missed = Locate.pointsInNoUnit(placed);
    boolean anyMissed = !missed.isEmpty();
    Dataset<Row> frame = Locate.withPlacement(placed, anyMissed ? Locate.nearestUnits(missed, unitsAtLevel, env,
        broadcastUnits, toleranceM / 1000) : null);
    if (anyMissed) {
      frame = frame.persist(StorageLevel.MEMORY_AND_DISK());
      persisted.add(frame);
    }
    Row c = counts(frame, col(Locate.QUARANTINE_REASON).isNull());
    Row rc = reused == null ? null : counts(reused, lit(true));
    long[] sum = new long[9];
    for (int k = 0; k < sum.length; k++) {
      sum[k] = c.getLong(k) + (rc == null ? 0 : rc.getLong(k));
    }
    InputCounts ic = new InputCounts(in.name(), read, sum[1], sum[2], sum[3], nReused);
    Placement pl = new Placement(in.name(), sum[4], sum[5], sum[6], sum[7], sum[8]);
    if (c.getLong(0) + nReused != read || ic.located() + ic.unlocated() + ic.quarantined() != read) {
      throw new IllegalStateException("input '" + in.name() + "': rows in " + read + " != located " + ic.located()
          + " + unlocated " + ic.unlocated() + " + quarantined " + ic.quarantined() + " (locate frame has " + c.getLong(0)
          + " rows, " + nReused + " reused)");
    }
    LOG.info("input {}: in {} = located {} + unlocated {} + quarantined {} ({} reused); located by point {}, code {},"
        + " nearest {}; code mismatches {} of {} points with a code", in.name(), read, ic.located(), ic.unlocated(),
        ic.quarantined(), nReused, pl.byPoint(), pl.byCode(), pl.byNearest(), pl.codeMismatches(), pl.pointsWithCode());
    Dataset<Row> located = Locate.located(frame, units, level);
    if (reused != null) {
      located = located.unionByName(reused);
    }
    return new Located(in, silverTable, ic, pl, located, Locate.quarantined(frame, in), persisted);
  }

  /**
   * Whether this run may reuse the previous run's results ({@code tp.incremental}; the CLI's
   * {@code --full} turns it off): only when the newest earlier partition of the silver geo units
   * fingerprints equal to this run's units and its registrations were located at the same level.
   * previous = null means locate everything; description says why, for the log and the result.
   */
  record Incremental(LocalDate previous, String description) {
    static Incremental decide(Lake lake, AppConfig cfg, Dataset<Row> units, String level, LocalDate asOf) {
      if (!cfg.getBoolean("tp.incremental")) {
        return new Incremental(null, "full: tp.incremental = false (--full); every record located");
      }
      java.util.Optional<LocalDate> prev = lake.latestAsOfBefore(Table.REGISTRATIONS_LOCATED, asOf);
      if (prev.isEmpty()) {
        return new Incremental(null, "full: no earlier located partition");
      }
      Dataset<Row> prevUnits = lake.read(Table.GEO_UNITS_SILVER, prev.get()).drop("run_id", "as_of");
      if (!Locate.unitsFingerprint(prevUnits).equals(Locate.unitsFingerprint(units))) {
        return new Incremental(null, "full: the geo units differ from " + prev.get() + "'s; every record located");
      }
      Row levels = lake.read(Table.REGISTRATIONS_LOCATED, prev.get())
          .agg(expr("count(DISTINCT locate_level)"), expr("min(locate_level)")).first();
      if (levels.getLong(0) > 1 || (levels.getLong(0) == 1 && !level.equals(levels.getString(1)))) {
        return new Incremental(null, "full: " + prev.get() + " was located at level '" + levels.getString(1) + "', this run at '"
            + level + "'");
      }
      return new Incremental(prev.get(), "incremental: reusing unchanged records' results from " + prev.get()
          + " (same geo units and level); --full locates everything");
    }
  }
}
