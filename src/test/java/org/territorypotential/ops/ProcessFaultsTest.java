package org.territorypotential.ops;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.cli.Main;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;

/**
 * Process faults (issue 7 item 6, issue 23), on one small generated lakehouse:
 * <ol>
 *   <li>an uninterrupted {@code ingest} (in this JVM) is the reference, published;</li>
 *   <li>a child JVM reruns {@code ingest} and is SIGKILLed between two of its commits (as soon as one
 *       bronze table has a new Delta version): every bronze {@code _current} view still shows the
 *       reference run, whole (write-audit-publish: a stage's views move only after its last commit and
 *       its checks), the tables themselves hold what the killed run committed, and {@code job_runs}
 *       shows the killed run as running only;</li>
 *   <li>the rerun is two runs of {@code ingest} for the same as_of at once (two threads, two run ids, one
 *       shared metastore, as two drivers with an external metastore would be): Delta's optimistic
 *       concurrency lets one commit win per table and the other retries or fails; afterwards at
 *       least one run succeeded, a failed one says so in one line and in job_runs, the tables hold the
 *       uninterrupted run's rows once, and every view shows one run that succeeded.</li>
 * </ol>
 * Only the kill needs a process of its own; everything else runs in the suite's JVM (warm), which
 * keeps the test inside the CI budget. The child has its own embedded metastore (Derby under the
 * lakehouse); both sides write the same Delta tables by path, and the views live in the suite's
 * metastore (the child's publication would go to its own, but it is killed before it publishes).
 */
class ProcessFaultsTest {
  private static final String AS_OF = "2024-06-30";
  private static final List<String> OPENS = org.territorypotential.spark.LocalMetastore.OPENS;
  /** Lineage columns that differ between runs by design. */
  private static final Set<String> PER_RUN = Set.of("run_id", "ingested_at");

  private final File lakehouse = new File(TestSpark.dir("procfaults"), "lake");

