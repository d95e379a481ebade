package org.territorypotential.report;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.DemoFixture;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.score.Scores;

/**
 * The report the shared demo wrote (the report stage is the pipeline's last): read back its GIS
 * exports with Sedona, and open the HTML in a real headless Chromium (Debian's chromium, driven
 * over the DevTools protocol; the browser tests skip, saying so, when it is not installed).
 */
class ReportTest {
  private static SparkSession spark;
  private static Lake lake;
  private static AppConfig cfg;
  private static Path dir;
  private static Chromium browser;
  private static final LocalDate AS_OF = LocalDate.parse(DemoFixture.AS_OF);

  @BeforeAll
  static void demo() throws Exception {
    DemoFixture demo = DemoFixture.get();
    spark = TestSpark.session();
    cfg = TestSpark.config(DemoFixture.DB, Map.of("tp.lakehouse", new File(TestSpark.dir(DemoFixture.DB), "lake").getAbsolutePath()));
    lake = new Lake(spark, cfg);
    dir = ReportJob.root(lake, ReportParams.from(cfg, AS_OF)).resolve(DemoFixture.AS_OF);
    assertTrue(demo.printed().contains("report: " + dir.resolve("report.html")), "the demo prints the report's path:\n" + demo.printed());
    Optional<String> exe = Chromium.find(cfg.getString("tp.report.chromium"));
    if (exe.isPresent()) {
      browser = Chromium.start(exe.get());
    }
  }

  @AfterAll
  static void close() {
    if (browser != null) {
      browser.close();
    }
  }

  private static void needBrowser() {
    assumeTrue(browser != null, "chromium is not installed (apt-get install chromium; .ci/run does it): browser checks skipped");
  }

  private Dataset<Row> performance() {
    return lake.read(Table.DEALER_PERFORMANCE, AS_OF).where("upper(brand) = '" + ReportParams.from(cfg, AS_OF).brand() + "'");
  }

  private Dataset<Row> pmaScores() {
    return lake.read(Table.POTENTIAL_SCORES, AS_OF).where("territory_type = 'pma' AND segment = '" + Scores.ALL + "'");
  }

  @Test
  void gisExportsReadBackWithSedonaHoldEveryTerritoryAndUnitWithTheirScores() throws Exception {
    Path gis = dir.resolve("gis");
    Dataset<Row> t = spark.read().format("geoparquet").load(gis.resolve("territories.parquet").toString());
    long territories = lake.read(Table.TERRITORY_ASSIGNMENT, AS_OF)
        .where("method = 'pma' AND upper(brand) = '" + ReportParams.from(cfg, AS_OF).brand() + "'").select("territory_id").distinct().count();
    assertTrue(territories > 1);
    assertEquals(territories, t.count(), "one feature per PMA");
    assertEquals(0L, t.where("NOT ST_IsValid(geometry) OR ST_IsEmpty(geometry)").count(), "valid geometry");
    // scores equal potential_scores' (full join: a territory missing on either side fails)
    Dataset<Row> s = pmaScores();
    assertEquals(s.count(), t.join(s, t.col("territory_id").equalTo(s.col("territory_id")), "full_outer")
        .where(t.col("score").eqNullSafe(s.col("score")).and(t.col("opportunity_gap").eqNullSafe(s.col("opportunity_gap")))
            .and(t.col("potential_units").eqNullSafe(s.col("potential_units")))).count(), "scores equal the table's");
    Dataset<Row> p = performance();
    assertEquals(p.count(), t.join(p, "territory_id").where(t.col("registration_effectiveness")
        .eqNullSafe(p.col("registration_effectiveness"))).count(), "effectiveness equals dealer_performance's");
    // units: every located geo unit of the assignment, with its territory
    Dataset<Row> u = spark.read().format("geoparquet").load(gis.resolve("units.parquet").toString());
    long units = lake.read(Table.TERRITORY_ASSIGNMENT, AS_OF).select("geo_unit_id").distinct().count();
    assertEquals(units, u.count());
    assertEquals(0L, u.where("NOT ST_IsValid(geometry)").count());
    // the same features line-delimited (Sedona's geojson reader) and as one FeatureCollection
    Dataset<Row> tl = spark.read().format("geojson").load(gis.resolve("territories.geojsonl").toString());
    assertEquals(territories, tl.count());
    assertEquals(0L, tl.where("NOT ST_IsValid(geometry)").count());
    JsonNode fc = Json.mapper().readTree(gis.resolve("territories.geojson").toFile());
    assertEquals("FeatureCollection", fc.get("type").asText());
    assertEquals(territories, fc.get("features").size());
    Map<String, Double> score = new HashMap<>();
    for (Row r : s.collectAsList()) {
      score.put(r.getAs("territory_id"), r.getAs("score"));
    }
    for (JsonNode f : fc.get("features")) {
      Double expected = score.get(f.get("properties").get("territory_id").asText());
      assertEquals(expected == null, f.get("properties").get("score").isNull());
      if (expected != null) {
        assertEquals(expected, f.get("properties").get("score").asDouble(), 0.0);
      }
    }
    // gold data only: no customer fields
    for (String c : u.columns()) {
      assertFalse(c.contains("customer") || c.contains("registration_id") || c.contains("vin"), c);
    }
  }

