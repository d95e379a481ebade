package org.territorypotential.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.io.WKTReader;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/** The report's pure parts, without Spark or a browser: escaping, coverage simplification, settings, assets. */
class ReportLogicTest {
  /** The report's collected unit and territory_assignment rows, as ReportJob selects them. */
  private static final StructType UNIT_SCHEMA = new StructType().add("geo_unit_id", DataTypes.StringType)
      .add("name", DataTypes.StringType).add("geometry", DataTypes.BinaryType);
  private static final StructType ASSIGNMENT_SCHEMA = new StructType().add("geo_unit_id", DataTypes.StringType)
      .add("territory_id", DataTypes.StringType).add("method", DataTypes.StringType).add("brand", DataTypes.StringType)
      .add("dealer_id", DataTypes.StringType).add("is_multiple_dealer_area", DataTypes.BooleanType);


  @Test
  void jsonForAScriptBlockCannotCloseItOrStartMarkup() {
    String s = Json.forScript(Map.of("name", "</script><script>alert(1)</script> & \u2028"));
    assertFalse(s.contains("<") || s.contains(">") || s.contains("&") || s.contains("\u2028"), s);
    assertEquals("{\"name\":\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 \\u2028\"}", s);
  }

  @Test
  void templatesEscapeADealerNameInTextAndAttributes() {
    String evil = "<script>alert(1)</script>";
    Pages.Index index = new Pages.Index(List.of(new Pages.IndexRow(evil, "\"><img src=x onerror=alert(1)>")), "");
    String html = ReportJob.render("index.jte", index);
    assertFalse(html.contains(evil), html);
    assertFalse(html.contains("<img"), html);
    assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
  }

  /**
   * Two unit squares sharing a zigzag edge: simplified as a coverage, the shared edge moves for
   * both, so the pair still tiles their union (no gap, no overlap).
   */
  @Test
  void coverageSimplificationLeavesNoSlivers() throws Exception {
    WKTReader r = new WKTReader();
    String zig = "1 0, 1.01 0.1, 0.99 0.2, 1.01 0.3, 0.99 0.4, 1.01 0.5, 0.99 0.6, 1.01 0.7, 0.99 0.8, 1.01 0.9, 1 1";
    Map<String, Geometry> units = new LinkedHashMap<>();
    units.put("a", r.read("POLYGON ((0 0, " + zig + ", 0 1, 0 0))"));
    units.put("b", r.read("POLYGON ((2 0, 2 1, " + reverse(zig) + ", 2 0))"));
    Map<String, Geometry> s = Shapes.simplifyCoverage(units, 0.05);
    assertTrue(s.get("a").getNumPoints() < units.get("a").getNumPoints(), "simplified: " + s.get("a"));
    assertEquals(0.0, s.get("a").intersection(s.get("b")).getArea(), 1e-12, "no overlap");
    assertEquals(2.0, s.get("a").union(s.get("b")).getArea(), 1e-9, "no gap: the pair covers the rectangle");
    Geometry t = Shapes.dissolve(s, Map.of("T", List.of("a", "b"))).get("T");
    assertEquals(1, t.getNumGeometries());
    assertEquals(2.0, t.getArea(), 1e-9);
    assertTrue(t.isValid());
  }

  /** Real polygons overlap and leave gaps (the WA ZCTAs): the dissolve falls back to a robust union instead of failing. */
  @Test
  void overlappingUnitsStillDissolve() throws Exception {
    WKTReader r = new WKTReader();
    Map<String, Geometry> units = new LinkedHashMap<>();
    units.put("a", r.read("POLYGON ((0 0, 1.2 0, 1.2 1, 0 1, 0 0))"));
    units.put("b", r.read("POLYGON ((1 0, 2 0, 2 1, 1.000001 1, 1 0))"));
    units.put("c", r.read("POLYGON ((3 0, 4 0, 4 1, 3 1, 3 0))"));
    Map<String, Geometry> s = Shapes.simplifyCoverage(units, 0.01);
    s.values().forEach(g -> assertTrue(g.isValid(), g.toString()));
    Geometry t = Shapes.dissolve(s, Map.of("T", List.of("a", "b", "c"))).get("T");
    assertTrue(t.isValid());
    assertEquals(3.0, t.getArea(), 1e-3);
  }

  private static String reverse(String coords) {
    List<String> parts = new java.util.ArrayList<>(List.of(coords.split(", ")));
    java.util.Collections.reverse(parts);
    return String.join(", ", parts);
  }

