package org.territorypotential.lake;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.lake.Lake.Written;

/**
 * The {@code <table>_current} views and the publication views behind them: which Delta version of
 * each table readers see, and the one step that moves a stage's tables together ({@link #publish}).
 * Metastore changes only, never a Delta commit. One per {@link Lake}, reached through its
 * delegating methods ({@link Lake#publish}, {@link Lake#publishedVersion}, {@link Lake#repin}).
 */
public final class Publications {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Publications.class);
  private final Lake lake;
  private final SparkSession spark;

  Publications(Lake lake) {
    this.lake = lake;
    this.spark = lake.spark();
  }

  private static final String PUBLISHED_VERSION = "tp.published.version";
  private static final String PUBLISHED_RUN = "tp.published.run";
  /** Property of a {@code _current} view: the publication view it reads ({@link #publish}). */
  private static final String PUBLICATION = "tp.publication";

  /**
   * Publishes a stage run's tables in one step: every {@code <table>_current} view moves to the
   * version the run wrote, and a reader sees all of them move together, never some on the previous
   * run and some on this one. Hive views have no multi-object transaction, so the switch is one
   * object: the stage's publication view ({@link #publicationView}), one branch per table the stage
   * ever published,
   * <pre>
   * SELECT 'gold_market_share' AS tbl, 12L AS version, '&lt;run&gt;' AS run, struct(*) AS gold_market_share,
   *   NULL AS gold_expected, ... FROM (&lt;the latest as_of of gold.market_share VERSION AS OF 12&gt;)
   * UNION ALL SELECT 'gold_expected' AS tbl, ...
   * </pre>
   * and each {@code <table>_current} is {@code SELECT gold_market_share.* FROM <publication view>
   * WHERE tbl = 'gold_market_share'} ({@link #branch}), a text that does not change from run to run. Publication changes the
   * publication view in place (ALTER VIEW ... AS: one metastore update; CREATE OR REPLACE would drop
   * it first). Spark's analyzer resolves each relation once per query, views included, so a query
   * that reads several {@code _current} views of a stage sees one text of the publication view: one
   * run. The optimizer drops the other tables' branches (the tbl filter folds to false), so a query
   * scans only its own table; resolving the other branches' Delta snapshots is the price. A kill at
   * any point leaves the previous run visible, or the new one, whole. A {@code _current} view that
   * does not read the publication view yet (the first publication of a table by this stage, or a
   * table whose columns changed) is pointed at it right after the switch: that one step is per view.
   * No Delta commit, and no Spark job unless a table's latest as_of must be queried ({@link #latestAsOf}).
   * Tables without a published view are skipped. Returns the
   * tables published.
   */
  public List<Table> publish(String stage, List<Written> written, String runId) {
    Map<Table, Written> newest = new java.util.LinkedHashMap<>();
    java.util.Set<Table> created = new java.util.HashSet<>();
    for (Written w : written) {
      if (w.table().hasPublishedView()) {
        newest.merge(w.table(), w, (a, b) -> b.version() > a.version() ? b : a);
        if (w.latestAsOf() != null) {
          created.add(w.table());
        }
      }
    }
    if (newest.isEmpty()) {
      return List.of();
    }
    Map<Table, Long> versions = new java.util.LinkedHashMap<>();
    newest.forEach((t, w) -> versions.put(t, w.version()));
    String view = publicationView(stage, versions.keySet());
    Map<Table, Published> previous = publications(view);
    Map<Table, Published> entries = new java.util.LinkedHashMap<>(previous);
    newest.forEach((t, w) -> entries.put(t, new Published(w.version(), runId == null ? "" : runId,
        latestAsOf(w, created.contains(t), previous.get(t)))));
    setPublication(view, stage, entries);
    List<Map.Entry<Table, Long>> repoint = versions.entrySet().stream().filter(e -> !readsPublication(e.getKey(), view,
        e.getValue())).toList();
    org.territorypotential.ops.Parallel.map(repoint, lake.parallelWrites(), "tp-publish", e -> {
      pointAt(e.getKey(), view);
      return e.getKey();
    });
    return List.copyOf(versions.keySet());
  }

  /** A publication view's name before its stage: {@code published_<stage>}. */
  private static final String PUBLICATION_VIEW_PREFIX = "published_";

  /**
   * What a publication view names for one table: its Delta version, the run that wrote it, and the
   * table's latest as_of at that version (null: not known, and the {@code _current} view finds it
   * when read, {@link Table#currentViewSql(String, long, LocalDate)}).
   */
  public record Published(long version, String run, LocalDate latestAsOf) {}

  /**
   * The latest as_of of {@code w}'s table at its version, which its {@code _current} view shows. A
   * write of rows replaced the run date's partition, so the latest is the run date when the run
   * created the table, else the later of the run date and the latest the previous publication
   * named. Otherwise (no rows written, a view published before this was recorded, or a version
   * older than the published one) one query finds it, as the view would on every read; null when
   * the table has no row.
   */
  private LocalDate latestAsOf(Written w, boolean created, Published previous) {
    if (w.rows() > 0 && w.asOf() != null) {
      if (created) {
        return w.asOf();
      }
      if (previous != null && previous.latestAsOf() != null && previous.version() <= w.version()) {
        return previous.latestAsOf().isAfter(w.asOf()) ? previous.latestAsOf() : w.asOf();
      }
    }
    List<Row> top = spark.sql(Table.latestAsOfSql(lake.sqlName(w.table()), w.version())).collectAsList();
    return top.isEmpty() || top.get(0).isNullAt(0) ? null : top.get(0).getDate(0).toLocalDate();
  }

  /**
   * The view that holds the published version of every table of {@code stage} ({@link #publish}):
   * {@code published_<stage>} in the database of the most private layer among {@code tables}
   * (bronze before silver, gold and ops), because it holds their rows: ingest's stays beside the
   * bronze tables, whose personal data BI should not reach through another database.
   */
  public String publicationView(String stage, java.util.Collection<Table> tables) {
    Layer layer = tables.stream().map(t -> t.layer).min(java.util.Comparator.naturalOrder()).orElse(Layer.OPS);
    return lake.database(layer) + "." + Lake.identifier(PUBLICATION_VIEW_PREFIX + stage.toLowerCase(java.util.Locale.ROOT)
        .replaceAll("[^a-z0-9_]", "_"));
  }

  private static final java.util.regex.Pattern BRANCH = java.util.regex.Pattern.compile(
      "SELECT '([a-z0-9_]+)' AS tbl, (\\d+)L AS version, '((?:[^'\\\\]|\\\\.)*)' AS run"
      + "(?:, (?:DATE'(\\d{4}-\\d{2}-\\d{2})'|CAST\\(NULL AS DATE\\)) AS latest_as_of)?");

  /**
   * The tables {@code view} publishes, read from its text in the metastore (one look-up, no Spark
   * job): the text is the one thing publication changes, so what it names is what readers see.
   */
  private Map<Table, Published> publications(String view) {
    String text = viewText(view);
    Map<Table, Published> out = new java.util.LinkedHashMap<>();
    if (text == null) {
      return out;
    }
    java.util.regex.Matcher m = BRANCH.matcher(text);
    while (m.find()) {
      String name = m.group(1);
      java.util.Arrays.stream(Table.values()).filter(t -> branch(t).equals(name)).findFirst().ifPresent(t ->
          out.put(t, new Published(Long.parseLong(m.group(2)), m.group(3).replace("\\'", "'").replace("\\\\", "\\"),
              m.group(4) == null ? null : LocalDate.parse(m.group(4)))));
    }
    return out;
  }

  private String viewText(String view) {
    org.apache.spark.sql.catalyst.catalog.SessionCatalog catalog = spark.sessionState().catalog();
    org.apache.spark.sql.catalyst.TableIdentifier ti = tableId(view);
    if (!catalog.tableExists(ti)) {
      return null;
    }
    try {
      scala.Option<String> text = catalog.getTableMetadata(ti).viewText();
      return text.isDefined() ? text.get() : null;
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchDatabaseException
        | org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      return null;
    }
  }

  /** The catalog identifier of a {@code database.name} this class made (a view or table name). */
  public static org.apache.spark.sql.catalyst.TableIdentifier tableId(String qualified) {
    Map.Entry<String, String> id = split(qualified);
    return new org.apache.spark.sql.catalyst.TableIdentifier(id.getValue(), scala.Option.apply(id.getKey()));
  }

  private static Map.Entry<String, String> split(String qualified) {
    int dot = qualified.indexOf('.');
    return Map.entry(qualified.substring(0, dot), qualified.substring(dot + 1));
  }

  /**
   * The name of {@code t}'s branch in a publication view (its {@code tbl} value and its column):
   * {@code <layer>_<table>}, because a table name alone is not unique (bronze and silver
   * geo_units).
   */
  static String branch(Table t) {
    return Lake.identifier(t.layer.key + "_" + t.tableName);
  }

  /** Changes (or creates) the publication view of {@code stage} to show {@code entries}: the switch. */
  private void setPublication(String view, String stage, Map<Table, Published> entries) {
    String db = split(view).getKey();
    lake.ensureDatabase(db);
    List<String> branches = new ArrayList<>();
    for (Map.Entry<Table, Published> e : entries.entrySet()) {
      LocalDate latest = e.getValue().latestAsOf();
      StringBuilder b = new StringBuilder("SELECT '").append(branch(e.getKey())).append("' AS tbl, ")
          .append(e.getValue().version()).append("L AS version, '").append(Lake.escape(e.getValue().run())).append("' AS run, ")
          .append(latest == null ? "CAST(NULL AS DATE)" : "DATE'" + latest + "'").append(" AS latest_as_of");
      for (Table other : entries.keySet()) {
        b.append(", ").append(other == e.getKey() ? "struct(*)" : "NULL").append(" AS ").append(branch(other));
      }
      b.append(" FROM (").append(e.getKey().currentViewSql(lake.sqlName(e.getKey()), e.getValue().version(), latest)).append(')');
      branches.add(b.toString());
    }
    replaceView(view, "The published run of every table of stage " + stage + ": the _current views read it, and"
        + " publication switches them all at once by changing this view", Map.of(), String.join(" UNION ALL ", branches));
  }

  /** True when {@code <table>_current} reads {@code view} and has the columns of {@code t} at {@code version}. */
  private boolean readsPublication(Table t, String view, long version) {
    Map<String, String> props = viewProperties(t);
    if (props == null || !view.equals(props.get(PUBLICATION))) {
      return false;
    }
    org.apache.spark.sql.types.StructType shown = spark.sessionState().catalog().getTempViewOrPermanentTableMetadata(
        currentViewId(t)).schema();
    org.apache.spark.sql.types.StructType table = lake.readVersion(t, version).schema();
    return java.util.Arrays.equals(shown.fieldNames(), table.fieldNames());
  }

  /** {@code <table>_current} := the rows of {@code t} that publication view {@code view} names. */
  private void pointAt(Table t, String view) {
    String col = branch(t);
    replaceView(lake.currentViewName(t), t.currentViewComment(lake.sqlName(t)), Map.of(PUBLICATION, view),
        "SELECT " + col + ".* FROM " + view + " WHERE tbl = '" + col + "'");
  }

  /**
   * {@code <table>_current} of a lakehouse made before publication views: pinned to one version,
   * with the version and run in its properties. Kept for Maintenance's repin of such a view.
   */
  private void pin(Table t, long version, String runId) {
    replaceView(lake.currentViewName(t), t.currentViewComment(lake.sqlName(t)),
        Map.of(PUBLISHED_VERSION, Long.toString(version), PUBLISHED_RUN, runId == null ? "" : runId),
        t.currentViewSql(lake.sqlName(t), version));
  }

  /**
   * Makes view {@code name} show {@code sql} with {@code properties}, never dropping it: Spark's
   * CREATE OR REPLACE VIEW drops the view and creates it again, and a reader between the two gets
   * TABLE_OR_VIEW_NOT_FOUND. A view that exists is changed in place: ALTER VIEW ... AS (one metastore
   * update, the query and its columns), then its comment and properties. A missing view is created
   * (CREATE VIEW IF NOT EXISTS); when another process creates it meanwhile, it is changed in place.
   */
  void replaceView(String name, String comment, Map<String, String> properties, String sql) {
    StringBuilder p = new StringBuilder();
    new java.util.TreeMap<>(properties).forEach((k, v) ->
        p.append(", '").append(k).append("' = '").append(Lake.escape(v)).append('\''));
    if (!spark.catalog().tableExists(name)) {
      try {
        spark.sql("CREATE VIEW IF NOT EXISTS " + name + " COMMENT '" + Lake.escape(comment) + "'"
            + (properties.isEmpty() ? "" : " TBLPROPERTIES (" + p.substring(2) + ")") + " AS " + sql);
        return;
      } catch (Exception e) { // AnalysisException is checked in Java's eyes
        if (!Lake.alreadyExists(e)) {
          throw Lake.unchecked(e);
        }
        LOG.info("{} was created by another process meanwhile: changing it in place", name);
      }
    }
    spark.sql("ALTER VIEW " + name + " AS " + sql);
    spark.sql("ALTER VIEW " + name + " SET TBLPROPERTIES ('comment' = '" + Lake.escape(comment) + "'" + p + ")");
  }

  /**
   * The version {@code <table>_current} shows: the entry of its publication view, or for a view made
   * before publication views, its property; empty when nothing was published yet. A view made
   * before publication existed (no property) showed the table's latest version, which is returned
   * then. Metastore look-ups, no Spark job.
   */
  public java.util.OptionalLong publishedVersion(Table t) {
    Map<String, String> props = viewProperties(t);
    if (props == null) {
      return java.util.OptionalLong.empty();
    }
    if (props.containsKey(PUBLICATION)) {
      Published p = publications(props.get(PUBLICATION)).get(t);
      return p == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(p.version());
    }
    String v = props.get(PUBLISHED_VERSION);
    return v != null ? java.util.OptionalLong.of(Long.parseLong(v)) : java.util.OptionalLong.of(lake.version(t));
  }

  /** The run {@code <table>_current} shows, or null. */
  public String publishedRun(Table t) {
    Map<String, String> props = viewProperties(t);
    if (props == null) {
      return null;
    }
    if (props.containsKey(PUBLICATION)) {
      Published p = publications(props.get(PUBLICATION)).get(t);
      return p == null ? null : p.run();
    }
    return props.get(PUBLISHED_RUN);
  }

  /**
   * The publication view a {@code _current} view reads, from that view's table properties (its
   * metastore entry), or null when it reads none.
   */
  public static String publicationOf(Map<String, String> viewProperties) {
    return viewProperties.get(PUBLICATION);
  }

  private org.apache.spark.sql.catalyst.TableIdentifier currentViewId(Table t) {
    return new org.apache.spark.sql.catalyst.TableIdentifier(Lake.identifier(t.tableName) + "_current",
        scala.Option.apply(lake.database(t.layer)));
  }

  private Map<String, String> viewProperties(Table t) {
    org.apache.spark.sql.catalyst.catalog.SessionCatalog catalog = spark.sessionState().catalog();
    if (!catalog.tableExists(currentViewId(t))) {
      return null;
    }
    try {
      return scala.collection.JavaConverters.mapAsJavaMap(catalog.getTableMetadata(currentViewId(t)).properties());
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchDatabaseException
        | org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      return null;
    }
  }

  /**
   * Moves {@code <table>_current} from {@code from} to {@code to} when it shows {@code from}: for a
   * commit that changes files but no rows (OPTIMIZE), so that VACUUM does not delete the files of the
   * published version. A view on another version (newer commits are not published) is left alone.
   * The table's entry in its publication view changes; the other tables' stay.
   */
  public boolean repin(Table t, long from, long to) {
    java.util.OptionalLong v = publishedVersion(t);
    if (!t.hasPublishedView() || v.isEmpty() || v.getAsLong() != from || from == to) {
      return false;
    }
    Map<String, String> props = viewProperties(t);
    String view = props.get(PUBLICATION);
    if (view == null) {
      pin(t, to, props.get(PUBLISHED_RUN));
      return true;
    }
    Map<Table, Published> entries = new java.util.LinkedHashMap<>(publications(view));
    // OPTIMIZE rewrites files, not rows: the latest as_of stays
    entries.put(t, new Published(to, entries.get(t).run(), entries.get(t).latestAsOf()));
    setPublication(view, split(view).getValue().substring(PUBLICATION_VIEW_PREFIX.length()), entries);
    return true;
  }

  /**
   * After {@link Lake#register} (a table registered again, its columns maybe changed): its
   * {@code _current} view is made again from what it showed, on its publication view or pinned to
   * its version; a table never published keeps none.
   */
  void reregister(Table t) {
    Map<String, String> viewProps = t.hasPublishedView() ? viewProperties(t) : null;
    if (viewProps != null && viewProps.containsKey(PUBLICATION)) {
      pointAt(t, viewProps.get(PUBLICATION));
    } else if (viewProps != null) {
      java.util.OptionalLong published = publishedVersion(t);
      pin(t, published.getAsLong(), publishedRun(t));
    }
  }
}
