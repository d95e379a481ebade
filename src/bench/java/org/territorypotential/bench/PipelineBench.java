package org.territorypotential.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.year;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.territorypotential.bench.PipelineReport.Baselines;
import org.territorypotential.bench.PipelineReport.Scale;
import org.territorypotential.bench.PipelineReport.ScaleRun;
import org.territorypotential.bench.PipelineReport.StageFigure;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.dq.Gates;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.market.MarketParams;
import org.territorypotential.ops.RunContext;
import org.territorypotential.spark.Sessions;
import org.territorypotential.synth.GenerateJob;
import org.territorypotential.synth.SynthParams;

/**
 * The end-to-end benchmark (jobs/tp bench-pipeline; docs/BENCHMARKS.md): for every scale of
 * {@code tp.bench.pipeline.scales}, generates the synthetic region into a lakehouse folder and
 * databases of its own, runs the stage jobs in pipeline order (each followed by its data-quality
 * checks) and measures each; then, on the same rows, the per-core limits: the JTS STRtree loop for
 * locating and a plain-Java group-and-sum for the market aggregation. Prints the figures and writes
 * them between the bench-pipeline markers of the report. A command that prints figures, never a test.
 */
public final class PipelineBench {
  private PipelineBench() {}

  public static final String SECTION = "End-to-end pipeline at several scales (bench-pipeline)";
  /** Section and markers of a run with {@code incremental-month = true}, so it keeps the scales' figures. */
  public static final String INCREMENTAL_SECTION = "An incremental month against a full rebuild (bench-pipeline)";
  static final String INCREMENTAL_MARKER = "bench-pipeline-incremental";
  /** The pipeline's stages in order (as jobs/tp pipeline runs them). */
  static final List<String> STAGES = org.territorypotential.pipeline.Stages.names();
  private static final String P = "tp.bench.pipeline.";

  /** The benchmark's settings ({@code tp.bench.pipeline} in conf/default.conf). */
  record Params(List<Scale> scales, String root, String lastStage, long warmupRows, int repeats, long sampleMillis,
      boolean deleteAfter, boolean incrementalMonth, String label, String report) {
    static Params from(AppConfig cfg) {
      List<Scale> scales = cfg.getStringList(P + "scales").stream().map(Scale::parse).toList();
      Params b = new Params(scales, cfg.getString(P + "root").trim(), cfg.getString(P + "last-stage"), cfg.getLong(P + "warmup-rows"),
          cfg.getInt(P + "repeats"), cfg.getLong(P + "memory-sample-ms"), cfg.getBoolean(P + "delete-after"),
          cfg.getBoolean(P + "incremental-month"), cfg.getString(P + "label").trim(), cfg.getString(P + "report"));
      if (scales.isEmpty() || scales.stream().map(Scale::tag).distinct().count() != scales.size()) {
        throw new ConfigError("configuration key '" + P + "scales' must list at least one scale, each once");
      }
      if (b.root.isEmpty()) {
        throw new ConfigError("configuration key '" + P + "root' must name a folder");
      }
      if (!STAGES.contains(b.lastStage)) {
        throw new ConfigError("configuration key '" + P + "last-stage' must be one of " + STAGES + ", got '" + b.lastStage + "'");
      }
      if (b.warmupRows < 0 || b.repeats < 1 || b.sampleMillis < 1) {
        throw new ConfigError("configuration keys '" + P + "repeats' and 'memory-sample-ms' must be at least 1 and 'warmup-rows'"
            + " at least 0");
      }
      return b;
    }

    List<String> stages() {
      return STAGES.subList(0, STAGES.indexOf(lastStage) + 1);
    }
  }

  public record Result(String markdown, boolean checksAgree) {}

