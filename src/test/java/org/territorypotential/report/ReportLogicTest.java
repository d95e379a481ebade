package org.territorypotential.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKTReader;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/** The report's pure parts, without Spark or a browser: escaping, coverage simplification, settings, assets. */
class ReportLogicTest {

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
}
