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

  public Lake(SparkSession spark, AppConfig cfg) {
    this.spark = spark;
    this.conflictRetries = cfg.getInt("tp.lake.conflict-retries");
    if (conflictRetries < 0) {
      throw new org.territorypotential.config.ConfigError(
          "configuration key 'tp.lake.conflict-retries' must not be negative, got " + conflictRetries);
    }
    String lakehouse = cfg.getString("tp.lakehouse");
    this.root = lakehouse.contains("://") ? lakehouse : new java.io.File(lakehouse).getAbsolutePath();
    this.databases = Map.of(
        Layer.BRONZE, cfg.sqlIdentifier("tp.databases.bronze"),
        Layer.SILVER, cfg.sqlIdentifier("tp.databases.silver"),
        Layer.GOLD, cfg.sqlIdentifier("tp.databases.gold"),
        Layer.OPS, cfg.sqlIdentifier("tp.databases.ops"));
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

  /** The view of a gold table's latest run: {@code <gold>.<table>_current}. */
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

  /** The table's current Delta version, or -1 when it does not exist yet. */
  public long version(Table t) {
    if (!exists(t)) {
      return -1;
    }
    return io.delta.tables.DeltaTable.forPath(spark, path(t)).history(1)
        .select("version").first().getLong(0);
  }

  /**
   * The rows of one {@code as_of} partition at the table's current version, recording that
   * version in {@code versions} (SQL name -> version) for lineage. Drops the input's own lineage
   * columns (run_id, as_of, ingested_at) so the reader's can be added.
   */
  public Dataset<Row> readPinned(Table t, LocalDate asOf, Map<String, Long> versions) {
    long v = version(t);
    versions.put(sqlName(t), v);
    return spark.read().format("delta").option("versionAsOf", v).load(path(t))
        .where(functions.col("as_of").equalTo(functions.lit(java.sql.Date.valueOf(asOf))))
        .drop("run_id", "as_of", "ingested_at");
  }

  /** Input versions as one lineage string: {@code db.table@version, ...}. */
  public static String versionsText(Map<String, Long> versions) {
    return versions.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("");
  }

  /**
   * Replaces the rows of {@code asOf} (and, when {@code extraPredicate} is not null, only those
   * also matching it) with {@code rows}, in one Delta transaction. Column comments from the
   * catalog are attached, and the table is registered in the metastore.
   */
  public long replaceAsOf(Table t, Dataset<Row> rows, LocalDate asOf, String extraPredicate) {
    if (!List.of(rows.columns()).contains("as_of")) {
      throw new IllegalArgumentException(t + ": rows to write have no as_of column");
    }
    String predicate = "as_of = DATE'" + asOf + "'" + (extraPredicate == null ? "" : " AND (" + extraPredicate + ")");
    return retryOnConflict(sqlName(t) + " as_of " + asOf, conflictRetries, () -> {
      ensureTable(t, rows);
      withComments(t, rows).write().format("delta").mode("overwrite")
          .option("replaceWhere", predicate)
          .partitionBy(t.partitionColumns.toArray(new String[0]))
          .save(path(t));
      return version(t);
    });
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
    ensureTable(t, rows);
    withComments(t, rows).write().format("delta").mode("append")
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
   * Before the first write: creates the table empty (schema, partitioning, comments) and registers
   * it, so its CHECK constraints are in place before any row lands; later writes are checked by
   * Delta in the same transaction (a violating write commits nothing). A table this instance has
   * already registered is not looked at again.
   */
  private void ensureTable(Table t, Dataset<Row> rows) {
    if (registered.contains(t)) {
      return;
    }
    if (!exists(t)) {
      withComments(t, rows).limit(0).write().format("delta").mode("append")
          .partitionBy(t.partitionColumns.toArray(new String[0]))
          .save(path(t));
    }
    register(t);
  }

  /**
   * Registers the table (and its database) in the metastore, idempotently: the table comment,
   * the catalog's CHECK constraints (added when missing, replaced when their expression changed)
   * and, for gold tables, the {@code _current} view. Each ALTER is a Delta commit, so only what
   * differs is altered: versions should mean data changes.
   */
  public void register(Table t) {
    String db = databases.get(t.layer);
    spark.sql("CREATE DATABASE IF NOT EXISTS " + db);
    spark.sql("CREATE TABLE IF NOT EXISTS " + sqlName(t) + " USING DELTA LOCATION '" + escape(path(t)) + "'");
    Row detail = io.delta.tables.DeltaTable.forPath(spark, path(t)).detail().select("description", "properties").first();
    if (!t.comment.equals(detail.isNullAt(0) ? null : detail.getString(0))) {
      spark.sql("ALTER TABLE " + sqlName(t) + " SET TBLPROPERTIES ('comment' = '" + escape(t.comment) + "')");
    }
    Map<String, String> props = detail.isNullAt(1) ? Map.of() : detail.getJavaMap(1);
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
    if (t.layer == Layer.GOLD) {
      createCurrentView(t);
    }
    registered.add(t);
  }

  /**
   * {@code <table>_current}: the rows of the latest as_of. Replaced on every registration (a
   * metastore change, not a Delta commit), so a changed definition reaches existing lakehouses.
   * The latest as_of is found with ORDER BY ... LIMIT 1, not max(): Delta answers a bare max()
   * from its log (OptimizeMetadataOnlyDeltaQuery), and that path fails on a DATE in Thrift Server
   * sessions (ClassCastException LocalDate -> java.sql.Date, seen through JDBC in ServeSqlTest).
   */
  private void createCurrentView(Table t) {
    spark.sql("CREATE OR REPLACE VIEW " + currentViewName(t) + " COMMENT '" + escape("Latest run (latest as_of) of "
        + sqlName(t) + ": " + t.comment) + "' AS SELECT * FROM " + sqlName(t) + " WHERE as_of = (SELECT as_of FROM "
        + sqlName(t) + " ORDER BY as_of DESC LIMIT 1)");
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }
}