  /**
   * Runs every scale. {@code profile} and {@code overrides} are the command's --conf and --set:
   * each scale's configuration is them plus its own scale, folder and database names.
   */
  public static Result run(File profile, Map<String, String> overrides, LocalDate asOf, List<String> argv, PrintStream out) {
    AppConfig base = AppConfig.load(profile, overrides);
    Params b = Params.from(base);
    Map<Scale, AppConfig> configs = new LinkedHashMap<>();
    Map<Scale, AppConfig> fullConfigs = new LinkedHashMap<>();
    for (Scale s : b.scales) {
      Map<String, String> o = scaleOverrides(overrides, base, b, s);
      AppConfig cfg = AppConfig.load(profile, o);
      SynthParams.from(cfg); // every scale checked before anything runs
      configs.put(s, cfg);
      if (b.incrementalMonth) {
        o.put("tp.incremental", "false"); // the full rebuild, as --full sets it
        fullConfigs.put(s, AppConfig.load(profile, o));
      }
    }
    Map<String, String> sessionOverrides = new LinkedHashMap<>(overrides);
    sessionOverrides.put("tp.lakehouse", b.root);
    SparkSession spark = Sessions.create(AppConfig.load(profile, sessionOverrides));
    int cores = spark.sparkContext().defaultParallelism();
    String loadBefore = LocateBench.loadAverage();
    out.printf("bench-pipeline: %d scale(s), stages generate + %s, Spark %d cores, run date %s%s, load average %s%n",
        b.scales.size(), String.join(", ", b.stages()), cores, asOf, b.incrementalMonth ? " (after " + previousMonth(asOf)
        + "; incremental, then full)" : "", loadBefore);

    List<ScaleRun> runs = new ArrayList<>();
    List<String> checks = new ArrayList<>();
    boolean agree = true;
    String md = "";
    try (StageMeter meter = new StageMeter(spark.sparkContext(), b.sampleMillis)) {
      for (Scale s : b.scales) {
        out.printf("== scale %s (%s)%n", s.tag(), s.label());
        ScaleRun r = runScale(spark, configs.get(s), fullConfigs.get(s), b, s, asOf, meter, checks, out);
        runs.add(r);
        agree &= checks.stream().noneMatch(c -> c.contains("DIFFERS"));
        // written after every scale: a run stopped in a long scale keeps the finished scales' figures
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        String progress = runs.size() < b.scales.size()
            ? String.format(Locale.ROOT, "**Partial: %d of %d scales finished when this was written.**%n%n", runs.size(), b.scales.size())
            : "";
        md = markdown(b, base, command(argv), date, asOf, cores, runs, checks, meter.unlabelledShuffleBytes(), loadBefore,
            LocateBench.loadAverage(), progress);
        writeReport(b, md, out);
      }
    }
    out.println();
    out.println(md);
    return new Result(md, agree);
  }

  private static void writeReport(Params b, String md, PrintStream out) {
    if (b.report.isEmpty()) {
      return;
    }
    String marker = b.incrementalMonth ? INCREMENTAL_MARKER : PipelineReport.MARKER;
    Path p = LocateBench.rewriteReport(b.report,
        doc -> PipelineReport.replaceMarked(doc, b.incrementalMonth ? INCREMENTAL_SECTION : SECTION, md, marker));
    out.println("bench-pipeline: wrote the figures to " + p + " (between " + PipelineReport.start(marker) + " and "
        + PipelineReport.end(marker) + ")");
  }

  /** The command's overrides plus the scale's size, its own lakehouse folder, landing folder and database names. */
  static Map<String, String> scaleOverrides(Map<String, String> overrides, AppConfig base, Params b, Scale s) {
    Map<String, String> o = new LinkedHashMap<>(overrides);
    String folder = b.root + "/" + s.tag();
    o.put("tp.lakehouse", folder);
    o.put("tp.generate.output", folder + "/landing");
    o.put("tp.generate.registrations", String.valueOf(s.registrations()));
    o.put("tp.generate.geo-units", String.valueOf(s.geoUnits()));
    o.put("tp.generate.dealers", String.valueOf(s.dealers()));
    o.put("tp.generate.months", String.valueOf(s.months()));
    for (String layer : List.of("bronze", "silver", "gold", "ops")) {
      o.put("tp.databases." + layer, base.sqlIdentifier("tp.databases." + layer) + "_" + s.tag());
    }
    return o;
  }

  /** The month end before the run date's month: the incremental month's previous run date. */
  static LocalDate previousMonth(LocalDate asOf) {
    return java.time.YearMonth.from(asOf).minusMonths(1).atEndOfMonth();
  }

