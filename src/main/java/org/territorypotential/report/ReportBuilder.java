package org.territorypotential.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.territorypotential.score.ScoreParams;

/**
 * The report's content from the collected rows, without Spark: territory and unit features with
 * their scores, dealers, forecast series, the top table and one sheet per dealer. Rows are read by
 * column name, so a test can build them with {@code RowFactory} and a schema.
 */
public final class ReportBuilder {
  /** The map's metrics: key in the features' properties, label. */
  static final List<Map<String, String>> METRICS = List.of(
      Map.of("key", "score", "label", "Potential score (0-100)"),
      Map.of("key", "opportunity_gap", "label", "Opportunity gap (units, next 12 months)"),
      Map.of("key", "effectiveness", "label", "Sales effectiveness (registrations, 100 = expected)"));

  /**
   * The collected inputs. {@code performance}: dealer_performance of the brand; {@code bySegment}:
   * dealer_expected_by_segment of the brand; {@code scores}: potential_scores ALL rows;
   * {@code assignment}: territory_assignment (geo_unit_id, territory_id, method, brand, dealer_id,
   * is_multiple_dealer_area); {@code units}: geo_unit_id, name, geometry (WKB); {@code dealers}:
   * dealer_id, longitude, latitude; {@code series}: territory_id, month, forecast, lower/upper 80/95,
   * actual (one row per territory and month).
   */
  public record Inputs(LocalDate asOf, String runId, String inputVersions, List<Row> performance, List<Row> bySegment,
      List<Row> scores, List<Row> assignment, List<Row> units, List<Row> dealers, List<Row> series, List<Row> design,
      List<Row> whatIf, List<Row> segments) {
    /** Without the segment stage's unit_segments (the map then has no segment colouring). */
    public Inputs(LocalDate asOf, String runId, String inputVersions, List<Row> performance, List<Row> bySegment,
        List<Row> scores, List<Row> assignment, List<Row> units, List<Row> dealers, List<Row> series, List<Row> design,
        List<Row> whatIf) {
      this(asOf, runId, inputVersions, performance, bySegment, scores, assignment, units, dealers, series, design, whatIf,
          List.of());
    }
  }

  /** A built report: the page, the sheets (file name -> sheet), and geometries for the GIS exports. */
  public record Built(Pages.Report page, Map<String, Pages.Sheet> sheets, Map<String, Geometry> territoryShapes,
      Map<String, String> unitTerritory, Map<String, Map<String, Object>> territoryProps, Map<String, Geometry> unitShapes) {}

  private ReportBuilder() {}

