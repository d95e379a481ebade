package org.territorypotential.ingest;

import org.territorypotential.lake.Contracts;
import org.territorypotential.lake.Contract;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The {@code ingest} job: reads every input through the configured adapter, validates each row
 * against its contract, and writes accepted rows to bronze and rejected rows to quarantine, for
 * one run date. Everything is read and checked before anything is written: a missing file or
 * column, or an input whose quarantined share is over the limit, fails the job with nothing
 * written. Each table's run-date partition is replaced in one Delta transaction, so a rerun
 * leaves the same rows.
 */
public final class IngestJob {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  static final Map<Contract, Table> BRONZE = Map.of(
      Contracts.REGISTRATIONS, Table.REGISTRATIONS_BRONZE,
      Contracts.SALES, Table.SALES_BRONZE,
      Contracts.DEALERS, Table.DEALERS_BRONZE,
      Contracts.DEMOGRAPHICS, Table.DEMOGRAPHICS_BRONZE,
      Contracts.GEO_UNITS, Table.GEO_UNITS_BRONZE,
      Contracts.SEGMENTS, Table.SEGMENTS_BRONZE,
      Contracts.TERRITORIES, Table.TERRITORIES_BRONZE,
      Contracts.COUNTY_HISTORY, Table.COUNTY_HISTORY_BRONZE);

  /** Per input: rows read, accepted, quarantined, excluded (and why), the commonest reasons, and the file's columns ignored. */
  public record InputCounts(String input, String location, long read, long accepted, long quarantined, long excluded,
      String excludedReason, Map<String, Long> topReasons, List<String> ignoredColumns) {
    public double quarantinedShare() {
      long inScope = read - excluded;
      return inScope == 0 ? 0.0 : (double) quarantined / inScope;
    }
  }

