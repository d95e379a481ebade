package org.territorypotential.serve;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.apache.spark.storage.StorageLevel;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Layer;
import org.territorypotential.lake.Publications;
import org.territorypotential.lake.Table;
import scala.collection.JavaConverters;

/**
 * serve-sql's cache of the gold {@code _current} views (docs/serving.md, "Cached views"): each view's
 * rows are held in memory (spilling to disk), so that a BI query reads them instead of planning a
 * Delta scan (its file listing and state reconstruction) on every query.
 *
 * <p>Never stale, by construction: Spark uses a cached plan only for a query whose plan has the same
 * result, and a {@code _current} view's plan names the Delta version its publication pinned. When a
 * job publishes a new run, the view's plan changes, so queries read the new version from Delta at
 * once (uncached) until {@link #refresh} caches it and drops the old rows. Refresh finds what changed
 * from the view texts in the metastore (one call per database, no Spark job) and runs one Spark job
 * per view it caches.
 */
public final class CurrentViewCache implements AutoCloseable {
  private final SparkSession spark;
  private final Lake lake;
  private final List<Table> tables;
  private final PrintStream out;
  /** Per table: the texts of its _current view and the publication view it reads, when cached. */
  private final Map<Table, String> definitions = new HashMap<>();
  private final Map<Table, Dataset<Row>> cached = new HashMap<>();
  private volatile ScheduledExecutorService timer;
  private boolean refreshed;
  /** Set by {@link #close}: a refresh under way stops before its next view, and its Spark job is cancelled. */
  private volatile boolean closing;
  /** Spark job group of a refresh's caching jobs, which {@link #close} cancels. */
  private static final String JOB_GROUP = "tp-serve-cache";

  /** The gold tables with a published _current view, less {@code exclude} (table names). */
  public static List<Table> tables(List<String> exclude) {
    List<Table> out = new ArrayList<>();
    for (Table t : Table.values()) {
      if (t.layer == Layer.GOLD && t.hasPublishedView() && !exclude.contains(t.tableName)) {
        out.add(t);
      }
    }
    return out;
  }

  public CurrentViewCache(SparkSession spark, Lake lake, List<Table> tables, PrintStream out) {
    this.spark = spark;
    this.lake = lake;
    this.tables = List.copyOf(tables);
    this.out = out;
  }

  /**
   * Caches every view whose definition changed since the last refresh (all of them the first time),
   * and drops the rows cached for its previous definition. Returns the views cached.
   */
  public synchronized int refresh() {
    if (closing) {
      return 0;
    }
    spark.sparkContext().setJobGroup(JOB_GROUP, "serve-sql: caching the _current views", true);
    try {
      return refreshViews();
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  private int refreshViews() {
    Map<Table, String> now = currentDefinitions();
    int n = 0;
    long rows = 0;
    long t0 = System.nanoTime();
    for (Table t : tables) {
      if (closing) {
        return n; // serve-sql is stopping: what is cached now is dropped by close()
      }
      String def = now.get(t);
      if (def == null) {
        drop(t);
        continue;
      }
      if (def.equals(definitions.get(t))) {
        continue;
      }
      // the definition is taken as seen even when caching fails: retried when it changes, not every refresh
      definitions.put(t, def);
      try {
        Dataset<Row> view = spark.table(lake.currentViewName(t));
        Dataset<Row> old = cached.get(t);
        if (old == null || !old.queryExecution().analyzed().sameResult(view.queryExecution().analyzed())) {
          view.persist(StorageLevel.MEMORY_AND_DISK());
          try {
            rows += view.count();
          } catch (Exception e) { // also Spark's checked ones: the failed view's rows must not stay cached
            view.unpersist(false);
            throw e;
          }
          cached.put(t, view);
          if (old != null) {
            old.unpersist(false);
          }
          n++;
        }
      } catch (Exception e) { // Spark's AnalysisException is a checked exception in Java's eyes
        // queries of this view read Delta (and fail as they would without the cache)
        Dataset<Row> old = cached.remove(t);
        if (old != null) {
          old.unpersist(false);
        }
        if (closing) {
          return n; // the job was cancelled by close(): not a failure to report
        }
        out.println("serve-sql: warning: " + lake.currentViewName(t) + " not cached: " + String.valueOf(e.getMessage()).lines()
            .findFirst().orElse(e.toString()));
        out.flush();
      }
    }
    if (n > 0 || !refreshed) {
      refreshed = true;
      out.printf(Locale.ROOT, "serve-sql: %d _current view%s cached (%,d rows) in %.1f s%n", n, n == 1 ? "" : "s", rows,
          (System.nanoTime() - t0) / 1e9);
      out.flush();
    }
    return n;
  }

  /**
   * Refreshes now and then every {@code seconds} after the previous refresh ended, on a daemon
   * thread; a failed refresh is reported and retried.
   */
  public synchronized void start(int seconds) {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread th = new Thread(r, "tp-serve-cache");
      th.setDaemon(true);
      return th;
    });
    timer.scheduleWithFixedDelay(() -> {
      try {
        refresh();
      } catch (Exception e) {
        // queries stay correct without the cache (they read Delta); the next refresh tries again
        out.println("serve-sql: warning: the _current views' cache was not refreshed: " + e);
        out.flush();
      }
    }, 0, seconds, TimeUnit.SECONDS);
  }

