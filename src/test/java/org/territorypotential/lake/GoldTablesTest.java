package org.territorypotential.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/**
 * Gold tables as Delta done properly: CHECK constraints reject out-of-range rows, _current views
 * show the latest run, registration is idempotent, and maintain compacts and vacuums.
 */
class GoldTablesTest {
  static final LocalDate MAY = LocalDate.parse("2024-05-31");
  static final LocalDate JUNE = LocalDate.parse("2024-06-30");

  /**
   * A table written under an older catalog entry (here market_data_quality without its
   * description column) gains the declared column on its next write, with no manual migration:
   * the earlier run date reads it as null, the view shows it. (Delta appends it after the table's
   * other columns.)
   */
  @Test
  void aTableThatLacksADeclaredColumnGainsItOnItsNextWrite() {
    SparkSession spark = TestSpark.session();
    Table t = Table.MARKET_DATA_QUALITY;
    Lake src = new Lake(spark, TestSpark.config("gold_evolve_src", Map.of()));
    org.territorypotential.TestTables.write(src, t, GoldTablesTestFixtures.quality(spark, MAY, "r1", 0.1), MAY, null);
    Lake lake = new Lake(spark, TestSpark.config("gold_evolve", Map.of()));
    src.read(t).drop("description").write().format("delta").partitionBy("as_of").save(lake.path(t));
    assertTrue(!List.of(lake.read(t).columns()).contains("description"));

    lake.publish("test", List.of(org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "r2", 0.2),
        JUNE, null)), "r2");
    // Delta appends a merged column after the others; every reader selects by name
    List<String> declared = new java.util.ArrayList<>(List.of(t.schema().fieldNames()));
    declared.remove("description");
    declared.add("description");
    assertEquals(declared, List.of(lake.read(t).columns()), "the declared columns, the added one last");
    List<Row> byDate = lake.read(t).groupBy("as_of").agg(org.apache.spark.sql.functions.count("description"),
        org.apache.spark.sql.functions.count("*")).orderBy("as_of").collectAsList();
    assertEquals("[[" + MAY + ",0,4], [" + JUNE + ",4,4]]", byDate.toString());
    assertEquals(4L, spark.sql("SELECT count(description) FROM " + lake.currentViewName(t)).first().getLong(0));
  }

  /**
   * A run that fails after writing a table it created: the rollback deletes the run's rows (there is
   * no earlier version to restore), publishes no view, and keeps the staged rows at version 0.
   */
  @Test
  void aFailedRunRollsBackATableItCreated() {
    SparkSession spark = TestSpark.session();
    Lake lake = new Lake(spark, TestSpark.config("gold_rollback", Map.of()));
    Table t = Table.MARKET_DATA_QUALITY;
    Lake.openStaging("bad");
    org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "bad", 0.1), JUNE, "bad", null);
    List<Lake.Staged> staged = Lake.closeStaging("bad");
    assertEquals(1, staged.size(), staged.toString());
    assertEquals(-1, staged.get(0).before(), "the write created the table");
    assertEquals(List.of(lake.sqlName(t) + " VERSION AS OF 0 (table created by this run, its rows deleted)"), lake.rollBack(staged));
    assertEquals(0, lake.read(t).count());
    assertTrue(lake.publishedVersion(t).isEmpty(), "nothing published: no view");
    assertEquals(4, lake.readVersion(t, 0).collectAsList().size(), "the staged rows stay readable");
  }

  /**
   * A staged run's writes first run its barrier (the runner's wait for the run's "running" row in
   * job_runs, which commits on a thread of its own): a barrier that fails fails the write before
   * anything is committed, and once the staging is closed the barrier no longer applies.
   */
  @Test
  void aStagedWriteWaitsForItsBarrier() {
    SparkSession spark = TestSpark.session();
    Lake lake = new Lake(spark, TestSpark.config("gold_barrier", Map.of()));
    Table t = Table.MARKET_DATA_QUALITY;
    java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();
    Lake.openStaging("blocked", () -> {
      waits.incrementAndGet();
      throw new IllegalStateException("job_runs is not writable");
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> org.territorypotential.TestTables.write(
        lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "blocked", 0.1), JUNE, "blocked", null));
    assertEquals("job_runs is not writable", e.getMessage());
    assertEquals(1, waits.get());
    assertEquals(List.of(), Lake.closeStaging("blocked"), "nothing staged");
    assertFalse(lake.exists(t), "nothing committed");
    org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "blocked", 0.1), JUNE, "blocked", null);
    assertEquals(1, waits.get(), "closed: no barrier");
    assertEquals(4, lake.read(t).count());
  }

  /**
   * A stage reads its inputs at their published version (Lake#inputVersion): the commit of a run that
   * was never published (killed after its write, before its audit and publication) does not reach a
   * later stage, as it does not reach the _current view. A table never published is read at its newest
   * version, and a later publication moves what stages read.
   */
  @Test
  void stagesReadTheirInputsAtThePublishedVersion() {
    SparkSession spark = TestSpark.session();
    Lake lake = new Lake(spark, TestSpark.config("gold_published_input", Map.of()));
    Table t = Table.MARKET_DATA_QUALITY;
    Lake.Written first = org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "first", 0.1), JUNE, "first", null);
    java.util.function.Supplier<List<Object>> shares = () -> lake.readPinned(t, JUNE, new java.util.HashMap<>())
        .select("share").distinct().collectAsList().stream().map(r -> r.get(0)).collect(Collectors.toList());
    assertEquals(List.of(0.1), shares.get(), "never published: the newest version");
    lake.publish("test", List.of(first), "first");
    Lake.Written killed = org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "killed", 0.2), JUNE, "killed", null);
    assertTrue(killed.version() > first.version());
    Map<String, Long> versions = new java.util.HashMap<>();
    lake.readPinned(t, JUNE, versions);
    assertEquals(first.version(), versions.get(lake.sqlName(t)), "the lineage names the version read");
    assertEquals(List.of(0.1), shares.get(), "the unpublished run's rows do not reach a stage");
    lake.publish("test", List.of(killed), "killed");
    assertEquals(List.of(0.2), shares.get(), "published: now read");
  }

  /**
   * A _current view filters on the latest as_of its publication recorded, instead of finding it on
   * every read (a scalar subquery over the table's files, at each of serve-sql's queries): a run
   * that created the table records its run date, a later run the later of its own and the recorded
   * one (an older run date published after a newer one leaves the view on the newer), and a run
   * that wrote no rows finds it with one query, and so does a run publishing over a view that older
   * code wrote (no recorded date). The rows shown are the same as with the subquery.
   */
  @Test
  void theCurrentViewFiltersOnTheLatestAsOfThePublicationRecorded() {
    SparkSession spark = TestSpark.session();
    Lake lake = new Lake(spark, TestSpark.config("gold_latest_as_of", Map.of()));
    Table t = Table.MARKET_DATA_QUALITY;
    String view = lake.publications().publicationView("test", List.of(t));
    java.util.function.Supplier<String> recorded = () -> String.valueOf(spark.sql("SELECT latest_as_of FROM " + view)
        .first().get(0));
    java.util.function.Supplier<String> shown = () -> spark.sql("SELECT DISTINCT as_of, run_id FROM " + lake.currentViewName(t))
        .collectAsList().stream().map(r -> r.get(0) + " " + r.get(1)).sorted().collect(Collectors.joining(", "));
    java.util.function.Consumer<Lake.Written> publish = w -> lake.publish("test", List.of(w), w.version() + "");

    publish.accept(org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, MAY, "r1", 0.1), MAY, null));
    assertEquals(MAY.toString(), recorded.get(), "the creating run's date");
    assertEquals(MAY + " r1", shown.get());
    String text = spark.sql("SHOW CREATE TABLE " + view).first().getString(0);
    assertTrue(text.contains("WHERE as_of = DATE'" + MAY + "'") && !text.contains("ORDER BY as_of DESC"),
        "a partition filter, no subquery: " + text);

    // the publication view as code before the recorded date wrote it: no latest_as_of, a subquery per read
    long first = spark.sql("SELECT version FROM " + view).first().getLong(0);
    spark.sql("ALTER VIEW " + view + " AS SELECT '" + Publications.branch(t) + "' AS tbl, " + first + "L AS version, 'r1' AS run,"
        + " struct(*) AS " + Publications.branch(t) + " FROM (" + t.currentViewSql(lake.sqlName(t), first) + ")");
    assertEquals(MAY + " r1", shown.get(), "the old form shows the same run");
    publish.accept(org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "r2", 0.2), JUNE, null));
    assertEquals(JUNE.toString(), recorded.get(), "republished over the old form: the date found by one query");
    assertEquals(JUNE + " r2", shown.get());
    assertFalse(spark.sql("SHOW CREATE TABLE " + view).first().getString(0).contains("ORDER BY as_of DESC"));

    publish.accept(org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, MAY, "r3", 0.3), MAY, null));
    assertEquals(JUNE.toString(), recorded.get(), "an older run date published later leaves the latest");
    assertEquals(JUNE + " r2", shown.get());

    publish.accept(org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "r4", 0.4).limit(0),
        JUNE, "r4", null));
    assertEquals(MAY.toString(), recorded.get(), "June replaced by no rows: the latest as_of left is May's");
    assertEquals(MAY + " r3", shown.get());
  }

  /** Every table has its own branch name in a publication view, though table names repeat across layers. */
  @Test
  void publicationBranchesAreUniqueAcrossLayers() {
    List<Table> published = java.util.Arrays.stream(Table.values()).filter(Table::hasPublishedView).toList();
    assertTrue(published.stream().map(t -> t.tableName).distinct().count() < published.size(), "table names repeat (geo_units)");
    assertEquals(published.size(), published.stream().map(Publications::branch).distinct().count());
  }

  /** Rows of ingest_reconciliation for one run: 2 sources. */
  private static Dataset<Row> reconciliation(SparkSession spark, String run) {
    return spark.sql("SELECT source, 'f.csv' AS source_file, 10L AS rows_read, 10L AS rows_accepted, 0L AS rows_quarantined,"
        + " 0L AS rows_excluded, CAST(NULL AS STRING) AS excluded_reason, '" + run + "' AS run_id, DATE'" + JUNE + "' AS as_of"
        + " FROM VALUES ('registrations'), ('dealers') AS s(source)");
  }

  /**
   * Publication switches a stage's views together (issue 23): two tables of one stage are published
   * again and again, alternating between two runs, while another thread asks both _current views in
   * one query. Every answer names one run for both tables, never one table on each; the reader saw
   * both runs, so it did read during the switches (with one CREATE OR REPLACE VIEW per table, it
   * saw a view missing, or the two tables on different runs).
   */
  @Test
  void aReaderDuringPublicationSeesOneRun() throws Exception {
    SparkSession spark = TestSpark.session();
    Lake lake = new Lake(spark, TestSpark.config("gold_atomic_publish", Map.of()));
    Table a = Table.MARKET_DATA_QUALITY;
    Table b = Table.INGEST_RECONCILIATION;
    List<List<Lake.Written>> runs = new java.util.ArrayList<>();
    for (String run : List.of("r0", "r1")) {
      runs.add(List.of(
          org.territorypotential.TestTables.write(lake, a, GoldTablesTestFixtures.quality(spark, JUNE, run, 0.1), JUNE, run, null),
          org.territorypotential.TestTables.write(lake, b, reconciliation(spark, run), JUNE, run, null)));
    }
    lake.publish("stage", runs.get(0), "r0");
    String both = "SELECT 'a', run_id FROM " + lake.currentViewName(a) + " UNION ALL SELECT 'b', run_id FROM "
        + lake.currentViewName(b);
    // per table, the runs its view showed: one answer is one query
    java.util.function.Supplier<List<String>> ask = () -> {
      Map<String, java.util.TreeSet<String>> seen = new java.util.TreeMap<>();
      spark.sql(both).collectAsList().forEach(r -> seen.computeIfAbsent(r.getString(0), k -> new java.util.TreeSet<>()).add(r.getString(1)));
      return seen.values().stream().map(x -> String.join("+", x)).toList();
    };
    assertEquals(List.of("r0", "r0"), ask.get());

    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    List<List<String>> answers = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.concurrent.Future<?> reader = java.util.concurrent.Executors.newSingleThreadExecutor().submit(() -> {
      while (!done.get()) {
        answers.add(ask.get());
      }
    });
    int publications = 0;
    try {
      while (publications < 40 && (answers.size() < 6
          || List.copyOf(answers).stream().map(x -> x.get(0)).distinct().count() < 2)) {
        int i = (publications + 1) % 2;
        lake.publish("stage", runs.get(i), "r" + i);
        publications++;
      }
    } finally {
      done.set(true);
    }
    reader.get();
    List<List<String>> mixed = answers.stream().filter(x -> x.size() != 2 || x.stream().distinct().count() != 1
        || x.get(0).contains("+")).toList();
    System.out.printf("publication: %d publications, %d reader queries, %d mixed%n", publications, answers.size(), mixed.size());
    assertEquals(List.of(), mixed, "every answer names one run");
    assertEquals(2, answers.stream().map(x -> x.get(0)).distinct().count(), "the reader read during the switches: " + answers);

    // The views read one text of the publication view; what stages read is what it names.
    String shown = lake.publishedRun(a);
    assertEquals(shown, lake.publishedRun(b));
    assertEquals(runs.get(shown.equals("r0") ? 0 : 1).get(0).version(), lake.inputVersion(a), "stages read the published run");
    assertEquals(lake.sqlName(a).split("\\.")[0] + ".published_stage", lake.publications().publicationView("stage", List.of(a, b)),
        "the publication view is in the most private database of the stage's tables (gold before ops)");
    assertEquals(Map.of("gold_market_data_quality", shown, "ops_ingest_reconciliation", shown),
        spark.sql("SELECT DISTINCT tbl, run FROM " + lake.publications().publicationView("stage", List.of(a, b))).collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(1), (x, y) -> x + "+" + y)),
        "SELECT DISTINCT tbl, run FROM the publication view lists what is published");
  }

  @Test
  void constraintsViewsAndMaintenance() {
    SparkSession spark = TestSpark.session();
    AppConfig cfg = TestSpark.config("gold_props", Map.of());
    Lake lake = new Lake(spark, cfg);
    Table t = Table.MARKET_DATA_QUALITY;
    org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, MAY, "r1", 0.1), MAY, null);
    Lake.Written r2 = org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "r2", 0.2), JUNE, null);
    lake.publish("test", List.of(r2), "r2");
    Lake.Written r3 = org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "r3", 0.3), JUNE, null);
    long v = r3.version();
    // Committed is not published: the view stays on r2 until r3 is published.
    String viewRuns = "SELECT DISTINCT run_id FROM " + lake.currentViewName(t);
    assertEquals(List.of("r2"), spark.sql(viewRuns).collectAsList().stream().map(x -> x.getString(0)).toList());
    assertEquals(r2.version(), lake.publishedVersion(t).getAsLong());
    lake.publish("test", List.of(r3), "r3");
    assertEquals("r3", lake.publishedRun(t));

    // Constraints declared in the catalog are on the table; registering again commits nothing.
    Map<String, String> props = io.delta.tables.DeltaTable.forPath(spark, lake.path(t)).detail()
        .select("properties").first().getJavaMap(0);
    for (Table.Check c : t.checks()) {
      assertEquals(c.expression().replaceAll("\\s+", ""), props.get("delta.constraints." + c.name()).replaceAll("\\s+", ""),
          c.name());
    }
    lake.register(t);
    assertEquals(v, lake.version(t), "re-registering is not a new version");
    assertEquals(null, props.get("delta.checkpointInterval"), "a table the stages read keeps Delta's checkpoint interval");
    // The run log, written by every run and read by people only, checkpoints every 100 commits: when
    // created, and when a table written without it (older code) is registered.
    org.territorypotential.ops.JobRuns.started(lake, org.territorypotential.ops.RunContext.start("test", JUNE), "{}");
    java.util.function.Function<Table, String> interval = x -> io.delta.tables.DeltaTable.forPath(spark, lake.path(x)).detail()
        .select("properties").first().<String, String>getJavaMap(0).get("delta.checkpointInterval");
    assertEquals("100", interval.apply(Table.JOB_RUNS), "created with it");
    spark.createDataFrame(List.of(), Table.DQ_RESULTS.schema()).write().format("delta").save(lake.path(Table.DQ_RESULTS));
    assertEquals(null, interval.apply(Table.DQ_RESULTS));
    lake.register(Table.DQ_RESULTS);
    assertEquals("100", interval.apply(Table.DQ_RESULTS), "registered with it");

    // An out-of-range share is rejected and nothing is committed.
    Exception e = assertThrows(Exception.class, () -> org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, JUNE, "bad", 1.5), JUNE, null));
    assertTrue(String.valueOf(e.getMessage()).contains("share_range"), e.getMessage());
    assertEquals(v, lake.version(t));
    assertThrows(Exception.class, () -> org.territorypotential.TestTables.write(lake, t,
        GoldTablesTestFixtures.quality(spark, JUNE, "bad", 0.5).withColumn("affected", org.apache.spark.sql.functions.lit(-1L)), JUNE, null));
    assertEquals(v, lake.version(t));

    // The _current view: the latest as_of only, the rerun's rows (no duplicates).
    List<Row> current = spark.sql("SELECT as_of, run_id, count(*) FROM " + lake.currentViewName(t) + " GROUP BY 1, 2").collectAsList();
    assertEquals(1, current.size(), current.toString());
    assertEquals(java.sql.Date.valueOf(JUNE), current.get(0).getDate(0));
    assertEquals("r3", current.get(0).getString(1));
    assertEquals(4L, current.get(0).getLong(2));
    assertEquals(8L, lake.read(t).count(), "May kept");
    String comment = spark.sql("DESCRIBE TABLE " + lake.sqlName(t)).where("col_name = 'share'").first().getString(2);
    assertEquals(t.columnComments().get("share"), comment, "column comment from the catalog");

    // Time travel to the run before the rerun.
    long r2Version = v - 1;
    assertEquals(List.of("r2"), spark.sql("SELECT DISTINCT run_id FROM " + lake.sqlName(t) + " VERSION AS OF " + r2Version
        + " WHERE as_of = DATE'" + JUNE + "'").collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toList()));

    // Retention under 7 days is refused unless explicitly allowed.
    ConfigError refused = assertThrows(ConfigError.class, () -> Maintenance.run(spark,
        TestSpark.config("gold_props", Map.of("tp.maintenance.retention-hours", "0")), List.of(t), System.out));
    assertTrue(refused.getMessage().contains("168"), refused.getMessage());

    AppConfig now = TestSpark.config("gold_props", Map.of("tp.maintenance.retention-hours", "0",
        "tp.maintenance.allow-short-retention", "true",
        "tp.maintenance.zorder.\"gold.market_data_quality\"", "check_name"));
    String listing = spark.conf().get("spark.sql.sources.parallelPartitionDiscovery.parallelism");
    List<Maintenance.Outcome> done = Maintenance.run(spark, now, List.of(t, Table.DEMAND_FORECAST), System.out);
    assertEquals(1, done.size(), "only existing tables: " + done);
    Maintenance.Outcome o = done.get(0);
    assertEquals(List.of("check_name"), o.zorder());
    assertEquals(4, o.filesBefore(), "2 files in each of 2 partitions: " + o);
    assertEquals(2, o.filesAfterOptimize(), "one file per partition after OPTIMIZE: " + o);
    assertTrue(o.filesVacuumed() >= 4, "the replaced and compacted files are deleted: " + o);
    assertTrue(o.versionAfter() > o.versionBefore(), o.toString());
    assertEquals(8L, lake.read(t).count(), "maintenance changes no rows");
    assertTrue(lake.publishedVersion(t).getAsLong() > v, "the view moved to OPTIMIZE's version (VACUUM's own commits come after)");
    assertEquals(4, spark.sql("SELECT * FROM " + lake.currentViewName(t)).collectAsList().size(),
        "the view reads files VACUUM kept (collect reads them)");
    assertEquals("true", spark.conf().get("spark.databricks.delta.retentionDurationCheck.enabled"), "safety check restored");
    assertEquals(listing, spark.conf().get("spark.sql.sources.parallelPartitionDiscovery.parallelism"), "listing parallelism restored");
    assertThrows(Exception.class, () -> spark.sql("SELECT * FROM " + lake.sqlName(t) + " VERSION AS OF " + r2Version).collectAsList(),
        "versions before the retention are gone after VACUUM (collect reads the files; count could be answered from the log's stats)");
  }
}
