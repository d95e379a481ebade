package org.territorypotential.design;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.market.Market;
import org.territorypotential.market.MarketJob;
import org.territorypotential.market.MarketParams;
import org.territorypotential.ops.RunContext;
import org.territorypotential.score.ScoreParams;

/**
 * The {@code design} job: reads the geo units, the forecast, the scores, the territory assignment,
 * the located dealers and registrations; builds the adjacency graph with one Sedona self-join;
 * collects units, edges, dealers and flows once; designs every scenario on the driver
 * ({@link Designer}); evaluates every what-if with the market stage's code on Spark
 * ({@link WhatIfMarket}: PMAs, expected, effectiveness) and the Huff layer on the driver
 * ({@link WhatIf}); writes territory_design,
 * territory_design_metrics and whatif_results (docs/design-territories.md).
 */
public final class DesignJob {
  private static final Logger LOG = LoggerFactory.getLogger(DesignJob.class);
  /** Mean Earth radius (km), as Sedona's Haversine and the PMA rule's ST_DistanceSphere use. */
  static final double EARTH_RADIUS_KM = 6371.008;

  /** A design scenario's summary line: balance and compactness before (current), after, and for k-means. */
  public record DesignLine(String id, String balance, int territories, int units, Double devBefore, double devAfter,
      double devKmeans, Double ppBefore, double ppAfter, double ppKmeans, int unitsMoved, double potentialMoved,
      boolean contiguous, boolean feasible, List<String> notes, double seconds, double tolerance, Integer outsideBefore,
      int outsideAfter, int outsideKmeans) {}

  /**
   * A what-if's summary line: the Huff layer's, and the market code's brand expected before and
   * after and the dealer whose expected registrations grow most (with its effectiveness).
   */
  public record WhatIfLine(String id, String action, String dealerId, String brand, int unitsReassigned,
      double netBrandGain, double cannibalisation, String topGainDealer, double topGain, double alpha, double beta,
      String huffSource, double brandExpectedBefore, double brandExpectedAfter, String topExpectedDealer,
      double topExpectedBefore, double topExpectedAfter, Double topEffectivenessBefore, Double topEffectivenessAfter) {}

  public record Result(String runId, Map<String, Long> versionsRead, Map<String, Long> rowsWritten,
      Map<String, Long> versionsWritten, int units, int edges, List<UnitGraph.Bridge> bridges, List<String> bridgeIds,
      List<DesignLine> designs, List<WhatIfLine> whatIfs) {}

  private DesignJob() {}

  /** The collected units: ids, km coordinates (azimuthal equidistant, {@link #project}), and the per-unit columns. */
  record Units(String[] ids, double[] lon, double[] lat, double[] x, double[] y, double[] area, double[] perimeter,
      double[] demand, double[] potential, double[] dealers, double[] registrations, String[] current) {
    int n() {
      return ids.length;
    }
  }