  @Test
  void settingsAreChecked() {
    java.time.LocalDate d = java.time.LocalDate.parse("2024-06-30");
    ReportParams p = ReportParams.from(AppConfig.load(null, Map.of()), d);
    assertEquals("pma", p.territoryType());
    assertEquals(100.0, p.bands().satisfactoryAt());
    for (Map.Entry<String, String> bad : Map.of("tp.report.output", "../x", "tp.report.territory-type", "county",
        "tp.report.simplify-tolerance", "-1", "tp.report.top-territories", "0", "tp.report.coordinate-decimals", "12").entrySet()) {
      ConfigError e = assertThrows(ConfigError.class, () -> ReportParams.from(AppConfig.load(null, Map.of(bad.getKey(), bad.getValue())), d));
      assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
    }
    ConfigError e = assertThrows(ConfigError.class, () -> ReportParams.from(AppConfig.load(null,
        Map.of("tp.report.pdf", "true", "tp.report.chromium", "/nonexistent/chromium")), d));
    assertTrue(e.getMessage().contains("tp.report.chromium"), e.getMessage());
  }

  @Test
  void assetsComeFromTheWebJarsWithLicencesAndNoExternalUrls() {
    Assets a = Assets.get();
    assertEquals("1.9.4", a.libraries.get("leaflet").version());
    assertEquals("5.3.1", a.libraries.get("echarts").version());
    assertTrue(a.libraries.get("leaflet").licence().contains("BSD"));
    assertTrue(a.libraries.get("echarts").licence().contains("Apache License"));
    assertFalse(a.leafletCss.contains("url(images/"), "Leaflet's images are inlined");
    assertTrue(a.leafletCss.contains("url(data:image/png;base64,"));
  }