  /**
   * One scale: generate, then the stages at the run date on an empty lakehouse; or, with {@code fullCfg}
   * (incremental-month), the stages at the month before, then at the run date incrementally, then as a
   * full rebuild, whose figures are the scale's.
   */
  private static ScaleRun runScale(SparkSession spark, AppConfig cfg, AppConfig fullCfg, Params b, Scale s, LocalDate asOf,
      StageMeter meter, List<String> checks, PrintStream out) {
    Lake lake = new Lake(spark, cfg);
    reset(spark, cfg, lake);
    List<StageFigure> figures = new ArrayList<>();
    String tag = s.tag();

    StageMeter.Measured<GenerateJob.Summary> g = meter.measure(tag + "/generate",
        () -> GenerateJob.run(spark, cfg, RunContext.start("generate", asOf)));
    figures.add(figure("generate", "rows generated", g.value().rowsPerInput().values().stream().mapToLong(Long::longValue).sum(),
        g, false, out, tag));

    PipelineReport.Incremental incremental = null;
    Pass pass;
    if (fullCfg == null) {
      pass = runStages(spark, cfg, b, asOf, meter, out, tag);
    } else {
      // ingest quarantines the run date's month as dated after the previous run date (about 1/months of
      // the rows, under tp.ingest.max-quarantine-share); the run date's ingest then accepts it as new
      Pass previous = runStages(spark, cfg, b, previousMonth(asOf), meter, out, tag + " previous");
      Pass inc = runStages(spark, cfg, b, asOf, meter, out, tag + " incremental");
      pass = runStages(spark, fullCfg, b, asOf, meter, out, tag + " full");
      incremental = new PipelineReport.Incremental(previous.figures(), inc.figures(), pass.figures(), inc.reused(), inc.toLocate());
      out.printf("  %s incremental locate reused %,d of %,d records%n", tag, inc.reused(), inc.toLocate());
    }
    figures.addAll(pass.figures());

    long[] jts = b.stages().contains("locate") ? jtsLoop(lake, cfg, asOf, b, out, tag) : null;
    double[] javaPass = b.stages().contains("market") ? marketPass(lake, cfg, asOf, b, checks, out, tag) : null;
    Baselines base = new Baselines(jts == null ? -1 : jts[0], jts == null ? -1 : jts[1], jts == null ? Double.NaN : jts[2] / 1e9,
        javaPass == null ? -1 : (long) javaPass[0], javaPass == null ? Double.NaN : javaPass[1]);
    if (b.deleteAfter) {
      reset(spark, cfg, lake);
    }
    return new ScaleRun(s, figures, base, incremental);
  }

  /** One pass of the stages at one run date: each stage's figure, then the checks' ("dq checks"); locate's reuse. */
  private record Pass(List<StageFigure> figures, long reused, long toLocate) {}

  private static Pass runStages(SparkSession spark, AppConfig cfg, Params b, LocalDate asOf, StageMeter meter, PrintStream out,
      String tag) {
    Lake lake = new Lake(spark, cfg);
    List<StageFigure> figures = new ArrayList<>();
    long checksRun = 0;
    double dqSeconds = 0;
    long dqHeap = -1;
    long dqRss = -1;
    long dqShuffle = 0;
    long reused = -1;
    long toLocate = -1;
    for (String stage : b.stages()) {
      org.territorypotential.ops.Stage st = org.territorypotential.pipeline.Stages.find(stage).orElseThrow();
      RunContext run = RunContext.start(stage, asOf);
      // a stage whose summary reads no rows is measured by its first input's rows, counted before it runs, outside the clock
      Table firstInput = st.reads(cfg).isEmpty() ? null : st.reads(cfg).get(0);
      long rowsBefore = firstInput != null && lake.exists(firstInput) ? lake.read(firstInput, asOf).count() : -1;
      String label = tag.replace(' ', '/') + "/" + stage;
      StageMeter.Measured<org.territorypotential.ops.Stage.Summary> m = meter.measure(label, () -> st.run(spark, cfg, run));
      Map<String, Long> read = m.value().stats().rowsRead;
      long readRows = read.entrySet().stream().filter(e -> !e.getKey().endsWith("_reused")).mapToLong(Map.Entry::getValue).sum();
      if (stage.equals("locate")) {
        reused = read.entrySet().stream().filter(e -> e.getKey().endsWith("_reused")).mapToLong(Map.Entry::getValue).sum();
        toLocate = readRows;
      }
      boolean counted = !read.isEmpty();
      long rows = counted ? readRows : rowsBefore;
      String input = counted ? "input rows read" : firstInput == null ? "rows" : firstInput.tableName + " rows";
      figures.add(figure(stage, input, rows, m, true, out, tag));
      StageMeter.Measured<Integer> dq = meter.measure(tag.replace(' ', '/') + "/dq-" + stage,
          () -> Gates.run(lake, cfg, run, stage, java.util.Set.copyOf(st.writes()), out).size());
      checksRun += dq.value();
      dqSeconds += dq.seconds();
      dqHeap = Math.max(dqHeap, dq.peakHeap());
      dqRss = Math.max(dqRss, dq.peakRss());
      dqShuffle += dq.shuffleBytes();
    }
    // the checks are not rows: no rate, no per-row cost
    figures.add(new StageFigure("dq checks", checksRun + " checks after the stages", -1, dqSeconds, dqHeap, dqRss, dqShuffle, true));
    out.printf("  %s %-9s %,d checks in %.1f s%n", tag, "dq", checksRun, dqSeconds);
    return new Pass(figures, reused, toLocate);
  }