  /** The one list of settings: the children's and this JVM's runs, and the Lake the test reads through. */
  private Map<String, String> settings() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("tp.lakehouse", lakehouse.getAbsolutePath());
    m.put("tp.generate.output", new File(lakehouse, "landing").getAbsolutePath());
    m.put("tp.generate.registrations", "3000");
    m.put("tp.generate.geo-units", "60");
    m.put("tp.generate.months", "12");
    m.put("tp.spark.master", "local[2]");
    m.put("tp.spark.shuffle-partitions", "2");
    m.put("tp.spark.ui-enabled", "false");
    // the killed child opens its own embedded Derby (what the kill step documents), not a service
    m.put("tp.metastore.local", "embedded");
    for (String layer : List.of("bronze", "silver", "gold", "ops")) {
      m.put("tp.databases." + layer, "procfaults_" + layer);
    }
    return m;
  }

  private String[] args(String command) {
    List<String> a = new ArrayList<>(List.of(command, "--as-of", AS_OF));
    settings().forEach((k, v) -> a.addAll(List.of("--set", k + "=" + v)));
    return a.toArray(new String[0]);
  }

  /** A command in this JVM (the suite's shared session); returns exit code and what it printed. */
  private Map.Entry<Integer, String> inProcess(String command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.run(args(command), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    return Map.entry(code, out.toString(StandardCharsets.UTF_8));
  }

  private Process child(String command, File log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
    cmd.add("-Xmx1g");
    cmd.addAll(OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.territorypotential.cli.Main"));
    cmd.addAll(Arrays.asList(args(command)));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }

  private static List<Row> comparable(Dataset<Row> d) {
    String[] keep = Arrays.stream(d.columns()).filter(c -> !PER_RUN.contains(c)).toArray(String[]::new);
    return d.selectExpr(keep).collectAsList().stream().sorted((x, y) -> x.toString().compareTo(y.toString()))
        .collect(Collectors.toList());
  }

  @Test
  void killedMidWriteThenRerunAndConcurrentRuns() throws Exception {
    long t0 = System.nanoTime();
    Lake lake = new Lake(TestSpark.session(), TestSpark.config("procfaults", settings()));
    // 1. Generate and an uninterrupted ingest: the reference.
    lakehouse.mkdirs();
    Map.Entry<Integer, String> r = inProcess("generate");
    assertEquals(Main.OK, r.getKey(), r.getValue());
    r = inProcess("ingest");
    assertEquals(Main.OK, r.getKey(), r.getValue());
    long v0 = lake.version(Table.REGISTRATIONS_BRONZE);
    List<Row> reference = comparable(lake.read(Table.REGISTRATIONS_BRONZE));
    assertTrue(reference.size() > 1000, "reference rows " + reference.size());
    List<Table> bronze = Arrays.stream(Table.values()).filter(t -> t.layer == org.territorypotential.lake.Layer.BRONZE
        && new File(lake.path(t)).isDirectory()).collect(Collectors.toList());
    Map<Table, Long> counts = bronze.stream().collect(Collectors.toMap(t -> t, t -> lake.read(t).count()));
    System.out.printf("faults: reference ingest at version %d (%d rows) after %.0f s%n", v0, reference.size(),
        (System.nanoTime() - t0) / 1e9);

    // 2. Rerun in a child JVM; SIGKILL it between two of its commits: as soon as one bronze table has a
    // new Delta version, while others have not. Readers of the _current views must still see the
    // reference run, whole; the tables themselves hold what the killed run committed.
    Map<Table, Long> versions = bronze.stream().collect(Collectors.toMap(t -> t, lake::version));
    String referenceRun = lake.publishedRun(Table.REGISTRATIONS_BRONZE);
    assertTrue(referenceRun != null && referenceRun.startsWith("ingest-"), "the reference run is published: " + referenceRun);
    File log = new File(lakehouse.getParentFile(), "killed-child.log");
    Process p = child("ingest", log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    boolean committed = false;
    while (System.nanoTime() < deadline && p.isAlive() && !committed) {
      for (Table t : bronze) {
        if (new File(lake.path(t), String.format("_delta_log/%020d.json", versions.get(t) + 1)).exists()) {
          committed = true;
          break;
        }
      }
      Thread.sleep(2);
    }
    p.destroyForcibly();
    p.waitFor();
    assertTrue(committed, () -> "the child never committed a bronze table: " + read(log));
    List<Table> moved = bronze.stream().filter(t -> lake.version(t) > versions.get(t)).collect(Collectors.toList());
    System.out.printf("faults: child killed (SIGKILL) between its commits after %.0f s: %d of %d bronze tables committed %s%n",
        (System.nanoTime() - t0) / 1e9, moved.size(), bronze.size(), moved);
    assertTrue(!moved.isEmpty() && moved.size() < bronze.size(), "killed between two commits: " + moved);
    for (Table t : bronze) {
      assertEquals(referenceRun, lake.publishedRun(t), "the view of " + t + " stays on the reference run");
      assertEquals(List.of(referenceRun), spark(lake, "SELECT DISTINCT run_id FROM " + lake.currentViewName(t)), t.toString());
    }
    assertEquals(reference, comparable(lake.spark().table(lake.currentViewName(Table.REGISTRATIONS_BRONZE))),
        "the view reads the reference rows");
    Table first = moved.get(0);
    assertTrue(lake.read(first).where(col("run_id").notEqual(referenceRun)).count() > 0,
        "the table itself has the killed run's commit: " + first);
    List<Row> runs = lake.read(Table.JOB_RUNS).where(col("job").equalTo("ingest"))
        .groupBy("run_id").agg(org.apache.spark.sql.functions.collect_set("status").as("s")).collectAsList();
    assertEquals(2, runs.size(), "two ingest runs recorded: " + runs);
    long killed = runs.stream().filter(x -> x.getList(1).equals(List.of("running"))).count();
    assertEquals(1, killed, "the killed run shows only 'running', never 'succeeded': " + runs);

    // 3. The rerun after the kill is two runs of the same stage and as_of at once: each must end
    // cleanly (exit 0, or exit 1 with its reason), at least one must succeed, and the tables must
    // hold the uninterrupted run's rows once.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Map.Entry<Integer, String>>> both = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        both.add(pool.submit(() -> {
          go.await();
          return inProcess("ingest");
        }));
      }
      go.countDown();
      Map.Entry<Integer, String> a = both.get(0).get(600, TimeUnit.SECONDS);
      Map.Entry<Integer, String> b = both.get(1).get(600, TimeUnit.SECONDS);
      String outs = "A exit " + a.getKey() + ":\n" + a.getValue() + "\nB exit " + b.getKey() + ":\n" + b.getValue();
      System.out.println(outs);
      assertTrue(a.getKey() == Main.OK || b.getKey() == Main.OK, "one rerun wins: " + outs);
      for (Map.Entry<Integer, String> run : List.of(a, b)) {
        if (run.getKey() != Main.OK) {
          assertEquals(Main.FAILED, run.getKey(), outs);
          assertTrue(run.getValue().lines().anyMatch(l -> l.startsWith("tp: error: ingest failed:")), "one-line reason: " + outs);
        }
      }
      List<Row> after = comparable(lake.read(Table.REGISTRATIONS_BRONZE));
      assertEquals(reference.size(), after.size(), "no duplicated rows");
      assertEquals(reference, after, "the rerun's rows equal the uninterrupted run's");
      assertEquals(counts, bronze.stream().collect(Collectors.toMap(t -> t, t -> lake.read(t).count())),
          "every bronze table keeps its row count");
      // Each view shows one run that succeeded (two runs at once may each publish some of the tables last).
      Set<String> viewRuns = new java.util.TreeSet<>();
      for (Table t : bronze) {
        List<String> r1 = spark(lake, "SELECT DISTINCT run_id FROM " + lake.currentViewName(t));
        assertEquals(1, r1.size(), t + ": " + r1);
        viewRuns.addAll(r1);
      }
      assertEquals(reference, comparable(lake.spark().table(lake.currentViewName(Table.REGISTRATIONS_BRONZE))));
      for (String run : viewRuns) {
        assertEquals(1, lake.read(Table.JOB_RUNS).where(col("run_id").equalTo(run).and(col("status").equalTo("succeeded"))).count(),
            "a view shows only a run that succeeded: " + run);
      }
      System.out.println("faults: after the concurrent reruns the bronze views show run(s) " + viewRuns);
      Dataset<Row> ingestRuns = lake.read(Table.JOB_RUNS).where(col("job").equalTo("ingest"));
      long succeeded = ingestRuns.where(col("status").equalTo("succeeded")).count();
      long failed = ingestRuns.where(col("status").equalTo("failed")).count();
      int exited0 = (a.getKey() == Main.OK ? 1 : 0) + (b.getKey() == Main.OK ? 1 : 0);
      assertEquals(1 + exited0, succeeded, "one succeeded row per run that exited 0: " + outs);
      assertEquals(2 - exited0, failed, "one failed row per run that failed: " + outs);
      System.out.printf("faults: two concurrent reruns: exits %d and %d, bronze registrations versions %d -> %d;"
          + " %.0f s in all%n", a.getKey(), b.getKey(), v0, lake.version(Table.REGISTRATIONS_BRONZE),
          (System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<String> spark(Lake lake, String sql) {
    return lake.spark().sql(sql).collectAsList().stream().map(r -> r.getString(0)).sorted().collect(Collectors.toList());
  }

  private static String read(File f) {
    try {
      String s = Files.readString(f.toPath(), StandardCharsets.UTF_8);
      return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
