package org.territorypotential.bench;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.util.AffineTransformation;
import org.locationtech.jts.io.WKBWriter;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.geo.Locate;
import org.territorypotential.synth.SynthParams;
import org.territorypotential.synth.World;

/**
 * The locate benchmark (issue 3, "Performance"; docs/BENCHMARKS.md): N generated points located in
 * the generator's Voronoi tracts, side by side in one JVM and one run, by Sedona's indexed joins
 * (as {@link Locate#pointInPolygon} does it), by a single-threaded JTS STRtree loop (the per-core
 * limit) and by a naive Spark cross join with an ST_Contains filter on a small sample
 * (extrapolated). A command that prints figures, never a timed test.
 */
public final class LocateBench {
  private LocateBench() {}

  public static final String SECTION = "Locating points (Sedona vs JTS STRtree vs naive join)";
  private static final long MASK53 = (1L << 53) - 1;
  private static final double TWO53 = (double) (1L << 53);
  private static final String SEDONA_BROADCAST_THRESHOLD = "spark.sedona.join.autoBroadcastJoinThreshold";
  private static final String SEDONA_OPTIMIZATION = "spark.sedona.join.optimizationmode";

  /** The benchmark's settings ({@code tp.bench} in conf/default.conf). */
  public record Params(long points, int geoUnits, long seed, int pointPartitions, int naivePoints, long warmupPoints,
      int repeats, List<String> variants, String report) {
    public static Params from(AppConfig cfg) {
      String p = "tp.bench.";
      Params b = new Params(cfg.getLong(p + "points"), cfg.getInt(p + "geo-units"), cfg.getLong(p + "seed"),
          cfg.getInt(p + "point-partitions"), cfg.getInt(p + "naive-points"), cfg.getLong(p + "warmup-points"),
          cfg.getInt(p + "repeats"), Arrays.stream(cfg.getString(p + "variants").split(",")).map(String::trim)
              .filter(s -> !s.isEmpty()).toList(), cfg.getString(p + "report"));
      if (b.points < 1 || b.points > Integer.MAX_VALUE - 8) {
        throw new ConfigError("configuration key 'tp.bench.points' must be 1.." + (Integer.MAX_VALUE - 8) + ", got " + b.points);
      }
      if (b.pointPartitions < 1 || b.naivePoints < 1 || b.repeats < 1 || b.warmupPoints < 0) {
        throw new ConfigError("configuration keys 'tp.bench.point-partitions', 'naive-points', 'repeats' must be at least 1"
            + " and 'warmup-points' at least 0");
      }
      for (String v : b.variants) {
        if (!VARIANTS.containsKey(v)) {
          throw new ConfigError("configuration key 'tp.bench.variants': unknown variant '" + v + "'; known: " + VARIANTS.keySet());
        }
      }
      return b;
    }
  }

  /**
   * One way of running the Sedona join: the operator the plan must show, the Sedona settings in
   * force while it is planned and run, and the query (points, polygons) -> frame to count.
   */
  record Variant(String label, String operator, Map<String, String> settings,
      java.util.function.BiFunction<Dataset<Row>, Dataset<Row>, Dataset<Row>> query) {}

  /** The Sedona variants {@code tp.bench.variants} may name. */
  static final Map<String, Variant> VARIANTS = new LinkedHashMap<>();

  static {
    VARIANTS.put("broadcast", new Variant("Sedona BroadcastIndexJoin (polygons broadcast)", "BroadcastIndexJoin",
        Map.of(), (p, u) -> rawJoin(p, u, true)));
    VARIANTS.put("broadcast-quadtree", new Variant("Sedona BroadcastIndexJoin, quadtree index", "BroadcastIndexJoin",
        Map.of("spark.sedona.global.indextype", "quadtree"), (p, u) -> rawJoin(p, u, true)));
    VARIANTS.put("range", new Variant("Sedona RangeJoin (no broadcast, both sides partitioned)", "RangeJoin",
        Map.of(SEDONA_BROADCAST_THRESHOLD, "-1"), (p, u) -> rawJoin(p, u, false)));
    VARIANTS.put("broadcast-pregeom", new Variant("diagnostic: BroadcastIndexJoin on cached point geometries (ST_Point not timed)",
        "BroadcastIndexJoin", Map.of(), (p, u) -> rawJoinOnGeometries(p, u)));
    VARIANTS.put("locate", new Variant("Locate.pointInPolygon (broadcast + boundary rule aggregate)", "BroadcastIndexJoin",
        Map.of(), (p, u) -> Locate.pointInPolygon(p, u, true)));
    VARIANTS.put("locate-window", new Variant("diagnostic: Locate.pointInPolygon with the boundary rule as a window (before 29 Nov)",
        "BroadcastIndexJoin", Map.of(), (p, u) -> windowRule(rawJoin(p, u, true))));
  }