  /**
   * The bound: a region of 10^4 units stays under tp.report.max-report-bytes. A 100 x 100
   * grid of 0.05-degree cells whose shared edges zigzag (12 vertices an edge, 0.0025 degrees out:
   * over 10 MB of coordinates at the default tolerance) in 100 PMAs, some units MDAs: the tolerance
   * is doubled until the page fits, every unit and territory is still on the map, and a small
   * region keeps the configured tolerance.
   */
  @Test
  void tenThousandUnitsFitTheByteBound() {
    int n = 100;
    int perEdge = 12;
    double cell = 0.05;
    double amp = 0.0025;
    GeometryFactory gf = new GeometryFactory();
    WKBWriter wkb = new WKBWriter();
    List<Row> units = new ArrayList<>();
    List<Row> assignment = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        List<Coordinate> ring = new ArrayList<>();
        ring.addAll(edge(i, j, i + 1, j, perEdge, cell, amp)); // bottom, left to right
        ring.addAll(edge(i + 1, j, i + 1, j + 1, perEdge, cell, amp)); // right, upwards
        List<Coordinate> top = edge(i, j + 1, i + 1, j + 1, perEdge, cell, amp);
        java.util.Collections.reverse(top);
        ring.addAll(top);
        List<Coordinate> left = edge(i, j, i, j + 1, perEdge, cell, amp);
        java.util.Collections.reverse(left);
        ring.addAll(left);
        ring.add(ring.get(0));
        Geometry g = gf.createPolygon(ring.toArray(Coordinate[]::new));
        String id = String.format("u%03d%03d", i, j);
        units.add(new GenericRowWithSchema(new Object[] {id, id, wkb.write(g)}, UNIT_SCHEMA));
        String territory = String.format("T%02d%02d", i / 10, j / 10);
        assignment.add(new GenericRowWithSchema(new Object[] {id, territory, "pma", "NISSAN", territory, (i + j) % 50 == 0},
            ASSIGNMENT_SCHEMA));
      }
    }
    ReportParams p = ReportParams.from(AppConfig.load(null, Map.of("tp.score.brand", "NISSAN")), LocalDate.parse("2024-06-30"));
    ReportBuilder.Inputs in = new ReportBuilder.Inputs(LocalDate.parse("2024-06-30"), "run", "", List.of(), List.of(), List.of(),
        assignment, units, List.of(), List.of(), List.of(), List.of());
    ReportJob.Fitted f = ReportJob.fit(in, p, "", "");
    long bytes = f.html().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    System.out.printf("[report] 10^4 units: %,d bytes at tolerance %s degrees (configured %s, bound %,d)%n", bytes, f.tolerance(),
        p.simplifyTolerance(), p.maxReportBytes());
    assertTrue(bytes <= p.maxReportBytes(), bytes + " bytes");
    assertTrue(f.tolerance() > p.simplifyTolerance(), "the zigzags had to be simplified away: " + f.tolerance());
    assertEquals(n * n, f.built().unitShapes().size());
    assertEquals(100, f.built().territoryProps().size(), "one map territory per PMA");
    String html = f.html();
    long mdas = assignment.stream().filter(r -> r.getBoolean(5)).count();
    assertEquals(n * n + 100 + 100 + mdas, count(html, "\"type\":\"Feature\""), "units, territories, PMAs, MDA units");

    List<Row> few = units.subList(0, 4);
    ReportJob.Fitted small = ReportJob.fit(new ReportBuilder.Inputs(in.asOf(), "run", "", List.of(), List.of(), List.of(),
        assignment.subList(0, 4), few, List.of(), List.of(), List.of(), List.of()), p, "", "");
    assertEquals(p.simplifyTolerance(), small.tolerance(), "a small region keeps tp.report.simplify-tolerance");
  }

  /** With the segment stage's unit_segments, each unit carries its segment and the page lists the segments for the map. */
  @Test
  void unitsCarryTheirMarketSegmentWhenTheSegmentStageRan() {
    GeometryFactory gf = new GeometryFactory();
    WKBWriter wkb = new WKBWriter();
    StructType segmentSchema = new StructType().add("geo_unit_id", DataTypes.StringType).add("segment_id", DataTypes.StringType)
        .add("segment_name", DataTypes.StringType);
    List<Row> units = new ArrayList<>();
    List<Row> assignment = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Geometry g = gf.toGeometry(new org.locationtech.jts.geom.Envelope(i, i + 1, 0, 1));
      units.add(new GenericRowWithSchema(new Object[] {"u" + i, "u" + i, wkb.write(g)}, UNIT_SCHEMA));
      assignment.add(new GenericRowWithSchema(new Object[] {"u" + i, "PMA-D1", "pma", "NISSAN", "D1", false}, ASSIGNMENT_SCHEMA));
    }
    List<Row> segments = List.of(new GenericRowWithSchema(new Object[] {"u0", "S01", "high income"}, segmentSchema),
        new GenericRowWithSchema(new Object[] {"u1", "S02", "growing"}, segmentSchema));
    ReportParams p = ReportParams.from(AppConfig.load(null, Map.of("tp.score.brand", "NISSAN")), LocalDate.parse("2024-06-30"));
    String html = ReportJob.fit(new ReportBuilder.Inputs(LocalDate.parse("2024-06-30"), "run", "", List.of(), List.of(),
        List.of(), assignment, units, List.of(), List.of(), List.of(), List.of(), segments), p, "", "").html();
    assertTrue(html.contains("\"segment\":\"S01\"") && html.contains("\"segment_name\":\"growing\""), "unit properties");
    assertEquals(2, count(html, "\"segment_name\":"), "one per unit");
    String without = ReportJob.fit(new ReportBuilder.Inputs(LocalDate.parse("2024-06-30"), "run", "", List.of(), List.of(),
        List.of(), assignment, units, List.of(), List.of(), List.of(), List.of()), p, "", "").html();
    assertEquals(0, count(without, "\"segment_name\":"), "no segments without the segment stage");
  }

  /**
   * Grid edge (i0, j0) -> (i1, j1), its inner vertices pushed sideways by +-amp in turn (the same for
   * both cells; the two vertices nearest each corner stay on the line, so no edge crosses another).
   */
  private static List<Coordinate> edge(int i0, int j0, int i1, int j1, int perEdge, double cell, double amp) {
    List<Coordinate> out = new ArrayList<>();
    boolean vertical = i0 == i1;
    for (int k = 0; k < perEdge; k++) {
      double t = (double) k / perEdge;
      double x = (i0 + (i1 - i0) * t) * cell;
      double y = (j0 + (j1 - j0) * t) * cell;
      // the outer boundary stays straight, so the grid is a clean coverage with a rectangular hull
      boolean border = vertical ? (i0 == 0 || i0 == 100) : (j0 == 0 || j0 == 100);
      double off = k < 2 || k > perEdge - 2 || border ? 0 : (k % 2 == 0 ? amp : -amp);
      out.add(vertical ? new Coordinate(x + off, y) : new Coordinate(x, y + off));
    }
    return out;
  }

  private static int count(String s, String needle) {
    int c = 0;
    for (int at = s.indexOf(needle); at >= 0; at = s.indexOf(needle, at + 1)) {
      c++;
    }
    return c;
  }
}
