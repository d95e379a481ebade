package org.territorypotential.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.territorypotential.bench.PipelineReport.Baselines;
import org.territorypotential.bench.PipelineReport.Scale;
import org.territorypotential.bench.PipelineReport.ScaleRun;
import org.territorypotential.bench.PipelineReport.StageFigure;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/** The pipeline benchmark's pure parts: scales, the plain-Java market pass, the arithmetic and the markdown (no Spark). */
class PipelineReportTest {
  private static final int JAN_2024 = 2024 * 12;

  private static int day(String date) {
    return (int) LocalDate.parse(date).toEpochDay();
  }

  @Test
  void marketPassCountsWhatTheStageCounts() {
    // unit, make, model, own segment, sale type, date
    String[][] in = {
        {"U1", "AURORA", "A1", "suv ", "retail", "2024-03-05"}, // own segment, trimmed + upper case
        {"U1", "AURORA", "A1", null, "retail", "2024-03-20"},   // segment from the reference (SUV)
        {"U1", "AURORA", "A1", "", null, "2024-04-01"},         // blank own segment, missing sale type = retail
        {"U1", "AURORA", "A1", null, " Fleet", "2024-03-07"},   // fleet: left out
        {null, "AURORA", "A1", null, "retail", "2024-03-07"},   // unlocated: left out
        {"U2", "KESTREL", "K9", null, "retail", "2023-01-15"},  // no reference: UNCLASSIFIED; before the window
        {"U2", "KESTREL", "K9", null, "retail", "2024-07-02"},  // after the run date: in no count
    };
    int n = in.length;
    MarketBaseline.Rows rows = new MarketBaseline.Rows(new String[n], new String[n], new String[n], new String[n], new String[n],
        new int[n], new int[n]);
    for (int i = 0; i < n; i++) {
      rows.unit()[i] = in[i][0];
      rows.make()[i] = in[i][1];
      rows.model()[i] = in[i][2];
      rows.segment()[i] = in[i][3];
      rows.saleType()[i] = in[i][4];
      LocalDate d = LocalDate.parse(in[i][5]);
      rows.day()[i] = (int) d.toEpochDay();
      rows.month()[i] = d.getYear() * 12 + d.getMonthValue() - 1;
    }
    MarketBaseline b = new MarketBaseline(new String[] {"AURORA"}, new String[] {"A1"}, new String[] {" suv"});
    MarketBaseline.Window w = new MarketBaseline.Window(day("2023-07-01"), day("2024-06-30"), day("2024-06-30"), true);
    MarketBaseline.Counts c = b.count(rows, w);

    assertEquals(Map.of(new MarketBaseline.Cell("U1", "SUV", "AURORA", MarketBaseline.WINDOW), 3L), plain(c.window()));
    assertEquals(Map.of(new MarketBaseline.Cell("U1", "SUV", "AURORA", JAN_2024 + 2), 2L,
        new MarketBaseline.Cell("U1", "SUV", "AURORA", JAN_2024 + 3), 1L), plain(c.windowMonths()));
    assertEquals(Map.of(new MarketBaseline.Cell("U1", "SUV", "AURORA", JAN_2024 + 2), 2L,
        new MarketBaseline.Cell("U1", "SUV", "AURORA", JAN_2024 + 3), 1L,
        new MarketBaseline.Cell("U2", "UNCLASSIFIED", "KESTREL", 2023 * 12), 1L), plain(c.history()));
    assertEquals(4, MarketBaseline.Counts.total(c.history()));

    MarketBaseline.Counts all = b.count(rows, new MarketBaseline.Window(w.windowStart(), w.windowEnd(), w.asOf(), false));
    assertEquals(4, all.get(all.window(), "U1", "SUV", "AURORA", MarketBaseline.WINDOW), "fleet counted when not retail-only");
    assertEquals(1, b.count(rows, w, 0, 1).history().size(), "a slice counts only its rows");
  }