  @Test
  void theReportRendersOfflineWithAPathPerTerritoryAndABarPerDealer() throws Exception {
    needBrowser();
    Path html = dir.resolve("report.html");
    long t0 = System.nanoTime();
    try (Chromium.Page page = browser.open(html, 1100, 1000, Duration.ofMillis(500))) {
      assertEquals("true", page.eval("document.body.getAttribute('data-rendered')").asText(), "report.js ran to its end");
      double ms = (System.nanoTime() - t0) / 1e6;
      assertEquals(List.of(), page.errors, "console errors");
      assertEquals(List.of(), others(page, html), "no request but the file itself");
      long territories = pmaScores().select("territory_id").distinct().count();
      assertEquals(territories, page.eval("document.querySelectorAll('#map path.tp-territory').length").asLong(),
          "one map path per territory");
      assertTrue(page.eval("document.querySelectorAll('#map path.tp-dealer').length").asLong() > 0, "dealer points");
      assertEquals(territories, page.eval("document.querySelectorAll('#map path.tp-pma').length").asLong(), "PMA outlines");
      long dealers = performance().where("registration_effectiveness IS NOT NULL").count();
      assertTrue(dealers > 1);
      String bars = "(function(){var s=tpReport.bars.getModel().getSeriesByIndex(0).getData(),n=0;"
          + "for(var i=0;i<s.count();i++){var e=s.getItemGraphicEl(i);if(e&&e.shape&&e.shape.height!==0)n++;}return n;})()";
      assertEquals(dealers, page.eval(bars).asLong(), "one drawn bar per dealer with an effectiveness");
      assertTrue(page.eval("document.querySelectorAll('#forecast svg path').length").asLong() > 4, "forecast chart drawn");
      // the design stage ran before the report: its scenarios and what-ifs are tables of the page
      Dataset<Row> metrics = lake.read(Table.TERRITORY_DESIGN_METRICS, AS_OF);
      long assignments = metrics.select("scenario_id", "assignment").distinct().count();
      assertTrue(assignments >= 2, "the demo's design scenario has its current and designed assignments");
      assertEquals(assignments, page.eval("document.querySelectorAll('#design tbody tr').length").asLong(),
          "one row per scenario and assignment");
      String scenario = page.eval("document.querySelector('#design tbody tr').cells[0].textContent").asText();
      String moved = page.eval("(function(){var r=document.querySelectorAll('#design tbody tr');for(var i=0;i<r.length;i++)"
          + "{if(r[i].cells[0].textContent===" + jsString(scenario) + "&&r[i].cells[1].textContent==='design')"
          + "return r[i].cells[7].textContent;}return 'none';})()").asText();
      assertEquals(String.valueOf(metrics.where(col("scenario_id").equalTo(scenario).and(col("assignment").equalTo("design")))
          .agg(org.apache.spark.sql.functions.sum("units_moved_in")).first().getLong(0)), moved, "units moved, as the table has them");
      long whatIf = ReportJob.whatIfSummary(lake.read(Table.WHATIF_RESULTS, AS_OF), ReportParams.from(cfg, AS_OF).brand()).count();
      assertTrue(whatIf > 0, "the demo's what-if changes some dealer of the brand");
      assertEquals(whatIf, page.eval("document.querySelectorAll('#whatif tbody tr').length").asLong(), "one row per what-if dealer");
      // switching the metric recolours the map without errors
      page.eval("(function(){var s=document.getElementById('metric');s.value='effectiveness';s.dispatchEvent(new Event('change'));"
          + "var l=document.getElementById('level');l.value='units';l.dispatchEvent(new Event('change'));return 1;})()");
      assertEquals(List.of(), page.errors, "console errors after switching");
      byte[] png = page.screenshot();
      double share = nonBackgroundShare(png);
      assertTrue(share > 0.15, "screenshot has " + share + " non-background pixels");
      Path shot = Path.of("target", "report-screenshot.png");
      Files.write(shot, png);
      System.out.printf("[report] %s: %,d bytes, rendered in %.0f ms, %.0f%% non-background pixels; screenshot %s%n", html,
          Files.size(html), ms, share * 100, shot.toAbsolutePath());
      // the segment stage ran before the report: geo units can be coloured by market segment, a legend row each
      long segments = lake.read(Table.SEGMENT_PROFILES, AS_OF).select("segment_id").distinct().count();
      long legendRows = page.eval("(function(){var s=document.getElementById('metric');s.value='segment';"
          + "s.dispatchEvent(new Event('change'));return document.querySelectorAll('.tp-legend div').length;})()").asLong();
      assertEquals(segments + 2, legendRows, "a legend row per segment, no value and MDA");
      assertEquals("units", page.eval("document.getElementById('level').value").asText(), "segments colour geo units");
      assertEquals(List.of(), page.errors, "console errors with segments");
    }
  }

