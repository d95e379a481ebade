package org.territorypotential.lake;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.territorypotential.config.AppConfig;

/**
 * Where tables live and how they are written. Each table is a Delta table at
 * {@code <lakehouse>/<layer>/<table>}, partitioned by {@code as_of}, registered in the metastore
 * as {@code <database>.<table>}. Writing a run date replaces exactly that date's partition in one
 * Delta transaction, so reruns are idempotent and a killed write leaves the previous version.
 * Which version readers see (the {@code _current} views, and publishing a stage's writes together)
 * is {@link Publications}'.
 */
public final class Lake {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Lake.class);
  private final SparkSession spark;
  private final String root;
  private final Map<Layer, String> databases;
  /**
   * Tables this instance has registered (or created): later writes through it skip the metastore
   * round trip (a DESCRIBE DETAIL query plus catalog calls). Every write used to register twice,
   * before and after writing; once per table per instance is enough, as nothing a write does
   * changes the table's registration.
   */
  private final java.util.Set<Table> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final int conflictRetries;
  private final int parallelWrites;
  private final Publications publications;

  /**
   * Checks the lake's settings (tp.lake.*, the database names) without Spark: called by the
   * constructor and by the Runner before Spark starts, so a typo fails before any stage writes.
   */
  public static void validate(AppConfig cfg) {
    int parallelWrites = cfg.getInt("tp.lake.parallel-writes");
    if (parallelWrites < 1) {
      throw new org.territorypotential.config.ConfigError(
          "configuration key 'tp.lake.parallel-writes' must be at least 1, got " + parallelWrites);
    }
    int conflictRetries = cfg.getInt("tp.lake.conflict-retries");
    if (conflictRetries < 0) {
      throw new org.territorypotential.config.ConfigError(
          "configuration key 'tp.lake.conflict-retries' must not be negative, got " + conflictRetries);
    }
    for (String layer : List.of("bronze", "silver", "gold", "ops")) {
      cfg.sqlIdentifier("tp.databases." + layer);
    }
  }

  public Lake(SparkSession spark, AppConfig cfg) {
    validate(cfg);
    this.spark = spark;
    this.conflictRetries = cfg.getInt("tp.lake.conflict-retries");
    this.parallelWrites = cfg.getInt("tp.lake.parallel-writes");
    String lakehouse = cfg.getString("tp.lakehouse");
    this.root = lakehouse.contains("://") ? lakehouse : new java.io.File(lakehouse).getAbsolutePath();
    this.databases = Map.of(
        Layer.BRONZE, cfg.sqlIdentifier("tp.databases.bronze"),
        Layer.SILVER, cfg.sqlIdentifier("tp.databases.silver"),
        Layer.GOLD, cfg.sqlIdentifier("tp.databases.gold"),
        Layer.OPS, cfg.sqlIdentifier("tp.databases.ops"));
    this.publications = new Publications(this);
  }

  /** The layer's database name (validated). */
  String database(Layer layer) {
    return databases.get(layer);
  }

  int parallelWrites() {
    return parallelWrites;
  }

  /** The {@code _current} and publication views of this lakehouse's tables. */
  public Publications publications() {
    return publications;
  }

  /** {@link Publications#publish}. */
  public List<Table> publish(String stage, List<Written> written, String runId) {
    return publications.publish(stage, written, runId);
  }

  /** {@link Publications#publishedVersion}. */
  public java.util.OptionalLong publishedVersion(Table t) {
    return publications.publishedVersion(t);
  }

  /** {@link Publications#publishedRun}. */
  public String publishedRun(Table t) {
    return publications.publishedRun(t);
  }

  /** {@link Publications#repin}. */
  public boolean repin(Table t, long from, long to) {
    return publications.repin(t, from, to);
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public String path(Table t) {
    return root + "/" + t.layer.key + "/" + t.tableName;
  }

  public String sqlName(Table t) {
    return databases.get(t.layer) + "." + identifier(t.tableName);
  }

  /** The view of a table's published run ({@link #publish}), or job_runs' latest rows: {@code <db>.<table>_current}. */
  public String currentViewName(Table t) {
    return sqlName(t) + "_current";
  }

  private static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,127}");

  /** Returns {@code name} when it is a lower-case SQL identifier; anything else never reaches SQL. */
  public static String identifier(String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a lower-case SQL identifier: '" + name + "'");
    }
    return name;
  }

  public boolean exists(Table t) {
    return io.delta.tables.DeltaTable.isDeltaTable(spark, path(t));
  }

  public Dataset<Row> read(Table t) {
    return spark.read().format("delta").load(path(t));
  }

  /** The rows of one run date. */
  public Dataset<Row> read(Table t, LocalDate asOf) {
    return read(t).where(functions.col("as_of").equalTo(functions.lit(java.sql.Date.valueOf(asOf))));
  }

  /** The newest as_of partition of {@code t} before {@code asOf}, if the table has one. */
  public java.util.Optional<LocalDate> latestAsOfBefore(Table t, LocalDate asOf) {
    if (!exists(t)) {
      return java.util.Optional.empty();
    }
    Row r = read(t).where(functions.col("as_of").lt(functions.lit(java.sql.Date.valueOf(asOf))))
        .agg(functions.max("as_of")).first();
    return r.isNullAt(0) ? java.util.Optional.empty() : java.util.Optional.of(r.getDate(0).toLocalDate());
  }

  /** The table's current Delta version, or -1 when it does not exist yet (from the Delta log: no Spark job). */
  public long version(Table t) {
    if (!exists(t)) {
      return -1;
    }
    return deltaLog(t).update(false, scala.Option.empty(), scala.Option.empty()).version();
  }

  /**
   * The version a stage reads of its input {@code t}: the one {@code <table>_current} shows when the
   * table has been published, so that the commits of a run that never published (killed between its
   * writes and its publication, or while its rollback ran) never reach a later stage, as they never
   * reach BI. A table without a published view yet (never published: the tests' fixtures, a table
   * whose only writes came from jobs run without the {@code Runner}) is read at its newest version;
   * -1 when it does not exist. One metastore look-up and the Delta log, no Spark job.
   */
  public long inputVersion(Table t) {
    long newest = version(t);
    if (newest < 0 || !t.hasPublishedView()) {
      return newest;
    }
    java.util.OptionalLong published = publishedVersion(t);
    return published.isPresent() && published.getAsLong() <= newest ? published.getAsLong() : newest;
  }

  private org.apache.spark.sql.delta.DeltaLog deltaLog(Table t) {
    return org.apache.spark.sql.delta.DeltaLog.forTable(spark, path(t));
  }

  /**
   * The rows of one {@code as_of} partition at the table's published version ({@link
   * #inputVersion}), recording that version in {@code versions} (SQL name -> version) for lineage.
   * Drops the input's own lineage columns (run_id, as_of, ingested_at) so the reader's can be added.
   * A table that does not exist raises {@link MissingInput} naming the stage that writes it.
   */
  public Dataset<Row> readPinned(Table t, LocalDate asOf, Map<String, Long> versions) {
    long v = inputVersion(t);
    if (v < 0) {
      throw MissingInput.table(this, t);
    }
    versions.put(sqlName(t), v);
    return spark.read().format("delta").option("versionAsOf", v).load(path(t))
        .where(functions.col("as_of").equalTo(functions.lit(java.sql.Date.valueOf(asOf))))
        .drop("run_id", "as_of", "ingested_at");
  }

  /**
   * Driver-side rows as a frame of the table's declared schema without its lineage columns (the
   * write adds those): for stages that compute on collected rows (design, segment).
   */
  public static Dataset<Row> frame(org.apache.spark.sql.SparkSession spark, Table t, java.util.List<Row> rows) {
    org.apache.spark.sql.types.StructType s = new org.apache.spark.sql.types.StructType();
    for (org.apache.spark.sql.types.StructField f : t.schema().fields()) {
      if (!t.lineageColumns().contains(f.name())) {
        s = s.add(f);
      }
    }
    return spark.createDataFrame(rows, s);
  }

  /** Input versions as one lineage string: {@code db.table@version, ...}. */
  public static String versionsText(Map<String, Long> versions) {
    return versions.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("");
  }

  /**
   * What a run stamps on every row it writes (the table's {@link Table#lineageColumns}): its id and
   * run date (and start, for ingested_at), the input versions it read, the model it used.
   */
  public record Lineage(org.territorypotential.ops.RunContext run, String inputVersions, String modelVersion) {
    public static Lineage of(org.territorypotential.ops.RunContext run) {
      return new Lineage(run, null, null);
    }

    public Lineage withInputs(Map<String, Long> versionsRead) {
      return new Lineage(run, versionsText(versionsRead), modelVersion);
    }

    public Lineage withModel(String version) {
      return new Lineage(run, inputVersions, version);
    }
  }

  /**
   * What one write committed: the Delta version and the rows written, from the commit's own metrics.
   * {@code latestAsOf}: the table's latest as_of at that version when the write knows it without a
   * query (it created the table with rows of its run date), else null ({@link #publish} finds it).
   */
  public record Written(Table table, String sqlName, long version, long rows, LocalDate asOf, LocalDate latestAsOf) {
    Written(Table table, String sqlName, long version, long rows) {
      this(table, sqlName, version, rows, null, null);
    }

    /** This write, made for run date {@code runAsOf}; {@code created}: the write created the table. */
    Written of(LocalDate runAsOf, boolean created) {
      return new Written(table, sqlName, version, rows, runAsOf, created && rows > 0 ? runAsOf : null);
    }
  }

  /** {@link #write(Table, Dataset, Lineage, String)} of a whole run-date partition. */
  public Written write(Table t, Dataset<Row> rows, Lineage lineage) {
    return write(t, rows, lineage, null);
  }

  /**
   * The one write path: adds the table's lineage columns, checks the rows against the table's
   * declared schema (names and types, in order), and replaces the run date's rows (only those also
   * matching {@code extraPredicate}, when not null) in one Delta transaction; a run that is killed
   * leaves the previous version. Rows written and the version come from the commit (its
   * {@code operationMetrics}), with no re-read of the table. Column comments from the catalog are attached.
   */
  public Written write(Table t, Dataset<Row> rows, Lineage lineage, String extraPredicate) {
    Dataset<Row> out = conform(t, withLineage(t, rows, lineage));
    LocalDate asOf = lineage.run().asOf();
    String predicate = "as_of = DATE'" + asOf + "'" + (extraPredicate == null ? "" : " AND (" + extraPredicate + ")");
    String tag = lineage.run().runId();
    Runnable barrier = BEFORE_WRITE.get(tag);
    if (barrier != null) {
      barrier.run();
    }
    Staged staged = retryOnConflict(sqlName(t) + " as_of " + asOf, conflictRetries, () -> {
      Written created = createWith(t, out);
      if (created != null) {
        return new Staged(created.of(asOf, true), -1, tag);
      }
      ensureTable(t, out);
      long before = version(t);
      List<String> added = addedColumns(t, out);
      org.apache.spark.sql.DataFrameWriter<Row> w = withComments(t, out).write().format("delta").mode("overwrite")
          .option("replaceWhere", predicate)
          .option("userMetadata", tag)
          .partitionBy(t.partitionColumns.toArray(new String[0]));
      if (!added.isEmpty()) {
        LOG.warn("{}: the catalog declares columns the table lacks, added by this write: {} (earlier rows read them as null)",
            sqlName(t), added);
        w = w.option("mergeSchema", "true");
      }
      w.save(path(t));
      return new Staged(committed(t, tag, before).of(asOf, false), before, tag);
    });
    List<Staged> open = STAGING.get(tag);
    if (open != null) {
      open.add(staged);
    }
    return staged.written();
  }

  /**
   * One write of a run that {@link #openStaging} opened: what it committed and the table's version
   * before it (-1: the write created the table). Committed is not published: the table's
   * {@code _current} view moves to it only in {@link #publish}.
   */
  public record Staged(Written written, long before, String runId) {}

  /** Writes of the runs being staged (run id -> its writes), filled by {@link #write} in any Lake instance of this JVM. */
  private static final Map<String, List<Staged>> STAGING = new java.util.concurrent.ConcurrentHashMap<>();

  /** What each staged run's writes wait for before they commit (run id -> barrier), see {@link #openStaging(String, Runnable)}. */
  private static final Map<String, Runnable> BEFORE_WRITE = new java.util.concurrent.ConcurrentHashMap<>();

  /** From now on, {@link #write}s tagged with {@code runId} are recorded for {@link #closeStaging}. */
  public static void openStaging(String runId) {
    STAGING.put(runId, java.util.Collections.synchronizedList(new ArrayList<>()));
  }

  /**
   * {@link #openStaging(String)}, and every {@link #write} tagged with {@code runId} first runs
   * {@code beforeWrite} (on the writing thread; it may block, and what it throws fails the write):
   * the runner's wait for the run's "running" row in job_runs, which commits while the stage reads
   * and plans, so that no table of the run is written before the run log says it runs.
   */
  public static void openStaging(String runId, Runnable beforeWrite) {
    BEFORE_WRITE.put(runId, beforeWrite);
    openStaging(runId);
  }

  /** The writes recorded for {@code runId} since {@link #openStaging}, in commit order; stops recording. */
  public static List<Staged> closeStaging(String runId) {
    BEFORE_WRITE.remove(runId);
    List<Staged> l = STAGING.remove(runId);
    if (l == null) {
      return List.of();
    }
    synchronized (l) {
      return List.copyOf(l);
    }
  }

  /** Per table, the newest version the run committed (the staged version its audit reads). */
  public static Map<Table, Long> stagedVersions(List<Staged> staged) {
    Map<Table, Long> out = new java.util.LinkedHashMap<>();
    staged.forEach(s -> out.merge(s.written().table(), s.written().version(), Math::max));
    return out;
  }

  /** The rows of {@code t} at Delta version {@code version} (time travel). */
  public Dataset<Row> readVersion(Table t, long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(path(t));
  }


  static RuntimeException unchecked(Exception e) {
    return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
  }

  static boolean alreadyExists(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException
          || c.getClass().getSimpleName().equals("AlreadyExistsException")
          // Delta's own check, inside CREATE TABLE IF NOT EXISTS, after Spark's found no table
          // (PostgresMetastoreTest, 3 Dec 2026: the other writer registered it in between)
          || c instanceof org.apache.spark.SparkThrowable st && "DELTA_TABLE_ALREADY_EXISTS".equals(st.getErrorClass())) {
        return true;
      }
    }
    return false;
  }


  /**
   * Undoes the commits of a run that will not be published (a failed audit or any other failure
   * after it wrote): each table the run wrote goes back to its version before the run (RESTORE, one
   * commit per table; a table the run created loses the run's rows), so readers of the tables
   * themselves, later stages included, are back on the previous run. Only when the run's commit is
   * still the table's newest: a commit by another run since is left alone (logged). The run's rows
   * stay readable as {@code VERSION AS OF <staged>} until VACUUM. Returns one line per table, saying
   * where the staged rows are.
   */
  public List<String> rollBack(List<Staged> staged) {
    Map<Table, Long> newest = stagedVersions(staged);
    Map<Table, Long> before = new java.util.LinkedHashMap<>();
    staged.forEach(s -> before.merge(s.written().table(), s.before(), Math::min));
    String runId = staged.isEmpty() ? null : staged.get(0).runId();
    List<String> lines = new ArrayList<>();
    for (Map.Entry<Table, Long> e : newest.entrySet()) {
      Table t = e.getKey();
      long mine = e.getValue();
      long prev = before.get(t);
      long now = version(t);
      String where = sqlName(t) + " VERSION AS OF " + mine;
      if (mine == prev) {
        continue;
      }
      if (now != mine) {
        LOG.warn("{}: version {} was committed after this run's {}: left as it is", sqlName(t), now, mine);
        lines.add(where + " (not rolled back: version " + now + " is another run's)");
        continue;
      }
      try {
        if (prev >= 0) {
          io.delta.tables.DeltaTable.forPath(spark, path(t)).restoreToVersion(prev);
        } else {
          io.delta.tables.DeltaTable.forPath(spark, path(t)).delete(functions.col("run_id").equalTo(functions.lit(runId)));
        }
        lines.add(where + (prev >= 0 ? " (table restored to version " + prev + ")" : " (table created by this run, its rows deleted)"));
      } catch (RuntimeException ex) {
        LOG.warn("{}: could not roll back to version {}: {}", sqlName(t), prev, ex.toString());
        lines.add(where + " (not rolled back: " + ex.getMessage() + ")");
      }
    }
    return lines;
  }

  /** One write of {@link #writeAll}: {@link #write(Table, Dataset, Lineage, String)}'s arguments. */
  public record Request(Table table, Dataset<Row> rows, Lineage lineage, String extraPredicate) {
    public Request(Table table, Dataset<Row> rows, Lineage lineage) {
      this(table, rows, lineage, null);
    }
  }

  /**
   * Several writes to different tables, each its own transaction as {@link #write}, up to
   * {@code tp.lake.parallel-writes} at once (their fixed driver-side cost overlaps); results in
   * the order of the requests. Every write runs to its end; then the first failure, if any, is
   * thrown (the others have committed, as they would have one after another).
   */
  public List<Written> writeAll(List<Request> requests) {
    return org.territorypotential.ops.Parallel.map(requests, parallelWrites, "tp-write",
        r -> write(r.table(), r.rows(), r.lineage(), r.extraPredicate()));
  }

  /** Adds the lineage columns the table declares (model_version, run_id, ingested_at, input_versions, as_of), last. */
  static Dataset<Row> withLineage(Table t, Dataset<Row> rows, Lineage l) {
    List<String> lineage = t.lineageColumns();
    List<Column> cols = new ArrayList<>();
    for (String c : rows.columns()) {
      if (!lineage.contains(c)) {
        cols.add(functions.col(c));
      }
    }
    boolean hasIngestedAt = List.of(rows.columns()).contains("ingested_at");
    for (String c : lineage) {
      Column v = switch (c) {
        case "run_id" -> functions.lit(l.run().runId());
        case "as_of" -> functions.lit(java.sql.Date.valueOf(l.run().asOf()));
        // ingested_at: when the record was ingested (a row that has it keeps it), else when this run started
        case "ingested_at" -> hasIngestedAt
            ? functions.coalesce(functions.col("ingested_at"), functions.lit(java.sql.Timestamp.from(l.run().startedAt())))
            : functions.lit(java.sql.Timestamp.from(l.run().startedAt()));
        case "input_versions" -> functions.lit(require(t, c, l.inputVersions()));
        case "model_version" -> functions.lit(require(t, c, l.modelVersion()));
        default -> throw new IllegalStateException(t + ": unknown lineage column " + c);
      };
      cols.add(v.as(c));
    }
    return rows.select(cols.toArray(new Column[0]));
  }

  private static String require(Table t, String column, String value) {
    if (value == null) {
      throw new IllegalArgumentException(t + ": the write needs " + column + " in its lineage");
    }
    return value;
  }

  /**
   * The rows, after checking names, types and order against the catalog's declared schema: a
   * transform's final select must be the table's contract (demographics may add columns after it).
   */
  static Dataset<Row> conform(Table t, Dataset<Row> rows) {
    List<String> problems = Schemas.differences(t.schema(), rows.schema(), t.allowsExtraColumns());
    if (!problems.isEmpty()) {
      throw new IllegalStateException(t + " (" + t.tableName + "): the rows do not match the declared schema (Table.schema): "
          + String.join("; ", problems));
    }
    return rows;
  }

  /**
   * The version and row count of the newest commit after {@code before} tagged {@code tag} (the run
   * id, written as the commit's userMetadata), from that commit file's commitInfo, read on the driver
   * (Delta's history API ran a Spark job per call: 24 jobs in the demo's event log, 1 Dec 2026).
   * A concurrent writer's commits are skipped over. No such commit: Delta recorded none because the
   * write changed nothing (no rows replaced by no rows; spark.databricks.delta.skipRecordingEmptyCommits),
   * so 0 rows at the current version.
   */
  private Written committed(Table t, String tag, long before) {
    org.apache.spark.sql.delta.DeltaLog log = deltaLog(t);
    long latest = log.update(false, scala.Option.empty(), scala.Option.empty()).version();
    org.apache.hadoop.conf.Configuration hadoop = log.newDeltaHadoopConf();
    for (long v = latest; v > before; v--) {
      scala.Option<org.apache.spark.sql.delta.actions.CommitInfo> info = commitInfo(log, v, hadoop);
      if (info.isDefined() && info.get().userMetadata().isDefined() && tag.equals(info.get().userMetadata().get())) {
        return new Written(t, sqlName(t), v, outputRows(log, v));
      }
    }
    return new Written(t, sqlName(t), latest, 0);
  }

  /**
   * Runs {@code commit} again when a concurrent Delta commit to the same table conflicts with it
   * (two runs of one stage and as_of at once: both replace the same partition). Replacing a
   * partition is idempotent, so the retry re-reads the table's newest version and replaces the
   * other run's rows: the later run wins, nothing is doubled. After {@code retries} retries the
   * conflict is thrown (the run fails, and says so in job_runs). Other errors are not retried.
   */
  static <T> T retryOnConflict(String what, int retries, java.util.function.Supplier<T> commit) {
    for (int attempt = 0; ; attempt++) {
      try {
        return commit.get();
      } catch (RuntimeException e) {
        Throwable conflict = e;
        while (conflict != null && !(conflict instanceof org.apache.spark.sql.delta.DeltaConcurrentModificationException)) {
          conflict = conflict.getCause();
        }
        if (conflict == null || attempt >= retries) {
          throw e;
        }
        LOG.warn("{}: a concurrent commit conflicted ({}); retry {} of {}", what,
            conflict.getClass().getSimpleName(), attempt + 1, retries);
      }
    }
  }

  /**
   * Appends rows in one Delta transaction (for append-only logs such as job_runs: blind appends
   * never conflict with each other, so concurrent runs can always record themselves).
   */
  public long append(Table t, Dataset<Row> rows) {
    Dataset<Row> out = conform(t, rows);
    if (createWith(t, out) != null) {
      return 0;
    }
    ensureTable(t, out);
    withComments(t, out).write().format("delta").mode("append")
        .partitionBy(t.partitionColumns.toArray(new String[0]))
        .save(path(t));
    return version(t);
  }

  /** Attaches the catalog's column comments to the frame's columns (kept by Delta). */
  static Dataset<Row> withComments(Table t, Dataset<Row> rows) {
    Map<String, String> comments = t.columnComments();
    List<Column> cols = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      String c = comments.get(f.name());
      if (c == null) {
        cols.add(functions.col(f.name()));
      } else {
        Metadata md = new MetadataBuilder().withMetadata(f.metadata()).putString("comment", c).build();
        cols.add(functions.col(f.name()).as(f.name(), md));
      }
    }
    return rows.select(cols.toArray(new Column[0]));
  }

  /**
   * A table's first write: when the table does not exist yet, it is created WITH the rows in one
   * Delta commit (CREATE TABLE AS SELECT: schema, partitioning, comment, CHECK constraints, which
   * the rows are checked against, and catalog fingerprint), registered in the metastore, and its
   * views made. Version 0 is then this write by construction (a create fails when the table
   * exists), and its row count comes from that commit's metrics. That commit carries no
   * userMetadata (Delta does not take the option on a create); the rows' run_id says which run
   * wrote them. Creating the empty table and then writing into it cost three times the Spark jobs
   * (measured 1 Dec 2026: 5 tables in 13.1 s and 30 jobs, against 5.7 s and 10 jobs). Returns null
   * when the table exists already (or another writer created it meanwhile): the caller then writes
   * as usual.
   */
  private Written createWith(Table t, Dataset<Row> out) {
    if (registered.contains(t) || exists(t)) {
      return null;
    }
    String db = databases.get(t.layer);
    ensureDatabase(db);
    org.apache.spark.sql.CreateTableWriter<Row> w = withComments(t, out).writeTo(sqlName(t)).using("delta")
        .tableProperty("location", path(t))
        .tableProperty("comment", t.comment)
        .tableProperty(CATALOG_PROPERTY, t.fingerprint());
    for (Table.Check c : t.checks()) {
      w = w.tableProperty("delta.constraints." + identifier(c.name()), c.expression());
    }
    for (Map.Entry<String, String> e : t.deltaProperties().entrySet()) {
      w = w.tableProperty(e.getKey(), e.getValue());
    }
    List<String> parts = t.partitionColumns;
    if (!parts.isEmpty()) {
      List<Column> rest = new ArrayList<>();
      parts.subList(1, parts.size()).forEach(c -> rest.add(functions.col(c)));
      w = w.partitionedBy(functions.col(parts.get(0)), scala.collection.JavaConverters.asScalaBuffer(rest).toSeq());
    }
    try {
      w.create();
    } catch (Exception e) { // the metastore's AlreadyExists comes as an AnalysisException, checked in Java's eyes
      if (committedBeforeCatalog(e)) {
        // our version 0 landed; the other process registered the table between our commit and our
        // registration (seen in CI: SharedMetastoreTest's job_runs; and as Spark's own
        // TableAlreadyExistsException from that registration, PostgresMetastoreTest's job_runs on
        // 3 Dec 2026, a doubled row when it was taken for "created meanwhile"). Writing again would
        // double the rows.
        LOG.info("{}: this create committed version 0, and another process registered the table meanwhile ({})",
            sqlName(t), oneLine(e));
      } else if (e instanceof org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException) {
        LOG.info("{} was created meanwhile; writing into it", sqlName(t));
        return null;
      } else if (createdByAnother(t, e)) {
        LOG.info("{} was created meanwhile by another process ({}); writing into it", sqlName(t), oneLine(e));
        return null;
      } else {
        throw unchecked(e);
      }
    }
    createLogView(t);
    registered.add(t);
    return new Written(t, sqlName(t), 0, outputRows(deltaLog(t), 0));
  }

  /**
   * True when a create failed after its Delta commit, in the metastore registration that follows it
   * ({@code CreateDeltaTableCommand.runPostCommitUpdates}): another process registered the same
   * table in between, and the metastore said AlreadyExists. The rows are then committed, and as
   * version 0: a create commits only on an empty location (Delta's {@code checkPathEmpty}), and a
   * concurrent version 0 makes it fail before this point (ProtocolChangedException).
   */
  static boolean committedBeforeCatalog(Throwable e) {
    boolean postCommit = false;
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      for (StackTraceElement f : c.getStackTrace()) {
        postCommit |= f.getClassName().endsWith(".CreateDeltaTableCommand")
            && (f.getMethodName().equals("runPostCommitUpdates") || f.getMethodName().equals("updateCatalog"));
      }
    }
    return postCommit && (alreadyExists(e) || String.valueOf(e.getMessage()).contains("AlreadyExistsException"));
  }

  /**
   * True when {@code e} is another process creating the same table first (two first-ever runs at
   * once, through the shared metastore): Delta refuses a create on a location that holds the other
   * writer's files ({@code DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION}), or its commit of version 0
   * ({@link org.apache.spark.sql.delta.DeltaConcurrentModificationException}, an existing 0.json).
   * Waits up to 30 s for the other writer's first commit to land; any other failure is not this.
   */
  private boolean createdByAnother(Table t, Exception e) {
    boolean race = false;
    for (Throwable c = e; c != null; c = c.getCause()) {
      String m = String.valueOf(c.getMessage());
      race |= c instanceof org.apache.spark.sql.delta.DeltaConcurrentModificationException
          || c instanceof java.nio.file.FileAlreadyExistsException || c instanceof org.apache.hadoop.fs.FileAlreadyExistsException
          || m.contains("DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION") || m.contains("already exists");
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (race && System.nanoTime() < deadline) {
      if (exists(t) || firstCommitOnDisk(t)) {
        return true;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /**
   * True when the table's first commit file is on disk. {@link #exists} asks the DeltaLog this JVM
   * cached, and after this process's own create failed that cache can say "no table" for good (seen
   * in the clean-clone suite: SharedMetastoreTest's losing writer waited 30 s for a table the other
   * writer had created); the file is the other writer's commit of version 0 itself. When it is
   * there, the cached DeltaLog is dropped, else the write that follows would try to create the
   * table again (DELTA_CREATE_TABLE_SCHEME_MISMATCH, seen).
   */
  private boolean firstCommitOnDisk(Table t) {
    try {
      org.apache.hadoop.fs.Path commit = new org.apache.hadoop.fs.Path(path(t) + "/_delta_log/00000000000000000000.json");
      if (!commit.getFileSystem(spark.sessionState().newHadoopConf()).exists(commit)) {
        return false;
      }
      // the stale "no table" DeltaLog goes, so exists() and the write that follows see the table
      org.apache.spark.sql.delta.DeltaLog.invalidateCache(spark, new org.apache.hadoop.fs.Path(path(t)));
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String oneLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return e.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
  }

  /** numOutputRows of commit {@code v}, from its commit file's commitInfo (0 when absent). */
  private static long outputRows(org.apache.spark.sql.delta.DeltaLog log, long v) {
    scala.Option<org.apache.spark.sql.delta.actions.CommitInfo> info = commitInfo(log, v, log.newDeltaHadoopConf());
    if (info.isEmpty() || info.get().operationMetrics().isEmpty()) {
      return 0;
    }
    scala.Option<String> n = info.get().operationMetrics().get().get("numOutputRows");
    return n.isDefined() ? Long.parseLong(n.get()) : 0;
  }

  /** The commitInfo of commit {@code v}, read from its file on the driver (no Spark job). */
  private static scala.Option<org.apache.spark.sql.delta.actions.CommitInfo> commitInfo(org.apache.spark.sql.delta.DeltaLog log,
      long v, org.apache.hadoop.conf.Configuration hadoop) {
    return org.apache.spark.sql.delta.DeltaHistoryManager.getCommitInfoOpt(log.store(),
        org.apache.spark.sql.delta.util.FileNames.unsafeDeltaFile(log.logPath(), v), hadoop);
  }

  /**
   * Columns of the (already checked) rows that the existing table lacks: a catalog entry that
   * gained columns since the table was created (e.g. located_by in the located tables). Those are
   * added by the write itself (Delta's mergeSchema, for that write only; schema auto-merge stays
   * off), so an existing lakehouse needs no manual migration. Delta appends them after the
   * table's other columns (readers select by name). A changed type or a removed column is not
   * migrated: Delta rejects the write. Read from the Delta log, no Spark job.
   */
  private List<String> addedColumns(Table t, Dataset<Row> out) {
    java.util.Set<String> have = new java.util.HashSet<>(List.of(
        deltaLog(t).update(false, scala.Option.empty(), scala.Option.empty()).metadata().schema().fieldNames()));
    return java.util.Arrays.stream(out.columns()).filter(c -> !have.contains(c)).toList();
  }

  /** Table property holding the fingerprint of the catalog entry the table was registered with. */
  static final String CATALOG_PROPERTY = "tp.catalog.fingerprint";

  /**
   * Before the first write through this instance: a missing table is created in one Delta commit
   * with its schema, partitioning, comment, CHECK constraints and catalog fingerprint, and
   * registered in the metastore (with its _current view). An existing table is only looked at in
   * its Delta log (no Spark job) and the metastore: it is registered again only when the catalog
   * entry changed (another fingerprint) or the metastore lost it. DDL happens at setup, not on
   * every run.
   */
  private void ensureTable(Table t, Dataset<Row> rows) {
    if (registered.contains(t)) {
      return;
    }
    String db = databases.get(t.layer);
    ensureDatabase(db);
    if (!exists(t)) {
      io.delta.tables.DeltaTableBuilder b = io.delta.tables.DeltaTable.createIfNotExists(spark)
          .tableName(sqlName(t)).location(path(t))
          .addColumns(withComments(t, rows).schema())
          .partitionedBy(t.partitionColumns.toArray(new String[0]))
          .comment(t.comment)
          .property(CATALOG_PROPERTY, t.fingerprint());
      for (Table.Check c : t.checks()) {
        b = b.property("delta.constraints." + identifier(c.name()), c.expression());
      }
      for (Map.Entry<String, String> e : t.deltaProperties().entrySet()) {
        b = b.property(e.getKey(), e.getValue());
      }
      b.execute();
      createLogView(t);
      registered.add(t);
      return;
    }
    scala.collection.immutable.Map<String, String> conf =
        deltaLog(t).update(false, scala.Option.empty(), scala.Option.empty()).metadata().configuration();
    scala.Option<String> fp = conf.get(CATALOG_PROPERTY);
    if (!(fp.isDefined() && fp.get().equals(t.fingerprint()) && spark.catalog().tableExists(sqlName(t)))) {
      register(t);
    }
    registered.add(t);
  }

  private final java.util.Set<String> databasesCreated = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** CREATE DATABASE IF NOT EXISTS, once per database per instance. */
  void ensureDatabase(String db) {
    if (databasesCreated.add(db)) {
      spark.sql("CREATE DATABASE IF NOT EXISTS " + db);
    }
  }

  /**
   * Registers an existing table (and its database) in the metastore, idempotently: the table
   * comment, the catalog's CHECK constraints (added when missing, replaced when their expression
   * changed), the catalog fingerprint and the views. Each ALTER is a Delta commit, so only what
   * differs is altered: versions should mean data changes.
   */
  public void register(Table t) {
    String db = databases.get(t.layer);
    spark.sql("CREATE DATABASE IF NOT EXISTS " + db);
    try {
      spark.sql("CREATE TABLE IF NOT EXISTS " + sqlName(t) + " USING DELTA LOCATION '" + escape(path(t)) + "'");
    } catch (Exception e) { // AnalysisException is checked in Java's eyes
      // IF NOT EXISTS is not atomic across processes: another one registered it meanwhile
      if (!alreadyExists(e)) {
        throw unchecked(e);
      }
      LOG.info("{} was registered meanwhile by another process", sqlName(t));
    }
    org.apache.spark.sql.delta.actions.Metadata md =
        deltaLog(t).update(false, scala.Option.empty(), scala.Option.empty()).metadata();
    Map<String, String> props = scala.collection.JavaConverters.mapAsJavaMap(md.configuration());
    String description = md.description();
    if (!t.comment.equals(description) || !t.fingerprint().equals(props.get(CATALOG_PROPERTY))) {
      StringBuilder extra = new StringBuilder();
      new java.util.TreeMap<>(t.deltaProperties()).forEach((k, v) ->
          extra.append(", '").append(k).append("' = '").append(escape(v)).append('\''));
      spark.sql("ALTER TABLE " + sqlName(t) + " SET TBLPROPERTIES ('comment' = '" + escape(t.comment) + "', '"
          + CATALOG_PROPERTY + "' = '" + t.fingerprint() + "'" + extra + ")");
    }
    for (Table.Check c : t.checks()) {
      String existing = props.get("delta.constraints." + identifier(c.name()));
      // Delta stores the expression re-printed (spaces inside parentheses): compare without whitespace.
      if (existing != null && existing.replaceAll("\\s+", "").equals(c.expression().replaceAll("\\s+", ""))) {
        continue;
      }
      if (existing != null) {
        spark.sql("ALTER TABLE " + sqlName(t) + " DROP CONSTRAINT " + c.name());
      }
      spark.sql("ALTER TABLE " + sqlName(t) + " ADD CONSTRAINT " + c.name() + " CHECK (" + c.expression() + ")");
    }
    createLogView(t);
    publications.reregister(t);
    registered.add(t);
  }

  /**
   * job_runs_current (the latest row per run), made with the table (a metastore change, not a Delta
   * commit). The published views of the other tables are made by {@link #publish}.
   */
  private void createLogView(Table t) {
    String sql = t.currentViewSql(sqlName(t));
    if (sql != null) {
      publications.replaceView(currentViewName(t), t.currentViewComment(sqlName(t)), Map.of(), sql);
    }
  }

  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }
}