  /** What a run did: counts per input, registrations whose make + model has no segment, versions written. */
  public record Result(String runId, List<InputCounts> inputs, long unmappedRegistrations, long registrations,
      Map<String, Long> topUnmapped, Map<String, Long> versionsWritten) {
    public InputCounts input(String name) {
      return inputs.stream().filter(i -> i.input().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no input " + name));
    }
  }

  public static SourceAdapter adapter(AppConfig cfg) {
    String source = cfg.getString("tp.ingest.source");
    switch (source) {
      case "canonical":
        return new CanonicalAdapter();
      case "wa-ev":
        return new WaEvAdapter();
      default:
        throw new ConfigError("configuration key 'tp.ingest.source' must be canonical or wa-ev, got '" + source + "'");
    }
  }

  public static Result run(SparkSession spark, AppConfig cfg, RunContext run) {
    Lake lake = new Lake(spark, cfg);
    Validation.registerFunctions(spark);
    double maxShare = cfg.getDouble("tp.ingest.max-quarantine-share");
    List<RawInput> raws = adapter(cfg).read(spark, cfg);

    InputRules.Settings rules = InputRules.Settings.from(cfg);
    List<Dataset<Row>> validated = new ArrayList<>();
    List<List<String>> extrasPerInput = new ArrayList<>();
    List<List<String>> ignoredPerInput = new ArrayList<>();
    for (RawInput raw : raws) {
      Contract c = raw.contract();
      List<String> extras = Validation.extraColumns(raw.rows(), c);
      List<String> ignored = new ArrayList<>(raw.ignoredColumns());
      if (c != Contracts.DEMOGRAPHICS) {
        ignored.addAll(extras);
        extras = List.of();
      }
      if (!ignored.isEmpty()) {
        LOG.warn("input '{}': ignoring columns not in its contract: {}", c.input(), ignored);
      }
      validated.add(Validation.withReasons(raw, run.asOf(), extras, rules).persist(StorageLevel.MEMORY_AND_DISK()));
      extrasPerInput.add(extras);
      ignoredPerInput.add(List.copyOf(ignored));
    }
    List<List<Row>> groups = reasonGroups(validated);
    List<InputCounts> counts = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < raws.size(); i++) {
      RawInput raw = raws.get(i);
      Contract c = raw.contract();
      InputCounts ic = countOf(groups.get(i), c, raw.location(), ignoredPerInput.get(i));
      long read = ic.read();
      if (read == 0) {
        LOG.warn("input '{}': {} has no rows (header only) for {} (tp.ingest.may-be-empty says whether that is allowed)",
            c.input(), raw.location(), run.asOf());
      }
      LOG.info("input {}: read {} = accepted {} + quarantined {} + excluded {}", c.input(), read, ic.accepted(),
          ic.quarantined(), ic.excluded());
      if (ic.quarantinedShare() > maxShare) {
        failures.add(String.format("input '%s': %.1f%% of rows quarantined (limit %.1f%%, tp.ingest.max-quarantine-share); commonest: %s",
            c.input(), 100 * ic.quarantinedShare(), 100 * maxShare, ic.topReasons()));
      }
      counts.add(ic);
    }
    if (!failures.isEmpty()) {
      validated.forEach(Dataset::unpersist);
      throw new IngestError(String.join(" | ", failures) + "; nothing was written");
    }
    Map<String, Long> read = new LinkedHashMap<>();
    counts.forEach(ic -> read.put(ic.input(), ic.read()));
    List<String> held = InputGuard.problems(read, published(lake, run.asOf()), InputGuard.Settings.from(cfg));
    if (!held.isEmpty()) {
      validated.forEach(Dataset::unpersist);
      throw new org.territorypotential.dq.Gates.GateFailed("ingest: " + String.join(" | ", held)
          + "; nothing was written, the published tables are unchanged");
    }

    // Rows written come from each commit's metrics: every row read is accepted, quarantined or
    // excluded, and the tables must hold exactly those (nothing lost, nothing doubled).
    List<Dataset<Row>> quarantined = new ArrayList<>();
    List<String> inputNames = new ArrayList<>();
    Map<String, Long> versions = new LinkedHashMap<>();
    Lake.Lineage lineage = Lake.Lineage.of(run);
    long quarantinedTotal = 0;
    List<Lake.Request> writes = new ArrayList<>();
    for (int i = 0; i < raws.size(); i++) {
      Contract c = raws.get(i).contract();
      writes.add(new Lake.Request(BRONZE.get(c), Validation.accepted(validated.get(i), c, extrasPerInput.get(i)), lineage));
      quarantined.add(Validation.quarantined(validated.get(i), c));
      inputNames.add("'" + c.input() + "'");
      quarantinedTotal += counts.get(i).quarantined();
    }
    Dataset<Row> q = quarantined.stream().reduce(Dataset::unionByName).orElseThrow();
    writes.add(new Lake.Request(Table.QUARANTINE, q, lineage, "source IN (" + String.join(", ", inputNames) + ")"));
    writes.add(new Lake.Request(Table.INGEST_RECONCILIATION, reconciliation(spark, counts), lineage));
    // one batch: the tables are independent, so their commits overlap (tp.lake.parallel-writes)
    List<Lake.Written> written = lake.writeAll(writes);
    for (int i = 0; i < raws.size(); i++) {
      Lake.Written w = written.get(i);
      verify(w, counts.get(i).accepted(), "accepted rows of input '" + raws.get(i).contract().input() + "'");
      versions.put(w.sqlName(), w.version());
      LOG.info("wrote {} ({} rows) at version {}", w.sqlName(), w.rows(), w.version());
    }
    Lake.Written wq = written.get(raws.size());
    verify(wq, quarantinedTotal, "quarantined rows");
    versions.put(wq.sqlName(), wq.version());
    Lake.Written wr = written.get(raws.size() + 1);
    versions.put(wr.sqlName(), wr.version());
    Map<String, Dataset<Row>> accepted = new LinkedHashMap<>();
    for (int i = 0; i < raws.size(); i++) {
      accepted.put(raws.get(i).contract().input(), writes.get(i).rows());
    }
    Result result = unmapped(run, counts, versions, accepted);
    validated.forEach(Dataset::unpersist);
    return result;
  }

  /**
   * Every count of every input from ONE aggregate (it also fills the inputs' caches): rows per
   * (input, normalised quarantine reason, exclusion reason), collected (a few dozen rows at most)
   * and split per input on the driver. One query for all inputs, not one each: the demo's ingest
   * ran 28 Spark jobs for the seven per-input aggregates (event log, 1 Dec 2026).
   */
  static List<List<Row>> reasonGroups(List<Dataset<Row>> validated) {
    Dataset<Row> all = null;
    for (int i = 0; i < validated.size(); i++) {
      Dataset<Row> one = validated.get(i).select(lit(i).as("input"),
          InputRules.reasonKind(col(Validation.REASON)).as("r"),
          col(Validation.EXCLUDED_REASON).as("x"));
      all = all == null ? one : all.union(one);
    }
    List<List<Row>> byInput = new ArrayList<>();
    validated.forEach(v -> byInput.add(new ArrayList<>()));
    if (all != null) {
      for (Row g : all.groupBy("input", "r", "x").count().collectAsList()) {
        byInput.get(g.getInt(0)).add(RowFactory.create(g.get(1), g.get(2), g.get(3)));
      }
    }
    return byInput;
  }

