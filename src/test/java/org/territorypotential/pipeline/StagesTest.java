package org.territorypotential.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.dq.Check;
import org.territorypotential.lake.Layer;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.Stage;

/**
 * The registry is the only list of stages, and it is consistent: every stage declares what it reads
 * and writes, each input is written by an earlier stage, every bronze, silver and gold table has
 * exactly one writer, every configured data-quality check runs after some stage, and the help text
 * lists every stage. No Spark: configuration and the catalog only.
 */
class StagesTest {
  private static final List<File> PROFILES = List.of(new File("conf/wa-ev.conf"));

  private static List<AppConfig> configs() {
    List<AppConfig> out = new ArrayList<>(List.of(AppConfig.load(null, Map.of())));
    for (File f : PROFILES) {
      out.add(AppConfig.load(f, Map.of()));
    }
    return out;
  }

  @Test
  void everyInputIsWrittenByAnEarlierStage() {
    for (AppConfig cfg : configs()) {
      Set<Table> written = new HashSet<>(Stages.GENERATE.writes());
      for (Stage s : Stages.PIPELINE) {
        for (Table t : s.reads(cfg)) {
          assertTrue(written.contains(t), s.name() + " reads " + t + " before any stage writes it");
        }
        // report writes files under the lakehouse (HTML, GIS exports), not tables
        assertFalse(s.writes().isEmpty() && !(s instanceof org.territorypotential.report.ReportStage), s.name() + " declares no tables");
        written.addAll(s.writes());
      }
    }
  }

  @Test
  void everyDataTableHasExactlyOneWriter() {
    for (Table t : Table.values()) {
      long writers = Stages.PIPELINE.stream().filter(s -> s.writes().contains(t)).count()
          + (Stages.GENERATE.writes().contains(t) ? 1 : 0);
      boolean log = t == Table.JOB_RUNS || t == Table.DQ_RESULTS || t == Table.QUARANTINE;
      assertEquals(log ? 0 : 1, writers, t + ": writers among the registered stages");
      if (t.layer == Layer.BRONZE || t.layer == Layer.SILVER) {
        assertEquals(t.layer == Layer.BRONZE ? "ingest" : "locate", Stages.producerOf(t), t.toString());
      }
    }
    assertEquals(List.of("ingest", "locate", "market", "forecast", "score", "design", "segment", "report"), Stages.names());
    assertEquals(Stages.names().size(), new HashSet<>(Stages.names()).size(), "stage names are unique");
  }

  /** A configured check on a table no stage writes would never run: the registry must cover every check's table. */
  @Test
  void everyConfiguredCheckRunsAfterAStage() {
    for (AppConfig cfg : configs()) {
      List<Check> checks = Check.parseAll(cfg.getStringList("tp.dq.checks"));
      assertFalse(checks.isEmpty());
      for (Check c : checks) {
        assertTrue(Stages.PIPELINE.stream().anyMatch(s -> s.writes().contains(c.table())),
            c.spec() + ": no registered stage writes " + c.table());
      }
    }
  }

  @Test
  void selectionAndHelpComeFromTheRegistry() {
    assertEquals(List.of("market", "forecast"), Stages.select(null, "market", "forecast").stream().map(Stage::name).toList());
    assertEquals(List.of("score"), Stages.select("score", null, null).stream().map(Stage::name).toList());
    assertThrows(ConfigError.class, () -> Stages.select(null, "score", "ingest"));
    assertThrows(ConfigError.class, () -> Stages.select("plan", null, null));
    String help = org.territorypotential.cli.Main.USAGE_TEXT;
    for (Stage s : Stages.PIPELINE) {
      assertTrue(help.contains("\n  " + s.name() + " "), "help lists " + s.name() + ":\n" + help);
    }
    assertTrue(help.contains("(ingest, locate, market, forecast, score, design, segment, report)"), help);
    // the registry's stage lines and the fixed command lines share one indentation (two spaces)
    assertTrue(help.startsWith("usage: jobs/tp "), help);
    for (String command : List.of("pipeline", "demo", "generate", "sql", "serve-sql", "help")) {
      assertTrue(help.contains("\n  " + command + " "), "help lists " + command + " two spaces in:\n" + help);
    }
  }

  /** A bad setting of any stage stops the run before Spark starts, naming the key. */
  @Test
  void settingsAreValidatedBeforeSparkStarts() {
    AppConfig bad = AppConfig.load(null, Map.of("tp.forecast.history", "sales"));
    ConfigError e = assertThrows(ConfigError.class, () -> Runner.validate(bad, java.time.LocalDate.parse("2024-06-30"),
        Stages.PIPELINE));
    assertTrue(e.getMessage().contains("tp.forecast.history"), e.getMessage());
    AppConfig badCheck = AppConfig.load(null, Map.of("tp.dq.checks", "[\"NO_SUCH_TABLE not_null x fail\"]"));
    assertThrows(ConfigError.class, () -> Runner.validate(badCheck, java.time.LocalDate.parse("2024-06-30"), Stages.PIPELINE));
    for (Map.Entry<String, String> lake : Map.of("tp.lake.parallel-writes", "0", "tp.lake.conflict-retries", "-1",
        "tp.databases.gold", "gold; DROP").entrySet()) {
      ConfigError le = assertThrows(ConfigError.class, () -> Runner.validate(AppConfig.load(null, Map.of(lake.getKey(),
          lake.getValue())), java.time.LocalDate.parse("2024-06-30"), List.of(Stages.GENERATE)), lake.toString());
      assertTrue(le.getMessage().contains(lake.getKey()), le.getMessage());
    }
    ConfigError de = assertThrows(ConfigError.class, () -> Runner.validate(AppConfig.load(null,
        Map.of("tp.design.perturbations", "-1")), java.time.LocalDate.parse("2024-06-30"), Stages.PIPELINE));
    assertEquals("configuration key 'tp.design.perturbations' must be >= 0, got -1", de.getMessage());
    ConfigError tb = assertThrows(ConfigError.class, () -> Runner.validate(AppConfig.load(null,
        Map.of("tp.design.tree-budget", "0")), java.time.LocalDate.parse("2024-06-30"), Stages.PIPELINE));
    assertEquals("configuration key 'tp.design.tree-budget' must be >= 1, got 0", tb.getMessage());
    Runner.validate(AppConfig.load(null, Map.of()), java.time.LocalDate.parse("2024-06-30"), Stages.PIPELINE);
  }
}