  /** The inner join of {@link Locate#pointInPolygon} without its one-unit-per-point rule: one row per match. */
  static Dataset<Row> rawJoin(Dataset<Row> points, Dataset<Row> units, boolean broadcastUnits) {
    return Locate.pointMatches(points, units, broadcastUnits);
  }

  /**
   * The boundary rule as {@link Locate#pointInPolygon} applied it before 29 Nov 2026: a row_number
   * window per point (a sort of every match) instead of a hash aggregate. A diagnostic, for the
   * before / after ratio; it returns the same rows.
   */
  static Dataset<Row> windowRule(Dataset<Row> matches) {
    return matches
        .withColumn("_rank", row_number().over(Window.partitionBy("_pip_id").orderBy(col("_unit"))))
        .withColumn("matched_units", count(lit(1)).over(Window.partitionBy("_pip_id")).cast("int"))
        .where(col("_rank").equalTo(1))
        .select(col("_pip_id"), col("_unit").as("_pip_unit"), col("matched_units"));
  }

  /** {@link #rawJoin} with the polygons broadcast, on points whose geometry column {@code _pt} is already built. */
  static Dataset<Row> rawJoinOnGeometries(Dataset<Row> pointGeometries, Dataset<Row> units) {
    Dataset<Row> u = units.select(col("geo_unit_id").as("_unit"), expr("ST_GeomFromWKB(geometry)").as("_poly"));
    return pointGeometries.select(col(Locate.ID).as("_pip_id"), col("_pt")).join(broadcast(u), expr("ST_Intersects(_poly, _pt)"),
        "inner");
  }

  /** The naive join: every point against every polygon, ST_Contains in a filter, Sedona's join optimisation off. */
  static Dataset<Row> naiveJoin(Dataset<Row> points, Dataset<Row> units) {
    Dataset<Row> p = points.select(col(Locate.ID).as("_pip_id"), expr("ST_Point(" + Locate.LON + ", " + Locate.LAT + ")").as("_pt"));
    Dataset<Row> u = units.select(col("geo_unit_id").as("_unit"), expr("ST_GeomFromWKB(geometry)").as("_poly"));
    return p.crossJoin(u).where(expr("ST_Contains(_poly, _pt)"));
  }

  /** One timed method: its seconds per round, the points it located and what it counts. */
  static final class Timing {
    final String label;
    final long points;
    final int cores;
    final List<Double> seconds = new ArrayList<>();
    long count = -1;
    String counted = "";

    Timing(String label, long points, int cores) {
      this.label = label;
      this.points = points;
      this.cores = cores;
    }