  public static Result run(SparkSession spark, AppConfig cfg, RunContext run) {
    Lake lake = new Lake(spark, cfg);
    LocalDate asOf = run.asOf();
    DesignParams p = DesignParams.from(cfg);
    ScoreParams sp = ScoreParams.from(cfg, asOf);
    Map<String, Long> versions = new LinkedHashMap<>();
    DesignFrames.UnitInputs in = DesignFrames.UnitInputs.read(lake, asOf, versions);
    Dataset<Row> dealers = in.dealers();
    Dataset<Row> regs = in.registrations();
    Dataset<Row> levelUnits = in.geo().where(col("level").equalTo(p.level()));

    Units units = collectUnits(in.units(p.level(), p.demandMonths(), p.current(), sp, windowStart(asOf, p.windowMonths()), asOf)
        .collectAsList());
    if (units.n() == 0) {
      throw org.territorypotential.lake.MissingInput.of("design", "geo units at level " + p.level() + " of " + asOf,
          "locate --as-of " + asOf);
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < units.n(); i++) {
      index.put(units.ids()[i], i);
    }
    List<UnitGraph.Edge> edges = new ArrayList<>();
    for (Row r : DesignFrames.adjacency(levelUnits, p.adjacencyToleranceM()).collectAsList()) {
      Integer a = index.get(r.getString(0));
      Integer b = index.get(r.getString(1));
      if (a != null && b != null) { // a unit without a centroid is not designed
        edges.add(new UnitGraph.Edge(a, b, r.getDouble(2)));
      }
    }
    UnitGraph.Bridged bridged = UnitGraph.of(units.n(), edges).bridgeIslands(units.x(), units.y());
    List<String> bridgeIds = bridged.bridges().stream()
        .map(b -> units.ids()[b.from()] + "->" + units.ids()[b.to()] + String.format(" (%.1f km)", b.distanceKm())).toList();
    LOG.info("design {}: {} units, {} edges, {} island(s) bridged {}", asOf, units.n(), edges.size(), bridgeIds.size(), bridgeIds);

    String[] bridgedTo = new String[units.n()];
    for (UnitGraph.Bridge b : bridged.bridges()) {
      bridgedTo[b.from()] = units.ids()[b.to()];
    }
    List<Row> designRows = new ArrayList<>();
    List<Row> metricRows = new ArrayList<>();
    List<DesignLine> lines = new ArrayList<>();
    for (DesignParams.Scenario s : p.scenarios()) {
      lines.add(designScenario(s, p, units, bridged.graph(), bridgedTo, designRows, metricRows));
    }

    List<Row> whatIfRows = new ArrayList<>();
    List<WhatIfLine> whatIfLines = new ArrayList<>();
    if (!p.whatIfs().isEmpty()) {
      Market.Inputs market = new Market.Inputs(regs, MarketJob.readSegments(spark, lake, asOf, versions), in.geo(), p.level(),
          in.assignment(), dealers, MarketJob.readSales(lake, asOf, versions), cfg.getStringList("tp.locate.pma-brands"));
      WhatIfMarket.Context ctx = WhatIfMarket.Context.of(market, MarketParams.from(cfg, asOf),
          cfg.getDouble("tp.locate.mda-radius-km"));
      try {
        whatIfs(p, units, asOf, dealers, regs, ctx, whatIfRows, whatIfLines);
      } finally {
        ctx.unpersist();
      }
    }

    String inputVersions = Lake.versionsText(versions);
    Lake.Lineage lineage = Lake.Lineage.of(run).withInputs(versions);
    Map<String, Long> rowsWritten = new LinkedHashMap<>();
    Map<String, Long> versionsWritten = new LinkedHashMap<>();
    LOG.info("design {}: inputs {}", asOf, inputVersions);
    for (Lake.Written w : lake.writeAll(List.of(
        new Lake.Request(Table.TERRITORY_DESIGN, Lake.frame(spark, Table.TERRITORY_DESIGN, designRows), lineage),
        new Lake.Request(Table.TERRITORY_DESIGN_METRICS, Lake.frame(spark, Table.TERRITORY_DESIGN_METRICS, metricRows), lineage),
        new Lake.Request(Table.WHATIF_RESULTS, Lake.frame(spark, Table.WHATIF_RESULTS, whatIfRows), lineage)))) {
      rowsWritten.put(w.sqlName(), w.rows());
      versionsWritten.put(w.sqlName(), w.version());
    }
    return new Result(run.runId(), versions, rowsWritten, versionsWritten, units.n(), edges.size(), bridged.bridges(),
        bridgeIds, lines, whatIfLines);
  }