  public static Built build(Inputs in, ReportParams p, Assets assets, String css, String reportJs) {
    String type = p.territoryType();
    // unit -> territory of the report's type; PMA unit -> dealer; MDA units
    Map<String, String> unitTerritory = new TreeMap<>();
    Map<String, List<String>> pmaUnits = new TreeMap<>();
    Set<String> mdaUnits = new TreeSet<>();
    for (Row r : in.assignment()) {
      String method = r.getAs("method");
      String unit = r.getAs("geo_unit_id");
      boolean ours = ScoreParams.PMA.equals(method) && p.brand().equalsIgnoreCase(r.getAs("brand"));
      if (ours) {
        pmaUnits.computeIfAbsent(r.getAs("territory_id"), k -> new ArrayList<>()).add(unit);
        if (Boolean.TRUE.equals(r.getAs("is_multiple_dealer_area"))) {
          mdaUnits.add(unit);
        }
      }
      if (type.equals(ScoreParams.UNIT)) {
        unitTerritory.put(unit, unit);
      } else if (type.equals(method) && (ScoreParams.CONFIGURED.equals(method) || ours)) {
        unitTerritory.put(unit, r.getAs("territory_id"));
      }
    }
    Map<String, Row> perfByTerritory = new HashMap<>();
    for (Row r : in.performance()) {
      perfByTerritory.put(r.getAs("territory_id"), r);
    }
    Map<String, Row> scoreOf = new HashMap<>();
    Map<String, Row> unitScore = new HashMap<>();
    for (Row r : in.scores()) {
      if (type.equals(r.getAs("territory_type"))) {
        scoreOf.put(r.getAs("territory_id"), r);
      }
      if (ScoreParams.UNIT.equals(r.getAs("territory_type"))) {
        unitScore.put(r.getAs("territory_id"), r);
      }
    }

    // geometry: units simplified as one coverage, territories dissolved from them
    Map<String, byte[]> wkb = new LinkedHashMap<>();
    Map<String, String> unitName = new HashMap<>();
    for (Row r : in.units()) {
      wkb.put(r.getAs("geo_unit_id"), r.getAs("geometry"));
      unitName.put(r.getAs("geo_unit_id"), r.getAs("name"));
    }
    Map<String, Geometry> full = Shapes.fromWkb(wkb);
    Map<String, Geometry> simple = Shapes.simplifyCoverage(full, p.simplifyTolerance());
    Map<String, List<String>> groups = new TreeMap<>();
    unitTerritory.forEach((u, t) -> groups.computeIfAbsent(t, k -> new ArrayList<>()).add(u));
    Map<String, Geometry> territoryShapes = Shapes.dissolve(full, groups);
    Map<String, Geometry> territorySimple = Shapes.dissolve(simple, groups);
    Map<String, Geometry> pmaSimple = Shapes.dissolve(simple, pmaUnits);
    int dec = p.coordinateDecimals();

    Map<String, Map<String, Object>> territoryProps = new LinkedHashMap<>();
    List<Object> territoryFeatures = new ArrayList<>();
    for (Map.Entry<String, Geometry> e : territorySimple.entrySet()) {
      Map<String, Object> props = territoryProps(e.getKey(), scoreOf.get(e.getKey()), perfByTerritory.get(e.getKey()));
      territoryProps.put(e.getKey(), props);
      territoryFeatures.add(feature(props, Shapes.round(e.getValue(), dec)));
    }
    boolean hasUnitValues = !unitScore.isEmpty();
    // market segments (unit_segments), when the segment stage has run: the map can colour units by them
    Map<String, String> segmentOf = new HashMap<>();
    Map<String, String> segments = new TreeMap<>();
    for (Row r : in.segments()) {
      segmentOf.put(r.getAs("geo_unit_id"), r.getAs("segment_id"));
      segments.put(r.getAs("segment_id"), r.getAs("segment_name"));
    }
    List<Object> unitFeatures = new ArrayList<>();
    List<Object> mdaFeatures = new ArrayList<>();
    for (Map.Entry<String, Geometry> e : simple.entrySet()) {
      String unit = e.getKey();
      Map<String, Object> props;
      if (hasUnitValues) {
        props = territoryProps(unit, unitScore.get(unit), null);
      } else {
        props = new LinkedHashMap<>(territoryProps.getOrDefault(unitTerritory.get(unit), Map.of()));
        props.put("id", unit);
      }
      props.put("name", unitName.get(unit));
      props.put("territory_id", unitTerritory.get(unit));
      if (segmentOf.containsKey(unit)) {
        props.put("segment", segmentOf.get(unit));
        props.put("segment_name", segments.get(segmentOf.get(unit)));
      }
      Geometry g = Shapes.round(e.getValue(), dec);
      unitFeatures.add(feature(props, g));
      if (mdaUnits.contains(unit)) {
        mdaFeatures.add(feature(Map.of("id", unit), g));
      }
    }
    List<Object> pmaFeatures = new ArrayList<>();
    pmaSimple.forEach((t, g) -> pmaFeatures.add(feature(Map.of("id", t), Shapes.round(g, dec))));

    // dealers
    Map<String, double[]> location = new HashMap<>();
    for (Row r : in.dealers()) {
      if (r.getAs("longitude") != null && r.getAs("latitude") != null) {
        location.put(r.getAs("dealer_id"), new double[] {r.<Double>getAs("longitude"), r.<Double>getAs("latitude")});
      }
    }
    List<Row> perf = new ArrayList<>(in.performance());
    perf.sort(Comparator.comparing((Row r) -> r.<String>getAs("dealer_id")));
    List<Object> dealerJson = new ArrayList<>();
    List<Pages.DealerLink> links = new ArrayList<>();
    Map<String, Pages.Sheet> sheets = new LinkedHashMap<>();
    Map<String, List<Row>> segRows = new HashMap<>();
    for (Row r : in.bySegment()) {
      segRows.computeIfAbsent(r.getAs("dealer_id"), k -> new ArrayList<>()).add(r);
    }
    for (Row r : perf) {
      String id = r.getAs("dealer_id");
      double[] at = location.get(id);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("id", id);
      d.put("name", r.getAs("dealer_name"));
      d.put("lon", at == null ? null : at[0]);
      d.put("lat", at == null ? null : at[1]);
      d.put("effectiveness", r.getAs("registration_effectiveness"));
      d.put("band", r.getAs("band"));
      d.put("territory_id", r.getAs("territory_id"));
      String file = sheetFile(id);
      d.put("sheet", file);
      dealerJson.add(d);
      links.add(new Pages.DealerLink(r.getAs("dealer_name"), file, num(r.getAs("registration_effectiveness"), 1), str(r.getAs("band"))));
      sheets.put(file, sheet(in, r, segRows.getOrDefault(id, List.of()), pmaSimple.get(r.<String>getAs("territory_id")),
          pmaUnits.getOrDefault(r.<String>getAs("territory_id"), List.of()), mdaUnits, simple, at, p, css));
    }

    // forecast against actual per territory
    Map<String, Map<String, List<Object>>> series = new TreeMap<>();
    List<Row> seriesRows = new ArrayList<>(in.series());
    seriesRows.sort(Comparator.comparing((Row r) -> r.<String>getAs("territory_id")).thenComparing(r -> r.getAs("month").toString()));
    for (Row r : seriesRows) {
      Map<String, List<Object>> s = series.computeIfAbsent(r.getAs("territory_id"), k -> {
        Map<String, List<Object>> m = new LinkedHashMap<>();
        for (String c : List.of("months", "actual", "forecast", "lower80", "upper80", "lower95", "upper95")) {
          m.put(c, new ArrayList<>());
        }
        return m;
      });
      s.get("months").add(r.getAs("month").toString().substring(0, 7));
      s.get("actual").add(r.getAs("actual"));
      s.get("forecast").add(round(r.getAs("forecast")));
      s.get("lower80").add(round(r.getAs("lower_80")));
      s.get("upper80").add(round(r.getAs("upper_80")));
      s.get("lower95").add(round(r.getAs("lower_95")));
      s.get("upper95").add(round(r.getAs("upper_95")));
    }

    // top table and the selector (largest opportunity first)
    List<Row> ranked = new ArrayList<>(scoreOf.values());
    ranked.sort(Comparator.comparing((Row r) -> r.<Double>getAs("opportunity_gap"), Comparator.nullsLast(Comparator.reverseOrder()))
        .thenComparing(r -> r.<String>getAs("territory_id")));
    List<Pages.TopRow> top = new ArrayList<>();
    List<Pages.Option> options = new ArrayList<>();
    for (Row r : ranked) {
      String t = r.getAs("territory_id");
      Row dealer = perfByTerritory.get(t);
      String dealerName = dealer == null ? "" : dealer.getAs("dealer_name");
      if (top.size() < p.topTerritories()) {
        top.add(new Pages.TopRow(top.size() + 1, t, dealerName, num(r.getAs("potential_units"), 1), num(r.getAs("current_pace"), 1),
            num(r.getAs("opportunity_gap"), 1), num(r.getAs("score"), 1), str(r.getAs("band"))));
      }
      if (series.containsKey(t)) {
        options.add(new Pages.Option(t, dealerName.isEmpty() ? t : t + " (" + dealerName + ")"));
      }
    }

    Map<String, Object> data = new LinkedHashMap<>();
    data.put("asOf", in.asOf().toString());
    data.put("territoryType", type);
    data.put("metrics", METRICS);
    data.put("bands", Map.of("satisfactory", p.bands().satisfactoryAt(), "needsImprovement", p.bands().needsImprovementAt()));
    data.put("territories", collection(territoryFeatures));
    data.put("units", collection(unitFeatures));
    data.put("pmas", collection(pmaFeatures));
    data.put("mdas", collection(mdaFeatures));
    data.put("dealers", dealerJson);
    data.put("series", series);
    List<Map<String, String>> segmentList = new ArrayList<>();
    segments.forEach((id, name) -> segmentList.add(Map.of("id", id, "name", name == null ? "" : name)));
    data.put("segments", segmentList);

    List<Pages.Lib> libs = new ArrayList<>();
    assets.libraries.forEach((k, l) -> libs.add(new Pages.Lib(l.name(), l.version(), "../licenses/" + k + "-" + l.version() + ".txt")));
    Pages.Report page = new Pages.Report("Territory potential report, " + p.brand(), in.asOf().toString(), in.runId(), p.brand(),
        type, in.inputVersions(), hasUnitValues, top, options, links, libs, css, assets.leafletCss, assets.leafletJs,
        assets.echartsJs, reportJs, Json.forScript(data), designRows(in.design()), whatIfRows(in.whatIf()));
    return new Built(page, sheets, territoryShapes, unitTerritory, territoryProps, full);
  }