  private static StageFigure figure(String stage, String input, long rows, StageMeter.Measured<?> m, boolean inTotal,
      PrintStream out, String tag) {
    out.printf("  %s %-9s %,d %s in %.1f s (shuffle %s MiB, peak heap %s MiB)%n", tag, stage, rows, input, m.seconds(),
        PipelineReport.mib(m.shuffleBytes()), PipelineReport.mib(m.peakHeap()));
    out.flush();
    return new StageFigure(stage, input, rows, m.seconds(), m.peakHeap(), m.peakRss(), m.shuffleBytes(), inTotal);
  }

  /** Drops the scale's databases and deletes its lakehouse folder: every scale starts empty (no incremental reuse). */
  private static void reset(SparkSession spark, AppConfig cfg, Lake lake) {
    for (String layer : List.of("bronze", "silver", "gold", "ops")) {
      spark.sql("DROP DATABASE IF EXISTS " + cfg.sqlIdentifier("tp.databases." + layer) + " CASCADE");
    }
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(lake.root());
    try {
      org.apache.hadoop.fs.FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(root)) {
        fs.delete(root, true);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot delete " + root + ": " + e.getMessage(), e);
    }
    org.apache.spark.sql.delta.DeltaLog.clearCache();
  }

  /**
   * The JTS STRtree loop over the registrations' points (bronze, with coordinates) and the silver
   * geo units of the locate level; tree build timed with it, best of the repeats after a warm-up.
   * Returns {points, located, best nanoseconds}.
   */
  private static long[] jtsLoop(Lake lake, AppConfig cfg, LocalDate asOf, Params b, PrintStream out, String tag) {
    String level = cfg.getString("tp.locate.level");
    WKBReader wkb = new WKBReader();
    List<Geometry> polygons = new ArrayList<>();
    for (Row r : lake.read(Table.GEO_UNITS_SILVER, asOf).where(col("level").equalTo(level)).select("geometry").collectAsList()) {
      try {
        polygons.add(wkb.read((byte[]) r.get(0)));
      } catch (ParseException e) {
        throw new IllegalStateException("bench-pipeline: unreadable geo unit geometry: " + e.getMessage(), e);
      }
    }
    Dataset<Row> pts = lake.read(Table.REGISTRATIONS_BRONZE, asOf)
        .where(col("longitude").isNotNull().and(col("latitude").isNotNull())).select("longitude", "latitude");
    int n = arraySize(pts.count());
    double[] lon = new double[n];
    double[] lat = new double[n];
    int i = 0;
    for (Iterator<Row> it = pts.toLocalIterator(); it.hasNext() && i < n; i++) {
      Row r = it.next();
      lon[i] = r.getDouble(0);
      lat[i] = r.getDouble(1);
    }
    new JtsLocator(polygons).locate(lon, lat, 0, (int) Math.min(b.warmupRows, i));
    int count = i;
    long[] best = {Long.MAX_VALUE, 0};
    for (int k = 0; k < b.repeats; k++) {
      long t0 = System.nanoTime();
      JtsLocator.Counts c = new JtsLocator(polygons).locate(lon, lat, 0, count);
      long t = System.nanoTime() - t0;
      if (t < best[0]) {
        best[0] = t;
        best[1] = c.located();
      }
    }
    out.printf("  %s %-9s %,d points in %,d polygons, %,d located, best of %d in %.2f s%n", tag, "jts", count, polygons.size(),
        best[1], b.repeats, best[0] / 1e9);
    return new long[] {count, best[1], best[0]};
  }

