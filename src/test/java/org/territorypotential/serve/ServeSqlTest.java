package org.territorypotential.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.GoldTablesTestFixtures;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;

/**
 * serve-sql end to end in the test JVM: the Thrift Server on the shared session, a free loopback
 * port, password-file authentication, and a gold table's _current view read through the Hive
 * JDBC driver (what BI tools use), first from Delta, then from serve-sql's cache of the _current
 * views, which a publication never leaves stale.
 */
class ServeSqlTest {
  @Test
  void currentViewThroughJdbcWithPasswordAuth() throws Exception {
    SparkSession spark = TestSpark.session();
    File users = new File(TestSpark.dir("serve"), "users.txt");
    // Few iterations keep the test fast; the iteration count is part of each line.
    Files.writeString(users.toPath(), PasswordFile.line("analyst", "s3cret!".toCharArray(), 1000) + "\n");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    AppConfig cfg = TestSpark.config("serve", Map.of("tp.serve.port", String.valueOf(port), "tp.serve.auth", "password-file",
        "tp.serve.password-file", users.getAbsolutePath()));
    Lake lake = new Lake(spark, cfg);
    Table t = Table.MARKET_DATA_QUALITY;
    org.territorypotential.TestTables.write(lake, t, GoldTablesTestFixtures.quality(spark, LocalDate.parse("2024-05-31"), "may", 0.1),
        LocalDate.parse("2024-05-31"), null);
    lake.publish("test", List.of(org.territorypotential.TestTables.write(lake, t,
        GoldTablesTestFixtures.quality(spark, LocalDate.parse("2024-06-30"), "june", 0.25), LocalDate.parse("2024-06-30"), null)), "june");

    SqlServer.Settings settings = SqlServer.settings(cfg);
    HiveThriftServer2 server = SqlServer.start(spark, settings);
    try {
      Class.forName("org.apache.hive.jdbc.HiveDriver");
      SQLException wrong = assertThrows(SQLException.class,
          () -> DriverManager.getConnection(settings.jdbcUrl(), "analyst", "s3cret").close());
      // HiveServer2's answer to a failed CUSTOM login: "Peer indicated failure: Error validating the login"
      assertTrue(String.valueOf(wrong.getMessage()).contains("Error validating the login"), String.valueOf(wrong));
      assertThrows(SQLException.class, () -> DriverManager.getConnection(settings.jdbcUrl(), "intruder", "s3cret!").close());

      String query = "SELECT check_name, share, run_id, as_of FROM " + lake.currentViewName(t) + " ORDER BY check_name";
      // one connection for every read, as a BI tool keeps one: each statement resolves the view again
      Connection c = DriverManager.getConnection(settings.jdbcUrl(), "analyst", "s3cret!");
      java.util.concurrent.Callable<List<String>> read = () -> {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
          while (rs.next()) {
            rows.add(rs.getString(1) + "|" + rs.getDouble(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
          }
        }
        return rows;
      };
      assertEquals(List.of("0|0.25|june|2024-06-30", "1|0.25|june|2024-06-30", "2|0.25|june|2024-06-30",
          "3|0.25|june|2024-06-30"), read.call());

      // the cache of the _current views: read from memory, never stale after a publication
      java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
      org.apache.spark.sql.execution.CacheManager cacheManager = spark.sharedState().cacheManager();
      try (CurrentViewCache cache = new CurrentViewCache(spark, lake, List.of(t), new java.io.PrintStream(log, true))) {
        assertEquals(1, cache.refresh(), "the first refresh caches the view");
        assertEquals(0, cache.refresh(), "nothing published since: nothing cached again");
        assertTrue(log.toString().contains("1 _current view cached (4 rows)"), log.toString());
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> june = spark.table(lake.currentViewName(t));
        assertTrue(spark.sql(query).queryExecution().executedPlan().toString().contains("InMemoryTableScan"),
            "a query of the view reads the cached rows");
        assertEquals(4, read.call().size());

        // a rerun of the same as_of publishes other rows: read at once, before any refresh
        lake.publish("test", List.of(org.territorypotential.TestTables.write(lake, t,
            GoldTablesTestFixtures.quality(spark, LocalDate.parse("2024-06-30"), "june2", 0.5), LocalDate.parse("2024-06-30"), null)),
            "june2");
        assertFalse(spark.sql(query).queryExecution().executedPlan().toString().contains("InMemoryTableScan"),
            "the new run's plan does not match the cached one");
        assertEquals(List.of("0|0.5|june2|2024-06-30", "1|0.5|june2|2024-06-30", "2|0.5|june2|2024-06-30",
            "3|0.5|june2|2024-06-30"), read.call(), "not stale before the refresh");
        assertEquals(1, cache.refresh(), "the publication is seen in the metastore");
        assertTrue(cacheManager.lookupCachedData(june).isEmpty(), "the previous run's rows are dropped");
        assertTrue(cacheManager.lookupCachedData(spark.table(lake.currentViewName(t))).isDefined());
        assertEquals("0|0.5|june2|2024-06-30", read.call().get(0));
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> june2 = spark.table(lake.currentViewName(t));

        // a view that no longer resolves: one warning, no longer cached, not retried until it changes
        String gone = lake.currentViewName(t).substring(0, lake.currentViewName(t).indexOf('.')) + ".serve_gone";
        spark.sql("CREATE TABLE " + gone + " USING delta AS SELECT 1 AS x");
        spark.sql("ALTER VIEW " + lake.currentViewName(t) + " AS SELECT * FROM " + gone);
        spark.sql("DROP TABLE " + gone);
        assertEquals(0, cache.refresh());
        assertEquals(0, cache.size());
        assertTrue(cacheManager.lookupCachedData(june2).isEmpty(), "its rows dropped");
        cache.refresh();
        assertEquals(1, log.toString().lines().filter(l -> l.contains("warning: " + lake.currentViewName(t) + " not cached"))
            .count(), log.toString());
      }
      c.close();
    } finally {
      server.stop();
    }
  }
}