  /**
   * Design scenarios as ReportJob.designSummary collects them: scenario_id, assignment, balance,
   * territories, max |load_deviation|, mean polsby_popper, all contiguous, units moved in, all feasible.
   */
  static List<Pages.DesignRow> designRows(List<Row> rows) {
    List<String> order = List.of("current", "design", "kmeans");
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing((Row r) -> str(r.get(0)))
        .thenComparingInt(r -> order.contains(str(r.get(1))) ? order.indexOf(str(r.get(1))) : order.size()));
    List<Pages.DesignRow> out = new ArrayList<>();
    for (Row r : sorted) {
      out.add(new Pages.DesignRow(str(r.get(0)), str(r.get(1)), str(r.get(2)), num(r.get(3), 0),
          r.isNullAt(4) ? "" : num(100 * ((Number) r.get(4)).doubleValue(), 1) + "%", num(r.get(5), 3),
          yesNo(r.get(6)), num(r.get(7), 0), yesNo(r.get(8))));
    }
    return out;
  }

  /**
   * What-if dealers as ReportJob.whatIfSummary collects them: scenario_id, action, dealer_id,
   * PMA units before and after, PMA potential before and after, captured change, net brand gain.
   */
  static List<Pages.WhatIfRow> whatIfRows(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing((Row r) -> str(r.get(0)))
        .thenComparing(r -> r.isNullAt(7) ? 0.0 : -Math.abs(((Number) r.get(7)).doubleValue()))
        .thenComparing(r -> str(r.get(2))));
    List<Pages.WhatIfRow> out = new ArrayList<>();
    for (Row r : sorted) {
      out.add(new Pages.WhatIfRow(str(r.get(0)), str(r.get(1)), str(r.get(2)), num(r.get(3), 0) + " → " + num(r.get(4), 0),
          num(r.get(5), 1) + " → " + num(r.get(6), 1), num(r.get(7), 1), num(r.get(8), 1)));
    }
    return out;
  }

  private static String yesNo(Object v) {
    return v == null ? "" : ((Boolean) v) ? "yes" : "no";
  }

  /** The sheet's file name, relative to the report: dealers/&lt;id&gt;.html with the id made file-safe. */
  static String sheetFile(String dealerId) {
    return "dealers/" + dealerId.replaceAll("[^A-Za-z0-9_.-]", "_") + ".html";
  }

  private static Map<String, Object> territoryProps(String id, Row score, Row perf) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("score", score == null ? null : round(score.getAs("score")));
    m.put("opportunity_gap", score == null ? null : round(score.getAs("opportunity_gap")));
    m.put("potential_units", score == null ? null : round(score.getAs("potential_units")));
    m.put("current_pace", score == null ? null : round(score.getAs("current_pace")));
    m.put("score_band", score == null ? null : score.getAs("band"));
    m.put("effectiveness", perf == null ? null : round(perf.getAs("registration_effectiveness")));
    m.put("dealer_id", perf == null ? null : perf.getAs("dealer_id"));
    m.put("dealer_name", perf == null ? null : perf.getAs("dealer_name"));
    return m;
  }

  private static Map<String, Object> feature(Map<String, Object> props, Geometry g) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("type", "Feature");
    f.put("properties", props);
    f.put("geometry", Json.geometry(g));
    return f;
  }

  private static Map<String, Object> collection(List<Object> features) {
    return Map.of("type", "FeatureCollection", "features", features);
  }

  private static Double round(Object v) {
    return v == null ? null : Math.round(((Number) v).doubleValue() * 1000) / 1000.0;
  }

  /** The figures of a dealer sheet: label, dealer_performance column, decimals (-1 = text). */
  static final List<Object[]> FIGURES = List.of(
      new Object[] {"Registrations of the brand in the PMA (actual)", "actual_registrations", 0},
      new Object[] {"Expected registrations (standard benchmark)", "expected_registrations", 1},
      new Object[] {"Registration effectiveness (standard)", "registration_effectiveness", 1},
      new Object[] {"Expected registrations (locally adjusted benchmark)", "expected_registrations_local", 1},
      new Object[] {"Registration effectiveness (locally adjusted)", "registration_effectiveness_local", 1},
      new Object[] {"Dealer's own sales", "actual_sales", 0},
      new Object[] {"Sales effectiveness (standard)", "sales_effectiveness", 1},
      new Object[] {"Sales effectiveness (locally adjusted)", "sales_effectiveness_local", 1},
      new Object[] {"Industry registrations in the PMA", "industry_registrations", 0},
      new Object[] {"Geo units in the PMA", "pma_units", 0},
      new Object[] {"Benchmark area", "benchmark_area", -1},
      new Object[] {"Benchmark area id", "benchmark_area_id", -1},
      new Object[] {"Rank in the benchmark area (1 = best)", "rank_in_area", 0},
      new Object[] {"Dealers in the benchmark area", "dealers_in_area", 0},
      new Object[] {"Percentile in the benchmark area", "percentile_in_area", 1},
      new Object[] {"Pump-in (brand sales to PMA customers by other dealers)", "pump_in", 0},
      new Object[] {"Pump-out (own sales to customers outside the PMA)", "pump_out", 0},
      new Object[] {"Retention (share of PMA customers' sales kept)", "retention", 3},
      new Object[] {"Why effectiveness is empty, if it is", "effectiveness_null_reason", -1});

  private static Pages.Sheet sheet(Inputs in, Row r, List<Row> segs, Geometry pma, List<String> pmaUnitIds, Set<String> mdaUnits,
      Map<String, Geometry> simple, double[] at, ReportParams p, String css) {
    List<Pages.Figure> figures = new ArrayList<>();
    for (Object[] f : FIGURES) {
      String field = (String) f[1];
      int d = (Integer) f[2];
      Object v = r.getAs(field);
      figures.add(new Pages.Figure((String) f[0], field, d < 0 ? str(v) : num(v, d)));
    }
    List<Row> sorted = new ArrayList<>(segs);
    sorted.sort(Comparator.comparing((Row s) -> s.<String>getAs("segment")));
    List<Pages.SegmentRow> rows = new ArrayList<>();
    for (Row s : sorted) {
      rows.add(new Pages.SegmentRow(s.getAs("segment"), num(s.getAs("industry_registrations"), 0), num(s.getAs("brand_registrations"), 0),
          num(s.getAs("benchmark_share"), 4), num(s.getAs("expected_registrations"), 2), num(s.getAs("local_benchmark_share"), 4),
          num(s.getAs("expected_registrations_local"), 2), str(s.getAs("note"))));
    }
    Envelope env = pma == null ? new Envelope() : new Envelope(pma.getEnvelopeInternal());
    if (at != null) {
      env.expandToInclude(at[0], at[1]);
    }
    if (env.isNull()) {
      env.expandToInclude(0, 0);
    }
    Svg svg = new Svg(env, 360, 280, 10);
    List<Geometry> mda = new ArrayList<>();
    for (String u : pmaUnitIds) {
      if (mdaUnits.contains(u) && simple.containsKey(u)) {
        mda.add(simple.get(u));
      }
    }
    String mdaPath = mda.isEmpty() ? "" : svg.path(mda.get(0).getFactory().buildGeometry(mda));
    String band = str(r.getAs("band"));
    Double eff = r.getAs("registration_effectiveness");
    String bandClass = eff == null ? "" : eff >= p.bands().satisfactoryAt() ? "band-good"
        : eff >= p.bands().needsImprovementAt() ? "band-mid" : "band-low";
    return new Pages.Sheet(in.asOf().toString(), in.runId(), r.getAs("dealer_id"), r.getAs("dealer_name"), r.getAs("brand"), band,
        bandClass, figures, rows, "0 0 360 280", svg.path(pma), mdaPath, at == null ? "-20" : Svg.fmt(svg.x(at[0])),
        at == null ? "-20" : Svg.fmt(svg.y(at[1])), css, r.getAs("period_start") + " to " + r.getAs("period_end"));
  }

  /** A number with {@code decimals} places (Locale.ROOT), or "-" for null. */
  static String num(Object v, int decimals) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Long || v instanceof Integer) {
      return String.format(Locale.ROOT, "%d", ((Number) v).longValue());
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", ((Number) v).doubleValue());
  }

  static String str(Object v) {
    return v == null ? "-" : v.toString();
  }
}
