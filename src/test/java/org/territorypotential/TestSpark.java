package org.territorypotential;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.spark.Sessions;

/**
 * The one SparkSession of the test JVM (local[2], 2 shuffle partitions, UI off, metastore in a
 * temp folder), built by the same factory as production. Each test gets its own lakehouse
 * folder and database names through {@link #config}, so tests never see each other's tables.
 */
public final class TestSpark {
  private static SparkSession spark;
  private static File root;

  private TestSpark() {}

  /**
   * JIT and GC options for the child JVMs of ClusterRunIT (master, workers, driver, executors) and
   * SharedMetastoreTest (a metastore and the commands against it): the pom's {@code test.child.jvm}
   * (C1 only and the serial GC), passed as the system property {@code tp.test.child.jvm}. Those JVMs are cold, short-lived
   * and on tiny data, beside the test JVM on 2 cores: C2's compiles and the parallel GC's threads
   * cost them more CPU than they save (docs/operations.md). {@code -Dtest.child.jvm=} = the defaults.
   */
  public static java.util.List<String> childJvm() {
    return java.util.Arrays.stream(System.getProperty("tp.test.child.jvm", "").trim().split("\\s+"))
        .filter(o -> !o.isEmpty()).toList();
  }

  public static synchronized SparkSession session() {
    if (spark == null) {
      try {
        root = Files.createTempDirectory("tp-test-").toFile();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      spark = Sessions.create(AppConfig.load(null, base(new File(root, "session"))));
      SparkTaskReport.register(spark);
    }
    return spark;
  }

  private static Map<String, String> base(File lakehouse) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("tp.lakehouse", lakehouse.getAbsolutePath());
    m.put("tp.spark.master", "local[2]");
    m.put("tp.spark.shuffle-partitions", "2");
    m.put("tp.spark.ui-enabled", "false");
    // The suite's one session opens its metastore in process (Derby under the temp folder): no
    // service to start; SharedMetastoreTest covers the shared one.
    m.put("tp.metastore.local", "embedded");
    m.put("tp.spark.extra.\"spark.sql.adaptive.coalescePartitions.initialPartitionNum\"", "2");
    m.put("tp.spark.extra.\"spark.default.parallelism\"", "2");
    // Adaptive query execution re-plans every query at each shuffle, which tests of tens to thousands
    // of rows pay for and never gain from. GoldTablesTest + MarketTest + ScoreTest, two runs side by side
    // at once (2 Dec 2026, same load): 390 s of CPU with AQE, 362 s without (-7%), 6-16% fewer Spark
    // stages; an earlier pair, also side by side: 428 s and 378 s. Production keeps it on (Sessions);
    // -Dtp.test.spark.spark.sql.adaptive.enabled=true turns it back on here.
    m.put("tp.spark.extra.\"spark.sql.adaptive.enabled\"", "false");
    // -Dtp.test.spark.<key>=<value> sets any Spark property for a measuring run (e.g. spark.sql.adaptive.enabled)
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("tp.test.spark.")).sorted()
        .forEach(k -> m.put("tp.spark.extra.\"" + k.substring("tp.test.spark.".length()) + "\"", System.getProperty(k)));
    // Test tables have tens to thousands of rows: compiling generated code for every query costs
    // more than interpreting it. GoldTablesTest + ScoreTest + MarketTest, two runs each (then two
    // classes at a time): 283-293 s without code generation, 355-377 s with it. -Dtp.test.codegen=true turns it back on.
    if (!Boolean.getBoolean("tp.test.codegen")) {
      m.put("tp.spark.extra.\"spark.sql.codegen.wholeStage\"", "false");
      m.put("tp.spark.extra.\"spark.sql.codegen.factoryMode\"", "NO_CODEGEN");
    }
    return m;
  }

  /**
   * A configuration for one test: its own lakehouse folder under the session's temp root and
   * databases prefixed with {@code name} (lower-case letters, digits, underscore).
   */
  public static AppConfig config(String name, Map<String, String> overrides) {
    return config(name, null, overrides);
  }

  /** As {@link #config(String, Map)}, on top of a profile file (e.g. conf/wa-ev.conf); null = none. */
  public static AppConfig config(String name, File profile, Map<String, String> overrides) {
    session();
    File lake = new File(root, name);
    Map<String, String> m = base(lake);
    m.put("tp.databases.bronze", name + "_bronze");
    m.put("tp.databases.silver", name + "_silver");
    m.put("tp.databases.gold", name + "_gold");
    m.put("tp.databases.ops", name + "_ops");
    m.put("tp.generate.output", new File(lake, "landing").getAbsolutePath());
    m.putAll(overrides);
    return AppConfig.load(profile, m);
  }

  /** Folder for a test's own files (fixtures written at run time). */
  public static File dir(String name) {
    session();
    File d = new File(root, name + "-files");
    d.mkdirs();
    return d;
  }

  /** ../shared/data/wa-ev, or null when absent (real-data tests then skip, saying why). */
  public static File waEvDir() {
    String shared = System.getProperty("tp.shared.dir", "../shared");
    File d = new File(shared, "data/wa-ev");
    return d.isDirectory() ? d : null;
  }
}
