package org.territorypotential.spark;

import java.io.File;
import java.util.Map;
import org.apache.sedona.spark.SedonaContext;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;

/**
 * The one place a SparkSession is built: Delta's extension and catalog, Sedona's functions and
 * Kryo registrator, a Hive-compatible metastore (for a local lakehouse, by default the lakehouse's
 * shared metastore service, {@link LocalMetastore}; embedded Derby with {@code tp.metastore.local =
 * embedded}; an external one when {@code tp.metastore.uri} names it) and the warehouse location.
 */
public final class Sessions {
  private Sessions() {}

  public static SparkSession create(AppConfig cfg) {
    String lakehouse = cfg.getString("tp.lakehouse");
    boolean localLakehouse = !lakehouse.contains("://");
    String lakeAbs = localLakehouse ? new File(lakehouse).getAbsolutePath() : lakehouse;
    String warehouse = cfg.getString("tp.metastore.warehouse");
    if (warehouse.isEmpty()) {
      warehouse = lakeAbs + "/warehouse";
    }
    SparkSession.Builder b = SparkSession.builder()
        .appName(cfg.getString("tp.spark.app-name"))
        .config("spark.sql.extensions",
            "io.delta.sql.DeltaSparkSessionExtension,org.apache.sedona.sql.SedonaSqlExtensions")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config("spark.kryo.registrator", "org.apache.sedona.core.serde.SedonaKryoRegistrator")
        .config("spark.sql.shuffle.partitions", String.valueOf(cfg.getInt("tp.spark.shuffle-partitions")))
        .config("spark.ui.enabled", String.valueOf(cfg.getBoolean("tp.spark.ui-enabled")))
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.sql.session.timeZone", "UTC")
        // Unparsable dates become null (and are quarantined) instead of raising upgrade errors.
        .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
        // Adaptive query execution is Spark's default (on since 3.2) and is not set here: setting it would
        // also reset it on a session that exists already (getOrCreate applies runtime settings), e.g. the
        // test JVM's, which turns it off (TestSpark).
        // Sedona KNN joins return every neighbour tied at the k-th distance, so PMA ties are
        // broken by dealer_id (deterministic) rather than by partitioning order.
        .config("spark.sedona.join.knn.includeTieBreakers", "true")
        // A cached frame's plan is planned without adaptive execution (Spark 3.4's behaviour; 3.5's
        // default re-plans it adaptively). Spark describes every query's plan for its SQL listener,
        // and an adaptive plan prints its initial and final plans, each with the cached frames it
        // reads and theirs in turn: locate's writes described plans of 1-4.7 MB each, 78 MB of
        // strings in ingest + locate. Off, the demo ran 0.95x, the same rows (docs/BENCHMARKS.md,
        // "Seventh step: cached frames planned without adaptive execution"). tp.spark.extra can set
        // it back to true.
        .config("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning", "false")
        // Delta: schema of a table is a contract; retention is handled by the maintenance job.
        .config("spark.databricks.delta.schema.autoMerge.enabled", "false")
        .config("spark.databricks.delta.retentionDurationCheck.enabled", "true")
        .config("spark.databricks.delta.snapshotPartitions", String.valueOf(cfg.getInt("tp.spark.delta-snapshot-partitions")));
    String master = cfg.getString("tp.spark.master");
    if (!master.isEmpty() && System.getProperty("spark.master") == null) {
      b.master(master);
    }
    String uri = cfg.getString("tp.metastore.uri");
    if (uri.isEmpty()) {
      if (!localLakehouse) {
        throw new org.territorypotential.config.ConfigError(
            "configuration key 'tp.metastore.uri' must name a Hive metastore when tp.lakehouse is remote (" + lakehouse + ")");
      }
      new File(lakeAbs).mkdirs();
      String mode = LocalMetastore.mode(cfg);
      LocalMetastore.Settings shared = LocalMetastore.settings(cfg, new File(lakeAbs), warehouse);
      if (mode.equals("embedded")) {
        requireMetastoreFree(new File(lakeAbs, "metastore_db"));
        System.setProperty("derby.system.home", lakeAbs);
        b.config("spark.hadoop.javax.jdo.option.ConnectionURL",
            "jdbc:derby:;databaseName=" + lakeAbs + "/metastore_db;create=true");
      } else if (SparkSession.getDefaultSession().isEmpty()) {
        // (with a session in this JVM already, getOrCreate returns it whatever the metastore
        // settings say, as for the tests' in-process commands: nothing to start then)
        b.config("spark.hadoop.hive.metastore.uris", LocalMetastore.ensure(shared));
      }
    } else {
      b.config("spark.hadoop.hive.metastore.uris", uri);
    }
    for (Map.Entry<String, String> e : cfg.stringMap("tp.spark.extra").entrySet()) {
      b.config(e.getKey(), e.getValue());
    }
    SparkSession spark = b.enableHiveSupport().getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return SedonaContext.create(spark);
  }

  /**
   * Fails with {@link MetastoreInUse} when another process has booted the embedded Derby database
   * {@code db}. Derby holds an exclusive file lock on {@code dbex.lck} while the database is booted
   * (released when the process ends, even when killed); a lock this process holds already (a
   * second session in one JVM, as in the tests) is not a conflict. Without this check the second
   * process fails deep inside the metastore client, after tens of thousands of lines of Derby and
   * DataNucleus stack traces.
   */
  static void requireMetastoreFree(File db) {
    java.nio.file.Path lock = new File(db, "dbex.lck").toPath();
    if (!java.nio.file.Files.isRegularFile(lock)) {
      return;
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock, java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.channels.FileLock l = ch.tryLock();
      if (l == null) {
        throw new MetastoreInUse("the embedded metastore " + db + " is open in another process (jobs/tp serve-sql, or a job"
            + " still running): Derby admits one process. Stop that process and run again, or configure a metastore that"
            + " several processes share (tp.metastore.local = shared, the default, or tp.metastore.uri; docs/metastore.md)");
      }
      l.release();
    } catch (java.nio.channels.OverlappingFileLockException heldByThisProcess) {
      // this JVM booted the database already: a second session shares it
    } catch (java.io.IOException e) {
      // unreadable lock file: let Derby decide and report
    }
  }
}