  private static Map<MarketBaseline.Cell, Long> plain(Map<MarketBaseline.Cell, long[]> m) {
    return m.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue()[0]));
  }

  @Test
  void scalesParseFromConfigurationAndSet() {
    Scale s = Scale.parse(" 1_000_000 / 10_000/500/60");
    assertEquals(new Scale(1_000_000, 10_000, 500, 60), s);
    assertEquals("r1000000_u10000_d500_m60", s.tag());
    assertEquals("1,000,000 regs, 10,000 units, 500 dealers, 60 months", s.label());
    assertThrows(ConfigError.class, () -> Scale.parse("1000/10/5"));
    assertThrows(ConfigError.class, () -> Scale.parse("1000/10/5/x"));
    // the documented --set form, unquoted or quoted list items
    AppConfig cfg = AppConfig.load(null, Map.of("tp.bench.pipeline.scales", "[20_000/200/20/36, \"10000/100/12/36\"]"));
    PipelineBench.Params p = PipelineBench.Params.from(cfg);
    assertEquals(List.of(new Scale(20_000, 200, 20, 36), new Scale(10_000, 100, 12, 36)), p.scales());
    assertEquals(List.of("ingest", "locate", "market", "forecast", "score"), p.stages());
    assertThrows(ConfigError.class, () -> PipelineBench.Params.from(
        AppConfig.load(null, Map.of("tp.bench.pipeline.scales", "[\"1/10/9/36\", \"1/10/9/36\"]"))));
    assertThrows(ConfigError.class, () -> PipelineBench.Params.from(AppConfig.load(null, Map.of("tp.bench.pipeline.last-stage", "x"))));
    Map<String, String> o = PipelineBench.scaleOverrides(Map.of(), cfg, p, p.scales().get(1));
    assertEquals("lakehouse-bench/r10000_u100_d12_m36", o.get("tp.lakehouse"));
    assertEquals("tp_bronze_r10000_u100_d12_m36", o.get("tp.databases.bronze"));
  }

  @Test
  void tableShowsRatesAndCostAgainstTheSmallestScale() {
    ScaleRun small = new ScaleRun(new Scale(1000, 10, 12, 36), List.of(
        new StageFigure("generate", "rows generated", 1200, 4.0, 100L << 20, 300L << 20, 0, false),
        new StageFigure("ingest", "input rows read", 1000, 2.0, 200L << 20, 400L << 20, 1L << 20, true),
        new StageFigure("locate", "records to locate", 1000, 5.0, 300L << 20, 500L << 20, 2L << 20, true),
        new StageFigure("dq checks", "18 checks after the stages", -1, 1.0, 100L << 20, 100L << 20, 0, true)),
        new Baselines(1000, 1000, 0.5, 1000, 0.25));
    ScaleRun big = new ScaleRun(new Scale(4000, 40, 12, 36), List.of(
        new StageFigure("generate", "rows generated", 4800, 8.0, 100L << 20, 300L << 20, 0, false),
        new StageFigure("ingest", "input rows read", 4000, 4.0, 250L << 20, 450L << 20, 3L << 20, true),
        new StageFigure("locate", "records to locate", 4000, 30.0, 350L << 20, 550L << 20, 5L << 20, true),
        new StageFigure("dq checks", "18 checks after the stages", -1, 6.0, 100L << 20, 100L << 20, 0, true)),
        Baselines.none());
    StageFigure total = PipelineReport.total(big.stages());
    assertEquals(new StageFigure("pipeline total", "input rows read", 4000, 40.0, 350L << 20, 550L << 20, 8L << 20, false), total);

    String table = PipelineReport.stageTable(List.of(big, small), 2);
    String[] lines = table.split("\n");
    assertEquals(2 + 2 * 5, lines.length, table);
    // ingest at 4x the rows: 2x the time, half the cost per row; 4,000 rows / 4 s / 2 cores = 500
    assertEquals("| 4,000 regs, 40 units, 12 dealers, 36 months | ingest | 4,000 (input rows read) | 4.0 | 500 | 250.0 | 450.0 "
        + "| 3.0 | 2.00x | 0.50x |", lines[3]);
    // locate: 6x the time for 4x the rows = 1.5x the cost per row
    assertTrue(lines[4].endsWith("| 6.00x | 1.50x |"), lines[4]);
    // the checks are no rows: no rate, no per-row cost
    assertEquals("| 4,000 regs, 40 units, 12 dealers, 36 months | dq checks | - (18 checks after the stages) | 6.0 | - | 100.0 "
        + "| 100.0 | 0.0 | 6.00x | - |", lines[5]);
    // total: 4,000 / 40 s / 2 = 50 per core; 40 s vs 8 s; 10 ms vs 8 ms per row
    assertEquals("| 4,000 regs, 40 units, 12 dealers, 36 months | **pipeline total** | 4,000 (input rows read) | 40.0 | 50 "
        + "| 350.0 | 550.0 | 8.0 | 5.00x | 1.25x |", lines[6]);
    assertTrue(lines[7].endsWith("| 1.00x | 1.00x |"), lines[7]);

    String limits = PipelineReport.baselineTable(List.of(small, big), 2);
    // JTS 2,000 points/s on 1 core; locate stage 1,000 / 5 / 2 = 100 per core: 0.05x; market not run: "-"
    assertEquals("| 1,000 regs, 10 units, 12 dealers, 36 months | 1,000 | 0.500 | 2,000 | 100 | 0.05x | 1,000 | 0.250 | 4,000 | - "
        + "| - |", limits.split("\n")[2]);
    // no baselines at the big scale; its locate stage: 4,000 / 30 s / 2 = 67 per core
    assertEquals("| 4,000 regs, 40 units, 12 dealers, 36 months | - | - | - | 67 | - | - | - | - | - | - |", limits.split("\n")[3]);
  }

  @Test
  void incrementalTableComparesTheIncrementalMonthWithTheFullRebuild() {
    List<StageFigure> previous = List.of(new StageFigure("ingest", "input rows read", 900, 3.0, -1, -1, 0, true),
        new StageFigure("locate", "records to locate", 900, 10.0, -1, -1, 0, true));
    List<StageFigure> incremental = List.of(new StageFigure("ingest", "input rows read", 1000, 3.0, -1, -1, 0, true),
        new StageFigure("locate", "records to locate", 1000, 2.0, -1, -1, 0, true));
    List<StageFigure> full = List.of(new StageFigure("ingest", "input rows read", 1000, 4.0, -1, -1, 0, true),
        new StageFigure("locate", "records to locate", 1000, 16.0, -1, -1, 0, true));
    ScaleRun run = new ScaleRun(new Scale(1000, 10, 12, 36), full, Baselines.none(),
        new PipelineReport.Incremental(previous, incremental, full, 900, 1000));
    String[] lines = PipelineReport.incrementalTable(List.of(run, new ScaleRun(new Scale(10, 1, 1, 36), full, Baselines.none())))
        .split("\n");
    // the scale without an incremental month has no rows; ingest 3 of 4 s; locate 2 of 16 s; total 5 of 20 s
    assertEquals(2 + 3, lines.length, String.join("\n", lines));
    assertEquals("| 1,000 regs, 10 units, 12 dealers, 36 months | ingest | 3.0 | 3.0 | 4.0 | 0.75x |", lines[2]);
    assertEquals("| 1,000 regs, 10 units, 12 dealers, 36 months | locate | 10.0 | 2.0 | 16.0 | 0.13x |", lines[3]);
    assertEquals("| 1,000 regs, 10 units, 12 dealers, 36 months | **pipeline total** | 13.0 | 5.0 | 20.0 | 0.25x |", lines[4]);
  }

  @Test
  void reportReplacesOnlyItsMarkedSection() {
    String doc = "# Benchmarks\n\n## Locating points\n\nkeep\n";
    String added = PipelineReport.replaceMarked(doc, "Pipeline", "one\n");
    assertEquals(doc + "\n## Pipeline\n\n" + PipelineReport.START + "\none\n" + PipelineReport.END + "\n", added);
    String edited = added.replace("## Pipeline\n\n", "## Pipeline\n\nHow to run (hand-written).\n\n") + "\n## Later\n\nkeep too\n";
    String replaced = PipelineReport.replaceMarked(edited, "Pipeline", "two");
    assertEquals(edited.replace("\none\n", "\ntwo\n"), replaced);
    // a second marker pair (the incremental-month run's) is added beside the first and leaves it alone
    String both = PipelineReport.replaceMarked(replaced, "Incremental", "three", "bench-pipeline-incremental");
    assertTrue(both.startsWith(replaced), both);
    assertEquals(replaced, PipelineReport.replaceMarked(both, "Incremental", "four", "bench-pipeline-incremental")
        .substring(0, replaced.length()));
    assertTrue(both.endsWith("<!-- bench-pipeline-incremental:start -->\nthree\n<!-- bench-pipeline-incremental:end -->\n"), both);
    assertEquals("jobs/tp bench-pipeline --set 'tp.bench.pipeline.scales=[\"1/10/9/36\"]' --set 'tp.bench.pipeline.label=it'\\''s'",
        PipelineBench.command(List.of("bench-pipeline", "--set", "tp.bench.pipeline.scales=[\"1/10/9/36\"]", "--set",
            "tp.bench.pipeline.label=it's")));
  }
}
