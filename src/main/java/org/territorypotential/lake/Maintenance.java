package org.territorypotential.lake;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/**
 * Table maintenance (jobs/tp maintain): for every table of the catalog that exists, OPTIMIZE
 * (compaction, optionally ZORDER BY configured columns) then VACUUM with the configured
 * retention. Time travel reaches back as far as the retention; older versions lose their files.
 */
public final class Maintenance {
  /** Delta's own safety floor for VACUUM (spark.databricks.delta.retentionDurationCheck). */
  public static final long DELTA_MIN_RETENTION_HOURS = 168;
  private static final String RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled";
  /** Delta's VACUUM lists the table's folders with a Spark job of this many tasks. */
  private static final String LISTING_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism";

  private Maintenance() {}

  /** What was done to one table. */
  public record Outcome(String table, List<String> zorder, long versionBefore, long versionAfter, long filesBefore,
      long filesAfterOptimize, long filesVacuumed, long filesAfter) {}

  /** The configured retention; below Delta's 7 days only when tp.maintenance.allow-short-retention says so. */
  public static long retentionHours(AppConfig cfg) {
    long hours = cfg.getInt("tp.maintenance.retention-hours");
    if (hours < 0) {
      throw new ConfigError("configuration key 'tp.maintenance.retention-hours' must not be negative, got " + hours);
    }
    if (hours < DELTA_MIN_RETENTION_HOURS && !cfg.getBoolean("tp.maintenance.allow-short-retention")) {
      throw new ConfigError("tp.maintenance.retention-hours = " + hours + " is below Delta's safety minimum of "
          + DELTA_MIN_RETENTION_HOURS + " hours (7 days): a job or query still reading an older snapshot could lose its files"
          + " and fail, and time travel could not reach back past it. Set tp.maintenance.allow-short-retention = true"
          + " to do it anyway (only when nothing else runs on the lakehouse)");
    }
    return hours;
  }

  /** tp.maintenance.listing-parallelism, 0 = 4 x the session's default parallelism; negative is refused. */
  static int listingParallelism(AppConfig cfg, int defaultParallelism) {
    int n = cfg.getInt("tp.maintenance.listing-parallelism");
    if (n < 0) {
      throw new ConfigError("tp.maintenance.listing-parallelism must be 0 (4 x the cores) or a positive number of tasks, not " + n);
    }
    return n == 0 ? 4 * Math.max(1, defaultParallelism) : n;
  }

  /** Z-order columns per table from tp.maintenance.zorder, validated against the table's columns. */
  static List<String> zorder(Lake lake, AppConfig cfg, Table t) {
    Map<String, String> m = cfg.stringMap("tp.maintenance.zorder");
    for (String key : m.keySet()) {
      boolean known = Arrays.stream(Table.values()).anyMatch(x -> key.equals(x.layer.key + "." + x.tableName));
      if (!known) {
        throw new ConfigError("tp.maintenance.zorder: unknown table '" + key + "' (use <layer>.<table>, e.g. gold.market_share)");
      }
    }
    String spec = m.get(t.layer.key + "." + t.tableName);
    if (spec == null || spec.isBlank()) {
      return List.of();
    }
    List<String> columns = Arrays.asList(lake.read(t).columns());
    List<String> out = new ArrayList<>();
    for (String c : spec.split(",")) {
      String col = c.trim();
      if (!col.matches("[a-z][a-z0-9_]*") || !columns.contains(col) || t.partitionColumns.contains(col)) {
        throw new ConfigError("tp.maintenance.zorder." + t.layer.key + "." + t.tableName + ": '" + col
            + "' is not a non-partition column of " + lake.sqlName(t));
      }
      out.add(col);
    }
    return out;
  }

  /** Maintains every existing table of {@code tables}; prints one line per table. */
  public static List<Outcome> run(SparkSession spark, AppConfig cfg, List<Table> tables, java.io.PrintStream out) {
    long hours = retentionHours(cfg);
    Lake lake = new Lake(spark, cfg);
    List<Outcome> outcomes = new ArrayList<>();
    String before = spark.conf().get(RETENTION_CHECK, "true");
    if (hours < DELTA_MIN_RETENTION_HOURS) {
      spark.conf().set(RETENTION_CHECK, "false");
    }
    String listingBefore = spark.conf().get(LISTING_PARALLELISM);
    spark.conf().set(LISTING_PARALLELISM, listingParallelism(cfg, spark.sparkContext().defaultParallelism()));
    try {
      for (Table t : tables) {
        if (!lake.exists(t)) {
          continue;
        }
        lake.register(t);
        String name = lake.sqlName(t);
        List<String> z = zorder(lake, cfg, t);
        long v0 = lake.version(t);
        long f0 = files(lake, t);
        spark.sql("OPTIMIZE " + name + (z.isEmpty() ? "" : " ZORDER BY (" + String.join(", ", z) + ")")).collect();
        long f1 = files(lake, t);
        // OPTIMIZE changes files, not rows: a _current view on the version before it moves to the new
        // one, or VACUUM would delete the files the view reads.
        lake.repin(t, v0, lake.version(t));
        long vacuumed = spark.sql("VACUUM " + name + " RETAIN " + hours + " HOURS DRY RUN").count();
        spark.sql("VACUUM " + name + " RETAIN " + hours + " HOURS").collect();
        Outcome o = new Outcome(name, z, v0, lake.version(t), f0, f1, vacuumed, files(lake, t));
        outcomes.add(o);
        out.printf("  %-45s files %,6d -> %,6d (optimize%s), vacuum deleted %,6d files (retain %d h), version %d -> %d%n",
            name, o.filesBefore(), o.filesAfterOptimize(), z.isEmpty() ? "" : ", zorder by " + String.join(",", z),
            o.filesVacuumed(), hours, o.versionBefore(), o.versionAfter());
      }
    } finally {
      spark.conf().set(RETENTION_CHECK, before);
      spark.conf().set(LISTING_PARALLELISM, listingBefore);
    }
    return outcomes;
  }

  /** Data files of the table's current version. */
  static long files(Lake lake, Table t) {
    return io.delta.tables.DeltaTable.forPath(lake.spark(), lake.path(t)).detail().select("numFiles").first().getLong(0);
  }
}
