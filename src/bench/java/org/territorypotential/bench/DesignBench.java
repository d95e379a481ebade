package org.territorypotential.bench;

import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.design.Designer;
import org.territorypotential.design.DesignFrames;
import org.territorypotential.design.DesignParams;
import org.territorypotential.design.Grid;
import org.territorypotential.design.Metrics;
import org.territorypotential.design.Problem;

/**
 * The territory-design benchmark (issue 19; docs/BENCHMARKS.md): square grids of units with a
 * skewed (log-normal) load, "current" territories drawn as the Voronoi cells of random points (like
 * dealer PMAs), designed by {@link Designer} with the tp.design settings, against the current
 * assignment and plain k-means on centroids. Driver only, no Spark: the design runs there in the
 * stage too.
 */
public final class DesignBench {
  public static final String SECTION = "Territory design (bench-design)";

  private DesignBench() {}

  /** One scale's figures. */
  public record Line(int units, int territories, double seconds, double allocationDeviation, double devCurrent,
      double devDesign, double devKmeans, double ppCurrent, double ppDesign, double ppKmeans, double minPpDesign,
      int piecesKmeans, boolean contiguous, int unitsMoved, boolean feasible, String notes, int outsideTolerance) {}

  public static List<Line> run(AppConfig cfg, String command, PrintStream out) {
    Designer.Params dp = DesignParams.from(cfg).designer();
    double sigma = cfg.getDouble("tp.bench.design.load-sigma");
    long seed = cfg.getLong("tp.bench.design.seed");
    String shape = cfg.getString("tp.bench.design.load-shape");
    double share = cfg.getDouble("tp.bench.design.loaded-share");
    if (!List.of("log-normal", "clustered", "clustered-rebalance").contains(shape)) {
      throw new ConfigError("tp.bench.design.load-shape must be \"log-normal\", \"clustered\" or \"clustered-rebalance\", got '"
          + shape + "'");
    }
    if (!(share > 0 && share <= 1)) {
      throw new ConfigError("tp.bench.design.loaded-share must be in (0, 1], got " + share);
    }
    boolean clustered = shape.startsWith("clustered");
    boolean fromScratch = shape.equals("clustered");
    List<Line> lines = new java.util.ArrayList<>();
    for (String scale : cfg.getStringList("tp.bench.design.scales")) {
      String[] f = scale.replace("_", "").split("/");
      if (f.length != 2 || !f[0].matches("\\d{1,7}") || !f[1].matches("\\d{1,5}")) {
        throw new ConfigError("tp.bench.design.scales entries must be \"UNITS/TERRITORIES\", got '" + scale + "'");
      }
      int side = (int) Math.round(Math.sqrt(Integer.parseInt(f[0])));
      int k = Integer.parseInt(f[1]);
      int n = side * side;
      double[] load = clustered ? Grid.clusteredLoad(side, side, share, sigma, seed) : Grid.skewedLoad(n, seed);
      if (!clustered) { // clusteredLoad draws exp(sigma z) itself
        for (int i = 0; i < n; i++) {
          load[i] = Math.pow(load[i], sigma); // exp(sigma z)
        }
      }
      int[] current = Grid.voronoi(side, side, k, seed + 1);
      Problem p = Grid.of(side, side, load, current, k);
      long t0 = System.nanoTime();
      // clustered: a design from scratch (no current territories); the Voronoi cells stay the reference columns
      Designer.Result r = Designer.design(fromScratch ? Grid.of(side, side, load, null, k) : p, dp);
      double secs = (System.nanoTime() - t0) / 1e9;
      Metrics.Summary cur = Metrics.of(p, current, current, r.target());
      Metrics.Summary des = Metrics.of(p, r.territory(), current, r.target());
      int[] km = Metrics.kMeans(p.x(), p.y(), k, dp.seed(), cfg.getInt("tp.design.kmeans-iterations"));
      Metrics.Summary kms = Metrics.of(p, km, current, r.target());
      int kmPieces = kms.territories().stream().mapToInt(Metrics.Territory::components).sum();
      int outside = des.outside(dp.tolerance());
      Line l = new Line(n, k, secs, r.allocationDeviation(), cur.maxAbsDeviation(), des.maxAbsDeviation(),
          kms.maxAbsDeviation(), cur.meanPolsbyPopper(), des.meanPolsbyPopper(), kms.meanPolsbyPopper(),
          des.minPolsbyPopper(), kmPieces, des.allContiguous(), des.unitsMoved(), r.feasible(), String.join("; ", r.notes()),
          outside);
      out.printf(Locale.ROOT, "bench-design %,d units / %d territories: %.2f s, deviation %.1f%% (current %.1f%%, k-means %.1f%%),"
          + " Polsby-Popper %.3f (current %.3f, k-means %.3f), contiguous %s%n", n, k, secs, 100 * l.devDesign(),
          100 * l.devCurrent(), 100 * l.devKmeans(), l.ppDesign(), l.ppCurrent(), l.ppKmeans(), l.contiguous());
      lines.add(l);
    }
    if (lines.isEmpty()) {
      return lines;
    }
    String title = clustered
        ? String.format(Locale.ROOT, "Clustered load (%.0f%% of cells), sigma %.2f, seed %d, %s", 100 * share, sigma, seed,
            fromScratch ? "from scratch" : "from the current cells")
        : String.format(Locale.ROOT, "Load sigma %.2f, seed %d", sigma, seed);
    String md = markdown(lines, command, cfg, title, dp);
    out.println();
    out.println(md);
    String report = cfg.getString("tp.bench.design.report");
    if (!report.isEmpty()) {
      java.nio.file.Path path = LocateBench.rewriteReport(report, doc -> LocateBench.upsertSubsection(doc, SECTION, PREAMBLE,
          title, md));
      out.println("bench-design: wrote the figures to " + path + " (section \"" + SECTION + "\")");
    }
    return lines;
  }