  /** One input's counts from its (reason, exclusion reason, rows) groups, summed on the driver. */
  private static InputCounts countOf(List<Row> groups, Contract c, String location, List<String> ignored) {
    long accepted = 0;
    long quarantined = 0;
    long excluded = 0;
    Map<String, Long> reasons = new java.util.HashMap<>();
    Map<String, Long> exclusions = new java.util.HashMap<>();
    for (Row g : groups) {
      long n = g.getLong(2);
      if (!g.isNullAt(1)) {
        excluded += n;
        exclusions.merge(g.getString(1), n, Long::sum);
      } else if (!g.isNullAt(0)) {
        quarantined += n;
        reasons.merge(g.getString(0), n, Long::sum);
      } else {
        accepted += n;
      }
    }
    Map<String, Long> top = new LinkedHashMap<>();
    reasons.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(3).forEach(e -> top.put(e.getKey(), e.getValue()));
    String excludedReason = exclusions.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey).findFirst().orElse(null);
    return new InputCounts(c.input(), location, accepted + quarantined + excluded, accepted, quarantined, excluded,
        excludedReason, top, ignored);
  }

  /**
   * Rows read per input in the newest published run at or before {@code asOf} (this run date's
   * when it is a rerun), from ingest_reconciliation: one small query; none before the first run.
   */
  private static Map<String, InputGuard.Published> published(Lake lake, LocalDate asOf) {
    Map<String, InputGuard.Published> out = new java.util.HashMap<>();
    if (!lake.exists(Table.INGEST_RECONCILIATION)) {
      return out;
    }
    for (Row r : lake.read(Table.INGEST_RECONCILIATION).where(col("as_of").leq(lit(java.sql.Date.valueOf(asOf))))
        .select("source", "as_of", "rows_read").collectAsList()) {
      InputGuard.Published p = new InputGuard.Published(r.getDate(1).toLocalDate(), r.getLong(2));
      out.merge(r.getString(0), p, (a, b) -> a.asOf().isAfter(b.asOf()) ? a : b);
    }
    return out;
  }

  /** The commit must hold exactly the rows counted before it: a difference means rows were lost or doubled. */
  private static void verify(Lake.Written w, long expected, String what) {
    if (w.rows() != expected) {
      throw new IllegalStateException(w.sqlName() + " version " + w.version() + ": the commit wrote " + w.rows() + " rows, but "
          + expected + " " + what + " were counted");
    }
  }

  private static Dataset<Row> reconciliation(SparkSession spark, List<InputCounts> counts) {
    StructType schema = new StructType()
        .add("source", DataTypes.StringType).add("source_file", DataTypes.StringType)
        .add("rows_read", DataTypes.LongType).add("rows_accepted", DataTypes.LongType)
        .add("rows_quarantined", DataTypes.LongType).add("rows_excluded", DataTypes.LongType)
        .add("excluded_reason", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (InputCounts c : counts) {
      rows.add(RowFactory.create(c.input(), c.location(), c.read(), c.accepted(), c.quarantined(), c.excluded(), c.excludedReason()));
    }
    return spark.createDataFrame(rows, schema);
  }

  /**
   * Registrations of this run whose make + model is not in the segment reference and carry no
   * segment, from the accepted rows just written (still cached), not from a re-read of bronze.
   */
  private static Result unmapped(RunContext run, List<InputCounts> counts, Map<String, Long> versions,
      Map<String, Dataset<Row>> accepted) {
    if (!accepted.containsKey("registrations") || !accepted.containsKey("segments")) {
      return new Result(run.runId(), counts, 0, 0, Map.of(), versions);
    }
    Dataset<Row> regs = accepted.get("registrations").where(col("segment").isNull());
    Dataset<Row> segs = accepted.get("segments").select("make", "model");
    Dataset<Row> missing = regs.join(segs, regs.col("make").equalTo(segs.col("make"))
        .and(regs.col("model").equalTo(segs.col("model"))), "left_anti");
    Map<String, Long> top = new LinkedHashMap<>();
    long total = 0;
    for (Row r : missing.groupBy("make", "model").count().orderBy(col("count").desc(), col("make"), col("model")).collectAsList()) {
      total += r.getLong(2);
      if (top.size() < 10) {
        top.put(r.getString(0) + " " + r.getString(1), r.getLong(2));
      }
    }
    long regsTotal = counts.stream().filter(c -> c.input().equals("registrations")).mapToLong(InputCounts::accepted).sum();
    if (total > 0) {
      LOG.warn("{} of {} registrations have a make + model with no segment (kept, segment unclassified); commonest: {}",
          total, regsTotal, top);
    }
    return new Result(run.runId(), counts, total, regsTotal, top, versions);
  }
}
