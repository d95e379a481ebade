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
 * Process faults (issue 7 item 6), on one small generated lakehouse:
 * <ol>
 *   <li>an uninterrupted {@code ingest} (in this JVM) is the reference;</li>
 *   <li>a child JVM reruns {@code ingest} and is SIGKILLed as soon as a new data file of bronze
 *       registrations appears (inside its Delta write): the table still reads at its previous
 *       version with the reference rows, and {@code job_runs} shows the killed run as running only;</li>
 *   <li>the rerun is two runs of {@code ingest} for the same as_of at once (two threads, two run ids, one
 *       shared metastore, as two drivers with an external metastore would be): Delta's optimistic
 *       concurrency lets one commit win per table and the other retries or fails; afterwards at
 *       least one run succeeded, a failed one says so in one line and in job_runs, and the tables
 *       hold the uninterrupted run's rows once.</li>
 * </ol>
 * Only the kill needs a process of its own; everything else runs in the suite's JVM (warm), which
 * keeps the test inside the CI budget. The child has its own embedded metastore (Derby under the
 * lakehouse); both sides write the same Delta tables by path.
 */
class ProcessFaultsTest {
  private static final String AS_OF = "2024-06-30";
  private static final List<String> OPENS = List.of(
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false");
  /** Lineage columns that differ between runs by design. */
  private static final Set<String> PER_RUN = Set.of("run_id", "ingested_at");

  private final File lakehouse = new File(TestSpark.dir("faults"), "lake");

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
    for (String layer : List.of("bronze", "silver", "gold", "ops")) {
      m.put("tp.databases." + layer, "faults_" + layer);
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

  private static Set<String> dataFiles(File table) {
    File[] parts = new File(table, "as_of=" + AS_OF).listFiles((dir, n) -> n.startsWith("part-"));
    return parts == null ? Set.of() : Arrays.stream(parts).map(File::getName).collect(Collectors.toSet());
  }

  @Test
  void killedMidWriteThenRerunAndConcurrentRuns() throws Exception {
    long t0 = System.nanoTime();
    Lake lake = new Lake(TestSpark.session(), TestSpark.config("faults", settings()));
    // 1. Generate and an uninterrupted ingest: the reference.
    lakehouse.mkdirs();
    Map.Entry<Integer, String> r = inProcess("generate");
    assertEquals(Main.OK, r.getKey(), r.getValue());
    r = inProcess("ingest");
    assertEquals(Main.OK, r.getKey(), r.getValue());
    File regs = new File(lake.path(Table.REGISTRATIONS_BRONZE));
    long v0 = lake.version(Table.REGISTRATIONS_BRONZE);
    List<Row> reference = comparable(lake.read(Table.REGISTRATIONS_BRONZE));
    assertTrue(reference.size() > 1000, "reference rows " + reference.size());
    Set<String> before = dataFiles(regs);
    List<Table> bronze = Arrays.stream(Table.values()).filter(t -> t.layer == org.territorypotential.lake.Layer.BRONZE
        && new File(lake.path(t)).isDirectory()).collect(Collectors.toList());
    Map<Table, Long> counts = bronze.stream().collect(Collectors.toMap(t -> t, t -> lake.read(t).count()));
    System.out.printf("faults: reference ingest at version %d (%d rows) after %.0f s%n", v0, reference.size(),
        (System.nanoTime() - t0) / 1e9);

    // 2. Rerun in a child JVM; SIGKILL it as soon as a new part file of the table appears (inside its write).
    File log = new File(lakehouse.getParentFile(), "killed-child.log");
    Process p = child("ingest", log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    boolean inWrite = false;
    while (System.nanoTime() < deadline && p.isAlive()) {
      if (!before.containsAll(dataFiles(regs))) {
        inWrite = true;
        break;
      }
      Thread.sleep(2);
    }
    p.destroyForcibly();
    p.waitFor();
    assertTrue(inWrite, () -> "the child never started writing bronze registrations: " + read(log));
    Set<String> orphans = dataFiles(regs);
    orphans.removeAll(before);
    System.out.printf("faults: child killed (SIGKILL) inside its write after %.0f s; %d uncommitted data file(s) left%n",
        (System.nanoTime() - t0) / 1e9, orphans.size());
    assertEquals(v0, lake.version(Table.REGISTRATIONS_BRONZE), "a killed write must not commit");
    assertEquals(reference, comparable(lake.read(Table.REGISTRATIONS_BRONZE)), "reads equal the pre-kill snapshot");
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

  private static String read(File f) {
    try {
      String s = Files.readString(f.toPath(), StandardCharsets.UTF_8);
      return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