    double best() {
      return seconds.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double median() {
      double[] s = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    double pointsPerSecond() {
      return points / best();
    }

    double perCore() {
      return pointsPerSecond() / cores;
    }
  }

  public record Result(String markdown, boolean countsAgree) {}

  public static Result run(SparkSession spark, AppConfig cfg, String command, PrintStream out) {
    Params b = Params.from(cfg);
    String loadBefore = loadAverage();
    int sparkCores = spark.sparkContext().defaultParallelism();
    out.printf("bench-locate: %,d points, %,d polygons (Voronoi tracts), Spark %s cores, load average %s%n", b.points,
        b.geoUnits, sparkCores, loadBefore);

    // ---- polygons: the generator's tracts, in lon/lat, the same objects for JTS and (as WKB) for Sedona
    long t0 = System.nanoTime();
    SynthParams sp = SynthParams.from(cfg).withGeoUnits(b.geoUnits);
    World world = World.build(sp, LocalDate.of(2024, 6, 30));
    AffineTransformation toLonLat = world.toLonLat();
    List<Geometry> polygons = new ArrayList<>();
    List<Row> unitRows = new ArrayList<>();
    WKBWriter wkb = new WKBWriter();
    for (World.Unit u : world.units) {
      Geometry g = toLonLat.transform(u.cellKm);
      polygons.add(g);
      unitRows.add(RowFactory.create(u.geoUnitId, wkb.write(g)));
    }
    StructType unitSchema = new StructType().add("geo_unit_id", DataTypes.StringType).add("geometry", DataTypes.BinaryType);
    Dataset<Row> units = spark.createDataFrame(unitRows, unitSchema).persist(StorageLevel.MEMORY_ONLY());
    units.count();
    double vertices = polygons.stream().mapToInt(Geometry::getNumPoints).average().orElse(0);
    out.printf("  polygons built in %.1f s (%.1f vertices on average)%n", secondsSince(t0), vertices);

    // ---- points: uniform over the region, hash-based (deterministic by seed), cached before any timing
    t0 = System.nanoTime();
    Dataset<Row> points = points(spark, sp, b).persist(StorageLevel.MEMORY_ONLY());
    long n = points.count();
    int size = (int) n;
    double[] lon = new double[size];
    double[] lat = new double[size];
    Iterator<Row> it = points.toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      int i = (int) r.getLong(0);
      lon[i] = r.getDouble(1);
      lat[i] = r.getDouble(2);
    }
    Dataset<Row> pointGeometries = b.variants.contains("broadcast-pregeom")
        ? points.withColumn("_pt", expr("ST_Point(" + Locate.LON + ", " + Locate.LAT + ")")).persist(StorageLevel.MEMORY_ONLY())
        : null;
    if (pointGeometries != null) {
      pointGeometries.count();
    }
    Dataset<Row> naiveSample = points.where(col(Locate.ID).lt(b.naivePoints)).repartition(b.pointPartitions)
        .persist(StorageLevel.MEMORY_ONLY());
    long naiveN = naiveSample.count();
    out.printf("  points generated, cached and collected for JTS in %.1f s%n", secondsSince(t0));

    // ---- warm-up (JIT, broadcast code paths) on a slice, not timed
    t0 = System.nanoTime();
    int warm = (int) Math.min(b.warmupPoints, n);
    if (warm > 0) {
      new JtsLocator(polygons).locate(lon, lat, 0, warm);
      Dataset<Row> slice = points.where(col(Locate.ID).lt(warm));
      for (String v : b.variants) {
        Dataset<Row> in = v.equals("broadcast-pregeom") ? pointGeometries.where(col(Locate.ID).lt(warm)) : slice;
        withSettings(spark, VARIANTS.get(v).settings(), () -> VARIANTS.get(v).query().apply(in, units).count());
      }
      out.printf("  warm-up on %,d points in %.1f s%n", warm, secondsSince(t0));
    }

    // ---- timed rounds, interleaved so that load from other JVMs hits every method alike
    Timing jts = new Timing("JTS STRtree loop, 1 thread (per-core limit)", n, 1);
    jts.counted = "points located (matches)";
    Map<String, Timing> sedona = new LinkedHashMap<>();
    for (String v : b.variants) {
      Timing t = new Timing(VARIANTS.get(v).label(), n, sparkCores);
      t.counted = v.equals("locate") ? "points located" : "matches";
      sedona.put(v, t);
    }
    Timing naive = new Timing("naive cross join + ST_Contains (sample of " + String.format(Locale.ROOT, "%,d", naiveN)
        + " points x " + String.format(Locale.ROOT, "%,d", polygons.size()) + " polygons)", naiveN, sparkCores);
    naive.counted = "points located in the sample";
    long jtsMatches = -1;
    for (int round = 1; round <= b.repeats; round++) {
      int r = round;
      t0 = System.nanoTime();
      JtsLocator.Counts c = new JtsLocator(polygons).locate(lon, lat);
      jts.seconds.add(secondsSince(t0));
      jts.count = c.located();
      jtsMatches = c.matches();
      for (String v : b.variants) {
        Variant var = VARIANTS.get(v);
        Timing t = sedona.get(v);
        withSettings(spark, var.settings(), () -> {
          Dataset<Row> q = var.query().apply(v.equals("broadcast-pregeom") ? pointGeometries : points, units);
          String plan = q.queryExecution().executedPlan().toString();
          if (r == 1) {
            out.println("  plan of " + v + ":\n    " + plan.replace("\n", "\n    ").strip());
          }
          if (!plan.contains(var.operator())) {
            throw new IllegalStateException(v + ": the plan is not a " + var.operator() + ":\n" + plan);
          }
          long s0 = System.nanoTime();
          t.count = q.count();
          t.seconds.add(secondsSince(s0));
          return null;
        });
      }
      if (round == 1) {
        withSettings(spark, Map.of(SEDONA_OPTIMIZATION, "none"), () -> {
          Dataset<Row> q = naiveJoin(naiveSample, units);
          String plan = q.queryExecution().executedPlan().toString();
          if (!plan.contains("NestedLoopJoin") && !plan.contains("CartesianProduct")) {
            throw new IllegalStateException("naive: expected a nested-loop or cartesian join:\n" + plan);
          }
          long s0 = System.nanoTime();
          naive.count = q.count();
          naive.seconds.add(secondsSince(s0));
          return null;
        });
      }
      out.printf("  round %d/%d: JTS %.2f s, %s%s%n", round, b.repeats, jts.seconds.get(round - 1),
          String.join(", ", sedona.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(),
              e.getValue().seconds.get(r - 1))).toList()),
          round == 1 ? String.format(Locale.ROOT, ", naive sample %.2f s", naive.seconds.get(0)) : "");
    }
    String loadAfter = loadAverage();
    points.unpersist();
    if (pointGeometries != null) {
      pointGeometries.unpersist();
    }
    naiveSample.unpersist();
    units.unpersist();

