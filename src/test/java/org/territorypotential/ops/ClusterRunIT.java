package org.territorypotential.ops;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.to_json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.lake.Layer;
import org.territorypotential.lake.Table;

/**
 * Issue 7 item 5: the packaged jar on a real Spark standalone cluster. Starts a Master and two
 * Workers on 127.0.0.1, each its own JVM, from a "Spark distribution" made of the project's own
 * dependency jars (target/local-classpath.txt minus what the shaded jar bundles, linked into a
 * fake SPARK_HOME/jars); submits target/territory-potential-*-spark.jar through
 * {@code org.apache.spark.deploy.SparkSubmit} exactly as {@code spark-submit} does; runs the
 * pipeline on a small generated region; and checks every table but job_runs equals the one the
 * same pipeline wrote from the same input in this JVM's {@code local[2]} session (local[*] on the
 * 2-core CI machine; the same classes, run from target/classes instead of the jar).
 *
 * <p>Runs in the integration-test phase of {@code mvn verify} (pom: surefire execution
 * {@code cluster-it}, which sets {@code tp.cluster.it=true}), after {@code package} built the
 * jar. Child logs: target/cluster-it/&lt;timestamp&gt;/ (printed at the start).
 */
class ClusterRunIT {
  private static final String AS_OF = "2024-06-30";
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(1500);
  /** Artifacts the shaded jar bundles: the application brings them, a Spark distribution does not. */
  private static final List<String> BUNDLED = List.of(
      "delta-spark_", "delta-storage-", "sedona-spark-shaded-", "geotools-wrapper-", "config-");
  private static final List<String> OPENS = List.of(
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false");

  /**
   * JIT and GC options of the child JVMs (master, workers, driver, executors): {@link
   * TestSpark#childJvm()}, the pom's {@code test.child.jvm}, which this test's own JVM runs with too;
   * {@code mvn verify -Dtest.child.jvm=} gives every JVM its defaults.
   */
  private static final List<String> CHILD_JVM = TestSpark.childJvm();

  private final List<Process> children = new ArrayList<>();
  private File logDir;
  private File sparkHome;
  private File jar;

  @Test
  void pipelineOnStandaloneClusterEqualsLocalRun() throws Exception {
    assumeTrue(Boolean.getBoolean("tp.cluster.it"),
        "runs in the integration-test phase of mvn verify (after package builds the shaded jar)");
    File target = new File("target").getAbsoluteFile();
    File[] jars = target.listFiles((d, n) -> n.matches("territory-potential-.*-spark\\.jar"));
    File cpFile = new File(target, "local-classpath.txt");
    assertTrue(jars != null && jars.length == 1 && cpFile.isFile(),
        "the shaded jar and target/local-classpath.txt must exist (mvn package)");
    jar = jars[0];
    long t0 = System.nanoTime();
    logDir = new File(target, "cluster-it/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Files.createDirectories(logDir.toPath());
    System.out.println("cluster-it: child logs in " + logDir);
    sparkHome = fakeSparkHome(cpFile);
    Thread hook = new Thread(this::killChildren, "cluster-it-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      File landing = new File(logDir, "landing");
      File localLake = new File(logDir, "lake-local");
      File clusterLake = new File(logDir, "lake-cluster");

      // The cluster starts while this JVM generates the input (2 cores: overlap saves wall time).
      int masterPort = freePort();
      int masterUi = freePort();
      Process master = start("master", List.of("org.apache.spark.deploy.master.Master",
          "--host", "127.0.0.1", "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(masterUi)), "512m");
      for (int w = 1; w <= 2; w++) {
        File work = new File(logDir, "worker" + w + "-work");
        work.mkdirs();
        start("worker" + w, List.of("org.apache.spark.deploy.worker.Worker",
            "--host", "127.0.0.1", "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()),
            "--cores", "1", "--memory", "1g", "--work-dir", work.getAbsolutePath(),
            "spark://127.0.0.1:" + masterPort), "384m");
      }

      // The input: generated in this JVM (shared test session) while the cluster starts.
      Map<String, String> gen = new java.util.LinkedHashMap<>();
      gen.put("tp.generate.output", landing.getAbsolutePath());
      TINY.forEach(kv -> gen.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1)));
      org.territorypotential.synth.GenerateJob.Summary generated = org.territorypotential.synth.GenerateJob.run(
          TestSpark.session(), TestSpark.config("clusterit", gen), RunContext.start("generate", LocalDate.parse(AS_OF)));
      System.out.printf("cluster-it: generated %s in %.0f s%n", generated.rowsPerInput(), (System.nanoTime() - t0) / 1e9);

      int alive = waitForWorkers(masterUi, 2, master);
      System.out.printf("cluster-it: master spark://127.0.0.1:%d with %d alive workers%n", masterPort, alive);
      // The jar on the cluster (a driver JVM of its own, executors on the workers) and, at the same
      // time, the same pipeline on the same input in this JVM's local[2] session (local[*] on 2 cores):
      // a second driver JVM would only add a cold start to the two cores.
      Submission onCluster = submit("pipeline-cluster", "spark://127.0.0.1:" + masterPort,
          List.of("pipeline", "--as-of", AS_OF), landing, clusterLake);
      List<String> localArgs = new ArrayList<>(List.of("pipeline", "--as-of", AS_OF));
      // default database names on both sides (this JVM runs nothing else), so lineage columns naming
      // input tables compare equal
      for (String kv : shared(landing, localLake)) {
        localArgs.add("--set");
        localArgs.add(kv);
      }
      java.io.ByteArrayOutputStream localOut = new java.io.ByteArrayOutputStream();
      java.io.PrintStream localPrint = new java.io.PrintStream(localOut, true, StandardCharsets.UTF_8);
      int localCode = org.territorypotential.cli.Main.run(localArgs.toArray(new String[0]), localPrint, localPrint);
      String localLog = localOut.toString(StandardCharsets.UTF_8);
      Files.writeString(new File(logDir, "pipeline-local.log").toPath(), localLog, StandardCharsets.UTF_8);
      assertEquals(0, localCode, "local pipeline failed:\n" + tail(localLog, 60));
      long tLocal = System.nanoTime();
      printStageLines("pipeline-local (in this JVM, local[2])", localLog);
      String clusterOut = onCluster.await();
      long tCluster = System.nanoTime();
      // The application really ran on the cluster: both workers launched an executor for it.
      int executors = executorsLaunched();
      assertEquals(2, executors, "executors launched by the workers (see " + logDir + "/worker*-work)");
      for (String stage : org.territorypotential.pipeline.Stages.names()) { // every stage of the pipeline
        assertTrue(clusterOut.contains(stage + " " + AS_OF + " succeeded"), stage + ": cluster pipeline output:\n" + clusterOut);
      }

      SparkSession spark = TestSpark.session();
      Map<String, String> summary = new TreeMap<>();
      int compared = 0;
      boolean selfChecked = false;
      List<Table> both = new ArrayList<>();
      for (Table t : Table.values()) {
        if (t == Table.JOB_RUNS) {
          continue; // the run log: start/end times and run ids differ by design
        }
        boolean inLocal = new File(localLake, t.layer.key + "/" + t.tableName).isDirectory();
        assertEquals(inLocal, new File(clusterLake, t.layer.key + "/" + t.tableName).isDirectory(), t + ": written by one run only");
        if (inLocal) {
          both.add(t);
        }
      }
      // two tables at a time: one comparison's planning overlaps the other's small Spark jobs
      List<long[]> differences = org.territorypotential.ops.Parallel.map(both, 2, "cluster-it-compare",
          t -> difference(comparable(read(spark, localLake, t)), comparable(read(spark, clusterLake, t))));
      for (int i = 0; i < both.size(); i++) {
        Table t = both.get(i);
        long[] d = differences.get(i);
        if (!selfChecked && d[0] > 0) { // the comparison itself can fail: a row missing, a row doubled
          Dataset<Row> a = comparable(read(spark, localLake, t));
          int n = (int) d[0];
          assertEquals(List.of((long) n, n - 1L, 1L, 0L), Arrays.stream(difference(a, a.limit(n - 1))).boxed().toList(),
              t + ": the comparison sees a row missing");
          assertEquals(List.of((long) n, n + 1L, 0L, 1L), Arrays.stream(difference(a, a.unionAll(a.limit(1)))).boxed().toList(),
              t + ": the comparison sees a row doubled");
          selfChecked = true;
        }
        long na = d[0];
        long nb = d[1];
        long onlyLocal = d[2];
        long onlyCluster = d[3];
        summary.put(t.layer.key + "." + t.tableName, String.format("%d rows local, %d cluster, %d only-local, %d only-cluster",
            na, nb, onlyLocal, onlyCluster));
        assertEquals(na, nb, t + ": row counts");
        assertEquals(0, onlyLocal, t + ": rows of the local run missing from the cluster run");
        assertEquals(0, onlyCluster, t + ": rows of the cluster run missing from the local run");
        if (t.layer == Layer.GOLD) {
          assertTrue(na > 0, t + ": empty gold table proves nothing");
        }
        compared++;
      }
      summary.forEach((k, v) -> System.out.println("cluster-it: " + k + ": " + v));
      assertTrue(compared >= 25, "tables compared: " + compared);
      System.out.printf("cluster-it: %d bronze, silver, gold and ops tables equal (row for row; run_id, model_version and"
              + " timestamps left out, doubles to 9 decimals); local run done at %.0f s, cluster run at %.0f s; %d executors on 2 workers; %.0f s in all%n",
          compared, (tLocal - t0) / 1e9, (tCluster - t0) / 1e9, executors, (System.nanoTime() - t0) / 1e9);
    } finally {
      killChildren();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already
      }
    }
  }

  /**
   * What must be equal between two runs: every column but run_id, model_version (named after
   * the training run's time, like a run id) and timestamps (when a row was written), maps as sorted entry lists (set operations need comparable types), doubles (map values too)
   * rounded to 9 decimals (sums over differently partitioned data may differ in the last bits).
   */
  static Dataset<Row> comparable(Dataset<Row> df) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      DataType dt = f.dataType();
      if (f.name().equals("run_id") || f.name().equals("model_version") || dt.equals(DataTypes.TimestampType)) {
        continue;
      }
      Column c = col("`" + f.name() + "`");
      if (dt instanceof MapType) {
        DataType vt = ((MapType) dt).valueType();
        if (vt.equals(DataTypes.DoubleType) || vt.equals(DataTypes.FloatType)) {
          // a map of doubles (unit_segments.features) carries the same last-bit noise as a double column
          c = org.apache.spark.sql.functions.transform_values(c, (k, v) -> round(v, 9));
        }
        c = to_json(array_sort(map_entries(c)));
      } else if (dt.equals(DataTypes.DoubleType) || dt.equals(DataTypes.FloatType)) {
        c = round(c, 9);
      }
      cols.add(c.as(f.name()));
    }
    return df.select(cols.toArray(new Column[0]));
  }

  /**
   * In one query: the rows of {@code a} and of {@code b}, and the rows of each that the other lacks,
   * counted with their multiplicity ({@code a.exceptAll(b).count()} and {@code b.exceptAll(a).count()}:
   * nulls equal nulls). Four queries per table before, 32 tables.
   */
  static long[] difference(Dataset<Row> a, Dataset<Row> b) {
    Column[] all = Arrays.stream(a.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
    Column one = org.apache.spark.sql.functions.lit(1L);
    Column zero = org.apache.spark.sql.functions.lit(0L);
    Row r = a.withColumn("_in_a", one).withColumn("_in_b", zero)
        .unionByName(b.withColumn("_in_a", zero).withColumn("_in_b", one))
        .groupBy(all).agg(org.apache.spark.sql.functions.sum("_in_a").as("ca"), org.apache.spark.sql.functions.sum("_in_b").as("cb"))
        .agg(org.apache.spark.sql.functions.sum("ca"), org.apache.spark.sql.functions.sum("cb"),
            org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.greatest(col("ca").minus(col("cb")), zero)),
            org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.greatest(col("cb").minus(col("ca")), zero)))
        .first();
    long[] out = new long[4];
    for (int i = 0; i < 4; i++) {
      out[i] = r.isNullAt(i) ? 0 : r.getLong(i); // sums over no rows are null
    }
    return out;
  }

  private static Dataset<Row> read(SparkSession spark, File lake, Table t) {
    return spark.read().format("delta").load(new File(lake, t.layer.key + "/" + t.tableName).getAbsolutePath());
  }

  /** SPARK_HOME with jars/ = links to the Spark jars of the Maven build (what a distribution ships). */
  private File fakeSparkHome(File cpFile) throws IOException {
    File home = new File(logDir, "spark-home");
    File jarsDir = new File(home, "jars");
    Files.createDirectories(jarsDir.toPath());
    Files.createDirectories(new File(home, "conf").toPath());
    // As a deployment would: the project's log settings in SPARK_CONF_DIR (Spark's noise at WARN).
    Files.copy(Path.of("src/main/resources/log4j2.properties"), new File(home, "conf/log4j2.properties").toPath());
    String cp = Files.readString(cpFile.toPath(), StandardCharsets.UTF_8).trim();
    int linked = 0;
    for (String entry : cp.split(File.pathSeparator)) {
      String name = new File(entry).getName();
      if (BUNDLED.stream().anyMatch(name::startsWith)) {
        continue;
      }
      Files.createSymbolicLink(new File(jarsDir, name).toPath(), Path.of(entry));
      linked++;
    }
    System.out.println("cluster-it: fake SPARK_HOME " + home + " with " + linked + " Spark jars");
    return home;
  }

  private Process start(String name, List<String> mainAndArgs, String heap) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
    cmd.add("-Xmx" + heap);
    cmd.addAll(CHILD_JVM);
    cmd.addAll(OPENS);
    cmd.add("-cp");
    cmd.add(new File(sparkHome, "conf").getAbsolutePath() + File.pathSeparator + new File(sparkHome, "jars").getAbsolutePath() + "/*");
    cmd.addAll(mainAndArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(new File(logDir, name + ".log"));
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.getAbsolutePath());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_LOCAL_HOSTNAME", "127.0.0.1");
    env.put("SPARK_CONF_DIR", new File(sparkHome, "conf").getAbsolutePath());
    Process p = pb.start();
    children.add(p);
    return p;
  }

  /** A submission running in a child JVM. */
  private final class Submission {
    final String name;
    final String master;
    final Process process;
    final long started = System.nanoTime();

    Submission(String name, String master, Process process) {
      this.name = name;
      this.master = master;
      this.process = process;
    }

    /** Waits for the child; asserts exit 0; returns its log. */
    String await() throws Exception {
      boolean ended = process.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      File logFile = new File(logDir, name + ".log");
      String log = Files.readString(logFile.toPath(), StandardCharsets.UTF_8);
      assertTrue(ended, name + " did not end within " + STEP_TIMEOUT + "; log " + logFile);
      assertEquals(0, process.exitValue(), name + " failed; log " + logFile + ":\n" + tail(log, 60));
      System.out.printf("cluster-it: %s (--master %s) exit 0 in %.0f s%n", name, master, (System.nanoTime() - started) / 1e9);
      printStageLines(name, log);
      return log;
    }
  }

  /** The tiny region both runs read (the point is the same jar on two masters, not volume). */
  private static final List<String> TINY = List.of(
      "tp.generate.registrations=4000",
      "tp.generate.geo-units=60",
      "tp.generate.dealers=12",
      "tp.generate.months=24",
      "tp.generate.counties=6",
      // 23 complete months: a short horizon, history window and few trees keep the forecast stage quick
      "tp.forecast.horizon=6",
      "tp.forecast.min-history-months=6",
      "tp.forecast.model.trees=4",
      "tp.forecast.backtest.refit-every-origins=5",
      // no row sampling: which rows a sample keeps depends on partition order, which differs between masters
      "tp.forecast.model.subsampling-rate=1.0");

  /**
   * Settings both runs share: the tiny region, and what suits tiny tables on any master (the
   * suite's own session uses the same): few partitions, Delta snapshots in 2 partitions instead
   * of 50, no whole-stage code generation (compiling costs more than it saves on a few thousand
   * rows). None of these changes a result.
   */
  private static List<String> shared(File landing, File lake) {
    List<String> settings = new ArrayList<>(List.of(
        "tp.lakehouse=" + lake.getAbsolutePath(),
        // one driver per lakehouse: its metastore in process, as before the shared service
        // (issue 22); the shared service under spark-submit is not run by this test yet
        "tp.metastore.local=embedded",
        "tp.generate.output=" + landing.getAbsolutePath(),
        "tp.spark.shuffle-partitions=2",
        "tp.spark.extra.\"spark.default.parallelism\"=2",
        "tp.spark.extra.\"spark.sql.adaptive.coalescePartitions.initialPartitionNum\"=2",
        "tp.spark.extra.\"spark.databricks.delta.snapshotPartitions\"=2",
        "tp.spark.extra.\"spark.sql.codegen.wholeStage\"=false",
        "tp.spark.extra.\"spark.sql.codegen.factoryMode\"=NO_CODEGEN"));
    settings.addAll(TINY);
    return settings;
  }

  private static void printStageLines(String name, String log) {
    for (String line : log.split("\n")) {
      if (line.contains(" succeeded in ")) {
        System.out.println("cluster-it:   " + name + ": " + line.trim());
      }
    }
  }

  /** Starts the jar through SparkSubmit (client mode: the driver is the child JVM). */
  private Submission submit(String name, String master, List<String> appArgs, File landing, File lake) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
        "--master", master,
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.executor.memory=700m",
        "--conf", "spark.executor.cores=1",
        "--conf", "spark.cores.max=2",
        "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", CHILD_JVM) + " " + String.join(" ", OPENS),
        "--class", "org.territorypotential.cli.Main",
        jar.getAbsolutePath()));
    cmd.addAll(appArgs);
    List<String> settings = shared(landing, lake);
    settings.add("tp.spark.master=");
    for (String kv : settings) {
      cmd.add("--set");
      cmd.add(kv);
    }
    return new Submission(name, master, start(name, cmd, "1g"));
  }

  /** Polls the master's JSON status until {@code n} workers are alive. */
  private int waitForWorkers(int uiPort, int n, Process master) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Pattern alive = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    int seen = -1;
    while (System.nanoTime() < deadline) {
      assertTrue(master.isAlive(), "the master died; log " + logDir + "/master.log");
      try {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uiPort + "/json/")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = alive.matcher(body);
        if (m.find()) {
          seen = Integer.parseInt(m.group(1));
          if (seen >= n) {
            return seen;
          }
        }
      } catch (IOException notYet) {
        // master not listening yet
      }
      Thread.sleep(500);
    }
    throw new AssertionError("only " + seen + " of " + n + " workers registered; logs in " + logDir);
  }

  /** Executor folders the workers created (work-dir/app-id/executor-id), one per executor launched. */
  private int executorsLaunched() {
    int n = 0;
    for (int w = 1; w <= 2; w++) {
      File[] apps = new File(logDir, "worker" + w + "-work").listFiles(File::isDirectory);
      for (File app : apps == null ? new File[0] : apps) {
        String[] execs = app.list();
        n += execs == null ? 0 : (int) Arrays.stream(execs).filter(e -> new File(app, e + "/stderr").isFile()).count();
      }
    }
    return n;
  }

  private void killChildren() {
    for (Process p : children) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : children) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static String tail(String s, int lines) {
    String[] all = s.split("\n");
    return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
  }
}