  private static int decimals(String field) {
    for (Object[] f : ReportBuilder.FIGURES) {
      if (f[1].equals(field)) {
        return (Integer) f[2];
      }
    }
    return 0;
  }

  private static String jsString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** The page's requests other than the file itself and inline data: URIs. */
  static List<String> others(Chromium.Page page, Path file) {
    assertTrue(page.requests.contains(file.toUri().toString()), "the DevTools listener saw the page's own request: " + page.requests);
    return page.requests.stream().filter(u -> !u.equals(file.toUri().toString()) && !u.startsWith("data:")).toList();
  }

  /** Share of pixels whose colour differs from the most common one (the background). */
  static double nonBackgroundShare(byte[] png) throws Exception {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    Map<Integer, Integer> counts = new HashMap<>();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        counts.merge(img.getRGB(x, y), 1, Integer::sum);
      }
    }
    int max = counts.values().stream().max(Integer::compare).orElse(0);
    return 1.0 - (double) max / (img.getWidth() * img.getHeight());
  }

  @Test
  void eachDealerSheetShowsDealerPerformanceFigures() throws Exception {
    needBrowser();
    List<Row> perf = performance().collectAsList();
    assertTrue(perf.size() > 1);
    for (Row r : perf) {
      Path sheet = dir.resolve(ReportBuilder.sheetFile(r.getAs("dealer_id")));
      try (Chromium.Page page = browser.open(sheet, 800, 1100, Duration.ZERO)) {
        assertEquals(List.of(), page.errors, sheet.toString());
        assertEquals(List.of(), others(page, sheet), "no request but the file itself");
        assertEquals(r.<String>getAs("dealer_name"), page.eval("document.getElementById('dealer-name').textContent").asText());
        JsonNode fields = page.eval("Array.from(document.querySelectorAll('[data-field]')).map(function(e){"
            + "return [e.getAttribute('data-field'), e.textContent];})");
        assertEquals(ReportBuilder.FIGURES.size() + 1, fields.size(), "every figure and the band");
        for (JsonNode f : fields) {
          String field = f.get(0).asText();
          String shown = f.get(1).asText();
          Object v = r.getAs(field);
          if (v == null) {
            assertEquals("-", shown, field);
          } else if (v instanceof Number n) {
            int decimals = decimals(field);
            double tolerance = n instanceof Double ? 0.5 * Math.pow(10, -decimals) + 1e-9 : 0.0;
            assertEquals(n.doubleValue(), Double.parseDouble(shown), tolerance, r.getAs("dealer_id") + " " + field);
          } else {
            assertEquals(v.toString(), shown, field);
          }
        }
        long segments = lake.read(Table.DEALER_EXPECTED_BY_SEGMENT, AS_OF).where(
            org.apache.spark.sql.functions.col("dealer_id").equalTo(r.<String>getAs("dealer_id"))).count();
        assertEquals(segments, page.eval("document.querySelectorAll('#segments tbody tr').length").asLong(), "one row per segment");
        assertTrue(page.eval("document.getElementById('pma').getAttribute('d').length").asLong() > 10, "PMA drawn");
      }
    }
  }

  /**
   * Multiple-dealer areas (the fixture's PMAs have none, so every third PMA unit of the brand is
   * flagged here): one hatched path per MDA unit on the map, filled with the hatch pattern, and the
   * hatched area drawn on the sheet of a dealer whose PMA holds one.
   */
  @Test
  void multipleDealerAreasAreHatchedOnTheMapAndTheSheet() throws Exception {
    needBrowser();
    ReportParams p = ReportParams.from(cfg, AS_OF);
    ReportJob.Collected c = ReportJob.collect(lake, p, RunContext.start("report", AS_OF));
    ReportBuilder.Inputs in = c.inputs();
    List<Row> flagged = new ArrayList<>();
    java.util.Set<String> mdaUnits = new java.util.TreeSet<>();
    java.util.Set<String> mdaTerritories = new java.util.TreeSet<>();
    int k = 0;
    for (Row r : in.assignment()) {
      boolean ours = "pma".equals(r.getAs("method")) && p.brand().equalsIgnoreCase(r.getAs("brand"));
      Object[] values = new Object[r.size()];
      for (int i = 0; i < r.size(); i++) {
        values[i] = r.get(i);
      }
      if (ours && k++ % 3 == 0) {
        values[r.fieldIndex("is_multiple_dealer_area")] = true;
        mdaUnits.add(r.getAs("geo_unit_id"));
        mdaTerritories.add(r.getAs("territory_id"));
      }
      flagged.add(new GenericRowWithSchema(values, r.schema()));
    }
    assertTrue(mdaUnits.size() >= 2, "the fixture has PMA units to flag: " + mdaUnits);
    ReportJob.Fitted f = ReportJob.fit(new ReportBuilder.Inputs(in.asOf(), in.runId(), in.inputVersions(), in.performance(),
        in.bySegment(), in.scores(), flagged, in.units(), in.dealers(), in.series(), in.design(), in.whatIf()), p,
        ReportJob.resource("report.css"), ReportJob.resource("report.js"));
    Path root = TestSpark.dir("report_mda").toPath();
    Path html = ReportJob.write(f.built(), f.html(), root.resolve("run"), root);
    try (Chromium.Page page = browser.open(html, 1280, 1200, Duration.ofMillis(300))) {
      assertEquals(List.of(), page.errors);
      assertEquals(mdaUnits.size(), page.eval("document.querySelectorAll('path.tp-mda').length").asLong(), "one path per MDA unit");
      assertEquals(1L, page.eval("document.querySelectorAll('pattern#tp-hatch').length").asLong(), "the hatch pattern");
      assertEquals(mdaUnits.size(), page.eval("Array.from(document.querySelectorAll('path.tp-mda'))"
          + ".filter(e => e.getAttribute('fill') === 'url(#tp-hatch)').length").asLong(), "every MDA path is hatched");
    }
    String sheetOfMda = null;
    for (Row r : in.performance()) {
      if (mdaTerritories.contains(r.<String>getAs("territory_id"))) {
        sheetOfMda = ReportBuilder.sheetFile(r.getAs("dealer_id"));
      }
    }
    assertTrue(sheetOfMda != null, "a dealer owns a flagged PMA");
    try (Chromium.Page page = browser.open(root.resolve("run").resolve(sheetOfMda), 800, 1100, Duration.ZERO)) {
      assertTrue(page.eval("Array.from(document.querySelectorAll('path')).filter(e => e.getAttribute('fill') === 'url(#hatch)'"
          + " && e.getAttribute('d').length > 10).length").asLong() == 1, "the sheet hatches the dealer's MDA units");
    }
  }

  /** A dealer called {@code <script>alert(1)</script>} is shown as text in the report, its sheet and the chart. */
  @Test
  void aDealerNamedAsAScriptRendersAsText() throws Exception {
    needBrowser();
    String evil = "<script>alert(1)</script>";
    ReportParams p = ReportParams.from(cfg, AS_OF);
    ReportJob.Collected c = ReportJob.collect(lake, p, RunContext.start("report", AS_OF));
    List<Row> renamed = new ArrayList<>();
    for (Row r : c.inputs().performance()) {
      Object[] values = new Object[r.size()];
      for (int i = 0; i < r.size(); i++) {
        values[i] = r.schema().fieldNames()[i].equals("dealer_name") ? evil : r.get(i);
      }
      renamed.add(new GenericRowWithSchema(values, r.schema()));
    }
    ReportBuilder.Inputs in = c.inputs();
    ReportJob.Fitted fitted = ReportJob.fit(new ReportBuilder.Inputs(in.asOf(), in.runId(), in.inputVersions(), renamed,
        in.bySegment(), in.scores(), in.assignment(), in.units(), in.dealers(), in.series(), in.design(), in.whatIf()), p,
        ReportJob.resource("report.css"), ReportJob.resource("report.js"));
    ReportBuilder.Built built = fitted.built();
    Path root = TestSpark.dir("report_escaping").toPath();
    Path html = ReportJob.write(built, fitted.html(), root.resolve("run"), root);
    assertFalse(Files.readString(html).contains(evil), "never literal in the HTML");
    try (Chromium.Page page = browser.open(html, 1280, 1200, Duration.ofMillis(300))) {
      assertEquals(List.of(), page.dialogs, "no alert ran");
      assertEquals(List.of(), page.errors);
      assertEquals(4L, page.eval("document.scripts.length").asLong(), "only the report's own four script elements");
      assertTrue(page.eval("document.getElementById('sheets').textContent").asText().contains(evil), "shown as text");
      assertTrue(page.eval("document.getElementById('bars').textContent").asText().contains(evil), "chart label as text");
    }
    Path sheet = root.resolve("run").resolve(built.sheets().keySet().iterator().next());
    try (Chromium.Page page = browser.open(sheet, 800, 1100, Duration.ZERO)) {
      assertEquals(List.of(), page.dialogs);
      assertEquals(0L, page.eval("document.scripts.length").asLong());
      assertEquals(evil, page.eval("document.getElementById('dealer-name').textContent").asText());
    }
  }

  @Test
  void dealerSheetsPrintToPdf() throws Exception {
    needBrowser();
    ReportParams p = ReportParams.from(AppConfig.load(null, Map.of("tp.lakehouse", lake.root(), "tp.report.pdf", "true")), AS_OF);
    ReportJob.Collected c = ReportJob.collect(lake, p, RunContext.start("report", AS_OF));
    ReportJob.Fitted fitted = ReportJob.fit(c.inputs(), p, ReportJob.resource("report.css"), ReportJob.resource("report.js"));
    ReportBuilder.Built built = fitted.built();
    Path root = TestSpark.dir("report_pdf").toPath();
    ReportJob.write(built, fitted.html(), root.resolve("run"), root);
    List<Path> pdfs = ReportJob.printSheets(p, root.resolve("run"), built);
    assertEquals(built.sheets().size(), pdfs.size());
    for (Path pdf : pdfs) {
      byte[] b = Files.readAllBytes(pdf);
      assertTrue(b.length > 1000 && new String(b, 0, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("%PDF-"), pdf.toString());
    }
  }
}
