package org.territorypotential.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/** Password hashing and the serve-sql start-up rules, without Spark. */
class ServeSettingsTest {
  @Test
  void passwordFileAcceptsTheRightPasswordOnly() {
    String line = PasswordFile.line("analyst", "correct horse".toCharArray(), 1000);
    assertTrue(line.startsWith("analyst:pbkdf2-sha256:1000:"), line);
    assertFalse(line.contains("correct horse"), "no password in the file");
    List<String> file = List.of("# users", "other:" + PasswordFile.line("x", "p".toCharArray(), 1000).split(":", 2)[1], line);
    assertTrue(PasswordFile.verify(file, "analyst", "correct horse"));
    assertFalse(PasswordFile.verify(file, "analyst", "correct horse "));
    assertFalse(PasswordFile.verify(file, "analyst", ""));
    assertFalse(PasswordFile.verify(file, "nobody", "correct horse"));
    assertFalse(PasswordFile.verify(file, "other", "correct horse"));
    assertTrue(PasswordFile.verify(file, "other", "p"));
    // Two hashes of the same password differ (random salt).
    assertFalse(line.equals(PasswordFile.line("analyst", "correct horse".toCharArray(), 1000)));
  }

  @Test
  void malformedPasswordFileLineIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> PasswordFile.verify(List.of("analyst:plain"), "analyst", "plain"));
  }

  private static AppConfig cfg(Map<String, String> m) {
    return AppConfig.load(null, m);
  }

  @Test
  void loopbackWithoutAuthStarts() {
    SqlServer.Settings s = SqlServer.settings(cfg(Map.of()));
    assertEquals("127.0.0.1", s.host());
    assertEquals("jdbc:hive2://127.0.0.1:10000/default", s.jdbcUrl());
    assertEquals("none", s.auth());
  }

  @Test
  void exposedAddressWithoutAuthIsRefused() {
    for (String host : List.of("0.0.0.0", "10.1.2.3", "::")) {
      ConfigError e = assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of("tp.serve.host", host))), host);
      assertTrue(e.getMessage().contains("not a loopback address"), e.getMessage());
    }
  }

  @Test
  void exposedAddressWithPasswordFileStarts() throws Exception {
    File f = Files.createTempFile("tp-users", ".txt").toFile();
    f.deleteOnExit();
    Files.writeString(f.toPath(), PasswordFile.line("analyst", "pw".toCharArray(), 1000) + "\n");
    SqlServer.Settings s = SqlServer.settings(cfg(Map.of("tp.serve.host", "0.0.0.0", "tp.serve.auth", "password-file",
        "tp.serve.password-file", f.getAbsolutePath())));
    assertEquals("password-file", s.auth());
    assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of("tp.serve.host", "0.0.0.0",
        "tp.serve.auth", "password-file", "tp.serve.password-file", f.getAbsolutePath() + ".missing"))));
    assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of("tp.serve.auth", "ldap"))));
    assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of(
        "tp.serve.hive-conf.\"hive.server2.authentication\"", "NONE"))));
    assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of("tp.serve.cache.refresh-seconds", "0"))));
    ConfigError unknown = assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of("tp.serve.cache.exclude",
        "[potential_score]"))));
    assertTrue(unknown.getMessage().contains("'potential_score' is not a gold table"), unknown.getMessage());
    assertEquals(List.of("demand_forecast"), SqlServer.settings(cfg(Map.of("tp.serve.cache.exclude", "[demand_forecast]")))
        .cacheExclude());
  }

  /** Logs what {@link #failedClientQueryIsOneWarnLine} checks, in a JVM of its own. */
  public static final class LogProbe {
    public static void main(String[] args) {
      RuntimeException cause = new RuntimeException("[TABLE_OR_VIEW_NOT_FOUND] The table or view `t`.`nope` cannot be found."
          + " SQLSTATE: 42P01; line 1 pos 14;\n'Project [*]\n+- 'UnresolvedRelation [t, nope]");
      org.apache.logging.log4j.LogManager.getLogger("org.apache.spark.sql.hive.thriftserver.SparkExecuteStatementOperation")
          .error("Error executing query with 42, currentState RUNNING, ", cause);
      org.apache.logging.log4j.LogManager.getLogger("org.apache.spark.SomethingElse").error("a real error", new IllegalStateException("kept"));
      // a write's commit that lost the first-ever CREATE race: Spark logs it, then rethrows it to Lake
      org.apache.logging.log4j.Logger utils = org.apache.logging.log4j.LogManager.getLogger("org.apache.spark.util.Utils");
      utils.error("Aborting task", new IllegalStateException("ProtocolChangedException: a concurrent CREATE"));
      utils.error("Uncaught exception in thread probe", new IllegalStateException("kept too"));
    }
  }

  /**
   * Issue 22 item 2, on the logging configuration the launcher uses (log4j2.properties on the
   * classpath), in a JVM of its own ({@link LogProbe}): log4j's console managers are shared by the
   * whole JVM, so once Spark has logged in the suite's JVM a context of the test's own would still
   * write to the stderr of that moment. A client's failed query, which Spark logs as ERROR with a
   * stack trace, comes out as one WARN line with the first line of its cause, and its whole trace
   * goes to the trace file (tp.serve.trace-file); other errors keep theirs on the console. Spark's
   * "Aborting task" (Utils logging a failure it rethrows, e.g. a lost CREATE race that Lake handles)
   * is not logged at all.
   */
  @Test
  void failedClientQueryIsOneWarnLine() throws Exception {
    File trace = new File(Files.createTempDirectory("tp-trace").toFile(), "failed-queries.log");
    Process p = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath(), "-cp",
        System.getProperty("java.class.path"), "-Dtp.serve.trace-file=" + trace, LogProbe.class.getName())
        .redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), printed);
    assertEquals(0, p.exitValue(), printed);
    List<String> lines = printed.lines().toList();
    List<String> query = lines.stream().filter(l -> l.contains("SparkExecuteStatementOperation")).toList();
    assertEquals(1, query.size(), String.join("\n", lines));
    assertTrue(query.get(0).matches("\\d\\d:\\d\\d:\\d\\d WARN  SparkExecuteStatementOperation: Error executing query with 42,"
        + " currentState RUNNING: \\[TABLE_OR_VIEW_NOT_FOUND\\] The table or view `t`.`nope` cannot be found\\..*"), query.get(0));
    int at = lines.indexOf(query.get(0));
    assertTrue(lines.stream().noneMatch(l -> l.contains("UnresolvedRelation") || l.contains("RuntimeException")),
        "neither the rest of the message nor a stack trace of the failed query: " + String.join("\n", lines));
    assertTrue(lines.get(at + 1).contains("ERROR SomethingElse: a real error"), String.join("\n", lines));
    assertTrue(lines.get(at + 2).contains("IllegalStateException: kept"), "other errors keep their stack trace");
    assertTrue(lines.get(at + 3).startsWith("\tat "), String.join("\n", lines));
    // Spark's "Aborting task" (a failure it rethrows to the caller) is not logged; Utils' other errors are
    assertTrue(lines.stream().noneMatch(l -> l.contains("Aborting task") || l.contains("a concurrent CREATE")),
        String.join("\n", lines));
    assertTrue(lines.stream().anyMatch(l -> l.contains("ERROR Utils: Uncaught exception in thread probe")), String.join("\n", lines));
    assertTrue(lines.stream().anyMatch(l -> l.contains("IllegalStateException: kept too")), String.join("\n", lines));
    // the failed query's whole stack trace, in the trace file only
    String traced = Files.readString(trace.toPath());
    assertTrue(traced.contains("ERROR SparkExecuteStatementOperation: Error executing query with 42")
        && traced.contains("UnresolvedRelation") && traced.contains("\tat "), traced);
    assertFalse(traced.contains("a real error"), "other errors stay on the console: " + traced);
  }
}
