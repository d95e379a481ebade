package org.territorypotential.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.col;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.territorypotential.TestSpark;
import org.territorypotential.cli.Main;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;

/**
 * Process faults (issue 7 item 6): a child JVM running {@code ingest} is SIGKILLed in the middle of
 * its write, and two child JVMs run {@code ingest} for the same as_of at once. The children use
 * their own lakehouse and embedded Derby metastore; this JVM reads the tables by path only.
 *
 * <p>Opt-in ({@code -Dtp.faults=true}): it passed on 29 Nov 2026 in 594 s, too long for the CI budget; on
 * the shared, overloaded development machine one run took over 10 minutes (child JVM start-up).
 */
@EnabledIfSystemProperty(named = "tp.faults", matches = "true",
    disabledReason = "process-fault test is opt-in: mvn test -Dtest=ProcessFaultsTest -Dtp.faults=true")
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

  private List<String> settings() {
    return List.of("--set", "tp.lakehouse=" + lakehouse.getAbsolutePath(),
        "--set", "tp.generate.output=" + new File(lakehouse, "landing").getAbsolutePath(),
        "--set", "tp.generate.registrations=3000", "--set", "tp.generate.geo-units=60",
        "--set", "tp.generate.months=12",
        "--set", "tp.spark.master=local[2]", "--set", "tp.spark.shuffle-partitions=2",
        "--set", "tp.spark.ui-enabled=false",
        "--set", "tp.databases.bronze=faults_bronze", "--set", "tp.databases.silver=faults_silver",
        "--set", "tp.databases.gold=faults_gold", "--set", "tp.databases.ops=faults_ops");
  }

  private Process child(String command, File log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
    cmd.add("-Xmx1g");
    cmd.addAll(OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.territorypotential.cli.Main",
        command, "--as-of", AS_OF));
    cmd.addAll(settings());
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }

  private static String[] concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
  }

  private AppConfig cfg() {
    List<String> s = settings();
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 1; i < s.size(); i += 2) {
      String[] kv = s.get(i).split("=", 2);
      m.put(kv[0], kv[1]);
    }
    return AppConfig.load(null, m);
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
    SparkSession spark = TestSpark.session();
    Lake lake = new Lake(spark, cfg());
    // 1. Generate and an uninterrupted ingest in a child (the child owns the lakehouse's Derby metastore).
    File log = new File(lakehouse.getParentFile(), "child.log");
    lakehouse.mkdirs();
    Process p = child("generate", log);
    assertEquals(0, p.waitFor(), () -> "generate: " + read(log));
    p = child("ingest", log);
    assertEquals(0, p.waitFor(), () -> "ingest: " + read(log));
    File regs = new File(lake.path(Table.REGISTRATIONS_BRONZE));
    long v0 = lake.version(Table.REGISTRATIONS_BRONZE);
    List<Row> reference = comparable(lake.read(Table.REGISTRATIONS_BRONZE));
    assertTrue(reference.size() > 1000, "reference rows " + reference.size());
    Set<String> before = dataFiles(regs);

    // 2. Rerun in a child; SIGKILL it as soon as a new part file of the table appears (inside its write).
    // (the first run commits versions 0 = create, 1 = properties, 2 = data; a loaded machine can take
    // minutes to reach the write, hence the generous deadline)
    p = child("ingest", log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    boolean inWrite = false;
    while (System.nanoTime() < deadline && p.isAlive()) {
      Set<String> now = dataFiles(regs);
      if (!before.containsAll(now)) {
        inWrite = true;
        break;
      }
      Thread.sleep(2);
    }
    p.destroyForcibly();
    p.waitFor();
    assertTrue(inWrite, () -> "the child never started writing bronze registrations: " + read(log));
    assertEquals(v0, lake.version(Table.REGISTRATIONS_BRONZE), "a killed write must not commit");
    assertEquals(reference, comparable(lake.read(Table.REGISTRATIONS_BRONZE)), "reads equal the pre-kill snapshot");
    Dataset<Row> runs = lake.read(Table.JOB_RUNS).where(col("job").equalTo("ingest"));
    List<Row> latest = runs.groupBy("run_id").agg(org.apache.spark.sql.functions.collect_set("status").as("s"))
        .collectAsList();
    assertEquals(2, latest.size(), "two ingest runs recorded");
    long killed = latest.stream().filter(r -> r.getList(1).equals(List.of("running"))).count();
    assertEquals(1, killed, "the killed run shows only 'running', never 'succeeded': " + latest);

    // 3. Rerun after the kill (Derby's stale lock files are left by SIGKILL; the next boot recovers them).
    p = child("ingest", log);
    assertEquals(0, p.waitFor(), () -> "rerun after kill: " + read(log));
    assertEquals(reference, comparable(lake.read(Table.REGISTRATIONS_BRONZE)), "rerun equals the uninterrupted run");

    // 4. Two runs of the same stage and as_of at once.
    File logA = new File(lakehouse.getParentFile(), "a.log");
    File logB = new File(lakehouse.getParentFile(), "b.log");
    long vBefore = lake.version(Table.REGISTRATIONS_BRONZE);
    Process a = child("ingest", logA);
    Process b = child("ingest", logB);
    int ea = a.waitFor();
    int eb = b.waitFor();
    String outs = "A exit " + ea + ":\n" + read(logA) + "\nB exit " + eb + ":\n" + read(logB);
    System.out.println(outs);
    assertTrue(ea == 0 || eb == 0, "one run wins: " + outs);
    assertEquals(reference, comparable(lake.read(Table.REGISTRATIONS_BRONZE)), "no duplicated rows: " + outs);
    long succeeded = lake.read(Table.JOB_RUNS).where(col("job").equalTo("ingest").and(col("status").equalTo("succeeded")))
        .count();
    assertEquals(2 + (ea == 0 ? 1 : 0) + (eb == 0 ? 1 : 0), succeeded, outs);
    System.out.println("concurrent ingest: versions " + vBefore + " -> " + lake.version(Table.REGISTRATIONS_BRONZE));
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