  /**
   * The plain-Java market pass over the located registrations (collected to arrays, untimed),
   * best of the repeats after a warm-up; checks its counts against the stage's gold tables.
   * Returns {rows, best seconds}.
   */
  private static double[] marketPass(Lake lake, AppConfig cfg, LocalDate asOf, Params b, List<String> checks, PrintStream out,
      String tag) {
    Dataset<Row> regs = lake.read(Table.REGISTRATIONS_LOCATED, asOf).select(col("geo_unit_id"), col("make"), col("model"),
        col("segment"), col("sale_type"), datediff(col("registration_date"), lit(java.sql.Date.valueOf("1970-01-01"))).as("day"),
        year(col("registration_date")).multiply(12).plus(month(col("registration_date"))).minus(1).as("month"));
    int n = arraySize(regs.count());
    MarketBaseline.Rows rows = new MarketBaseline.Rows(new String[n], new String[n], new String[n], new String[n], new String[n],
        new int[n], new int[n]);
    Map<String, String> dictionary = new HashMap<>();
    int i = 0;
    for (Iterator<Row> it = regs.toLocalIterator(); it.hasNext() && i < n; i++) {
      Row r = it.next();
      rows.unit()[i] = intern(dictionary, r.getString(0));
      rows.make()[i] = intern(dictionary, r.getString(1));
      rows.model()[i] = intern(dictionary, r.getString(2));
      rows.segment()[i] = intern(dictionary, r.getString(3));
      rows.saleType()[i] = intern(dictionary, r.getString(4));
      rows.day()[i] = r.getInt(5);
      rows.month()[i] = r.getInt(6);
    }
    if (i != n) {
      throw new IllegalStateException("bench-pipeline: read " + i + " located registrations, counted " + n);
    }
    List<Row> ref = lake.exists(Table.SEGMENTS_BRONZE)
        ? lake.read(Table.SEGMENTS_BRONZE, asOf).select("make", "model", "segment").collectAsList() : List.of();
    MarketBaseline baseline = new MarketBaseline(ref.stream().map(r -> r.getString(0)).toArray(String[]::new),
        ref.stream().map(r -> r.getString(1)).toArray(String[]::new), ref.stream().map(r -> r.getString(2)).toArray(String[]::new));
    MarketParams mp = MarketParams.from(cfg, asOf);
    MarketBaseline.Window w = new MarketBaseline.Window((int) mp.windowStart().toEpochDay(), (int) mp.windowEnd().toEpochDay(),
        (int) asOf.toEpochDay(), mp.retailOnly());
    baseline.count(rows, w, 0, (int) Math.min(b.warmupRows, n));
    double best = Double.POSITIVE_INFINITY;
    MarketBaseline.Counts counts = null;
    for (int k = 0; k < b.repeats; k++) {
      long t0 = System.nanoTime();
      MarketBaseline.Counts c = baseline.count(rows, w);
      double t = (System.nanoTime() - t0) / 1e9;
      if (t < best) {
        best = t;
        counts = c;
      }
    }
    out.printf("  %s %-9s %,d rows into %,d window, %,d window-month and %,d history-month cells, best of %d in %.2f s%n", tag,
        "java-mkt", n, counts.window().size(), counts.windowMonths().size(), counts.history().size(), b.repeats, best);

    Dataset<Row> share = lake.read(Table.MARKET_SHARE, asOf).where(col("area_type").equalTo("geo_unit"));
    checks.add(compare(tag, "window cells per geo unit x segment x brand (market_share, geo_unit, window)", counts.window(),
        share.where(col("period_type").equalTo("window")).agg(count(lit(1)), sum("brand_registrations")).first()));
    checks.add(compare(tag, "window-month cells (market_share, geo_unit, month)", counts.windowMonths(),
        share.where(col("period_type").equalTo("month")).agg(count(lit(1)), sum("brand_registrations")).first()));
    checks.add(compare(tag, "history-month cells (monthly_registrations)", counts.history(),
        lake.read(Table.MONTHLY_REGISTRATIONS, asOf).agg(count(lit(1)), sum("registrations")).first()));
    return new double[] {n, best};
  }

  /** One check line: the Java pass's cells and registrations against the Spark table's rows and sum. */
  private static String compare(String tag, String what, Map<MarketBaseline.Cell, long[]> java, Row spark) {
    long cells = spark.getLong(0);
    long total = spark.isNullAt(1) ? 0 : spark.getLong(1);
    long javaTotal = MarketBaseline.Counts.total(java);
    boolean same = cells == java.size() && total == javaTotal;
    return String.format(Locale.ROOT, "%s, %s: Java %,d cells / %,d registrations, Spark %,d rows / %,d (%s)", tag, what, java.size(),
        javaTotal, cells, total, same ? "same" : "DIFFERS");
  }