  static Units collectUnits(List<Row> rows) {
    int n = rows.size();
    String[] ids = new String[n];
    double[] lon = new double[n];
    double[] lat = new double[n];
    double[] area = new double[n];
    double[] perim = new double[n];
    double[] demand = new double[n];
    double[] potential = new double[n];
    double[] dealers = new double[n];
    double[] registrations = new double[n];
    String[] current = new String[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      ids[i] = r.getString(0);
      lon[i] = r.getDouble(1);
      lat[i] = r.getDouble(2);
      area[i] = r.isNullAt(3) ? 0 : r.getDouble(3);
      perim[i] = r.isNullAt(4) ? 0 : r.getDouble(4);
      demand[i] = r.getDouble(5);
      current[i] = r.getString(6);
      potential[i] = demand[i] * r.getDouble(7);
      dealers[i] = r.getLong(8);
      registrations[i] = r.getLong(9);
    }
    double[][] xy = project(lon, lat);
    return new Units(ids, lon, lat, xy[0], xy[1], area, perim, demand, potential, dealers, registrations, current);
  }

  /**
   * Azimuthal equidistant km about the units' spherical mean centre (the normalised sum of their
   * unit vectors): the distance of any point from that centre is its great-circle distance, and a
   * distance between two points within r km of the centre errs by about (r / R)^2 / 6 at most
   * (300 km, a state: 0.04%). The design's squared distances to territory centres,
   * the k-means baseline and the island bridges use it. It replaced (2 Dec) an equirectangular
   * projection about the mean latitude, whose east-west scale erred by cos(lat) / cos(lat0): about
   * +-3.5% across Washington's 45.5-49 N.
   */
  static double[][] project(double[] lon, double[] lat) {
    int n = lon.length;
    double sx = 0;
    double sy = 0;
    double sz = 0;
    for (int i = 0; i < n; i++) {
      double phi = Math.toRadians(lat[i]);
      double lam = Math.toRadians(lon[i]);
      sx += Math.cos(phi) * Math.cos(lam);
      sy += Math.cos(phi) * Math.sin(lam);
      sz += Math.sin(phi);
    }
    double phi0 = n == 0 ? 0 : Math.atan2(sz, Math.hypot(sx, sy));
    double lam0 = n == 0 ? 0 : Math.atan2(sy, sx);
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double phi = Math.toRadians(lat[i]);
      double dl = Math.toRadians(lon[i]) - lam0;
      double cosC = Math.sin(phi0) * Math.sin(phi) + Math.cos(phi0) * Math.cos(phi) * Math.cos(dl);
      double c = Math.acos(Math.max(-1, Math.min(1, cosC)));
      double kk = c < 1e-12 ? 1 : c / Math.sin(c);
      x[i] = EARTH_RADIUS_KM * kk * Math.cos(phi) * Math.sin(dl);
      y[i] = EARTH_RADIUS_KM * kk * (Math.cos(phi0) * Math.sin(phi) - Math.sin(phi0) * Math.cos(phi) * Math.cos(dl));
    }
    return new double[][] {x, y};
  }

  private static DesignLine designScenario(DesignParams.Scenario s, DesignParams p, Units u, UnitGraph g, String[] bridgedTo,
      List<Row> designRows, List<Row> metricRows) {
    long t0 = System.nanoTime();
    int n = u.n();
    List<String> currentIds = Arrays.stream(u.current()).filter(java.util.Objects::nonNull).distinct().sorted().toList();
    int k = s.territories() == 0 ? currentIds.size() : s.territories();
    if (k < 1 || k > n) {
      throw new ConfigError("tp.design.scenarios " + s.id() + ": " + k + " territories for " + n + " units"
          + (currentIds.isEmpty() ? " (no current " + p.current() + " territories: set territories=N)" : ""));
    }
    boolean sameTerritories = k == currentIds.size();
    List<String> ids = sameTerritories ? currentIds : numbered(k);
    int[] current = new int[n];
    for (int i = 0; i < n; i++) {
      current[i] = sameTerritories && u.current()[i] != null ? currentIds.indexOf(u.current()[i]) : -1;
    }
    boolean[] lockedTerr = new boolean[k];
    for (String t : s.lockedTerritories()) {
      int ti = sameTerritories ? ids.indexOf(t) : -1;
      if (ti < 0) {
        throw new ConfigError("tp.design.scenarios " + s.id() + ": locked territory " + t + " is not a current territory"
            + (sameTerritories ? "" : " (locks need territories=0, the current territories)"));
      }
      lockedTerr[ti] = true;
    }
    boolean[] lockedUnit = new boolean[n];
    List<String> unitIds = Arrays.asList(u.ids());
    for (String id : s.lockedUnits()) {
      int i = unitIds.indexOf(id);
      if (i < 0 || current[i] < 0) {
        throw new ConfigError("tp.design.scenarios " + s.id() + ": locked unit " + id
            + (i < 0 ? " is not a geo unit at the level" : " has no current territory to stay in"));
      }
      lockedUnit[i] = true;
    }
    double[] load = switch (s.balance()) {
      case "potential" -> u.potential();
      case "demand" -> u.demand();
      case "dealers" -> u.dealers();
      case "registrations" -> u.registrations();
      default -> filled(n, 1.0);
    };
    Problem prob = new Problem(g, u.x(), u.y(), load, u.area(), u.perimeter(), u.dealers(), current, k, lockedUnit, lockedTerr);
    Designer.Result r = Designer.design(prob, p.designer());
    double seconds = (System.nanoTime() - t0) / 1e9;
    Metrics.Summary after = Metrics.of(prob, r.territory(), current, r.target(), u.potential());
    boolean allCurrent = Arrays.stream(current).allMatch(c -> c >= 0);
    Metrics.Summary before = allCurrent ? Metrics.of(prob, current, current, r.target(), u.potential()) : null;
    int[] km = Metrics.kMeans(u.x(), u.y(), k, p.designer().seed(), p.kmeansIterations());
    Metrics.Summary kmeans = Metrics.of(prob, km, filled(n, -1), r.target(), u.potential());
    double tol = p.designer().tolerance();
    List<String> noteList = r.notes().stream().map(x -> unitIds(x, u.ids())).toList();
    String notes = noteList.isEmpty() ? null : String.join("; ", noteList);
    for (int i = 0; i < n; i++) {
      designRows.add(RowFactory.create(s.id(), s.balance(), u.ids()[i], ids.get(r.territory()[i]), u.current()[i],
          u.current()[i] != null && !u.current()[i].equals(ids.get(r.territory()[i])), prob.isFixed(i), load[i],
          u.potential()[i], bridgedTo[i]));
    }
    addMetrics(metricRows, s, "design", ids, after, r.feasible(), notes, true);
    if (before != null) {
      addMetrics(metricRows, s, "current", ids, before, null, null, true);
    }
    addMetrics(metricRows, s, "kmeans", numbered(k).stream().map(x -> "KMEANS-" + x).toList(), kmeans, null, null, false);
    return new DesignLine(s.id(), s.balance(), k, n, before == null ? null : before.maxAbsDeviation(), after.maxAbsDeviation(),
        kmeans.maxAbsDeviation(), before == null ? null : before.meanPolsbyPopper(), after.meanPolsbyPopper(),
        kmeans.meanPolsbyPopper(), after.unitsMoved(), after.potentialMoved(), after.allContiguous(), r.feasible(),
        noteList, seconds, tol, before == null ? null : before.outside(tol), after.outside(tol), kmeans.outside(tol));
  }

  /** The designer's notes name units by index: name them by geo unit id. */
  static String unitIds(String note, String[] ids) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("unit (\\d+)").matcher(note);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, "unit " + java.util.regex.Matcher.quoteReplacement(ids[Integer.parseInt(m.group(1))]));
    }
    return m.appendTail(sb).toString();
  }

  private static void addMetrics(List<Row> out, DesignParams.Scenario s, String assignment, List<String> ids,
      Metrics.Summary m, Boolean feasible, String notes, boolean withMoves) {
    for (Metrics.Territory t : m.territories()) {
      out.add(RowFactory.create(s.id(), assignment, s.balance(), ids.get(t.territory()), (long) t.units(), t.load(),
          t.target(), t.deviation(), t.areaKm2(), t.perimeterKm(), Double.isNaN(t.polsbyPopper()) ? null : t.polsbyPopper(),
          t.components(), t.cutEdges(), withMoves ? (Integer) t.unitsMovedIn() : null,
          withMoves ? (Integer) t.unitsMovedOut() : null, withMoves ? (Double) t.potentialMovedIn() : null,
          withMoves ? (Double) t.potentialMovedOut() : null, withMoves ? (Double) t.dealersMovedIn() : null,
          withMoves ? (Double) t.dealersMovedOut() : null, t.components() == 1, feasible, notes));
    }
  }

  private static List<String> numbered(int k) {
    List<String> out = new ArrayList<>(k);
    for (int t = 1; t <= k; t++) {
      out.add(String.format("T%03d", t));
    }
    return out;
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    Arrays.fill(a, v);
    return a;
  }

  private static int[] filled(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }

  // ---- what-if ------------------------------------------------------------------------------

  private static void whatIfs(DesignParams p, Units u, LocalDate asOf, Dataset<Row> dealersFrame, Dataset<Row> regs,
      WhatIfMarket.Context market, List<Row> rows, List<WhatIfLine> lines) {
    java.sql.Date d = java.sql.Date.valueOf(asOf);
    java.sql.Date from = java.sql.Date.valueOf(windowStart(asOf, p.windowMonths()));
    Map<String, Map<String, Long>> flows = new HashMap<>();
    Map<String, Long> sold = new HashMap<>();
    for (Row r : regs.where(col("selling_dealer_id").isNotNull().and(col("geo_unit_id").isNotNull())
            .and(col("registration_date").between(lit(from), lit(d))))
        .groupBy("geo_unit_id", "selling_dealer_id").agg(count(lit(1)).as("n")).collectAsList()) {
      flows.computeIfAbsent(r.getString(0), x -> new HashMap<>()).put(r.getString(1), r.getLong(2));
      sold.merge(r.getString(1), r.getLong(2), Long::sum);
    }
    List<Row> open = dealersFrame.where(col("longitude").isNotNull().and(col("latitude").isNotNull())
            .and(col("open_date").isNull().or(col("open_date").leq(lit(d))))
            .and(col("close_date").isNull().or(col("close_date").gt(lit(d)))))
        .select("dealer_id", "brand", "longitude", "latitude").orderBy("dealer_id").collectAsList();
    List<WhatIf.Dealer> dealers = new ArrayList<>();
    for (Row r : open) {
      dealers.add(new WhatIf.Dealer(r.getString(0), r.getString(1).toUpperCase(java.util.Locale.ROOT), r.getDouble(2),
          r.getDouble(3), 1.0 + sold.getOrDefault(r.getString(0), 0L)));
    }
    if (dealers.isEmpty()) {
      throw new ConfigError("tp.whatif.scenarios: no open dealer with a location on " + asOf);
    }
    List<WhatIf.Unit> units = new ArrayList<>();
    for (int i = 0; i < u.n(); i++) {
      units.add(new WhatIf.Unit(u.ids()[i], u.lon()[i], u.lat()[i], u.demand()[i], u.potential()[i]));
    }
    // calibration: each unit with flows, its k nearest dealers as the choice set
    List<Huff.Group> groups = new ArrayList<>();
    int m = Math.min(p.huffCandidates(), dealers.size());
    for (WhatIf.Unit un : units) {
      Map<String, Long> f = flows.get(un.id());
      if (f == null) {
        continue;
      }
      int[] idx = WhatIf.nearest(un, dealers, m);
      double[] logA = new double[m];
      double[] logD = new double[m];
      double[] counts = new double[m];
      double total = 0;
      for (int j = 0; j < m; j++) {
        WhatIf.Dealer dl = dealers.get(idx[j]);
        logA[j] = Math.log(dl.attractiveness());
        logD[j] = Math.log(Math.max(p.huffMinDistanceKm(), WhatIf.km(un, dl)));
        counts[j] = f.getOrDefault(dl.id(), 0L);
        total += counts[j];
      }
      if (total > 0) {
        groups.add(new Huff.Group(logA, logD, counts));
      }
    }
    double alpha;
    double beta;
    String source;
    try {
      Huff.Fit fit = Huff.calibrate(groups, p.huffMaxIterations());
      alpha = fit.alpha();
      beta = fit.beta();
      source = String.format(java.util.Locale.ROOT, "calibrated on %.0f flows in %d units (%d iterations%s)", fit.flows(),
          groups.size(), fit.iterations(), fit.converged() ? "" : ", not converged");
    } catch (IllegalArgumentException e) {
      alpha = 1.0;
      beta = 2.0;
      source = "alpha 1, beta 2 (not calibrated: " + (groups.isEmpty() ? "no unit -> selling-dealer flows" : e.getMessage()) + ")";
    }
    LOG.info("what-if Huff: alpha {} beta {}, {}", alpha, beta, source);
    // the scenarios resolved and checked before any Spark work, then the market code once for all
    List<WhatIf.Scenario> resolved = new ArrayList<>();
    List<WhatIfMarket.Request> requests = new ArrayList<>();
    String[] largestPma = null;
    for (String spec : p.whatIfs()) {
      WhatIf.Scenario s = WhatIf.Scenario.parse(spec);
      if (s.dealerId().equals(DesignParams.LARGEST)) {
        if (largestPma == null) {
          largestPma = pmaArray(units, WhatIfMarket.pmaOf(market.assignment(), p.brand()));
        }
        s = new WhatIf.Scenario(s.id(), s.action(), largestPma(units, largestPma, p.brand()), s.brand(), s.lon(), s.lat(),
            s.attractiveness());
      }
      try {
        WhatIf.apply(dealers, s); // refuses an unknown or duplicate dealer before any Spark work
        requests.add(new WhatIfMarket.Request(s, WhatIf.brandOf(dealers, s)));
      } catch (IllegalArgumentException e) {
        throw new ConfigError("tp.whatif.scenarios: " + e.getMessage());
      }
      resolved.add(s);
    }
    Map<String, WhatIfMarket.Outcome> outcomes;
    try {
      outcomes = WhatIfMarket.evaluate(market, requests);
    } catch (IllegalArgumentException e) {
      throw new ConfigError("tp.whatif.scenarios: " + e.getMessage());
    }
    for (WhatIf.Scenario s : resolved) {
      WhatIfMarket.Outcome mo = outcomes.get(s.id());
      WhatIf.Result r = WhatIf.evaluate(units, dealers, s, alpha, beta, p.huffCandidates(), p.huffMinDistanceKm(),
          pmaArray(units, mo.pmaBefore()), pmaArray(units, mo.pmaAfter()));
      double brandExpectedBefore = mo.before().values().stream().mapToDouble(WhatIfMarket.Figures::expectedRegistrations).sum();
      double brandExpectedAfter = mo.after().values().stream().mapToDouble(WhatIfMarket.Figures::expectedRegistrations).sum();
      WhatIf.DealerEffect top = null;
      String topExpected = null;
      for (WhatIf.DealerEffect e : r.dealers()) {
        WhatIfMarket.Figures fb = mo.before(e.dealerId());
        WhatIfMarket.Figures fa = mo.after(e.dealerId());
        rows.add(RowFactory.create(s.id(), s.action(), r.brand(), e.dealerId(), e.isScenarioDealer(), e.pmaUnitsBefore(),
            e.pmaUnitsAfter(), e.pmaPotentialBefore(), e.pmaPotentialAfter(), e.capturedBefore(), e.capturedAfter(),
            e.capturedAfter() - e.capturedBefore(), r.unitsReassigned(), r.brandCapturedBefore(), r.brandCapturedAfter(),
            r.cannibalisation(), r.netBrandGain(), alpha, beta, source,
            fb.industryRegistrations(), fa.industryRegistrations(), fb.expectedRegistrations(), fa.expectedRegistrations(),
            fa.expectedRegistrations() - fb.expectedRegistrations(), fb.actualRegistrations(), fa.actualRegistrations(),
            fa.actualRegistrations() - fb.actualRegistrations(), fb.actualSales(), fa.actualSales(),
            fb.actualSales() == null || fa.actualSales() == null ? null : fa.actualSales() - fb.actualSales(),
            fb.registrationEffectiveness(), fa.registrationEffectiveness(),
            change(fb.registrationEffectiveness(), fa.registrationEffectiveness()), fb.salesEffectiveness(),
            fa.salesEffectiveness(), change(fb.salesEffectiveness(), fa.salesEffectiveness()), brandExpectedBefore,
            brandExpectedAfter));
        if (top == null || e.capturedAfter() - e.capturedBefore() > top.capturedAfter() - top.capturedBefore()) {
          top = e;
        }
        if (topExpected == null || fa.expectedRegistrations() - fb.expectedRegistrations()
            > mo.after(topExpected).expectedRegistrations() - mo.before(topExpected).expectedRegistrations()) {
          topExpected = e.dealerId();
        }
      }
      WhatIfMarket.Figures xb = topExpected == null ? WhatIfMarket.Figures.NONE : mo.before(topExpected);
      WhatIfMarket.Figures xa = topExpected == null ? WhatIfMarket.Figures.NONE : mo.after(topExpected);
      lines.add(new WhatIfLine(s.id(), s.action(), s.dealerId(), r.brand(), r.unitsReassigned(), r.netBrandGain(),
          r.cannibalisation(), top == null ? null : top.dealerId(), top == null ? 0 : top.capturedAfter() - top.capturedBefore(),
          alpha, beta, source, brandExpectedBefore, brandExpectedAfter, topExpected, xb.expectedRegistrations(),
          xa.expectedRegistrations(), xb.registrationEffectiveness(), xa.registrationEffectiveness()));
    }
  }

  /** First day of the market window (tp.market.window-months months ending with the run date's month). */
  static LocalDate windowStart(LocalDate asOf, int months) {
    return asOf.withDayOfMonth(1).minusMonths(months - 1L);
  }

  /** after - before, null when either is null. */
  private static Double change(Double before, Double after) {
    return before == null || after == null ? null : after - before;
  }

  /** Each unit's PMA dealer from a unit -> dealer map (null: in no PMA of the brand). */
  static String[] pmaArray(List<WhatIf.Unit> units, Map<String, String> pma) {
    String[] out = new String[units.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = pma.get(units.get(i).id());
    }
    return out;
  }

  /** The brand's open dealer whose PMA (unit -> dealer, as the locate stage derived it) holds the most potential (ties: the smallest id). */
  static String largestPma(List<WhatIf.Unit> units, String[] pma, String brand) {
    Map<String, Double> pot = new java.util.TreeMap<>();
    for (int i = 0; i < pma.length; i++) {
      if (pma[i] != null) {
        pot.merge(pma[i], units.get(i).potential(), Double::sum);
      }
    }
    return pot.entrySet().stream().max(Map.Entry.<String, Double>comparingByValue()
            .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
        .map(Map.Entry::getKey)
        .orElseThrow(() -> new ConfigError("tp.whatif.scenarios: " + DesignParams.LARGEST + " needs an open " + brand + " dealer"));
  }
}