    // ---- checks: Sedona and JTS find the same points
    boolean agree = true;
    List<String> checks = new ArrayList<>();
    checks.add(String.format(Locale.ROOT, "JTS: %,d of %,d points located, %,d point-polygon matches", jts.count, n, jtsMatches));
    for (Map.Entry<String, Timing> e : sedona.entrySet()) {
      long want = e.getKey().equals("locate") ? jts.count : jtsMatches;
      boolean ok = e.getValue().count == want;
      agree &= ok;
      checks.add(String.format(Locale.ROOT, "%s: %,d %s (%s JTS)", e.getKey(), e.getValue().count, e.getValue().counted,
          ok ? "same as" : "DIFFERS FROM"));
    }
    long naiveWant = new JtsLocator(polygons).locate(lon, lat, 0, (int) naiveN).located();
    checks.add(String.format(Locale.ROOT, "naive sample: %,d points located (JTS on the same %,d points: %,d)", naive.count,
        naiveN, naiveWant));

    String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    String md = markdown(b, command, date, n, polygons.size(), vertices, sparkCores, jts, sedona, naive, checks,
        loadBefore, loadAfter);
    out.println();
    out.println(md);
    if (!b.report.isEmpty()) {
      Path p = rewriteReport(b.report, doc -> upsertSubsection(doc, SECTION, PREAMBLE, scaleTitle(n, polygons.size()), md));
      out.println("bench-locate: wrote the figures to " + p + " (section \"" + SECTION + "\")");
    }
    return new Result(md, agree);
  }

  /** Rewrites the markdown file {@code report} (a new "# Benchmarks" when missing) with {@code edit}; returns its absolute path. */
  static Path rewriteReport(String report, java.util.function.UnaryOperator<String> edit) {
    Path p = Path.of(report);
    try {
      String doc = Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "# Benchmarks\n";
      Files.writeString(p, edit.apply(doc), StandardCharsets.UTF_8);
      return p.toAbsolutePath();
    } catch (IOException e) {
      throw new IllegalStateException("cannot update " + p + ": " + e.getMessage(), e);
    }
  }

  /** N points uniform over the generator's region rectangle: lon/lat from xxhash64(id, seed, salt). */
  static Dataset<Row> points(SparkSession spark, SynthParams sp, Params b) {
    Function<Integer, Column> uniform = salt -> xxhash64(col("id"), lit(b.seed), lit(salt)).bitwiseAND(lit(MASK53))
        .cast("double").divide(lit(TWO53));
    return spark.range(0, b.points, 1, b.pointPartitions).select(col("id").as(Locate.ID),
        lit(sp.minLongitude()).plus(uniform.apply(1).multiply(sp.maxLongitude() - sp.minLongitude())).as(Locate.LON),
        lit(sp.minLatitude()).plus(uniform.apply(2).multiply(sp.maxLatitude() - sp.minLatitude())).as(Locate.LAT));
  }

  static final String PREAMBLE = """
      What it measures: N points drawn uniformly over the synthetic region (hash-based, deterministic by
      `tp.bench.seed`, generated by Spark and cached before timing) located in the generator's Voronoi
      tracts, side by side in one JVM and one run:

      - **Sedona**: the inner `ST_Intersects(polygon, point)` join of `Locate.pointInPolygon`, counted
        with `count()`: with the polygons broadcast (`BroadcastIndexJoin`, what the pipeline runs), without
        broadcast (`RangeJoin`), and the whole `Locate.pointInPolygon` transform (the join plus the
        aggregate that keeps one unit per point, a shuffle; `locate-window`: the same with the row_number
        window it used before 29 Nov 2026). Spark runs `local[*]`: per core = / Spark cores.
      - **JTS**: a plain single-threaded loop in the driver over the same points (collected to arrays) and
        the same polygons: an `STRtree` of `PreparedGeometry`, envelope query, `intersects`. The per-core
        limit; the tree build is timed with it.
      - **naive**: a Spark cross join with an `ST_Contains` filter (Sedona's join optimisation off, so the
        plan is a nested loop) on a small sample of the points against every polygon; its rate is
        **extrapolated** to the full N (time grows with points x polygons).

      Times are the best of `tp.bench.repeats` interleaved rounds after an untimed warm-up; every plan is
      checked to be the operator named. The machine is shared with other engineers' Spark JVMs, so only the
      ratios within one run mean much; the load average is printed with each run.
      """;

  static String scaleTitle(long points, int polygons) {
    return String.format(Locale.ROOT, "%,d points x %,d polygons", points, polygons);
  }

  static String markdown(Params b, String command, String date, long n, int polygons, double vertices, int sparkCores,
      Timing jts, Map<String, Timing> sedona, Timing naive, List<String> checks, String loadBefore, String loadAfter) {
    StringBuilder sb = new StringBuilder();
    sb.append("Run ").append(date).append(", command:\n\n```\n").append(command).append("\n```\n\n");
    sb.append(String.format(Locale.ROOT, "Machine: %s; `nproc` = %s, %s memory; %s; Spark %s (`local[*]`, %d cores), "
        + "Sedona %s. Polygons: %,d Voronoi tracts (%.1f vertices on average); %d point partitions.%n%n", osName(), nproc(),
        memory(), javaVersion(), org.apache.spark.package$.MODULE$.SPARK_VERSION(), sparkCores, sedonaVersion(), polygons,
        vertices, b.pointPartitions));
    sb.append(String.format(Locale.ROOT, "**Shared machine**: load average (1, 5, 15 min) %s at the start and %s at the end "
        + "of the run, on %s cores; %d other Java processes were running (other engineers' Spark JVMs).%n%n", loadBefore,
        loadAfter, nproc(), otherJavaProcesses()));
    sb.append("| method | points | seconds (best; median) | points/s | cores | points/s/core | per core vs JTS |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
    sb.append(row(jts, jts, false));
    for (Timing t : sedona.values()) {
      sb.append(row(t, jts, false));
    }
    sb.append(row(naive, jts, true));
    double naiveRate = naive.pointsPerSecond();
    double fullNaiveSeconds = n / naiveRate;
    sb.append(String.format(Locale.ROOT, "| naive, **extrapolated** to %,d points | %,d | %,.0f (extrapolated) | %s | %d | %s | %s |%n",
        n, n, fullNaiveSeconds, rate(naiveRate), naive.cores, rate(naive.perCore()), ratio(naive.perCore() / jts.perCore())));
    sb.append(String.format(Locale.ROOT, "%nNaive join: %,.0f point-polygon pairs per second (%,d pairs in %.2f s); at %,d polygons "
        + "that is %s points/s, extrapolated linearly in points.%n%n", naive.points * (double) polygons / naive.best(),
        naive.points * polygons, naive.best(), polygons, rate(naiveRate)));
    sb.append("Ratios:\n\n");
    for (Map.Entry<String, Timing> e : sedona.entrySet()) {
      Timing t = e.getValue();
      sb.append(String.format(Locale.ROOT, "- %s: %s of the JTS loop per core; %s faster than the naive join%n", e.getKey(),
          ratio(t.perCore() / jts.perCore()), ratio(t.pointsPerSecond() / naiveRate)));
    }
    sb.append("\nChecks (Sedona and JTS locate the same points):\n\n");
    for (String c : checks) {
      sb.append("- ").append(c).append('\n');
    }
    sb.append("\nAll rounds (seconds): JTS ").append(fmt(jts.seconds));
    for (Map.Entry<String, Timing> e : sedona.entrySet()) {
      sb.append("; ").append(e.getKey()).append(' ').append(fmt(e.getValue().seconds));
    }
    sb.append("; naive sample ").append(fmt(naive.seconds)).append(".\n");
    return sb.toString();
  }

  private static String row(Timing t, Timing jts, boolean sample) {
    return String.format(Locale.ROOT, "| %s | %,d | %.2f; %.2f | %s | %d | %s | %s |%n", t.label, t.points, t.best(),
        t.median(), rate(t.pointsPerSecond()), t.cores, rate(t.perCore()), t == jts ? "1.00x" : ratio(t.perCore() / jts.perCore()));
  }

  private static String fmt(List<Double> xs) {
    return String.join(", ", xs.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
  }

  static String rate(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  static String ratio(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%,.0fx", v) : v >= 10 ? String.format(Locale.ROOT, "%.1fx", v)
        : v >= 0.01 ? String.format(Locale.ROOT, "%.2fx", v) : String.format(Locale.ROOT, "%.4fx", v);
  }

  /**
   * The document with {@code ## section} holding {@code preamble} then the {@code ### title}
   * subsection set to {@code body}: a subsection of that title is replaced, other subsections
   * (other scales, hand-written notes) are kept; the section is added at the end when absent.
   */
  static String upsertSubsection(String doc, String section, String preamble, String title, String body) {
    String h2 = "## " + section;
    String sub = "### " + title + "\n\n" + body.strip() + "\n";
    int start = doc.indexOf(h2 + "\n");
    if (start < 0) {
      String base = doc.endsWith("\n") ? doc : doc + "\n";
      return base + "\n" + h2 + "\n\n" + preamble.strip() + "\n\n" + sub;
    }
    int end = doc.indexOf("\n## ", start + h2.length());
    end = end < 0 ? doc.length() : end + 1;
    String sectionText = doc.substring(start + h2.length() + 1, end);
    List<String> parts = new ArrayList<>(Arrays.asList(("\n" + sectionText).split("\n(?=### )")));
    parts.remove(0); // the preamble, rewritten below
    boolean replaced = false;
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i).startsWith("### " + title + "\n")) {
        parts.set(i, sub);
        replaced = true;
      }
    }
    if (!replaced) {
      parts.add(sub);
    }
    StringBuilder sb = new StringBuilder(doc.substring(0, start)).append(h2).append("\n\n").append(preamble.strip()).append("\n");
    for (String p : parts) {
      sb.append('\n').append(p.strip()).append('\n');
    }
    String rest = doc.substring(end);
    if (!rest.isEmpty()) {
      sb.append('\n').append(rest);
    }
    return sb.toString();
  }

  /** Runs {@code body} with the given session settings, restoring the previous values after. */
  static <T> T withSettings(SparkSession spark, Map<String, String> settings, java.util.function.Supplier<T> body) {
    Map<String, String> before = new LinkedHashMap<>();
    for (String k : settings.keySet()) {
      before.put(k, spark.conf().get(k, null));
    }
    try {
      settings.forEach((k, v) -> spark.conf().set(k, v));
      return body.get();
    } finally {
      before.forEach((k, v) -> {
        if (v == null) {
          spark.conf().unset(k);
        } else {
          spark.conf().set(k, v);
        }
      });
    }
  }

  private static double secondsSince(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static String nproc() {
    try {
      Process p = new ProcessBuilder("nproc").redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 && !s.isEmpty() ? s : String.valueOf(Runtime.getRuntime().availableProcessors());
    } catch (IOException | InterruptedException e) {
      return String.valueOf(Runtime.getRuntime().availableProcessors());
    }
  }

  static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("\\D+", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return "unknown";
  }

  static String javaVersion() {
    return "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name")
        + "), driver heap max " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB";
  }

  static String osName() {
    return System.getProperty("os.name") + " " + System.getProperty("os.arch");
  }

  static String sedonaVersion() {
    Package p = org.apache.sedona.spark.SedonaContext.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v == null ? "1.8.0 (pom)" : v;
  }

  static long otherJavaProcesses() {
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses().filter(ph -> ph.pid() != self)
        .filter(ph -> ph.info().command().map(c -> c.endsWith("/java")).orElse(false)).count();
  }
}