  private static String intern(Map<String, String> dictionary, String s) {
    return s == null ? null : dictionary.computeIfAbsent(s, k -> k);
  }

  private static int arraySize(long n) {
    if (n > Integer.MAX_VALUE - 8) {
      throw new ConfigError("bench-pipeline: " + n + " rows do not fit the per-core baselines' arrays (at most "
          + (Integer.MAX_VALUE - 8) + ")");
    }
    return (int) n;
  }

  /** The command as typed, each argument shell-quoted when it needs to be. */
  static String command(List<String> argv) {
    StringBuilder sb = new StringBuilder("jobs/tp");
    for (String a : argv) {
      sb.append(' ').append(a.matches("[A-Za-z0-9_./=:,@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
    }
    return sb.toString();
  }

  static String markdown(Params b, AppConfig base, String command, String date, LocalDate asOf, int cores, List<ScaleRun> runs,
      List<String> checks, long unlabelledShuffle, String loadBefore, String loadAfter, String progress) {
    StringBuilder sb = new StringBuilder();
    sb.append("### Run of ").append(date).append(b.label.isEmpty() ? "" : ": " + b.label).append("\n\n");
    sb.append(progress);
    sb.append("Command (run date ").append(asOf).append("):\n\n```\n").append(command).append("\n```\n\n");
    sb.append(String.format(Locale.ROOT, "Machine: %s; `nproc` = %s, %s memory; %s; Spark %s (`%s`, %d cores = "
        + "defaultParallelism, %d shuffle partitions), Sedona %s. Load average (1, 5, 15 min) %s at the start, %s at the end; "
        + "%d other Java processes were running.%n%n", LocateBench.osName(), LocateBench.nproc(), LocateBench.memory(),
        LocateBench.javaVersion(), org.apache.spark.package$.MODULE$.SPARK_VERSION(), base.getString("tp.spark.master"), cores,
        base.getInt("tp.spark.shuffle-partitions"), LocateBench.sedonaVersion(), loadBefore, loadAfter,
        LocateBench.otherJavaProcesses()));
    sb.append("Scales: ").append(String.join("; ", runs.stream().map(r -> r.scale().label()).toList()))
        .append(". Stages: generate (not in the total), ").append(String.join(", ", b.stages()))
        .append(", each followed by its data-quality checks. Ratios are against the smallest scale (")
        .append(PipelineReport.smallest(runs).scale().label()).append(").\n\n");
    if (b.incrementalMonth) {
      sb.append("Each scale ran the stages at ").append(previousMonth(asOf)).append(" (the previous month: the setup), then at ")
          .append(asOf).append(" incrementally (`tp.incremental = true`, the default), then at ").append(asOf)
          .append(" as a full rebuild (`--full`), on the same lakehouse. The first table is the full rebuild's.\n\n");
    }
    sb.append(PipelineReport.stageTable(runs, cores)).append('\n');
    if (b.incrementalMonth) {
      sb.append("The incremental month against the full rebuild of the same run date (target: at most 0.25x):\n\n");
      sb.append(PipelineReport.incrementalTable(runs)).append('\n');
      for (ScaleRun r : runs) {
        sb.append(String.format(Locale.ROOT, "- %s: the incremental locate reused %,d of the %,d records it read.%n",
            r.scale().label(), r.incremental().reused(), r.incremental().toLocate()));
      }
      sb.append('\n');
    }
    sb.append("Per-core limits on the same rows (JTS and the Java pass run in one thread; Spark stages on ").append(cores)
        .append(" cores, per core = / ").append(cores).append("):\n\n");
    sb.append(PipelineReport.baselineTable(runs, cores)).append('\n');
    if (!checks.isEmpty()) {
      sb.append("Checks (the Java pass counts what the market stage wrote):\n\n");
      checks.forEach(c -> sb.append("- ").append(c).append('\n'));
      sb.append('\n');
    }
    sb.append(String.format(Locale.ROOT, "Shuffle bytes of Spark stages submitted outside any measured block (threads that do not "
        + "inherit the label): %s MiB.%n", PipelineReport.mib(unlabelledShuffle)));
    return sb.toString();
  }
}