  static final String PREAMBLE = """
      What it measures: `Designer.design` (docs/design-territories.md) on square grids of 1 km units
      (rook adjacency) whose load is log-normal (`tp.bench.design.load-sigma`), from "current"
      territories drawn as the Voronoi cells of random points (like dealer PMAs: compact, unbalanced).
      With `tp.bench.design.load-shape=clustered` only `tp.bench.design.loaded-share` of the cells
      carry load, around six blobs (like potential in a region's towns), and the design starts from
      scratch (the bisection seed); the Voronoi cells stay as the "current" reference columns.
      `clustered-rebalance` designs the same load from the current Voronoi cells.
      "After seed" is the largest deviation of the allocation (or the bisection) before the moves.
      Beside it, the same metrics for the current territories and for plain k-means on the unit
      centroids (`tp.design.kmeans-iterations`). Deviation = largest |load - target| / mean target;
      Polsby-Popper = 4 pi A / P^2 of each dissolved territory, mean over territories. Time is the
      design alone, one thread on the driver, on a machine shared with other JVMs. "Adjacency
      self-join" is the design stage's Spark side: `DesignFrames.adjacency` on generated square
      polygons (`tp.bench.design.adjacency-polygons`), one timed count.
      """;

  /** One size of the adjacency measurement. */
  public record AdjacencyLine(int polygons, long edges, long gridEdges, double seconds, String join, String loadBefore,
      String loadAfter) {}