  /** The number of views cached now. */
  public synchronized int size() {
    return cached.size();
  }

  /**
   * Stops the refreshes and drops the cached rows. A refresh under way is not waited for: its Spark
   * job is cancelled and it stops before its next view (a SIGTERM during serve-sql's first refresh
   * used to wait for every view to be cached: 18.0 s after the signal on the demo lakehouse, 0.2 s now;
   * docs/serving.md).
   */
  @Override
  public void close() {
    closing = true;
    ScheduledExecutorService t = timer; // volatile: a refresh under way holds this object's lock
    if (t != null) {
      t.shutdownNow();
    }
    spark.sparkContext().cancelJobGroup(JOB_GROUP);
    synchronized (this) {
      for (Table v : List.copyOf(cached.keySet())) {
        drop(v);
      }
    }
  }

  private void drop(Table t) {
    Dataset<Row> old = cached.remove(t);
    if (old != null) {
      old.unpersist(false);
    }
    definitions.remove(t);
  }

  /**
   * Per table with a _current view: its text and the text of the publication view it reads, from
   * the metastore (one call per database for the views, one per database for their publications).
   */
  private Map<Table, String> currentDefinitions() {
    Map<Table, TableIdentifier> ids = new LinkedHashMap<>();
    for (Table t : tables) {
      ids.put(t, Publications.tableId(lake.currentViewName(t)));
    }
    Map<TableIdentifier, CatalogTable> views = byName(ids.values());
    Map<Table, TableIdentifier> publications = new LinkedHashMap<>();
    for (Map.Entry<Table, TableIdentifier> e : ids.entrySet()) {
      CatalogTable v = views.get(e.getValue());
      String pub = v == null ? null : Publications.publicationOf(JavaConverters.mapAsJavaMap(v.properties()));
      if (pub != null) {
        publications.put(e.getKey(), Publications.tableId(pub));
      }
    }
    Map<TableIdentifier, CatalogTable> pubs = byName(publications.values());
    Map<Table, String> out = new LinkedHashMap<>();
    for (Map.Entry<Table, TableIdentifier> e : ids.entrySet()) {
      CatalogTable v = views.get(e.getValue());
      if (v == null) {
        continue;
      }
      CatalogTable p = publications.containsKey(e.getKey()) ? pubs.get(publications.get(e.getKey())) : null;
      out.put(e.getKey(), text(v) + "\n" + (p == null ? "" : text(p)));
    }
    return out;
  }

  private Map<TableIdentifier, CatalogTable> byName(java.util.Collection<TableIdentifier> ids) {
    SessionCatalog catalog = spark.sessionState().catalog();
    Map<String, List<TableIdentifier>> perDatabase = new LinkedHashMap<>();
    for (TableIdentifier id : ids) {
      perDatabase.computeIfAbsent(id.database().get(), k -> new ArrayList<>()).add(id);
    }
    Map<TableIdentifier, CatalogTable> out = new HashMap<>();
    for (Map.Entry<String, List<TableIdentifier>> e : perDatabase.entrySet()) {
      if (!catalog.databaseExists(e.getKey())) {
        continue;
      }
      List<CatalogTable> found;
      try {
        found = JavaConverters.seqAsJavaList(catalog.getTablesByName(
            JavaConverters.asScalaBuffer(List.copyOf(new java.util.LinkedHashSet<>(e.getValue()))).toSeq()));
      } catch (org.apache.spark.sql.catalyst.analysis.NoSuchDatabaseException gone) {
        continue;
      }
      for (CatalogTable t : found) {
        out.put(new TableIdentifier(t.identifier().table(), scala.Option.apply(e.getKey())), t);
      }
    }
    return out;
  }

  private static String text(CatalogTable t) {
    return t.viewText().isDefined() ? t.viewText().get() : "";
  }
}