  /**
   * The adjacency self-join of the design stage ({@link DesignFrames#adjacency}) on square grids of
   * 0.01-degree cells near 47 N (about 0.76 x 1.11 km), one size per
   * {@code tp.bench.design.adjacency-polygons}: the polygons are generated by Spark and cached
   * first, then one count of the join is timed. A grid of side s has 2 s (s - 1) rook edges; cells
   * that touch at a corner only are no edge. Writes the subsection "Adjacency self-join".
   */
  public static List<AdjacencyLine> adjacency(SparkSession spark, AppConfig cfg, String command, PrintStream out) {
    List<AdjacencyLine> lines = new java.util.ArrayList<>();
    for (String entry : cfg.getStringList("tp.bench.design.adjacency-polygons")) {
      String digits = entry.replace("_", "").trim();
      int polygons = digits.matches("\\d{1,8}") ? Integer.parseInt(digits) : -1;
      if (polygons < 4 || polygons > 10_000_000) {
        throw new ConfigError("tp.bench.design.adjacency-polygons entries must be 4..10_000_000, got '" + entry + "'");
      }
      int side = (int) Math.round(Math.sqrt(polygons));
      long n = (long) side * side;
      Dataset<Row> units = spark.range(n).selectExpr("concat('G', lpad(cast(id AS STRING), 8, '0')) AS geo_unit_id",
          "CAST(id % " + side + " AS DOUBLE) AS c", "CAST(floor(id / " + side + ") AS DOUBLE) AS r")
          .selectExpr("geo_unit_id", "ST_AsBinary(ST_PolygonFromEnvelope(-120.0 + c * 0.01, 47.0 + r * 0.01,"
              + " -120.0 + (c + 1) * 0.01, 47.0 + (r + 1) * 0.01)) AS geometry")
          .persist(StorageLevel.MEMORY_AND_DISK());
      units.count();
      Dataset<Row> adj = DesignFrames.adjacency(units);
      String plan = adj.queryExecution().executedPlan().toString();
      String join = plan.contains("BroadcastIndexJoin") ? "BroadcastIndexJoin" : plan.contains("RangeJoin") ? "RangeJoin"
          : plan.contains("DistanceJoin") ? "DistanceJoin" : "other (see the log)";
      String before = LocateBench.loadAverage();
      long t0 = System.nanoTime();
      long edges = adj.count();
      double secs = (System.nanoTime() - t0) / 1e9;
      String after = LocateBench.loadAverage();
      units.unpersist();
      AdjacencyLine l = new AdjacencyLine((int) n, edges, 2L * side * (side - 1), secs, join, before, after);
      out.printf(Locale.ROOT, "bench-design adjacency: %,d polygons, %,d edges (grid %,d), %.1f s, %s, load average %s -> %s%n",
          l.polygons(), l.edges(), l.gridEdges(), l.seconds(), l.join(), before, after);
      lines.add(l);
    }
    StringBuilder md = new StringBuilder();
    md.append("Run of ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append(". Command: `").append(command).append("`  \n");
    md.append(String.format(Locale.ROOT, "Spark master %s, shuffle partitions %s, %d cores on the machine.%n%n",
        spark.sparkContext().master(), spark.conf().get("spark.sql.shuffle.partitions"),
        Runtime.getRuntime().availableProcessors()));
    md.append("| polygons | edges | grid edges | seconds (one count) | join | load average before | after |\n");
    md.append("|---:|---:|---:|---:|:-|:-|:-|\n");
    for (AdjacencyLine l : lines) {
      md.append(String.format(Locale.ROOT, "| %,d | %,d | %,d | %.1f | %s | %s | %s |%n", l.polygons(), l.edges(),
          l.gridEdges(), l.seconds(), l.join(), l.loadBefore(), l.loadAfter()));
    }
    out.println();
    out.println(md);
    String report = cfg.getString("tp.bench.design.report");
    if (!report.isEmpty() && !lines.isEmpty()) {
      java.nio.file.Path path = LocateBench.rewriteReport(report, doc -> LocateBench.upsertSubsection(doc, SECTION, PREAMBLE,
          "Adjacency self-join", md.toString()));
      out.println("bench-design: wrote the adjacency figures to " + path + " (section \"" + SECTION + "\")");
    }
    return lines;
  }

  static String markdown(List<Line> lines, String command, AppConfig cfg, String title, Designer.Params dp) {
    StringBuilder sb = new StringBuilder();
    sb.append("Run of ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append(". Command: `").append(command).append("`  \n");
    sb.append(String.format(Locale.ROOT, "Settings: %s; tolerance %.3f, compactness %.2f,"
        + " disruption-penalty %.2f, allocation-iterations %d, max-passes %d, candidates %d, polsby-popper-min-gain %s, perturbations %d, tree-budget %d.%n%n",
        title.toLowerCase(Locale.ROOT), dp.tolerance(), dp.compactness(), dp.disruptionPenalty(), dp.allocationIterations(), dp.maxPasses(),
        dp.candidates(), java.math.BigDecimal.valueOf(dp.polsbyPopperMinGain()).toPlainString(), dp.perturbations(), dp.treeBudget()));
    sb.append("| units | territories | design s | max dev. current | after seed | design | k-means |"
        + " outside tol. | PP current | PP design | PP design min | PP k-means | k-means pieces | contiguous | units moved | feasible |\n");
    sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|---:|:-:|\n");
    for (Line l : lines) {
      sb.append(String.format(Locale.ROOT, "| %,d | %d | %.2f | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %d | %.3f | %.3f | %.3f | %.3f | %d | %s | %,d | %s |%n",
          l.units(), l.territories(), l.seconds(), 100 * l.devCurrent(), 100 * l.allocationDeviation(), 100 * l.devDesign(),
          100 * l.devKmeans(), l.outsideTolerance(), l.ppCurrent(), l.ppDesign(), l.minPpDesign(), l.ppKmeans(), l.piecesKmeans(),
          l.contiguous() ? "yes" : "no", l.unitsMoved(), l.feasible() ? "yes" : "no"));
    }
    for (Line l : lines) {
      if (!l.notes().isEmpty()) {
        sb.append(String.format(Locale.ROOT, "%n%,d / %d: %s%n", l.units(), l.territories(), l.notes()));
      }
    }
    return sb.toString();
  }
}
